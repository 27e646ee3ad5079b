"""The collection browser (GET /, newsproc.api.browser): parameters, list and entity pages, the timeline
chart, escaping, the Content-Security-Policy and the accessible markup, over in-memory stores."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from newsproc.api import browser
from newsproc.api.errors import ApiError
from newsproc.api.service import DocumentService
from newsproc.models import Entity, ErrorCode, Metadata, Pipeline, ResultDocument, Source, Status
from newsproc.settings import Settings
from newsproc.store.catalog import TOP_ENTITIES, catalog_attributes, summary
from newsproc.store.documents import ITEM_TEXT_CHARS, PUBLISHED_CHARS
from newsproc.store.memory import InMemoryCatalog, InMemoryDocumentRepository, InMemoryRawStore

pytestmark = pytest.mark.unit

EVIL = """<script>alert("x")</script> 'quoted' & more"""
POINTS = [
    {"period": "2026-11-30", "documents": 3, "mentions": 7},
    {"period": "2026-12-02", "documents": 1, "mentions": 1},
]


class CollectionService(DocumentService):
    """DocumentService over in-memory stores, with a recorded timeline (canned periods)."""

    def __init__(self, points: list[dict[str, Any]] | Exception | None = None, more: str | None = None) -> None:
        self.memory = InMemoryDocumentRepository()
        super().__init__(
            InMemoryRawStore(), self.memory, InMemoryCatalog(self.memory), None, settings=Settings.from_env({})
        )  # type: ignore[arg-type]
        self.points, self.more = POINTS if points is None else points, more
        self.pages: list[tuple[list[dict[str, Any]], str | None]] = []
        self.timeline_calls: list[tuple[Any, ...]] = []

    def timeline(self, label: str, name: str, **kwargs: Any) -> tuple[list[dict[str, Any]], str | None]:
        """The canned periods, or the pages of `self.pages` one call after the other (with their tokens)."""
        self.timeline_calls.append((label, name, kwargs))
        if isinstance(self.points, Exception):
            raise self.points
        if self.pages:
            return self.pages.pop(0)
        return list(self.points), self.more

    def add(self, document_id: str, *, title: str | None = None, entities: tuple[tuple[str, str], ...] = (),
            published: str | None = "2026-11-30", key: str = "news/a.txt", failed: bool = False) -> None:  # fmt: skip
        source = Source(bucket="raw", key=key)
        if failed:
            result = ResultDocument.failed(
                document_id, source, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a pdf", Pipeline(version="t")
            )
        else:
            result = ResultDocument(
                document_id=document_id, status=Status.PROCESSED, source=source,
                metadata=Metadata(title=title, published=published), clean_text="text", pipeline=Pipeline(version="t"),
                entities=[Entity(id=f"e{i}", key=name.lower(), name=name, label=label, count=i + 1, first_start=0)
                          for i, (name, label) in enumerate(entities)],
            )  # fmt: skip
        self.memory.save(result)


def _page(service: CollectionService, **params: str) -> str:
    return browser.page(service, params)


def _ids(page: str) -> list[str]:
    return re.findall(r'<tr data-document-id="([0-9a-f]+)">', page)


class Markup(HTMLParser):
    """The tags of a page with their attributes, and the text of its <style> elements."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture
def service() -> CollectionService:
    world = CollectionService()
    world.add("a1" * 16, title="Harbour bridge approved", entities=(("Carlos Moedas", "PERSON"), ("Lisbon", "GPE")))
    world.add("b2" * 16, title="Bridge opens", entities=(("Carlos Moedas", "PERSON"),), published="2026-12-02")
    world.add("c3" * 16, failed=True, key="news/letter.pdf")
    return world


# ------------------------------------------------------------------------------------- parameters


