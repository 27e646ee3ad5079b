"""Boilerplate removal for scraped text (one block per line) and for HTML.

Text path (`clean_text`), all rules cheap and precompiled:
1. normalize whitespace/quotes per line (normalize.py), cut a leading ``date YYYY-MM-DD <prompt>`` line;
2. per line: token count, sentence punctuation, stop-word density (stop list picked per document),
   capitalised-token share, repeats, whole-line boilerplate patterns and prompt phrases (patterns.py);
3. every line gets a token-weighted value: prose lines count positive, menu/headline/button lines
   negative; the main block is the contiguous run of lines with the largest total value
   (maximum-subarray), so short headings inside the article survive and menus/related lists don't;
   further blocks are added if they are prose-heavy and close to the main one;
4. inside the kept blocks boilerplate lines, repeated lines and prompt sentences are removed
   (each goes to `removed` with the rule family as reason);
5. metadata: title (title-like line just above the main block), published date (date line near the
   block or the leading date line) and byline ("By ..." line near the block).

HTML path (`clean_html`): trafilatura extraction, then the same line pass in a gentle mode (HTML
extraction already chose the main block; only boilerplate lines, repeats and prompts are removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsproc.models import HtmlExtractor, RemovedSegment
from newsproc.pipeline.clean import patterns as pt
from newsproc.pipeline.clean.metadata import find_date, is_date_line
from newsproc.pipeline.clean.normalize import normalize_line, split_lines
from newsproc.pipeline.clean.stopwords import pick_stoplist

if TYPE_CHECKING:  # the markup pass (lxml) is imported by clean_html: text documents never load it
    from newsproc.pipeline.clean.dom import DomLine, DomPage


@dataclass
class CleanedText:
    text: str
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    removed: list[RemovedSegment] = field(default_factory=list)


_WORD = re.compile(r"\w+")
_END_PUNCT = re.compile(r"[.!?…:;][\"'”’»)\]]*$|[\"”’»]$")
# The two letters before the stop are a fixed-width lookbehind: `[^\W\d_]{2,}` in front would make
# a long run of letters quadratic (a 60,000-letter token took 39 s).
_SENT_INSIDE = re.compile(r"(?<=[^\W\d_]{2})[.!?][\"”’»)]?\s+[\"“„«(]?[A-ZÀ-ÖØ-Þ]")
_SENT_SPLIT = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+(?=[\"“„«(]?[^\W\d_])")
_HEAD_LINES = 12
_LEADING_DATE = re.compile(r"^(?:date\s*:?\s*)?(\d{4}-\d{2}-\d{2})\b\s*", re.I)
_TEASER_END = re.compile(r"(\[(…|\.\.\.)\]|\.\.\.|…)\s*$")
_URL = re.compile(r"^(https?://|www\.)\S+$", re.I)


@dataclass
class _Line:
    index: int
    text: str
    tokens: int
    stop: float = 0.0
    caps: float = 0.0
    end_punct: bool = False
    sent_inside: bool = False
    repeat: bool = False  # same text seen earlier in the document
    count: int = 1  # occurrences of the text in the document
    reason: str | None = None  # boilerplate family when the whole line is boilerplate
    prompt_cover: float = 0.0
    value: float = 0.0
    barrier: float = 0.0  # extra cost of crossing the line (section ends: comments, related lists)


def clean_text(raw: str) -> CleanedText:
    return _clean(raw, mode="text")


def clean_html(html: str | bytes, extractor: HtmlExtractor = "markup") -> CleanedText:
    """One lxml pass (dom.py) and the line pass weighted by the markup; trafilatura only as a fallback.

    ``extractor="trafilatura"`` runs trafilatura first instead (slower, slightly more accurate).
    """
    from newsproc.pipeline.clean.dom import parse_page

    if extractor == "trafilatura":
        return clean_html_trafilatura(_as_text(html))
    page = parse_page(html)
    cleaned = _clean_lines([normalize_line(ln.text) for ln in page.lines], mode="dom", hints=page.lines)
    if len(_WORD.findall(cleaned.text)) < FALLBACK_WORDS and _plain_words(page) >= 3 * FALLBACK_WORDS:
        # the page has text but the markup pass found no article in it (unusual layout): let
        # trafilatura's heuristics and fallbacks try; it costs 5-10x more, on few pages
        other = clean_html_trafilatura(_as_text(html))
        if len(other.text) > len(cleaned.text):
            cleaned = other
    return _prefer_metadata(cleaned, page.title, page.published, page.byline)


FALLBACK_WORDS = 50


def _as_text(html: str | bytes) -> str:
    return html if isinstance(html, str) else html.decode("utf-8", "replace")


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
    return _prefer_metadata(_clean(doc.text or "", mode="html"), doc.title, doc.date, doc.author)


SHORT_HTML_WORDS = 120


# ---------------------------------------------------------------- line features


def _may_prompt(text: str) -> bool:
    return "©" in text or not pt.PROMPT_HINT_WORDS.isdisjoint(_WORD.findall(text.lower()))


def _prompt_cover(text: str, hint: bool | None = None) -> tuple[float, int, str | None]:
    """Share of the line's characters covered by prompt phrases, the number of hits, the main family."""
    if hint is None:
        hint = _may_prompt(text)
    if not hint:
        return 0.0, 0, None
    spans: list[tuple[int, int]] = []
    best: tuple[int, str] | None = None
    hits = 0
    lowered = text.lower()
    for family, pattern in pt.PROMPT_PATTERNS.items():
        covered = 0
        for m in pattern.finditer(lowered):
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
                covered += m.end() - m.start()
                hits += 1
        if covered and (best is None or covered > best[0]):
            best = (covered, family)
    if not spans:
        return 0.0, 0, None
    spans.sort()
    total, cur_s, cur_e = 0, spans[0][0], spans[0][1]
    for s, e in spans[1:]:
        if s > cur_e:
            total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    total += cur_e - cur_s
    return total / max(1, len(text)), hits, best[1] if best else None


