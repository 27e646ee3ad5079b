"""The HTML view (newsproc.api.view) of documents that need no spaCy: a FAILED one, its title."""

from __future__ import annotations

import pytest

from newsproc.api.view import render_view, view_title
from newsproc.models import ErrorCode, Metadata, Pipeline, ResultDocument, Source, Status

pytestmark = pytest.mark.unit


def _failed() -> ResultDocument:
    return ResultDocument.failed(
        "ab12cd",
        Source(bucket="raw", key="uploads/13385f33aa.txt", content_type="text/plain", size=9),
        ErrorCode.EMPTY_AFTER_CLEANING,
        "nothing is left after removing <boilerplate>",
        Pipeline(version="test"),
    )


def test_a_failed_document_shows_its_error_code_and_message() -> None:
    page = render_view(_failed())
    assert 'id="error"' in page
    assert "FAILED" in page and "empty_after_cleaning" in page
    assert "nothing is left after removing &lt;boilerplate&gt;" in page  # escaped
    assert '<table id="metadata">' in page and "empty_after_cleaning: nothing is left" in page


def test_the_title_is_never_the_storage_key() -> None:
    failed = _failed()
    assert view_title(failed) == "Document ab12cd"
    assert "<title>uploads/" not in render_view(failed)
    text = ResultDocument(
        document_id="x", status=Status.PROCESSED, clean_text="\n  Wind farm approved\nMore text.",
        source=Source(key="uploads/1.txt"), pipeline=Pipeline(version="test"),
    )  # fmt: skip
    assert view_title(text) == "Wind farm approved"
    long = text.model_copy(update={"clean_text": "word " * 40})
    assert len(view_title(long)) == 80 and view_title(long).endswith("…")
    titled = text.model_copy(update={"metadata": Metadata(title="Coastal wind farm")})
    assert view_title(titled) == "Coastal wind farm"


def test_every_value_is_escaped_including_custom_labels() -> None:
    from newsproc.models import Entity, Mention, Metadata, Pipeline, ResultDocument, Status

    result = ResultDocument(
        document_id="d",
        status=Status.PROCESSED,
        clean_text="Carlos Moedas spoke <b>loudly</b>.",
        mentions=[Mention(start=0, end=13, text="Carlos Moedas", label="<script>", entity_id="e")],
        entities=[Entity(id="e", key="k", name="Carlos <i>M</i>", label="<script>", count=1, first_start=0)],
        metadata=Metadata(title="A <title> & more"),
        pipeline=Pipeline(version="t"),
    )
    page = render_view(result)
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page and "<title> &" not in page
    assert "&lt;script&gt;" in page and 'id="entity-table"' in page and 'id="label-chart"' in page
