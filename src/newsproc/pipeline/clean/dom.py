"""HTML to lines of text with structural evidence, in one lxml pass (trafilatura is only a fallback).

libxml2's HTML parser (lxml) drives a parser target: no tree and no element proxies are built, which
is what makes this path a few milliseconds a page. Elements that never hold article text (scripts,
styles, form controls, navigation, the head, hidden elements) are skipped with their subtree; the
rest becomes one line per block-level element, the way a browser lays text out (the same definition
as the benchmark's raw.txt). For each line the target records what only the markup knows:

* link share: the characters inside ``<a>`` (menus, teaser and related lists);
* furniture containers: an ancestor whose class/id names navigation, sharing, comments, newsletter,
  related content, cookie notices, advertising... (generic words, never site names), or a
  ``<footer>``/``<aside>``;
* content containers: an ancestor marked as the article body (``itemprop=articleBody``, ``<article>``,
  ``<main>``, class names such as ``article-body`` / ``entry-content``);
* the element the line came from (``h1``, ``li``, ...) and whether it is a figure caption.
* its block path: the block elements from the body down to the line's own (learned.py scores the
  containers on it by the prose and links they hold, as readability scores paragraph parents).

Metadata comes from meta tags (Open Graph, article:*, Dublin Core), JSON-LD, ``<time datetime>`` and
``<title>``. The line features (features.py) weigh each line with this evidence before the main block is picked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from lxml import etree

from newsproc.pipeline.clean.metadata import find_date

# Skipped with their subtree by the walk (their tails, i.e. text after them, stay).
_DROP_TAGS = frozenset((
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "select", "button", "textarea", "input", "nav", "head", "video", "audio", "map",
))  # fmt: skip
# elements that start a new line of text, as a browser lays them out
_BLOCK_TEXT = """
address article aside blockquote body br center dd details dialog dir div dl dt fieldset figcaption
figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu ol p pre section summary table
tbody td tfoot th thead tr ul caption legend
"""
_BLOCK_TAGS = frozenset(_BLOCK_TEXT.split())
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# class/id words of containers that hold page furniture, matched as whole words of the attribute
_BOILER_TEXT = """
nav navbar navigation menu menus footer sidebar share sharing sharebar social socials related
recommended recommendations comment comments newsletter newsletters subscribe subscription signup
promo promos advert adverts advertisement ads ad cookie cookies consent gdpr breadcrumb breadcrumbs
widget widgets popup modal banner toolbar tags tag taglist outbrain taboola trending popular
most-read mostread teaser teasers masthead disclaimer copyright byline-social newsletter-signup
"""
_BOILER_WORDS = frozenset(_BOILER_TEXT.split())
_CONTENT_ATTR = re.compile(
    r"article[-_]?body|articlebody|story[-_]?body|storybody|entry[-_]?content|post[-_]?(content|body|text)|"
    r"article[-_]?(content|text)|story[-_]?(content|text)|body[-_]?(text|copy)|main[-_]?text|"
    r"content[-_]?body|text[-_]?body"
)  # matched against the lower-cased names
# any furniture word inside the names at all: most class names have none and skip the token analysis
_BOILER_HINT = re.compile("|".join(sorted((re.escape(w) for w in _BOILER_WORDS), key=len, reverse=True)))
_WORD_SPLIT = re.compile(r"[-_]+|(?<=[a-z])(?=[A-Z])")
# a class such as "content-with-sidebar" names the article's wrapper, not the sidebar
_CONTENT_WORDS = frozenset(
    ("content", "article", "story", "body", "main", "text", "post", "entry", "page", "wrapper", "wrap", "container")
)

BOILER, CONTENT, LINK, CAPTION = 1, 2, 4, 8


@dataclass(slots=True)
class DomLine:
    text: str
    tag: str  # block element the line came from
    link_share: float  # characters inside <a>
    boiler_share: float  # characters inside a furniture container
    content_share: float  # characters inside an article-body container
    caption: bool
    # block elements from the body down to the one holding the line's text (ids unique in the page):
    # the containers whose prose and links learned.py weighs (readability-like container scores)
    path: tuple[int, ...] = ()


@dataclass(slots=True)
class DomPage:
    lines: list[DomLine]
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    site_name: str | None = None  # og:site_name / application-name: to cut the site from the title


def _make_line(parts: list[tuple[str, int]], tag: str, path: tuple[int, ...] = ()) -> DomLine | None:
    """One layout line from its text pieces and the flags each piece was read under."""
    text = " ".join("".join(piece for piece, _ in parts).split())
    if not text:
        return None
    chars = link = boiler = content = caption = 0
    for piece, flags in parts:
        n = len(piece)
        chars += n
        if flags:
            if flags & LINK:
                link += n
            if flags & BOILER:
                boiler += n
            if flags & CONTENT:
                content += n
            if flags & CAPTION:
                caption += n
    chars = max(1, chars)
    return DomLine(
        text=text,
        tag=tag,
        link_share=link / chars,
        boiler_share=boiler / chars,
        content_share=content / chars,
        caption=caption * 2 > chars,
        path=path,
    )


_TAG_FLAGS = {
    "a": LINK, "figcaption": CAPTION, "figure": CAPTION, "footer": BOILER, "aside": BOILER,
    "article": CONTENT, "main": CONTENT,
}  # fmt: skip
_SKIP = -1  # _element_flags' answer for a hidden element: the walk skips its subtree


def _element_flags(tag: str, attrib: dict[str, str], cache: dict[str, int]) -> int:
    """Flags of one element, or _SKIP for a hidden one."""
    flags = _TAG_FLAGS.get(tag, 0)
    if not attrib:
        return flags
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return _SKIP
    style = attrib.get("style")
    if style and _HIDING_STYLE.search(style):
        return _SKIP
    if attrib.get("itemprop") == "articleBody":
        flags |= CONTENT
    names = attrib.get("class")
    ident = attrib.get("id")
    if ident:
        names = f"{names} {ident}" if names else ident
    if names:
        hit = cache.get(names)
        if hit is None:
            hit = cache[names] = _classify_names(names)
        flags |= hit
    return flags


def _classify_names(names: str) -> int:
    """CONTENT, BOILER or 0 for an element's class and id (lower-cased once: re.I patterns are slow)."""
    low = names.lower()
    if _CONTENT_ATTR.search(low):
        return CONTENT
    if _BOILER_HINT.search(low) and _names_furniture(names):
        return BOILER
    return 0


