"""The HTML pages' Jinja2 templates and their one environment: the document view (view.py, rendered in
the process function) and the collection browser with its timeline chart (browser.py, in the API
function). Jinja2 ships in the CoreLayer, so both functions have it.

Autoescaping is on for every template: a value is escaped unless the code marks it as markup
(`Markup`), which only displaCy's output, the chart and the world map are (each escapes its own text).
Jinja2 is imported on the first render only: the API function imports this module's users for their
headers, and a cold start of any other route does not pay for the import.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

VIEW = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · newsproc</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
.layout { display: grid; grid-template-columns: 2fr 1fr; gap: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { border-bottom: 1px solid #ddd; padding: .25rem .4rem; text-align: left; vertical-align: top; }
nav a { margin-right: 1rem; }
a:focus, summary:focus { outline: 3px solid #ffbf47; }
.entities { line-height: 2.4; }
#error { border-left: 4px solid #c00; background: #fff4f4; padding: .5rem 1rem; }
#warnings { border-left: 4px solid #b58100; background: #fffbea; padding: .5rem 1rem; }
#removed { margin-top: 2rem; } #removed td { white-space: pre-wrap; }
figure { margin: 0; } figcaption { font-size: .85rem; color: #555; }
</style></head>
<body>
<nav aria-label="Document"><a href="../../">All documents</a>
<a href="../{{ document_id }}">This document as JSON</a></nav>
<main>
<h1>{{ title }}</h1>
<div class="layout">
<section id="text" aria-label="Text">
{% if error %}<div id="error" role="alert"><h2>{{ status }}: <code>{{ error.code.value }}</code></h2>
<p>{{ error.message }}</p></div>{% endif %}
{% if warnings %}<div id="warnings" role="status"><h2>Warnings</h2><ul>
{% for w in warnings %}<li><code>{{ w.code.value }}</code>: {{ w.message }}</li>{% endfor %}
</ul></div>{% endif %}
{{ marked_text }}
{% if removed %}<details id="removed"><summary>Removed segments ({{ removed|length }})</summary>
<table><thead><tr><th scope="col">reason</th><th scope="col">text</th></tr></thead><tbody>
{% for r in removed %}<tr><td>{{ r.reason }}</td><td>{{ r.text }}</td></tr>
{% endfor %}</tbody></table></details>{% endif %}
</section>
<aside aria-label="About the document">
<h2>Metadata</h2><table id="metadata">
{% for name, value in metadata %}<tr><th scope="row">{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}
</table>
{% if world_map %}<h2>Places</h2><figure id="places">{{ world_map }}
<figcaption>{% for name, lat, lon in places %}
{{ name }} ({{ "%.2f"|format(lat) }}, {{ "%.2f"|format(lon) }}){{ "; " if not loop.last }}
{% endfor %}
</figcaption></figure>{% endif %}
<h2>Entities by label</h2>
{% if bars %}
<svg id="label-chart" width="300" height="{{ bars|length * 22 }}" role="img" aria-labelledby="label-chart-title">
<title id="label-chart-title">Mentions by label:
{% for bar in bars %} {{ bar.label }} {{ bar.count }}{{ "," if not loop.last }}{% endfor %}</title>
{% for bar in bars %}<text x="0" y="{{ bar.y + 13 }}" font-size="12">{{ bar.label }}</text>
<rect class="bar" data-label="{{ bar.label }}" x="90" y="{{ bar.y }}" width="{{ bar.length }}" height="18"
 fill="{{ bar.colour }}"></rect>
<text x="{{ 95 + bar.length }}" y="{{ bar.y + 13 }}" font-size="12">{{ bar.count }}</text>
{% endfor %}</svg>
{% else %}<p>No entities.</p>{% endif %}
<h2>Entities</h2>
<table id="entity-table"><thead><tr><th scope="col">name</th><th scope="col">label</th><th scope="col">count</th>
<th scope="col">salience</th></tr></thead>
<tbody>
{% for e in entities %}<tr><td><a href="{{ e.href }}" title="Documents mentioning {{ e.name }}">{{ e.name }}</a></td>
<td>{{ e.label }}</td><td>{{ e.count }}</td><td>{{ "%.3f"|format(e.salience) }}</td></tr>
{% endfor %}</tbody></table>
</aside></div>
</main>
</body></html>
"""

