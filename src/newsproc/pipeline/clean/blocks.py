"""Main-block selection over the valued lines (step 3 of the line pass, cleaner.py).

The main block is the contiguous run of lines with the largest total value (maximum-subarray, with
each line's barrier as extra cost), so short headings inside the article survive and menus/related
lists don't. Its start moves past a leading date/byline line, its end is cut at a section marker
("Related", "Most popular") once most of the prose is behind. Further blocks are added if they are
prose-heavy and close to the main one (an article split by an inline teaser list).
"""

from __future__ import annotations

from newsproc.pipeline.clean import patterns as pt
from newsproc.pipeline.clean.features import _is_prose, _Line
from newsproc.pipeline.clean.metadata import is_date_line


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


def _select_blocks(lines: list[_Line], extra: tuple[float, float] = (30.0, 0.25)) -> list[tuple[int, int]]:
    """The main block and the nearby prose blocks; a further block needs a total of at least
    ``max(extra[0], extra[1] * main total)`` (the learned model carries its own pair)."""
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
            if e <= s or t < max(extra[0], extra[1] * total):
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
