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


def _placed(**update: object) -> ResultDocument:
    from newsproc.models import Entity, Mention, PlaceLink, RemovedSegment

    result = ResultDocument(
        document_id="d",
        status=Status.PROCESSED,
        clean_text="Ana Gomes flew to Lisbon.",
        mentions=[
            Mention(start=0, end=9, text="Ana Gomes", label="PERSON", entity_id="a"),
            Mention(start=18, end=24, text="Lisbon", label="GPE", entity_id="l"),
        ],
        entities=[
            Entity(id="a", key="ana gomes", name='Ana "<i>" Gomes', label="PERSON", count=1, first_start=0),
            Entity(
                id="l",
                key="lisbon",
                name="Lisbon",
                label="GPE",
                count=1,
                first_start=18,
                links=PlaceLink(geonames=2267057, iso3166="PT", lat=38.72, lon=-9.13),
            ),
        ],  # fmt: skip
        removed=[RemovedSegment(text="Sign up <now>", reason="newsletter")],
        pipeline=Pipeline(version="t"),
    )
    return result.model_copy(update=update)


def test_entities_link_to_the_browser_and_removed_segments_are_listed() -> None:
    page = render_view(_placed(entities=_placed().entities[:1]))  # no linked place: no map
    # relative to /documents/{id}/view: the API's root, under a deploy's stage path too
    assert 'href="../../?entity=Ana+%22%3Ci%3E%22+Gomes&amp;label=PERSON"' in page
    assert 'href="../d"' in page and 'href="../../"' in page
    assert '<details id="removed"><summary>Removed segments (1)</summary>' in page
    assert "Sign up &lt;now&gt;" in page and "<i>" not in page
    assert 'id="places"' not in page
    assert "<main>" in page and '<th scope="col">name</th>' in page and 'aria-labelledby="label-chart-title"' in page


def test_linked_places_are_drawn_on_the_world_map(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    import newsproc.api

    drawn: list[object] = []
    worldmap = types.ModuleType("newsproc.api.worldmap")
    worldmap.render_map = lambda places: drawn.append(list(places)) or '<svg id="world-map"></svg>'  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "newsproc.api.worldmap", worldmap)
    # `from newsproc.api import worldmap` reads the package attribute first once the real module was imported
    monkeypatch.setattr(newsproc.api, "worldmap", worldmap, raising=False)
    page = render_view(_placed())
    assert drawn == [[("Lisbon", 38.72, -9.13)]]
    assert '<figure id="places"><svg id="world-map"></svg>' in page and "Lisbon (38.72, -9.13)" in page
    assert 'href="../../?entity=Lisbon&amp;label=GPE"' in page


def test_the_world_map_is_newsproc_api_worldmaps_inline_svg() -> None:
    page = render_view(_placed())
    assert '<figure id="places"><svg' in page and "<title>Lisbon</title>" in page
    assert page.count("<circle") == 1, "only linked places are drawn"