# The browser's one style sheet: its SHA-256 is the page's whole style-src (browser.CONTENT_SECURITY_POLICY),
# so the page has no style attribute anywhere. `{label_rules}` gets one rule per known entity label.
BROWSER_CSS = """
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1f; background: #fff; }
header, main { max-width: 74rem; margin: 0 auto; padding: 0 1.25rem; }
header { display: flex; gap: 1.5rem; align-items: baseline; border-bottom: 1px solid #ddd; }
header p { font-weight: 700; } header a { color: #1b1b1f; }
a { color: #0b4fa8; } a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #ffbf47; }
form { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; background: #f4f5f7;
  padding: .9rem 1rem; border-radius: .4rem; }
form label { display: block; font-size: .8rem; font-weight: 600; margin-bottom: .15rem; }
input, select, button { font: inherit; padding: .3rem .45rem; }
button { background: #0b4fa8; color: #fff; border: 0; border-radius: .3rem; padding: .4rem 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin-top: .5rem; }
caption { text-align: left; font-size: .85rem; color: #444; padding-bottom: .3rem; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f4f5f7; }
tbody th { font-weight: 400; }
.key, .muted { display: block; color: #555; font-size: .8rem; overflow-wrap: anywhere; }
.tag { display: inline-block; border-radius: .25rem; padding: 0 .35rem; margin: .1rem .2rem .1rem 0;
  background: #e8e8ec; color: #111; text-decoration: none; font-size: .82rem; }
.tag small { color: #333; }
.status-FAILED { color: #a40000; font-weight: 600; }
code { font-size: .85rem; }
td.date, td.open { white-space: nowrap; }
#problem { border-left: 4px solid #c00; background: #fff4f4; padding: .5rem 1rem; }
.pages { display: flex; gap: 1.5rem; margin: 1rem 0 2rem; }
.chart { max-width: 100%; height: auto; }
.chart text { font-size: 11px; fill: #333; }
.chart .axis { stroke: #888; }
.chart .documents { fill: #3b5bdb; }
.chart .mentions { fill: #a5b4fc; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
{label_rules}
"""

BROWSER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }} · newsproc</title><style>{{ css }}</style></head>
<body>
<header><p><a href="{{ home }}">newsproc</a></p><p class="muted">the collection: {{ mode_note }}</p></header>
<main>
<h1>{{ heading }}</h1>
<form method="get" action="{{ home }}" role="search" aria-label="Documents mentioning an entity">
<div><label for="entity">Entity name</label>
<input type="search" id="entity" name="entity" value="{{ query.entity or '' }}" maxlength="{{ entity_chars }}"
 placeholder="e.g. Carlos Moedas" aria-describedby="entity-help"></div>
<div><label for="label">Label</label><select id="label" name="label">
{% for label in labels %}<option value="{{ label }}"{{ " selected" if label == query.label }}>{{ label }}</option>
{% endfor %}</select></div>
<div><label for="granularity">Timeline by</label><select id="granularity" name="granularity">
{% for g in ["day", "week"] %}<option value="{{ g }}"{{ " selected" if g == query.granularity }}>{{ g }}</option>
{% endfor %}</select></div>
<div><label for="from">Timeline from</label>
<input type="date" id="from" name="from" value="{{ query.start or '' }}"></div>
<div><label for="to">Timeline to</label><input type="date" id="to" name="to" value="{{ query.end or '' }}"></div>
<div><button type="submit">Show documents</button></div>
<p id="entity-help" class="muted">Any form of the name the service merges works: "Moedas", "Mr Carlos Moedas".
{% if query.entity %}<a href="{{ home }}">Clear the filter and list every document</a>{% endif %}</p>
</form>
{% if timeline is not none %}
<section id="timeline" aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline: documents and mentions by {{ query.granularity }}</h2>
{% if timeline.points %}{{ timeline.svg }}
{% if timeline.more %}<p class="muted">Later periods are not drawn (too many documents): narrow the dates.</p>
{% endif %}
<details><summary>The timeline as a table</summary>
<table id="timeline-table"><caption>Documents and mentions of {{ query.entity }} ({{ query.label }})
by {{ query.granularity }}</caption>
<thead><tr><th scope="col">{{ "week starting" if query.granularity == "week" else "day" }}</th>
<th scope="col">documents</th><th scope="col">mentions</th></tr></thead>
<tbody>{% for p in timeline.points %}
<tr><th scope="row">{{ p.period }}</th><td>{{ p.documents }}</td><td>{{ p.mentions }}</td></tr>
{% endfor %}</tbody></table></details>
{% elif timeline.problem %}<p id="problem" role="alert">{{ timeline.problem }}</p>
{% else %}<p>{{ timeline.empty }}</p>{% endif %}
</section>
{% endif %}
<section id="list" aria-labelledby="list-heading">
<h2 id="list-heading">{{ list_heading }}</h2>
{% if rows %}
<table id="documents"><caption>{{ caption }}</caption>
<thead><tr><th scope="col">Document</th>
{% if query.entity %}<th scope="col">Published</th><th scope="col">Mentions</th><th scope="col">Salience</th>
{% else %}<th scope="col">Published</th><th scope="col">Status</th><th scope="col">Top entities</th>{% endif %}
<th scope="col">Open</th></tr></thead>
<tbody>
{% for row in rows %}<tr data-document-id="{{ row.document_id }}">
<th scope="row"><a href="{{ row.view }}">{{ row.title }}</a>
{% if row.key and not row.titled %}<span class="key">{{ row.key }}</span>{% endif %}</th>
{% if query.entity %}<td class="date">{{ row.published or "unknown" }}</td>
<td>{{ row.mentions }}</td><td>{{ "%.3f"|format(row.salience) }}</td>
{% else %}<td class="date">{{ row.published or "unknown" }}</td>
<td><span class="status-{{ row.status }}">{{ row.status }}</span>
{% if row.error_code %}<code class="error">{{ row.error_code }}</code>{% endif %}</td>
<td>{% for e in row.entities %}<a class="tag" data-label="{{ e.label }}" href="{{ e.href }}">{{ e.name }}
<small>{{ e.label }}</small><span class="visually-hidden">: documents mentioning it</span></a>
{% else %}<span class="muted">none</span>{% endfor %}</td>
{% endif %}
<td class="open"><a href="{{ row.view }}">View<span class="visually-hidden"> of {{ row.title }}</span></a> ·
<a href="{{ row.json }}">JSON<span class="visually-hidden"> of {{ row.title }}</span></a></td></tr>
{% endfor %}</tbody></table>
{% else %}<p>{{ empty }}</p>{% endif %}
<nav class="pages" aria-label="Pages">{% if first %}<a href="{{ first }}">First page</a>{% endif %}
{% if next %}<a href="{{ next }}" rel="next">Next page</a>{% endif %}</nav>
</section>
</main>
</body></html>
"""

# The timeline as an SVG bar chart (drawn on the server: the page runs no script). Every text in it is
# escaped by the environment; its colours come from the page's style sheet (classes), not attributes.
TIMELINE_SVG = """<svg class="chart" id="timeline-chart" role="img"
 viewBox="0 0 {{ c.width }} {{ c.height }}" width="{{ c.width }}" height="{{ c.height }}"
 aria-labelledby="timeline-chart-title timeline-chart-desc">