def _line_reason(text: str, tokens: int) -> str | None:
    if tokens <= 12 and len(text) <= 120 and pt.LINE_ANY_LOWER.fullmatch(text.lower()):
        for family, pattern in pt.LINE_PATTERNS.items():
            if pattern.fullmatch(text):
                return family
    if _URL.match(text):
        return "url"
    if tokens <= 45 and len(text) <= 400:
        if pt.CAPTION_TAIL.fullmatch(text):
            return "caption_credit"
        if tokens <= 25 and pt.CONTACT.fullmatch(text):
            return "contact"
    return None


def _features(texts: list[str], hints: list[DomLine] | None = None) -> list[_Line]:
    counts: dict[str, int] = {}
    for t in texts:
        if t:
            counts[t] = counts.get(t, 0) + 1
    tokens_per_line = [_WORD.findall(t) for t in texts]
    # lines the markup already condemns (link lists, furniture containers) skip the text features
    furniture: list[str | None] = (
        [_markup_furniture(h, len(toks)) for h, toks in zip(hints, tokens_per_line, strict=True)]
        if hints is not None
        else [None] * len(texts)
    )
    lower_per_line = [
        [tok.lower() for tok in toks] if f is None else [] for toks, f in zip(tokens_per_line, furniture, strict=True)
    ]
    all_lower = [tok for toks in lower_per_line for tok in toks if not tok.isdigit()]
    _, stops = pick_stoplist(all_lower)
    # (values of runs of headline-like lines are doubled below: teaser lists, menus)
    seen: set[str] = set()
    lines: list[_Line] = []
    hint_words = pt.PROMPT_HINT_WORDS
    for i, (t, toks, low) in enumerate(zip(texts, tokens_per_line, lower_per_line, strict=True)):
        if not t:
            continue
        n = len(toks)
        line = _Line(index=i, text=t, tokens=n, count=counts[t])
        line.end_punct = bool(_END_PUNCT.search(t))
        line.repeat = t in seen
        seen.add(t)
        if furniture[i]:
            # inside the chosen block only whole link lists go; other marked lines only weigh against it
            line.reason = furniture[i] if hints[i].link_share >= 0.9 or n < 8 or not line.end_punct else None
            if line.reason is None:
                # a sentence-shaped line in a furniture box (an embedded post, a newsletter box) may be
                # kept inside the block: the prompt rules must still see it
                line.reason = _prompt_reason(t)
            line.value = -max(2.0, float(n))
            _mark_section_end(line)
            lines.append(line)
            continue
        if n:
            line.stop = sum(1 for tok in low if tok in stops) / n
            initials = [tok[0] for tok in toks if tok[0].isalpha()]
            if initials:
                line.caps = sum(1 for c in initials if c.isupper()) / len(initials)
        line.sent_inside = bool(_SENT_INSIDE.search(t))
        line.reason = _line_reason(t, n)
        line.prompt_cover, hits, family = _prompt_cover(t, "©" in t or not hint_words.isdisjoint(low))
        if line.reason is None and family and _mostly_prompt(line.prompt_cover, hits):
            line.reason = family
        line.value = _value(line)
        if hints is not None:
            _weigh_markup(line, hints[i])
        _mark_section_end(line)
        lines.append(line)
    _penalize_runs(lines)
    return lines