def test_empty_form_fields_are_not_given() -> None:
    query = browser.BrowseQuery.from_params({"entity": " ", "label": "", "from": "", "to": "", "next": ""})
    assert query == browser.BrowseQuery()
    assert browser.BrowseQuery.from_params({"entity": "Carlos Moedas", "label": "person"}).label == "PERSON"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"entity": "Carlos Moedas"}, "label_required"),
        ({"entity": "x", "label": "PER SON"}, "validation_error"),
        ({"entity": "x" * 301, "label": "PERSON"}, "validation_error"),
        ({"entity": "x", "label": "PERSON", "granularity": "month"}, "validation_error"),
        ({"entity": "x", "label": "PERSON", "from": "2" * 33}, "validation_error"),
        ({"limit": "0"}, "validation_error"),
        ({"limit": "101"}, "validation_error"),
        ({"next": "x" * 4097}, "validation_error"),
    ],
)
def test_what_a_form_cannot_send_is_the_apis_422(params: dict[str, str], code: str) -> None:
    with pytest.raises(ApiError) as raised:
        browser.BrowseQuery.from_params(params)
    assert raised.value.status == 422 and raised.value.code == code


def test_a_deploys_stage_prefixes_every_link(service: CollectionService) -> None:
    assert browser.base_path("$default") == "" and browser.base_path(None) == ""
    assert browser.base_path("dev") == "/dev"
    page = browser.page(service, {}, stage="dev")
    hrefs = [a["href"] for a in Markup(page).all("a")]
    assert hrefs and all(h and h.startswith("/dev/") for h in hrefs)
    assert Markup(page).all("form")[0]["action"] == "/dev/"


# ------------------------------------------------------------------------------------- the pages


def test_the_list_shows_title_date_status_top_entities_and_error_codes(service: CollectionService) -> None:
    page = _page(service)
    assert sorted(_ids(page)) == ["a1" * 16, "b2" * 16, "c3" * 16]
    assert "Harbour bridge approved" in page and "2026-12-02" in page
    failed = page.split('data-document-id="' + "c3" * 16)[1].split("</tr>")[0]
    assert "FAILED" in failed and "unsupported_media_type" in failed and "Untitled document" in failed
    links = {a["href"] for a in Markup(page).all("a")}
    assert {f"/documents/{'a1' * 16}/view", f"/documents/{'a1' * 16}"} <= links
    assert "/?entity=Carlos+Moedas&label=PERSON" in links and "/?entity=Lisbon&label=GPE" in links
    assert service.timeline_calls == [], "no timeline without an entity"
    assert 'id="timeline"' not in page


def test_the_entity_filter_lists_its_documents_and_draws_its_timeline(service: CollectionService) -> None:
    page = _page(service, entity="Mr Carlos Moedas", label="PERSON", granularity="week", **{"from": "2026-11-01"})
    assert sorted(_ids(page)) == ["a1" * 16, "b2" * 16]
    assert service.timeline_calls == [
        ("PERSON", "Mr Carlos Moedas",
         {"start": "2026-11-01", "end": None, "granularity": "week", "limit": 1000, "next_token": None}),
    ]  # fmt: skip
    assert 'id="timeline-chart"' in page and 'id="timeline-table"' in page
    table = page.split('id="timeline-table"')[1].split("</table>")[0]
    assert "<td>3</td><td>7</td>" in table and "2026-12-02" in table
    markup = Markup(page)
    assert [o for o in markup.all("option") if "selected" in o and o["value"] == "week"]
    assert markup.all("input")[0]["value"] == "Mr Carlos Moedas"


def test_the_entity_filter_shows_each_documents_published_date(service: CollectionService) -> None:
    page = _page(service, entity="Carlos Moedas", label="PERSON")
    rows = {i: page.split(f'data-document-id="{i}"', 1)[1].split("</tr>", 1)[0] for i in ("a1" * 16, "b2" * 16)}
    assert '<td class="date">2026-12-02</td>' in rows["b2" * 16]
    assert '<td class="date">2026-11-30</td>' in rows["a1" * 16]


def test_an_entity_without_dated_documents_says_so() -> None:
    empty = CollectionService(points=[])
    page = _page(empty, entity="Nobody", label="ORG")
    assert "No dated document mentions this entity." in page and 'id="timeline-chart"' not in page
    assert "No document mentions this entity." in page


