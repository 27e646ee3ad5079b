"""The HTML view of a result: displaCy entity highlighting, entity table, metadata, counts by label.

Rendered on request, never stored: GET /documents/{id}/view invokes the process function directly
({"action": "render_view"}, see newsproc.api.direct), which renders the stored result with displaCy
where spaCy is already loaded, so the API function serves the HTML without importing spaCy.
"""

from __future__ import annotations

import html
from collections import Counter

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
    """The page; a FAILED document's shows its error code and message (and needs no spaCy)."""
    meta = result.metadata
    rows = "\n".join(
        f"<tr><td>{html.escape(e.name)}</td><td>{e.label}</td><td>{e.count}</td><td>{e.salience:.3f}</td></tr>"
        for e in result.entities
    )
    meta_rows = "\n".join(
        f"<tr><th>{name}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in (
            ("title", meta.title), ("published", meta.published), ("byline", meta.byline), ("url", meta.url),
            ("language", meta.language), ("words", meta.word_count), ("source", result.source.key),
            ("status", result.status.value),
            ("error", f"{result.error.code.value}: {result.error.message}" if result.error else None),
        )
        if value not in (None, "")
    )  # fmt: skip
    title = html.escape(view_title(result))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · newsproc</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
.layout {{ display: grid; grid-template-columns: 2fr 1fr; gap: 2rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25rem .4rem; text-align: left; vertical-align: top; }}
.entities {{ line-height: 2.4; }}
#error {{ border-left: 4px solid #c00; background: #fff4f4; padding: .5rem 1rem; }}
</style></head>
<body>
<h1>{title}</h1>
<div class="layout">
<section id="text">{_error(result)}{_marked_text(result)}</section>
<aside>
<h2>Metadata</h2><table id="metadata">{meta_rows}</table>
<h2>Entities by label</h2>{_label_chart(result)}
<h2>Entities</h2>
<table id="entity-table"><thead><tr><th>name</th><th>label</th><th>count</th><th>salience</th></tr></thead>
<tbody>{rows}</tbody></table>
</aside></div>
</body></html>
"""


def view_title(result: ResultDocument) -> str:
    """The metadata title, else the text's first line (80 characters at most), else the document id:
    never the storage key (`uploads/<random>.txt` says nothing about the article)."""
    if result.metadata.title:
        return result.metadata.title
    first = next((line.strip() for line in result.clean_text.splitlines() if line.strip()), "")
    if first:
        return first if len(first) <= 80 else first[:79].rstrip() + "…"
    return f"Document {result.document_id}"


def _error(result: ResultDocument) -> str:
    if result.error is None:
        return ""
    return (
        f'<div id="error" role="alert"><h2>{result.status.value}: <code>{html.escape(result.error.code.value)}'
        f"</code></h2><p>{html.escape(result.error.message)}</p></div>"
    )


def _marked_text(result: ResultDocument) -> str:
    """The clean text with displaCy's entity highlighting; nothing to mark: no spaCy."""
    if not result.clean_text:
        return ""
    from spacy import displacy

    return displacy.render(
        {
            "text": result.clean_text,
            "ents": [{"start": m.start, "end": m.end, "label": m.label} for m in result.mentions],
            "title": None,
        },
        style="ent",
        manual=True,
        page=False,
        options={"colors": LABEL_COLOURS},
    )


def _label_chart(result: ResultDocument) -> str:
    counts = Counter(m.label for m in result.mentions).most_common()
    if not counts:
        return "<p>No entities.</p>"
    top = counts[0][1]
    bar_height, width = 18, 300
    bars = []
    for row, (label, count) in enumerate(counts):
        y = row * (bar_height + 4)
        length = max(2, int((width - 120) * count / top))
        bars.append(
            f'<text x="0" y="{y + 13}" font-size="12">{label}</text>'
            f'<rect class="bar" data-label="{label}" x="90" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{LABEL_COLOURS.get(label, "#ddd")}"></rect>'
            f'<text x="{95 + length}" y="{y + 13}" font-size="12">{count}</text>'
        )
    height = len(counts) * (bar_height + 4)
    return f'<svg id="label-chart" width="{width}" height="{height}" role="img">{"".join(bars)}</svg>'
