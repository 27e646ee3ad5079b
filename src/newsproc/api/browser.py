"""The collection browser, GET /: one HTML page over the catalog and the entity index.

Without a filter it lists every document (the catalog: title, published date, status, top entities,
the error code of a failed one), a page at a time with the catalog's `next` token. With `entity` and
`label` it lists the documents mentioning that entity (the EntityIndex, newest published first) and
draws the entity's timeline (`DocumentService.timeline`) as an SVG bar chart made here, on the
server: the page runs no script and loads nothing (CONTENT_SECURITY_POLICY). docs/browser.md.

Parameters a browser's form cannot send wrong (a missing label, a bad date or token) answer the API's
JSON error, as every other route does; empty form fields mean "not given".
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlencode

from newsproc.api import templates
from newsproc.api.errors import ApiError
from newsproc.api.requests import entity_label
from newsproc.api.view import LABEL_COLOURS
from newsproc.api.view import SECURITY_HEADERS as VIEW_HEADERS

ENTITY_CHARS = 300  # as GET /documents?entity=
LABEL_PATTERN = re.compile(r"[A-Za-z_]{1,32}")
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
MAX_TOKEN_CHARS = 4096
# The chart reads at most TIMELINE_CALLS pages of DocumentService.timeline, each of at most TIMELINE_ITEMS
# entity items (its maximum: one Query of <= ~430 KB): a page view of the busiest entity reads <= 3,000 items.
# The timeline's own window applies: the last year by day, five years by week, unless from/to narrow it.
TIMELINE_ITEMS, TIMELINE_CALLS = 1000, 3
DATE_CHARS = 32  # from/to are checked by the timeline (its 422 is shown on the page, next to the form)
# Gaps between the periods returned are drawn as empty bars while the chart stays this wide at most.
MAX_BARS = 120
# The labels the pipeline stores (names.NAME_LABELS, DATE, MONEY), names first; custom labels of an
# EntityRuler patterns file are offered when the page shows them.
LABELS = ["PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "DATE", "MONEY"]

CSS = templates.BROWSER_CSS.replace(
    "{label_rules}",
    "\n".join(f'.tag[data-label="{label}"] {{ background: {colour}; }}' for label, colour in LABEL_COLOURS.items()),
)
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
# Nothing may load, run or frame the page; its one style sheet is allowed by its hash, so no injected
# style would apply either. The filter form submits to the page itself (form-action 'self').
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = VIEW_HEADERS | {"Content-Security-Policy": CONTENT_SECURITY_POLICY}

# The parameters in the OpenAPI document (openapi.py): the route reads them itself, leniently.
OPENAPI_PARAMETERS: list[dict[str, Any]] = [
    {"name": "entity", "in": "query", "required": False, "description": "an entity's name, in any form; needs label",
     "schema": {"type": "string", "maxLength": ENTITY_CHARS}},
    {"name": "label", "in": "query", "required": False, "description": "the entity's label (PERSON, ORG, ...)",
     "schema": {"type": "string", "pattern": r"^[A-Za-z_]{1,32}$"}},
    {"name": "granularity", "in": "query", "required": False, "description": "timeline periods",
     "schema": {"type": "string", "enum": ["day", "week"], "default": "day"}},
    {"name": "from", "in": "query", "required": False, "description": "timeline start (published date)",
     "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "required": False, "description": "timeline end (published date, included)",
     "schema": {"type": "string", "format": "date"}},
    {"name": "limit", "in": "query", "required": False, "description": "documents a page",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    {"name": "next", "in": "query", "required": False, "description": "the continuation token of the list",
     "schema": {"type": "string", "maxLength": MAX_TOKEN_CHARS}},
]  # fmt: skip


class CollectionService(Protocol):
    """What the page reads: DocumentService's listing, entity query and timeline."""

    def list_documents(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]: ...

    def documents_mentioning(
        self, label: str, name: str, *, limit: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]: ...

    def timeline(
        self, label: str, name: str, *, start: str | None = None, end: str | None = None,
        granularity: str = "day", limit: int = ..., next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]: ...  # fmt: skip