def test_the_timeline_is_read_over_a_few_pages_and_a_split_period_added_up() -> None:
    world = CollectionService()
    world.pages = [
        ([{"period": "2026-11-30", "documents": 2, "mentions": 3}], "t1"),
        ([{"period": "2026-11-30", "documents": 1, "mentions": 1}, {"period": "2026-12-01", "documents": 1,
                                                                    "mentions": 1}], "t2"),
        ([{"period": "2026-12-02", "documents": 1, "mentions": 1}], "t3"),
    ]  # fmt: skip
    page = _page(world, entity="Ana Gomes", label="PERSON")
    assert [call[2]["next_token"] for call in world.timeline_calls] == [None, "t1", "t2"]  # TIMELINE_CALLS
    table = page.split('id="timeline-table"')[1].split("</table>")[0]
    assert '<th scope="row">2026-11-30</th><td>3</td><td>4</td>' in table and "Later periods are not drawn" in page


def test_a_window_the_timeline_refuses_is_said_on_the_page() -> None:
    refusing = CollectionService(points=ApiError(422, "invalid_period", "from..to spans 900 days; at most 366 here"))
    refusing.add("a1" * 16, title="Kept", entities=(("Ana Gomes", "PERSON"),))
    page = _page(refusing, entity="Ana Gomes", label="PERSON", **{"from": "2024-01-01", "to": "2026-06-18"})
    assert 'role="alert">No timeline for these dates: from..to spans 900 days; at most 366 here' in page
    assert _ids(page) == ["a1" * 16], "the list is shown all the same"
    assert 'value="2024-01-01"' in page


def test_pages_follow_the_catalogs_token_and_keep_the_filter() -> None:
    world = CollectionService()
    for i in range(5):
        world.add(f"{i:02d}" * 16, title=f"Story {i}", entities=(("Ana Gomes", "PERSON"),))
    first = _page(world, limit="2")
    next_link = next(a["href"] for a in Markup(first).all("a") if a.get("rel") == "next")
    seen = _ids(first)
    while next_link:
        query = {k: v[0] for k, v in parse_qs(urlsplit(next_link).query).items()}
        assert query["limit"] == "2"
        later = _page(world, **query)
        assert "First page" in later
        seen += _ids(later)
        next_link = next((a["href"] for a in Markup(later).all("a") if a.get("rel") == "next"), None)
    assert sorted(seen) == [f"{i:02d}" * 16 for i in range(5)]
    filtered = _page(world, entity="Ana Gomes", label="PERSON", limit="2", granularity="week")
    query = parse_qs(urlsplit(next(a["href"] for a in Markup(filtered).all("a") if a.get("rel") == "next")).query)
    assert query["entity"] == ["Ana Gomes"] and query["label"] == ["PERSON"] and query["granularity"] == ["week"]


def test_everything_is_escaped(service: CollectionService) -> None:
    world = CollectionService(points=[{"period": "<b>2026</b>", "documents": 1, "mentions": 1}])
    world.add("d4" * 16, title=EVIL, entities=((EVIL, "PERSON"),), key='news/"><script>x</script>.txt')
    for page in (_page(world), _page(world, entity=EVIL, label="PERSON")):
        assert "<script" not in page and "<b>" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &#39;quoted&#39; &amp; more" in page
    listed = _page(world)
    tag = next(a for a in Markup(listed).all("a") if a.get("class") == "tag")
    assert parse_qs(urlsplit(tag["href"]).query) == {"entity": [EVIL], "label": ["PERSON"]}