def _names_furniture(attr: str) -> bool:
    """True when one class/id token starts or ends with a furniture word and names nothing else."""
    for token in attr.split():
        parts = [w.lower() for w in _WORD_SPLIT.split(token) if w]
        if not parts or not _CONTENT_WORDS.isdisjoint(parts):
            continue
        if parts[0] in _BOILER_WORDS or parts[-1] in _BOILER_WORDS or "-".join(parts[:2]) in _BOILER_WORDS:
            return True
    return False


# tags whose attributes or text carry metadata (read even inside the skipped head and scripts)
_META_TAGS = frozenset(("meta", "time", "title", "script"))


class _PageTarget:
    """lxml parser target: builds the lines while libxml2 parses, with no tree and no element proxies.

    The events come in document order, so text after a child element (its tail) arrives while the
    parent is on top of the stack and gets the parent's flags, as layout would give it.
    """

    def __init__(self) -> None:
        self.lines: list[DomLine] = []
        self.parts: list[tuple[str, int]] = []  # pieces of the line being laid out
        self.line_tag = "body"
        self.stack = [0]
        self.nodes = [0]  # per open element: the innermost block element (0: the body), beside `stack`
        self.paths: list[tuple[int, ...]] = [(0,)]  # per block element id: its block ancestors and itself
        self.line_node = 0  # block element of the first text piece of the line being laid out
        self.skip_depth = 0  # > 0 inside a dropped or hidden subtree (or the head)
        self.in_head = False
        self.capture_depth = 0
        self.cache: dict[str, int] = {}
        self.meta: dict[str, str] = {}
        self.json_ld: list[str] = []
        self.times: list[str] = []
        self.title: str | None = None
        self.capture: list[str] | None = None  # text of a <title> or JSON-LD script being read

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag in _META_TAGS:
            self._metadata_tag(tag, attrib)
        if self.skip_depth:
            self.skip_depth += 1
            return
        if tag == "head" or tag in _DROP_TAGS:
            self.in_head = tag == "head"
            self.skip_depth = 1
            return
        own = 0 if tag == "body" else _element_flags(tag, attrib, self.cache)
        if own == _SKIP:
            self.skip_depth = 1
            return
        flags = self.stack[-1] | own
        if own & CONTENT:
            flags &= ~BOILER  # an article body inside a generic "widget"/"rail" wrapper is still the article
        self.stack.append(flags)
        if tag in _BLOCK_TAGS:
            if self.parts:
                self._flush()
            self.line_tag = tag
            node = len(self.paths)
            self.paths.append((*self.paths[self.nodes[-1]], node))
            self.nodes.append(node)
        else:
            self.nodes.append(self.nodes[-1])

    def end(self, tag: str) -> None:
        if self.skip_depth:
            if self.capture is not None and self.skip_depth == self.capture_depth:
                self._captured(tag, "".join(self.capture))
                self.capture = None
            self.skip_depth -= 1
            if not self.skip_depth:
                self.in_head = False
            return
        if len(self.stack) > 1:
            self.stack.pop()
            self.nodes.pop()
        if tag in _BLOCK_TAGS:
            if self.parts:
                self._flush()
            if tag != "br":
                self.line_tag = "body"

    def data(self, text: str) -> None:
        if self.skip_depth:
            if self.capture is not None:
                self.capture.append(text)
            return
        if not self.parts:
            self.line_node = self.nodes[-1]
        self.parts.append((text, self.stack[-1]))

    def close(self) -> None:
        if self.parts:
            self._flush()

    def _flush(self) -> None:
        if line := _make_line(self.parts, self.line_tag, self.paths[self.line_node]):
            self.lines.append(line)
        self.parts = []

    def _metadata_tag(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "meta":
            key = (attrib.get("property") or attrib.get("name") or attrib.get("itemprop") or "").strip().lower()
            content = attrib.get("content")
            if key and content and key not in self.meta:
                self.meta[key] = " ".join(content.split())
        elif tag == "time":
            if value := attrib.get("datetime"):
                self.times.append(value)
        elif self.capture is None and (
            (tag == "title" and self.in_head and self.title is None)
            or (tag == "script" and attrib.get("type") == "application/ld+json")
        ):
            self.capture, self.capture_depth = [], self.skip_depth + 1

    def _captured(self, tag: str, text: str) -> None:
        if tag == "title":
            self.title = " ".join(text.split()) or None
        elif tag == "script":
            self.json_ld.append(text)


def parse_page(html: str | bytes) -> DomPage:
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    if not data.strip():
        return DomPage(lines=[])
    target = _run_target(data)
    if not target.lines and len(data) > 2000 and (at := data[:4096].lower().find(b"<title")) >= 0:
        # a <title> that is never closed (or closed after the body) swallows the whole page as title
        # text: read it once more with that element as an ordinary inline one
        target = _run_target(data[:at] + b"<span" + data[at + 6 :])
        target.title = None
    page = DomPage(lines=target.lines)
    _page_metadata(target, page)
    _distrust_wrapping_furniture(page.lines)
    return page


def _run_target(data: bytes) -> _PageTarget:
    target = _PageTarget()
    parser = etree.HTMLParser(
        target=target, encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        target.close()
    return target


def _distrust_wrapping_furniture(lines: list[DomLine]) -> None:
    """Forget the furniture marks when they cover most of the page's long paragraphs.

    A furniture class on a wrapper of the whole article ("ad-wrapper", a layout "rail") would
    otherwise throw the article away; comments and related lists are never most of the prose.
    """
    long_chars = marked = 0
    for ln in lines:
        if len(ln.text) >= 150 and ln.link_share < 0.3:
            long_chars += len(ln.text)
            marked += len(ln.text) * ln.boiler_share
    if long_chars and marked > 0.6 * long_chars:
        for ln in lines:
            ln.boiler_share = 0.0


# ---------------------------------------------------------------- metadata from the head

_TITLE_KEYS = ("og:title", "twitter:title", "title", "headline", "dc.title")
_DATE_KEYS = (
    "article:published_time", "datepublished", "publishdate", "pubdate", "date", "dc.date",
    "dc.date.issued", "sailthru.date", "og:published_time", "published_time", "parsely-pub-date",
)  # fmt: skip
_AUTHOR_KEYS = ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")


def _page_metadata(target: _PageTarget, page: DomPage) -> None:
    """Title, date and author from meta tags, then JSON-LD, then <time datetime> and <title>."""
    meta = target.meta
    page.title = next((meta[k] for k in _TITLE_KEYS if meta.get(k)), None)
    page.published = next((iso for k in _DATE_KEYS if meta.get(k) and (iso := _iso_date(meta[k]))), None)
    author = next((meta[k] for k in _AUTHOR_KEYS if meta.get(k) and not meta[k].startswith("http")), None)
    if not (page.published and author and page.title):
        ld = _json_ld(target.json_ld)
        page.title = page.title or _ld_text(ld.get("headline"))
        page.published = page.published or _iso_date(_ld_text(ld.get("datePublished")) or "")
        author = author or _ld_author(ld.get("author"))
    if page.published is None:
        page.published = next((iso for value in target.times if (iso := _iso_date(value))), None)
    page.title = page.title or target.title
    page.byline = author
    page.site_name = meta.get("og:site_name") or meta.get("application-name") or None


def _iso_date(value: str) -> str | None:
    hit = find_date(value)
    return hit[0] if hit else None


def _json_ld(scripts: list[str]) -> dict:
    """The first JSON-LD object that looks like an article (or carries a datePublished)."""
    for raw in scripts:
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "datePublished" in item or "headline" in item:
                    return item
                stack.extend(v for k, v in item.items() if k == "@graph")
    return {}


def _ld_text(value: object) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _ld_author(value: object) -> str | None:
    if isinstance(value, list):
        names = [n for v in value if (n := _ld_author(v))]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        return _ld_text(value.get("name"))
    return _ld_text(value)