@dataclass(frozen=True)
class BrowseQuery:
    """The page's parameters, validated."""

    entity: str | None = None
    label: str = "PERSON"
    granularity: Literal["day", "week"] = "day"
    start: str | None = None
    end: str | None = None
    limit: int = DEFAULT_LIMIT
    next_token: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> BrowseQuery:
        """From the query string; an empty value is an absent one (what an empty form field sends)."""
        given = {name: value.strip() for name, value in params.items() if value is not None and value.strip()}
        entity = given.get("entity")
        if entity is not None and len(entity) > ENTITY_CHARS:
            raise _invalid(f"entity: at most {ENTITY_CHARS} characters")
        label = given.get("label")
        if label is not None and not LABEL_PATTERN.fullmatch(label):
            raise _invalid("label: letters and underscores, 32 at most")
        if entity is not None:
            label = entity_label(label)  # 422 label_required, as GET /documents?entity=
        granularity = given.get("granularity", "day")
        if granularity not in ("day", "week"):
            raise _invalid("granularity: day or week")
        start, end = given.get("from"), given.get("to")
        if len(start or "") > DATE_CHARS or len(end or "") > DATE_CHARS:
            raise _invalid("from, to: a date, YYYY-MM-DD")
        limit = given.get("limit", str(DEFAULT_LIMIT))
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
            raise _invalid(f"limit: a whole number from 1 to {MAX_LIMIT}")
        token = given.get("next")
        if token is not None and len(token) > MAX_TOKEN_CHARS:
            raise _invalid("next: invalid continuation token")
        return cls(entity, (label or "PERSON").upper(), granularity, start, end, int(limit), token)  # type: ignore[arg-type]

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this page with `changes` (what a link to another page of it carries)."""
        query = replace(self, **changes)
        entity = query.entity is not None  # the label, granularity and dates mean nothing without it
        values = {
            "entity": query.entity,
            "label": query.label if entity else None,
            "granularity": query.granularity if entity and query.granularity != "day" else None,
            "from": query.start if entity else None,
            "to": query.end if entity else None,
            "limit": str(query.limit) if query.limit != DEFAULT_LIMIT else None,
            "next": query.next_token,
        }
        return {name: value for name, value in values.items() if value}


def _invalid(message: str) -> ApiError:
    return ApiError(422, "validation_error", message)


def base_path(stage: str | None) -> str:
    """Where the API's routes start: deploys use a named stage (`/dev/...`), the local stack `$default`."""
    return "" if not stage or stage == "$default" else "/" + quote(stage, safe="")


def page(service: CollectionService, params: Mapping[str, str], *, stage: str | None = None) -> str:
    """GET /: the page for the request's query string (422/400 JSON errors as the API's other routes)."""
    return render_page(service, BrowseQuery.from_params(params), base=base_path(stage))


def render_page(service: CollectionService, query: BrowseQuery, *, base: str = "") -> str:
    home = base + "/"
    labels = list(LABELS)
    timeline = None
    if query.entity:
        found, token = service.documents_mentioning(
            query.label, query.entity, limit=query.limit, next_token=query.next_token
        )
        rows = [_entity_row(d, base) for d in found]
        timeline = _timeline(service, query)
        heading = f"Documents mentioning {query.entity} ({query.label})"
        caption = f"Newest published first; {query.limit} a page."
    else:
        summaries, token = service.list_documents(limit=query.limit, next_token=query.next_token)
        rows = [_document_row(s, base) for s in summaries]
        labels += sorted({e["label"] for row in rows for e in row["entities"]} - set(labels))
        heading, caption = "Documents", f"Newest published first, undated last; {query.limit} a page."
    if query.label not in labels:
        labels.append(query.label)
    return templates.render(
        "browser.html",
        css=templates.markup(CSS),
        home=home,
        heading=heading,
        mode_note="the documents mentioning an entity" if query.entity else "every stored document",
        query=query,
        labels=labels,
        entity_chars=ENTITY_CHARS,
        timeline=timeline,
        list_heading=f"{len(rows)} document{'s' if len(rows) != 1 else ''} on this page",
        caption=caption,
        rows=rows,
        empty="No document mentions this entity." if query.entity else "No documents are stored yet.",
        first=_link(home, query.params(next_token=None)) if query.next_token else None,
        next=_link(home, query.params(next_token=token)) if token else None,
    )


def _link(home: str, params: Mapping[str, str]) -> str:
    return f"{home}?{urlencode(params)}" if params else home


def _documents_path(base: str, document_id: str) -> str:
    return f"{base}/documents/{quote(str(document_id), safe='')}"


def _title(title: str | None, document_id: str) -> str:
    return title if title else f"Untitled document {document_id[:12]}"


def _document_row(summary: Mapping[str, Any], base: str) -> dict[str, Any]:
    document = _documents_path(base, summary["document_id"])
    entities = [
        {**e, "href": _link(base + "/", {"entity": e["name"], "label": e["label"]})}
        for e in summary.get("top_entities") or []
        if e.get("name") and e.get("label") and LABEL_PATTERN.fullmatch(e["label"])
    ]
    return {
        "document_id": summary["document_id"],
        "title": _title(summary.get("title"), summary["document_id"]),
        "titled": bool(summary.get("title")),  # else the storage key says what the document is
        "key": summary.get("key"),
        "published": summary.get("published"),
        "status": summary.get("status") or "unknown",
        "error_code": summary.get("error_code"),
        "entities": entities,
        "view": f"{document}/view",
        "json": document,
    }


