"""Shared test data builders: stored-looking results without running the pipeline; a catalog's pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def listed_pages(catalog: Any, limit: int) -> list[list[str]]:
    """The document ids of every page a catalog lists, `limit` a page, following its tokens to the end."""
    pages, token = [], None
    while True:
        page, token = catalog.list(limit=limit, next_token=token)
        pages.append([row["document_id"] for row in page])
        if token is None:
            return pages
