"""Per-line features and the token-weighted value of each line (step 2-3 of the line pass, cleaner.py).

For every non-empty line: token count, sentence punctuation (at the end, inside), stop-word density
(the stop list is picked per document, stopwords.py), capitalised-token share, repeats, whole-line
boilerplate patterns and prompt phrases (patterns.py). From these `_value` gives each line a
token-weighted value: prose lines count positive, menu/headline/button lines negative. Section ends
("Comments", "Related") get a barrier that block selection (blocks.py) must pay to cross.

On the HTML path the markup evidence of dom.py adjusts the values: link lists and furniture containers
are condemned outright (`_markup_furniture`), links, captions, the headline and the article-body
container weigh in (`_weigh_markup`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsproc.pipeline.clean import patterns as pt
from newsproc.pipeline.clean.stopwords import pick_stoplist

if TYPE_CHECKING:  # the markup pass (lxml) is imported by clean_html: text documents never load it
    from newsproc.pipeline.clean.dom import DomLine

_WORD = re.compile(r"\w+")
_END_PUNCT = re.compile(r"[.!?…:;][\"'”’»)\]]*$|[\"”’»]$")
# The two letters before the stop are a fixed-width lookbehind: `[^\W\d_]{2,}` in front would make
# a long run of letters quadratic (a 60,000-letter token took 39 s).
_SENT_INSIDE = re.compile(r"(?<=[^\W\d_]{2})[.!?][\"”’»)]?\s+[\"“„«(]?[A-ZÀ-ÖØ-Þ]")
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
    prob: float = -1.0  # the learned model's probability that the line is article text (-1: no model)


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
