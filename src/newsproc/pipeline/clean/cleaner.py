"""Boilerplate removal for scraped text (one block per line) and for HTML: the entry points.

Text path (`clean_text`), all rules cheap and precompiled:
1. normalize whitespace and in-word apostrophes per line (normalize.py), join hard-wrapped paragraph
   lines, cut a leading ``date YYYY-MM-DD <prompt>`` line;
2. per line features (features.py): token count, sentence punctuation, stop-word density (stop list
   picked per document), capitalised-token share, repeats, whole-line boilerplate patterns and prompt
   phrases (patterns.py);
3. every line gets a token-weighted value: the learned line model (learned.py, model.json fitted by
   scripts/fit_cleaner.py) turns the features into p(article text) and the value (p - threshold) * tokens
   (no model file: the hand values of features.py); the main block (blocks.py) is the contiguous run of lines with
   the largest total value (maximum-subarray), so short headings inside the article survive and
   menus/related lists don't; further blocks are added if they are prose-heavy and close to the main one;
4. inside the kept blocks boilerplate lines, repeated lines and prompt sentences are removed
   (each goes to `removed` with the rule family as reason);
5. metadata (`_metadata`): title (the title-like line above the main block whose words the article's
   opening repeats most), published date (date line near the block or the leading date line) and
   byline ("By ..." line near the block).

HTML path (`clean_html`, the default ``extractor="markup"``): one lxml pass (dom.py) lays the page out
as lines and records what the markup knows about each (link share, furniture and article-body
containers, captions, the ``h1``) plus metadata from meta tags, JSON-LD, ``<time>`` and ``<title>``;
then the same line pass runs on those lines with the markup evidence weighting each line's value.
Metadata from the markup wins over what the text rules guessed. trafilatura is only a fallback: when
the markup pass keeps fewer than FALLBACK_WORDS words of a page that has at least three times as many
words outside links, `clean_html_trafilatura` is tried and the longer text wins.

``extractor="trafilatura"`` (`clean_html_trafilatura`) runs trafilatura's extraction first and then the
line pass in a gentle mode: the extraction already chose the main block, so only boilerplate lines,
repeats and prompts are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsproc.models import HtmlExtractor, RemovedSegment
from newsproc.pipeline.clean import patterns as pt
from newsproc.pipeline.clean.blocks import _select_blocks
from newsproc.pipeline.clean.features import _END_PUNCT, _URL, _WORD, _features, _is_prose, _Line, _prompt_cover
from newsproc.pipeline.clean.learned import LineModel, apply_model, load_models
from newsproc.pipeline.clean.metadata import find_date, is_date_line, split_date
from newsproc.pipeline.clean.normalize import normalize_line, split_lines

# bylines (_byline): a "By" on its own line above the name, and clock times beside the date
_BY_ALONE = frozenset(("by", "von", "par", "por", "door", "di"))
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?\b)?", re.I)
# the title (_headline) is the candidate line whose content words the article's first LEAD_TOKENS tokens
# repeat most, at least MIN_HEADLINE_SHARE of them
LEAD_TOKENS = 300
MIN_HEADLINE_SHARE = 0.5

if TYPE_CHECKING:  # the markup pass (lxml) is imported by clean_html: text documents never load it
    from collections.abc import Callable

    from newsproc.pipeline.clean.dom import DomLine, DomPage


@dataclass
class CleanedText:
    text: str
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    removed: list[RemovedSegment] = field(default_factory=list)


# a sentence ends at . ! ? or … (a closing quote or bracket after it stays with it) before a word
_SENT_SPLIT = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’»)]))\s+(?=[\"“„«(]?[^\W\d_])")
# a full stop after one of these (or after a single capital: "J. Smith", "U.S.") does not end the sentence
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Mt|No|Nr|vs|Hr|Fr))\.$"
)
_HEAD_LINES = 12
_LEADING_DATE = re.compile(r"^(?:date\s*:?\s*)?(\d{4}-\d{2}-\d{2})\b\s*", re.I)


def clean_text(raw: str, models: dict[str, LineModel] | None = None) -> CleanedText:
    """The raw-text path; `models` overrides the shipped line models (``{}``: the hand rules alone)."""
    return _clean(raw, mode="text", models=models)


def clean_html(html: str | bytes, extractor: HtmlExtractor = "markup") -> CleanedText:
    """One lxml pass (dom.py) and the line pass weighted by the markup; trafilatura only as a fallback.

    ``extractor="trafilatura"`` runs trafilatura first instead (slower, slightly more accurate).
    """
    from newsproc.pipeline.clean.dom import parse_page

    if extractor == "trafilatura":
        return clean_html_trafilatura(_as_text(html))
    page = parse_page(html)
    cleaned = _clean_lines([normalize_line(ln.text) for ln in page.lines], mode="dom", hints=page.lines)
    return _with_fallback(cleaned, page, lambda: clean_html_trafilatura(_as_text(html)))


def _with_fallback(cleaned: CleanedText, page: DomPage, trafilatura_path: Callable[[], CleanedText]) -> CleanedText:
    if len(_WORD.findall(cleaned.text)) < FALLBACK_WORDS and _plain_words(page) >= 3 * FALLBACK_WORDS:
        # the page has text but the markup pass found no article in it (unusual layout): let
        # trafilatura's heuristics and fallbacks try; it costs 5-10x more, on few pages
        other = trafilatura_path()
        if len(other.text) > len(cleaned.text):
            cleaned = other
    return _prefer_metadata(cleaned, strip_site_suffix(page.title, page.site_name), page.published, page.byline)


FALLBACK_WORDS = 50


def _as_text(html: str | bytes) -> str:
    return html if isinstance(html, str) else html.decode("utf-8", "replace")


_TITLE_SEP = re.compile(r"\s+(?:[|•·»«:~/]|::|-{1,2}|–|—)\s+")


def strip_site_suffix(title: str | None, site_name: str | None = None) -> str | None:
    """``Headline | Coastal Times`` -> ``Headline``: the site name after (or before) a separator goes.

    With the page's site name (og:site_name) that part goes wherever it stands; without it, a last part
    of at most four words after a headline of at least three words is taken for the site name.
    """
    if not title:
        return title
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEP.findall(title)
    if site_name:
        site = " ".join(_WORD.findall(site_name.lower()))
        for i in (len(parts) - 1, 0):
            if " ".join(_WORD.findall(parts[i].lower())) == site:
                rest = parts[:i] + parts[i + 1 :]
                rest_seps = seps[: i - 1] + seps[i:] if i else seps[1:]
                return "".join(p + (rest_seps[j] if j < len(rest_seps) else "") for j, p in enumerate(rest)).strip()
    last, head = parts[-1], title[: title.rfind(seps[-1])]
    if len(_WORD.findall(last)) <= 4 and len(_WORD.findall(head)) >= 3:
        return head.strip()
    return title


def _prefer_metadata(cleaned: CleanedText, title: str | None, published: str | None, byline: str | None) -> CleanedText:
    """Metadata the markup carries wins over what the text rules guessed."""
    cleaned.title = title or cleaned.title
    cleaned.published = published or cleaned.published
    cleaned.byline = byline or cleaned.byline
    return cleaned


def _plain_words(page: DomPage) -> int:
    """Words of the page outside links: what an article could be made of."""
    return sum(len(_WORD.findall(ln.text)) for ln in page.lines if ln.link_share < 0.5)


def clean_html_trafilatura(html: str) -> CleanedText:
    """The previous HTML path: trafilatura extraction, then the line rules on its text."""
    import trafilatura  # imported lazily: the text path must not pay for it

    options = {"with_metadata": True, "include_comments": False, "deduplicate": False}
    doc = trafilatura.bare_extraction(html, favor_precision=True, **options)
    if doc is None or len(_WORD.findall(doc.text or "")) < SHORT_HTML_WORDS:
        # precision mode sometimes keeps only a fragment of a short article: try the default mode
        fallback = trafilatura.bare_extraction(html, **options)
        if fallback is not None and (doc is None or len(fallback.text or "") > len(doc.text or "")):
            doc = fallback
    if doc is None:
        return CleanedText(text="")
    title = strip_site_suffix(doc.title, doc.sitename)
    return _prefer_metadata(_clean(doc.text or "", mode="html"), title, doc.date, doc.author)


SHORT_HTML_WORDS = 120


# ---------------------------------------------------------------- prompt sentences inside prose


def _strip_prompts(line: _Line, removed: list[RemovedSegment]) -> str:
    """Cut newsletter/cookie prompt sentences glued to the start or end of a prose line."""
    if line.prompt_cover == 0.0:
        return line.text
    parts = _sentences(line.text)
    if len(parts) == 1:
        return line.text
    keep = [True] * len(parts)
    for j, part in enumerate(parts):
        cover, hits, family = _prompt_cover(part)
        if family and (cover >= 0.45 or (hits >= 2 and cover >= 0.25)):
            keep[j] = False
    # only cut at the edges: a prompt in the middle of a paragraph is rare, a false hit there costly
    lo, hi = 0, len(parts)
    while lo < hi and not keep[lo]:
        lo += 1
    while hi > lo and not keep[hi - 1]:
        hi -= 1
    if lo == 0 and hi == len(parts):
        return line.text
    for part in parts[:lo] + parts[hi:]:
        removed.append(RemovedSegment(text=part, reason="prompt_sentence"))
    return " ".join(parts[lo:hi])


# ---------------------------------------------------------------- metadata


def _title_like(line: _Line) -> bool:
    return (
        3 <= line.tokens <= 30
        and line.reason is None
        and not line.text.endswith((".", ":", ";", ","))
        and not _URL.match(line.text)
        and is_date_line(line.text, line.tokens) is None
        and not pt.BYLINE.match(line.text)
    )


def _metadata(lines: list[_Line], block: tuple[int, int]) -> tuple[str | None, str | None, str | None, set[int]]:
    """Title, published date and byline from the lines just above the main block (and their indices)."""
    block_start = block[0]
    title = published = byline = None
    used: set[int] = set()
    first = max(0, block_start - 15)
    window = lines[first:block_start]
    for pos in range(block_start - 1, first - 1, -1):
        ln = lines[pos]
        if published is None and (iso := is_date_line(ln.text, ln.tokens)):
            published = iso
            used.add(ln.index)
        if byline is None:
            # a "By" alone names the next line's capitalised name, which must lie above the article too
            below = lines[pos + 1] if pos + 1 < block_start else None
            lone = below is not None and ln.text.lower().rstrip(":") in _BY_ALONE and below.text[:1].isupper()
            if name := _byline(f"{ln.text} {below.text}" if lone else ln.text):
                byline = name
                used.update((ln.index, below.index) if lone else (ln.index,))
    # nearest to the article first; not the date or byline lines
    candidates = [ln for ln in reversed(window) if _title_like(ln) and ln.index not in used]
    title = _headline(candidates, lines[block_start : block[1]])
    if title is None and candidates[:6]:
        # no line the article repeats: prefer a title-like line that also appears elsewhere on the page
        repeated = [ln for ln in candidates[:6] if ln.count > 1]
        title = (repeated or candidates)[0].text
    if published is None:
        for ln in lines[: block_start + 3]:
            if ln.tokens <= 14 and (hit := find_date(ln.text)):
                published = hit[0]
                break
    return title, published, byline, used


def _byline(text: str) -> str | None:
    """The author a byline names: "By Anna Example", "By Anna Example, March 5, 2024 10:15 am" (the date
    and clock time left out). None for any other text."""
    if len(text) > 160:
        return None
    rest = " ".join(_CLOCK.sub(" ", split_date(text)[1]).split()).strip(" ,|•·–—-/")
    if (m := pt.BYLINE.match(rest)) and len(_WORD.findall(m.group("name"))) <= 8:
        return m.group("name").strip(" ,")
    return None


def _headline(candidates: list[_Line], article: list[_Line]) -> str | None:
    """The candidate whose content words the article's opening (its first LEAD_TOKENS tokens) repeats most,
    at least half of them: a headline is about what the lead says, a menu item, a section name or a
    teaser above the article is not. Ties go to the candidate nearest the article."""
    lead: set[str] = set()
    seen = 0
    for ln in article:
        lead.update(w.lower() for w in _WORD.findall(ln.text))
        seen += ln.tokens
        if seen >= LEAD_TOKENS:
            break
    best, best_share = None, 0.0
    for ln in candidates:
        words = {w.lower() for w in _WORD.findall(ln.text) if len(w) >= 4 or w[0].isupper()}
        share = len(words & lead) / len(words) if len(words) >= 2 else 0.0
        if share >= MIN_HEADLINE_SHARE and share > best_share:
            best, best_share = ln.text, share
    return best


# ---------------------------------------------------------------- paragraphs


def _paragraph_units(texts: list[str]) -> list[str]:
    """Join hard-wrapped lines of a paragraph (only when the input separates paragraphs by blank lines)."""
    if "" not in texts:
        return texts
    units: list[str] = []
    for t in texts:
        if not t:
            units.append("")
            continue
        prev = units[-1] if units else ""
        # only the tail can hold the end punctuation: searching the growing paragraph was quadratic
        if prev and len(prev) >= 40 and not _END_PUNCT.search(prev[-16:]) and t[:1].islower():
            units[-1] = prev + " " + t
        else:
            units.append(t)
    return units


# ---------------------------------------------------------------- main pass


def _clean(raw: str, mode: str, models: dict[str, LineModel] | None = None) -> CleanedText:
    return _clean_lines(_text_units(raw), mode, models=models)


# Tags of page markup. Scraped text that holds many of them is the page source (a scraper that kept the
# HTML, or a <title> never closed that swallowed the page): a line can then be a whole page long.
_MARKUP_TAG = re.compile(
    r"</?(?:p|div|span|a|b|i|br|hr|img|table|tr|td|th|ul|ol|li|font|h[1-6]|form|input|script|style|meta|link)\b[^<>]{0,400}>",
    re.I,
)
MARKUP_TAGS = 100


def _text_units(raw: str) -> list[str]:
    """The lines of a text; one that is mostly page markup (MARKUP_TAGS tags or more) is laid out by
    the markup pass (dom.py) first, as the HTML path would, and its lines go through the text rules."""
    if raw.count("<") >= MARKUP_TAGS and len(_MARKUP_TAG.findall(raw)) >= MARKUP_TAGS:
        from newsproc.pipeline.clean.dom import parse_page

        return [normalize_line(ln.text) for ln in parse_page(raw).lines]
    units = _paragraph_units(split_lines(raw))
    longest = max(range(len(units)), key=lambda i: len(units[i]), default=None)
    if (
        longest is not None
        and len(units[longest]) >= FLAT_SHARE * sum(map(len, units))
        and len(_WORD.findall(units[longest])) >= FLAT_TOKENS
    ):
        # a text without line structure (a scraper that saved the page as one line): its sentences are
        # the units, or menus, prompts and article would be kept or dropped together
        units[longest : longest + 1] = _sentences(units[longest])
    return units


# a text is flat when one line holds FLAT_SHARE of its characters and at least FLAT_TOKENS words (no
# raw.txt of the three collections is, once page markup is laid out)
FLAT_SHARE = 0.9
FLAT_TOKENS = 150


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for part in _SENT_SPLIT.split(text):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + part
        else:
            sentences.append(part)
    return sentences


def _prepare(texts: list[str], hints: list[DomLine] | None = None) -> tuple[list[_Line], str | None, list]:
    """The leading date line, then the per-line features: (lines, published, removed so far)."""
    removed: list[RemovedSegment] = []
    published: str | None = None

    # leading "date YYYY-MM-DD ..." line (first line, or among the menu lines of the page head): the
    # date is metadata, a prompt glued to it is boilerplate
    head = [i for i, t in enumerate(texts) if t][:_HEAD_LINES]
    first = next((i for i in head if _LEADING_DATE.match(texts[i])), None)
    if first is not None and (m := _LEADING_DATE.match(texts[first])):
        published = m.group(1)
        rest = texts[first][m.end() :]
        cover, _, _ = _prompt_cover(rest)
        removed.append(RemovedSegment(text=texts[first][: m.end()].strip(), reason="date_line"))
        if rest and (cover > 0.0 or len(_WORD.findall(rest)) < 12):
            removed.append(RemovedSegment(text=rest, reason="prompt_on_date_line"))
            texts[first] = ""
        else:
            texts[first] = rest
    return _features(texts, hints), published, removed


def _clean_lines(
    texts: list[str], mode: str, hints: list[DomLine] | None = None, models: dict[str, LineModel] | None = None
) -> CleanedText:
    """The line pass; `models` overrides the shipped line models (the cross-validation passes its own)."""
    lines, published, removed = _prepare(texts, hints)
    if not lines:
        return CleanedText(text="", published=published, removed=removed)
    extra = (30.0, 0.25)
    if mode != "html":
        models = load_models() if models is None else models
        model = models.get("dom" if hints is not None else "text")
        if model is not None:
            apply_model(lines, hints, model)
            extra = model.extra
    return _finish(lines, published, removed, mode, extra)


def _finish(
    lines: list[_Line],
    published: str | None,
    removed: list[RemovedSegment],
    mode: str,
    extra: tuple[float, float] = (30.0, 0.25),
) -> CleanedText:
    """Main-block selection over the valued lines, the in-block rules and the metadata."""
    # HTML extraction already chose the main block: only the line rules run on its text
    blocks = [(0, len(lines))] if mode == "html" else _select_blocks(lines, extra)
    if not blocks:
        for ln in lines:
            removed.append(RemovedSegment(text=ln.text, reason="outside_main_block"))
        return CleanedText(text="", published=published, removed=removed)

    title, date2, byline, meta_lines = _metadata(lines, blocks[0])
    published = published or date2

    keep_idx: set[int] = set()
    for s, e in blocks:
        keep_idx.update(range(s, e))
    paragraphs: list[str] = []
    for pos, ln in enumerate(lines):
        if pos not in keep_idx:
            reason = "meta" if ln.index in meta_lines else (ln.reason or "outside_main_block")
            removed.append(RemovedSegment(text=ln.text, reason=reason))
            continue
        reason = ln.reason
        if reason is None and ln.repeat and ln.tokens < 60:
            reason = "repeated_line"
        if reason is None and mode != "html" and title and ln.text == title:
            reason = "title"
        if reason is None and is_date_line(ln.text, ln.tokens) and not _is_prose(ln):
            reason = "date_line"
        if reason:
            removed.append(RemovedSegment(text=ln.text, reason=reason))
            continue
        text = _strip_prompts(ln, removed)
        if text:
            paragraphs.append(text)
    return CleanedText(text="\n\n".join(paragraphs), title=title, published=published, byline=byline, removed=removed)
