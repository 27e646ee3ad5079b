"""A stand-in for DocumentPipeline in unit tests: no spaCy, results built from the input bytes.

Every `[Name]` in the text becomes a PERSON entity keyed with `newsproc.names.entity_key`. A body
containing `POISON` breaks `process_batch` for the whole batch and `process` for itself, like a
document that trips a bug in the real pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsproc.media import DocumentInput
from newsproc.models import Entity, ErrorCode, Pipeline, ResultDocument, Source, Status
from newsproc.names import entity_key

POISON = b"POISON"
_NAME = re.compile(r"\[([^\]]+)\]")


class PipelineBroke(RuntimeError):
    pass


class StubPipeline:
    pipeline_info = {"version": "test"}

    def __init__(self) -> None:
        self.batches: list[list[str]] = []  # document ids of each process_batch call
        self.singles: list[str] = []  # document ids of each process call

    def process_batch(self, documents: Sequence[DocumentInput]) -> list[ResultDocument]:
        self.batches.append([d.document_id for d in documents])
        if any(POISON in d.data for d in documents):
            raise PipelineBroke("a document broke the batch")
        return [self._result(d) for d in documents]

    def process(self, document: DocumentInput) -> ResultDocument:
        self.singles.append(document.document_id)
        if POISON in document.data:
            raise PipelineBroke(f"{document.document_id} broke the pipeline")
        return self._result(document)

    def failed(self, document_id: str, source: Source, code: ErrorCode, message: str) -> ResultDocument:
        """The signature and shape of DocumentPipeline.failed."""
        return ResultDocument.failed(document_id, source, code, message, Pipeline(**self.pipeline_info))

    def _result(self, document: DocumentInput) -> ResultDocument:
        text = document.data.decode()
        entities = [
            Entity(id=f"e{i}", key=entity_key(name), name=name, label="PERSON", count=1, first_start=m.start())
            for i, m in enumerate(_NAME.finditer(text))
            for name in [m.group(1)]
        ]
        return ResultDocument(
            document_id=document.document_id,
            status=Status.PROCESSED,
            source=document.source,
            clean_text=text,
            entities=entities,
            pipeline=Pipeline(**self.pipeline_info),
        )