<title id="timeline-chart-title">{{ c.title }}</title><desc id="timeline-chart-desc">{{ c.summary }}</desc>
<line class="axis" x1="{{ c.left }}" y1="{{ c.bottom }}" x2="{{ c.right }}" y2="{{ c.bottom }}"></line>
<line class="axis" x1="{{ c.left }}" y1="{{ c.top }}" x2="{{ c.left }}" y2="{{ c.bottom }}"></line>
<text x="{{ c.left - 6 }}" y="{{ c.top + 4 }}" text-anchor="end">{{ c.peak }}</text>
<text x="{{ c.left - 6 }}" y="{{ c.bottom }}" text-anchor="end">0</text>
<rect class="documents" x="{{ c.right - 190 }}" y="2" width="10" height="10"></rect>
<text x="{{ c.right - 176 }}" y="11">documents</text>
<rect class="mentions" x="{{ c.right - 95 }}" y="2" width="10" height="10"></rect>
<text x="{{ c.right - 81 }}" y="11">mentions</text>
{% for b in c.bars %}<g class="period" data-period="{{ b.period }}">
<rect class="documents" x="{{ b.x }}" y="{{ b.documents_y }}" width="{{ b.width }}" height="{{ b.documents_h }}">
<title>{{ b.period }}: {{ b.documents }} document{{ "s" if b.documents != 1 }}</title></rect>
<rect class="mentions" x="{{ b.x + b.width }}" y="{{ b.mentions_y }}" width="{{ b.width }}" height="{{ b.mentions_h }}">
<title>{{ b.period }}: {{ b.mentions }} mention{{ "s" if b.mentions != 1 }}</title></rect>
{% if b.tick %}<text x="{{ b.centre }}" y="{{ c.bottom + 16 }}" text-anchor="middle">{{ b.period }}</text>{% endif %}
</g>
{% endfor %}</svg>"""

TEMPLATES = {"view.html": VIEW, "browser.html": BROWSER, "timeline.svg": TIMELINE_SVG}


@cache
def environment() -> jinja2.Environment:
    """One environment a process: templates compile on their first use and are cached."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.DictLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name ends with
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the render, never prints ""
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def markup(text: str) -> Any:
    """`text` as markup that the templates insert unescaped: only for HTML made safe by its producer."""
    from markupsafe import Markup

    return Markup(text)  # noqa: S704 - callers pass displaCy's, the chart's and the map's escaped output
