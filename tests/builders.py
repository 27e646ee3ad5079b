"""Shared test data builders: stored-looking results without running the pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from newsproc.models import Entity, Metadata, Pipeline, ResultDocument, Source, Status


def processed_result(
    document_id: str, text: str = "text", *, names: Sequence[str] = (), published: str | None = None
) -> ResultDocument:
    """A PROCESSED result of `<document_id>.txt` in bucket "b" with the clean text and one PERSON entity a
    name (its key the lower-cased name), as the pipeline (version "test") would store it."""
    entities = [
        Entity(id=f"e{i}", key=name.lower(), name=name, label="PERSON", count=1, first_start=0)
        for i, name in enumerate(names)
    ]
    return ResultDocument(
        document_id=document_id,
        status=Status.PROCESSED,
        source=Source(bucket="b", key=f"{document_id}.txt"),
        metadata=Metadata(published=published),
        clean_text=text,
        entities=entities,
        pipeline=Pipeline(version="test"),
    )