def test_a_strict_policy_with_the_style_sheets_hash_and_no_style_attribute(service: CollectionService) -> None:
    page = _page(service, entity="Carlos Moedas", label="PERSON")
    markup = Markup(page)
    (css,) = markup.styles
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = browser.SECURITY_HEADERS["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy and "unsafe-inline" not in policy
    assert browser.SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert all("style" not in attrs for _, attrs in markup.tags), "a style attribute needs 'unsafe-inline'"
    assert not markup.all("script") and not markup.all("img") and not markup.all("link")
    assert "http://" not in page and "https://" not in page, "no external assets"


def test_the_markup_is_accessible(service: CollectionService) -> None:
    page = _page(service, entity="Carlos Moedas", label="PERSON")
    markup = Markup(page)
    assert markup.all("html")[0]["lang"] == "en" and len(markup.all("main")) == 1
    labelled = {label["for"] for label in markup.all("label")}
    controls = [*markup.all("input"), *markup.all("select")]
    assert controls and all(c["id"] in labelled for c in controls)
    assert all(th.get("scope") in ("col", "row") for th in markup.all("th"))
    (chart,) = markup.all("svg")
    assert chart["role"] == "img" and chart["aria-labelledby"] == "timeline-chart-title timeline-chart-desc"
    assert "most documents in the day from 2026-11-30 (3)" in page
    links = [a for a in markup.all("a")]
    assert all(a.get("href") for a in links)
    assert 'JSON<span class="visually-hidden"> of Bridge opens</span>' in page


# ------------------------------------------------------------------------------------- the chart


def test_the_chart_fills_the_gaps_and_scales_its_bars() -> None:
    svg = str(browser.timeline_svg(POINTS, title="t"))
    periods = re.findall(r'data-period="([^"]+)"', svg)
    assert periods == ["2026-11-30", "2026-12-01", "2026-12-02"]
    bars = re.findall(r'class="mentions" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)">\s*<title>', svg)
    heights = [float(h) for h in bars]  # the legend's square has no <title>
    assert heights == [172.0, 0.0, round(172 / 7, 2)]  # 7 mentions is the full height
    two_weeks = [{"period": "2026-11-30", "documents": 1, "mentions": 1}, {"period": "2026-12-14", "documents": 2,
                                                                          "mentions": 2}]  # fmt: skip
    weekly = str(browser.timeline_svg(two_weeks, granularity="week"))
    assert re.findall(r'data-period="([^"]+)"', weekly) == ["2026-11-30", "2026-12-07", "2026-12-14"]


def test_the_chart_leaves_long_spans_and_other_periods_as_they_are() -> None:
    far = [
        {"period": "2020-01-01", "documents": 1, "mentions": 1},
        {"period": "2026-01-01", "documents": 1, "mentions": 2},
    ]
    assert len(re.findall(r"data-period=", str(browser.timeline_svg(far)))) == 2
    odd = [{"period": "2026-W48", "documents": 1, "mentions": 1}, {"period": "<i>", "documents": 0, "mentions": 0}]
    svg = str(browser.timeline_svg(odd))
    assert "<i>" not in svg and "&lt;i&gt;" in svg and len(re.findall(r"data-period=", svg)) == 2


# ------------------------------------------------------------------------------------- the catalog


def test_catalog_attributes_are_bounded_and_old_items_still_list() -> None:
    long = ResultDocument(
        document_id="ab", status=Status.PROCESSED, metadata=Metadata(title="t" * 1000, published="2" * 100,
                                                                     language="en"),
        entities=[Entity(id=str(i), key=str(i), name="n" * 1000, label="L" * 100, count=1, first_start=0)
                  for i in range(9)],
        pipeline=Pipeline(version="t"),
    )  # fmt: skip
    attributes = catalog_attributes(long, text_chars=ITEM_TEXT_CHARS, published_chars=PUBLISHED_CHARS)
    assert len(attributes["title"]) == ITEM_TEXT_CHARS and len(attributes["published"]) == PUBLISHED_CHARS
    assert len(attributes["top_entities"]) == TOP_ENTITIES
    assert all(len(e["name"]) == ITEM_TEXT_CHARS and len(e["label"]) == 32 for e in attributes["top_entities"])
    bare = ResultDocument(document_id="cd", status=Status.PROCESSED, pipeline=Pipeline(version="t"))
    assert catalog_attributes(bare, text_chars=300, published_chars=40) == {}
    old_item = {"document_id": "ef", "status": "PROCESSED", "source_key": "a.txt", "entity_count": 3}
    row = summary(old_item)
    assert row["title"] is None and row["published"] is None and row["top_entities"] == []
    assert row["key"] == "a.txt" and row["entity_count"] == 3