def _mark_section_end(line: _Line) -> None:
    """Comments headings end the article for good; "Related"/"Most popular" headings nearly so."""
    if line.tokens <= 30 and len(line.text) <= 200:
        if pt.COMMENT_START.fullmatch(line.text):
            line.barrier = float("inf")
            line.reason = line.reason or "comments"
        elif pt.END_MARKER.fullmatch(line.text):
            line.barrier = 30.0


def _mostly_prompt(cover: float, hits: int) -> bool:
    return cover >= 0.5 or (hits >= 2 and cover >= 0.3)


def _prompt_reason(text: str) -> str | None:
    """The prompt family when prompt phrases make up most of the line."""
    cover, hits, family = _prompt_cover(text)
    return family if family and _mostly_prompt(cover, hits) else None


def _markup_furniture(hint: DomLine, tokens: int) -> str | None:
    """Removal reason when the markup alone shows the line is page furniture."""
    if hint.link_share >= 0.6 and tokens < 60:
        return "link_list"
    if hint.boiler_share >= 0.5:
        return "furniture_container"
    return None


def _weigh_markup(line: _Line, hint: DomLine) -> None:
    """Adjust a line's value with what the markup says: links, furniture containers, the article body."""
    n = line.tokens
    if hint.link_share >= 0.3 and not line.end_punct:
        line.value = min(line.value, -max(1.0, 0.5 * n))
    elif hint.content_share >= 0.5 and line.value < 0 and not line.reason and hint.link_share < 0.1:
        # plain text (no links) inside the article body: list items, subheadings, tables of the article
        line.value = 0.2 * n if n >= 3 else max(line.value, -0.5)
    if hint.caption:  # figure captions are not part of the article body
        line.value = min(line.value, -0.5 * n)
        line.reason = line.reason or "caption"
    elif hint.tag == "h1":  # the headline is metadata (title), not body text
        line.reason = line.reason or "title"


def _penalize_runs(lines: list[_Line], min_run: int = 3) -> None:
    """Double the cost of 3+ consecutive non-prose lines: headline lists, link lists, menus."""
    run: list[_Line] = []
    for ln in [*lines, None]:
        if ln is not None and ln.value <= 0 and not ln.end_punct and ln.tokens >= 3:
            run.append(ln)
            continue
        if len(run) >= min_run:
            for r in run:
                r.value = 2 * r.value if r.value < 0 else -0.3 * r.tokens
        run = []


def _is_prose(line: _Line) -> bool:
    n = line.tokens
    if line.reason:
        return False
    if n >= 12 and (line.end_punct or line.sent_inside) and line.stop >= 0.12:
        return True
    if n >= 7 and line.end_punct and line.stop >= 0.2 and line.caps < 0.7:
        return True
    return n >= 25 and line.stop >= 0.2


def _value(line: _Line) -> float:
    """Token-weighted evidence that the line is article text (positive) or page furniture (negative)."""
    n = line.tokens
    if line.reason:
        return -max(3.0, float(n))
    if _TEASER_END.search(line.text):
        return -max(3.0, float(n))
    if line.count > 1 and n < 40:
        # a repeated prose line (a lead shown twice) is neutral; repeated short lines are furniture
        return 0.0 if _is_prose(line) else -max(2.0, 0.7 * n)
    if _is_prose(line):
        return float(n) * (1.0 if line.stop >= 0.2 else 0.7)
    if n >= 20:
        return 0.3 * n
    if n <= 4:
        return -1.5 if line.end_punct else -2.0
    if line.end_punct and line.stop >= 0.15:
        return 0.2 * n
    # 5..19 tokens without sentence shape: headline, teaser, caption, menu - or a list item of the text
    if line.caps <= 0.35 and line.stop >= 0.3:
        return 0.0
    return -(0.5 if line.caps >= 0.6 else 0.25) * n


# ---------------------------------------------------------------- block selection


def _max_block(values: list[float], lo: int, hi: int) -> tuple[int, int, float]:
    """Maximum-sum contiguous run in values[lo:hi] as (start, end exclusive, sum)."""
    best = (lo, lo, 0.0)
    run_start, run_sum = lo, 0.0
    for i in range(lo, hi):
        if run_sum <= 0:
            run_start, run_sum = i, 0.0
        run_sum += values[i]
        if run_sum > best[2]:
            best = (run_start, i + 1, run_sum)
    return best


