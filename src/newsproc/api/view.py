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


# Jinja2 (installed with spaCy, so in the NlpLayer where the view is rendered) escapes every value;
# imported on the first render only: the API function imports this module for its headers and has no Jinja2.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} · newsproc</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
.layout { display: grid; grid-template-columns: 2fr 1fr; gap: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { border-bottom: 1px solid #ddd; padding: .25rem .4rem; text-align: left; vertical-align: top; }
.entities { line-height: 2.4; }
#error { border-left: 4px solid #c00; background: #fff4f4; padding: .5rem 1rem; }
</style></head>
<body>
<h1>{{ title }}</h1>
<div class="layout">
<section id="text">
{%- if error %}<div id="error" role="alert"><h2>{{ status }}: <code>{{ error.code.value }}</code></h2>
<p>{{ error.message }}</p></div>{% endif -%}
{{ marked_text }}</section>
<aside>
<h2>Metadata</h2><table id="metadata">
{%- for name, value in metadata %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>{% endfor -%}
</table>
<h2>Entities by label</h2>
{%- if bars %}
<svg id="label-chart" width="300" height="{{ bars|length * 22 }}" role="img">
{%- for bar in bars %}<text x="0" y="{{ bar.y + 13 }}" font-size="12">{{ bar.label }}</text>
<rect class="bar" data-label="{{ bar.label }}" x="90" y="{{ bar.y }}" width="{{ bar.length }}" height="18"
 fill="{{ bar.colour }}"></rect>
<text x="{{ 95 + bar.length }}" y="{{ bar.y + 13 }}" font-size="12">{{ bar.count }}</text>
{%- endfor %}</svg>
{%- else %}<p>No entities.</p>{% endif %}
<h2>Entities</h2>
<table id="entity-table"><thead><tr><th>name</th><th>label</th><th>count</th><th>salience</th></tr></thead>
<tbody>
{%- for e in entities %}<tr><td>{{ e.name }}</td><td>{{ e.label }}</td><td>{{ e.count }}</td>
<td>{{ "%.3f"|format(e.salience) }}</td></tr>{% endfor -%}
</tbody></table>
</aside></div>
</body></html>
"""


def render_view(result: ResultDocument) -> str:
    """The page; a FAILED document's shows its error code and message (and needs no spaCy)."""
    import jinja2
    from markupsafe import Markup

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
    page = jinja2.Environment(autoescape=True).from_string(PAGE)
    return page.render(
        title=view_title(result),
        status=result.status.value,
        error=result.error,
        marked_text=Markup(_marked_text(result)),  # displaCy's markup; it escapes the text itself
        metadata=metadata,
        bars=_label_bars(result),
        entities=result.entities,
    )


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
