"""The HTML view of a result: displaCy entity highlighting, entity table (each entity linking to the
browser's documents mentioning it), metadata, counts by label, removed segments, places on a map.

Rendered on request, never stored: GET /documents/{id}/view invokes the process function directly
({"action": "render_view"}, see newsproc.api.direct), which renders the stored result with displaCy
where spaCy is already loaded, so the API function serves the HTML without importing spaCy.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from newsproc.api import templates
from newsproc.models import ResultDocument

# The page is served as HTML on the API's origin: nothing may load, run or frame it. displaCy and the
# chart use inline styles only (a style element and style attributes): the one thing allowed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# displaCy's own colours for the OntoNotes labels, reused for the chart bars.
LABEL_COLOURS = {
    "PERSON": "#aa9cfc", "ORG": "#7aecec", "GPE": "#feca74", "LOC": "#ff9561", "NORP": "#c887fb",
    "FAC": "#9cc9cc", "DATE": "#bfe1d9", "MONEY": "#e4e7d2", "PRODUCT": "#bfeeb7", "EVENT": "#ffeb80",
    "WORK_OF_ART": "#f0d0ff", "LAW": "#ff8197", "LANGUAGE": "#ff8197",
}  # fmt: skip


def render_view(result: ResultDocument) -> str:
    """The page (templates.VIEW); a FAILED document's shows its error code and message (and needs no spaCy).

    Each entity links to the browser's list of the documents mentioning it; the `removed` segments are
    listed under a <details>; linked places (entities.links with coordinates) are drawn on a world map.
    Links are relative (`../../` is the API's root), so they hold under a deploy's stage path too.
    """
    meta = result.metadata
    metadata = [
        (name, value)
        for name, value in (
            ("title", meta.title), ("published", meta.published), ("byline", meta.byline), ("url", meta.url),
            ("language", meta.language), ("words", meta.word_count), ("source", result.source.key),
            ("status", result.status.value),
            ("error", f"{result.error.code.value}: {result.error.message}" if result.error else None),
        )
        if value not in (None, "")
    ]  # fmt: skip
    places = _places(result)
    entities = [
        {"name": e.name, "label": e.label, "count": e.count, "salience": e.salience,
         "href": "../../?" + urlencode({"entity": e.name, "label": e.label})}
        for e in result.entities
    ]  # fmt: skip
    return templates.render(
        "view.html",
        title=view_title(result),
        document_id=result.document_id,
        status=result.status.value,
        error=result.error,
        warnings=result.warnings,
        marked_text=templates.markup(_marked_text(result)),  # displaCy's markup; it escapes the text itself
        removed=result.removed,
        metadata=metadata,
        places=places,
        world_map=_world_map(places),
        bars=_label_bars(result),
        entities=entities,
    )


def _places(result: ResultDocument) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of the entities the pipeline linked to a place with coordinates."""
    return [
        (e.name, e.links.lat, e.links.lon)
        for e in result.entities
        if e.links is not None and e.links.lat is not None and e.links.lon is not None
    ]


def _world_map(places: list[tuple[str, float, float]]) -> Any:
    """The world map of the places (newsproc.api.worldmap: an escaped, self-contained <svg>), or None."""
    if not places:
        return None
    from newsproc.api import worldmap  # its outline (~100 KB of JSON) is read for a view with places only

    return templates.markup(worldmap.render_map(places))


def view_title(result: ResultDocument) -> str:
    """The metadata title, else the text's first line (80 characters at most), else the document id:
    never the storage key (`uploads/<random>.txt` says nothing about the article)."""
    if result.metadata.title:
        return result.metadata.title
    first = next((line.strip() for line in result.clean_text.splitlines() if line.strip()), "")
    if first:
        return first if len(first) <= 80 else first[:79].rstrip() + "…"
    return f"Document {result.document_id}"


def _marked_text(result: ResultDocument) -> str:
    """The clean text with displaCy's entity highlighting; nothing to mark: no spaCy."""
    if not result.clean_text:
        return ""
    from spacy import displacy

    return displacy.render(
        {
            "text": result.clean_text,
            # displaCy escapes the text but not labels, and custom patterns name their own labels
            "ents": [{"start": m.start, "end": m.end, "label": html.escape(m.label)} for m in result.mentions],
            "title": None,
        },
        style="ent",
        manual=True,
        page=False,
        options={"colors": LABEL_COLOURS},
    )


def _label_bars(result: ResultDocument) -> list[dict[str, object]]:
    """One bar a label, longest for the most mentioned (180 px), in the order of their counts."""
    counts = Counter(m.label for m in result.mentions).most_common()
    if not counts:
        return []
    top = counts[0][1]
    return [
        {"label": label, "count": count, "y": row * 22, "length": max(2, int(180 * count / top)),
         "colour": LABEL_COLOURS.get(label, "#ddd")}
        for row, (label, count) in enumerate(counts)
    ]  # fmt: skip