def _select_blocks(lines: list[_Line]) -> list[tuple[int, int]]:
    values = [ln.value - ln.barrier for ln in lines]
    start, end, total = _max_block(values, 0, len(lines))
    if end <= start:
        # A very short text (a one-sentence API submission) has no run of positive evidence: keep
        # its sentence-shaped lines rather than return nothing.
        return [(i, i + 1) for i, ln in enumerate(lines) if ln.end_punct and not ln.reason and ln.tokens >= 3]
    start = _skip_header(lines, start, end)
    end = _cut_at_end_marker(lines, start, end)
    blocks = [(start, end)]
    # secondary blocks: prose-heavy runs near the main block (articles split by an inline teaser list)
    changed = True
    while changed:
        changed = False
        first, last = blocks[0][0], blocks[-1][1]
        for lo, hi, after in ((0, first, False), (last, len(lines), True)):
            s, e, t = _max_block(values, lo, hi)
            if e <= s or t < max(30.0, 0.25 * total):
                continue
            gap = s - last if after else first - e
            gap_cost = -sum(values[last:s]) if after else -sum(values[e:first])
            if gap <= 25 and gap_cost <= 1.5 * t:
                blocks = [*blocks, (s, e)] if after else [(s, e), *blocks]
                changed = True
                break
    return blocks


def _cut_at_end_marker(lines: list[_Line], start: int, end: int) -> int:
    """End the block at a section marker ("Related", "Most popular", ...) once most prose is behind."""
    total = sum(ln.tokens for ln in lines[start:end] if ln.value > 0)
    seen = 0
    for i in range(start, end):
        ln = lines[i]
        if ln.barrier and seen >= 0.5 * total:
            return i
        if ln.value > 0:
            seen += ln.tokens
    return end


def _skip_header(lines: list[_Line], start: int, end: int) -> int:
    """Move the block start past a date/byline line that precedes the first long prose line."""
    first_prose = next((i for i in range(start, end) if _is_prose(lines[i]) and lines[i].tokens >= 15), None)
    if first_prose is None:
        return start
    new_start = start
    for i in range(start, first_prose):
        ln = lines[i]
        if is_date_line(ln.text, ln.tokens) or (pt.BYLINE.match(ln.text) and ln.tokens <= 14):
            new_start = i + 1
    return new_start


# ---------------------------------------------------------------- prompt sentences inside prose


def _strip_prompts(line: _Line, removed: list[RemovedSegment]) -> str:
    """Cut newsletter/cookie prompt sentences glued to the start or end of a prose line."""
    if line.prompt_cover == 0.0:
        return line.text
    parts = _SENT_SPLIT.split(line.text)
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


def _metadata(lines: list[_Line], block_start: int) -> tuple[str | None, str | None, str | None, set[int]]:
    """Title, published date and byline from the lines just above the main block (and their indices)."""
    title = published = byline = None
    used: set[int] = set()
    window = lines[max(0, block_start - 15) : block_start]
    for ln in reversed(window):
        if published is None and (iso := is_date_line(ln.text, ln.tokens)):
            published = iso
            used.add(ln.index)
        elif byline is None and (m := pt.BYLINE.match(ln.text)) and ln.tokens <= 12:
            byline = m.group("name").strip(" ,")
            used.add(ln.index)
    # title: prefer a title-like line that also appears (as a line or inside a line) elsewhere
    candidates = [ln for ln in reversed(window) if _title_like(ln)][:6]
    if candidates:
        repeated = [ln for ln in candidates if ln.count > 1]
        title = (repeated or candidates)[0].text
    if published is None:
        for ln in lines[: block_start + 3]:
            if ln.tokens <= 14 and (hit := find_date(ln.text)):
                published = hit[0]
                break
    return title, published, byline, used


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


def _clean(raw: str, mode: str) -> CleanedText:
    return _clean_lines(_paragraph_units(split_lines(raw)), mode)


def _clean_lines(texts: list[str], mode: str, hints: list[DomLine] | None = None) -> CleanedText:
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

    lines = _features(texts, hints)
    if not lines:
        return CleanedText(text="", published=published, removed=removed)

    # HTML extraction already chose the main block: only the line rules run on its text
    blocks = [(0, len(lines))] if mode == "html" else _select_blocks(lines)
    if not blocks:
        for ln in lines:
            removed.append(RemovedSegment(text=ln.text, reason="outside_main_block"))
        return CleanedText(text="", published=published, removed=removed)

    title, date2, byline, meta_lines = _metadata(lines, blocks[0][0])
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