def _entity_row(ref: Mapping[str, Any], base: str) -> dict[str, Any]:
    document = _documents_path(base, ref["document_id"])
    return {
        "document_id": ref["document_id"],
        "title": _title(ref.get("title"), ref["document_id"]),
        "titled": True,
        "key": None,
        "published": ref.get("published"),
        "mentions": ref.get("count", 0),
        "salience": float(ref.get("salience") or 0.0),
        "view": f"{document}/view",
        "json": document,
    }


@dataclass(frozen=True)
class Timeline:
    points: list[dict[str, Any]]
    svg: Any  # markup
    more: bool
    empty: str
    problem: str | None = None  # the timeline's 422 (a window it does not take), said on the page


def _timeline(service: CollectionService, query: BrowseQuery) -> Timeline:
    """The entity's periods over up to TIMELINE_CALLS pages; a period split over two pages is added up."""
    assert query.entity is not None
    totals: dict[str, dict[str, Any]] = {}
    token: str | None = None
    try:
        for _ in range(TIMELINE_CALLS):
            points, token = service.timeline(
                query.label, query.entity, start=query.start, end=query.end, granularity=query.granularity,
                limit=TIMELINE_ITEMS, next_token=token,
            )  # fmt: skip
            for p in points:
                total = totals.setdefault(str(p["period"]), {"period": str(p["period"]), "documents": 0, "mentions": 0})
                total["documents"] += int(p["documents"])
                total["mentions"] += int(p["mentions"])
            if token is None:
                break
    except ApiError as exc:
        if exc.status != 422:
            raise
        return Timeline([], "", False, "", problem=f"No timeline for these dates: {exc.message}")
    merged = [totals[period] for period in sorted(totals)]
    title = f"Timeline of {query.entity} ({query.label}) by {query.granularity}"
    svg = timeline_svg(merged, granularity=query.granularity, title=title) if merged else ""
    empty = "No dated document mentions this entity" + (" in these dates." if query.start or query.end else ".")
    return Timeline(merged, svg, token is not None, empty)


def timeline_svg(points: list[dict[str, Any]], *, granularity: str = "day", title: str = "Timeline") -> Any:
    """An SVG bar chart of timeline periods ({"period", "documents", "mentions"}), as markup: two bars a
    period (documents, mentions) on one scale, every text escaped. Periods missing between the first and
    the last are drawn empty when the chart stays readable (MAX_BARS)."""
    bars = _filled(sorted(points, key=lambda p: str(p["period"])), granularity)
    width, height, left, right, top, bottom = 760, 230, 44, 750, 24, 196
    peak = max([1] + [int(p["documents"]) for p in bars] + [int(p["mentions"]) for p in bars])
    slot = (right - left) / max(len(bars), 1)
    step = max(1, -(-len(bars) // 8))  # at most eight period labels under the axis

    def scaled(value: int) -> float:
        return round((bottom - top) * value / peak, 2)

    drawn = []
    for i, p in enumerate(bars):
        documents, mentions = int(p["documents"]), int(p["mentions"])
        bar = round(min(max(slot * 0.38, 0.5), 24), 2)  # two bars a period, side by side, centred
        drawn.append({
            "period": str(p["period"]), "documents": documents, "mentions": mentions,
            "x": round(left + (i + 0.5) * slot - bar, 2), "width": bar, "centre": round(left + (i + 0.5) * slot, 2),
            "documents_h": scaled(documents), "documents_y": round(bottom - scaled(documents), 2),
            "mentions_h": scaled(mentions), "mentions_y": round(bottom - scaled(mentions), 2),
            "tick": i % step == 0,
        })  # fmt: skip
    busiest = max(bars, key=lambda p: int(p["documents"])) if bars else None
    summary = (
        f"{len(bars)} {granularity}s from {bars[0]['period']} to {bars[-1]['period']}: "
        f"{sum(d['documents'] for d in drawn)} documents, {sum(d['mentions'] for d in drawn)} mentions; "
        f"most documents in the {granularity} from {busiest['period']} ({busiest['documents']})."
        if busiest is not None
        else "No periods."
    )
    chart = {"width": width, "height": height, "left": left, "right": right, "top": top, "bottom": bottom,
             "peak": peak, "bars": drawn, "title": title, "summary": summary}  # fmt: skip
    return templates.markup(templates.render("timeline.svg", c=chart))


def _filled(points: list[dict[str, Any]], granularity: str) -> list[dict[str, Any]]:
    """The periods with the empty ones between them, when every period is a date and they fit."""
    try:
        days = [date.fromisoformat(str(p["period"])) for p in points]
    except ValueError:
        return points
    if not days:
        return points
    stride = timedelta(days=7 if granularity == "week" else 1)
    if (days[-1] - days[0]) / stride + 1 > MAX_BARS or any((d - days[0]) % stride for d in days):
        return points
    by_day = dict(zip(days, points, strict=True))
    filled, day = [], days[0]
    while day <= days[-1]:
        filled.append(by_day.get(day, {"period": day.isoformat(), "documents": 0, "mentions": 0}))
        day += stride
    return filled
