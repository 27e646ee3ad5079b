"""spaCy NER over long texts, plus rule-based mention fixes on top of the statistical model.

Steps for every document (offsets always point into the text exactly as given), one module each:

1. ``casing.restore_case``: lines written in capitals (headlines, datelines) get a same-length, case-restored
   copy; only that copy is shown to the model, so offsets stay valid and mention text is read from the original.
2. ``chunks.chunk_text``: the text is cut at paragraph, line, sentence or space breaks into pieces well below
   ``nlp.max_length``; nothing is ever truncated and chunk offsets are added back.
3. ``nlp.pipe`` over all chunks of the batch (``model.load_nlp``: only the ner is loaded, with its own embedded
   tok2vec, then for English an entity_ruler, then a deployment's own patterns, ``patterns``); the model's
   labels are mapped onto the service's (``model.LABEL_MAP``). Which model runs on which text is decided
   before this, by the language gate (``newsproc.pipeline.language.ner_language``, ``languages.NerModels``).
4. ``boundaries.boundaries``: consistent spans (no leading "the", no quotes/punctuation, no trailing possessive,
   honorifics left out of PERSON; ``dates``: DATE reduced to calendar expressions; ``money``: MONEY with its
   currency, plus amounts the model missed). ``spans`` holds the trimming and overlap helpers they share.
5. ``harmonize.harmonize``: document-level consistency (one label per surface form by majority; a surname or
   given name alone takes the label of the full name; an unrecognised repeat of a known surname is added).
6. ``newsproc.pipeline.places.relabel_places``: an ORG mention that the gazetteer shows is a country, or an
   unambiguous city or region of the document's countries, becomes a place (docs/places.md).

With ``confidence=True`` (NER_CONFIDENCE) every mention also gets a score in [0, 1] (``confidence``: a beam
search over the same ner next to the greedy pass, calibrated on dev; fixed values for rule-made mentions).

Entity-name rules (name labels, honorifics, possessives, keys, label groups) live in ``newsproc.names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from newsproc.pipeline.extract.boundaries import boundaries
from newsproc.pipeline.extract.casing import restore_case
from newsproc.pipeline.extract.chunks import CHUNK_CHARS, chunk_text
from newsproc.pipeline.extract.confidence import ChunkEvidence, mention_confidence, pipe_with_evidence
from newsproc.pipeline.extract.confidence import merge as merge_evidence
from newsproc.pipeline.extract.harmonize import harmonize
from newsproc.pipeline.extract.model import (
    LABEL_MAP,
    LABELS_DROPPED,
    LABELS_KEPT,
    MODEL_PACKAGE,
    UNUSED_COMPONENTS,
    load_nlp,
    service_label,
)
from newsproc.pipeline.extract.money import money_patterns
from newsproc.pipeline.places import relabel_places

if TYPE_CHECKING:  # spaCy is imported lazily so the API function never pays for it
    from spacy.language import Language

__all__ = [
    "CHUNK_CHARS",
    "LABELS_DROPPED",
    "LABELS_KEPT",
    "LABEL_MAP",
    "MODEL_PACKAGE",
    "UNUSED_COMPONENTS",
    "RawMention",
    "boundaries",
    "chunk_text",
    "extract_mentions",
    "harmonize",
    "load_nlp",
    "postprocess",
    "restore_case",
    "service_label",
]

# French elided articles and prepositions the WikiNER models keep at the start of a name ("l'OTAN").
_ELISION = re.compile(r"(?:[lLdD]|[qQ]u)['’](?=\w)")
_ELIDING_LANGUAGES = frozenset({"fr", "it", "ca"})


@dataclass(frozen=True)
class RawMention:
    start: int
    end: int
    text: str
    label: str
    # 0..1 when confidence scoring is on (NER_CONFIDENCE, confidence.py), else None
    confidence: float | None = None


def extract_mentions(
    nlp: Language, texts: Iterable[str], batch_size: int = 16, *, confidence: bool = False
) -> list[list[RawMention]]:
    """Mentions per text; with `confidence` each mention also gets a score (confidence.py: a beam search
    over the same ner model next to the greedy one, whose predictions stay the same)."""
    texts = list(texts)
    chunks = [
        (doc_index, offset, chunk)
        for doc_index, text in enumerate(texts)
        for offset, chunk in chunk_text(restore_case(text), CHUNK_CHARS)
    ]
    spans: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    evidence: list[list[ChunkEvidence]] = [[] for _ in texts]
    chunk_texts = (chunk for _, _, chunk in chunks)
    if confidence:
        docs = pipe_with_evidence(nlp, chunk_texts, batch_size=batch_size)
    else:
        docs = ((doc, None) for doc in nlp.pipe(chunk_texts, batch_size=batch_size))
    for (doc_index, offset, _), (doc, chunk_evidence) in zip(chunks, docs, strict=True):
        for e in doc.ents:
            label = service_label(e.label_)
            if label is not None:
                spans[doc_index].append((offset + e.start_char, offset + e.end_char, label))
        if chunk_evidence is not None:
            evidence[doc_index].append(chunk_evidence.shifted(offset))
    language = nlp.lang
    results = [
        postprocess(text, doc_spans, restore_case(text), language=language)
        for text, doc_spans in zip(texts, spans, strict=True)
    ]
    if confidence:
        for index, mentions in enumerate(results):
            merged = merge_evidence(evidence[index])
            results[index] = [
                replace(m, confidence=mention_confidence(m.start, m.end, m.label, merged)) for m in mentions
            ]
    return results


def postprocess(
    text: str, spans: Iterable[tuple[int, int, str]], ner_text: str | None = None, *, language: str = "en"
) -> list[RawMention]:
    """Boundary fixes, pattern mentions and document-level label consistency for one document.

    `ner_text` is the same-length case-restored copy the model saw (used to find repeats of names).
    The currency patterns (``money``) are English rules: other languages get the model's mentions only."""
    fixed: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if language in _ELIDING_LANGUAGES and (m := _ELISION.match(text, start, end)) and m.end() < end:
            start = m.end()
        fixed.extend(boundaries(text, start, end, label))
    if language == "en":
        fixed.extend(money_patterns(text, fixed))
    fixed = harmonize(text, fixed, ner_text)
    # the gazetteer as label evidence: an ORG that is a country, or a place of the document's countries, is one
    fixed = relabel_places(text, fixed)
    seen: set[tuple[int, int, str]] = set()
    result = []
    for start, end, label in sorted(fixed):
        if (start, end, label) in seen or start >= end:
            continue
        seen.add((start, end, label))
        result.append(RawMention(start=start, end=end, text=text[start:end], label=label))
    return result
