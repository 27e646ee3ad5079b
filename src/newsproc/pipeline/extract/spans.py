"""Character-level span helpers shared by the boundary, date, money and harmonize steps: trimming and overlaps."""

from __future__ import annotations

import bisect
import re

from newsproc.names import SPAN_POSSESSIVE_RE

_OPEN = "\"'“”‘’«»„‚([{<*#•·|/\\-–—_~,;:"
_CLOSE = "\"'“”‘’«»)]}>*•·|/\\-–—_~,;:!?."
# A final "." that belongs to the name ("U.S.", "Acme Co.") is not cut.
_ABBREV_END = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Co|Corp|Inc|Ltd|Jr|Sr|St|Bros|Mt|Ft|Dr|No)\.$")


def strip(text: str, start: int, end: int) -> tuple[int, int]:
    """New (start, end) without surrounding space, quotes and punctuation, a trailing possessive or a leading "the"."""
    changed = True
    while changed and start < end:
        changed = False
        while start < end and (text[start].isspace() or text[start] in _OPEN):
            start += 1
            changed = True
        while start < end and text[end - 1].isspace():
            end -= 1
            changed = True
        span = text[start:end]
        if start < end and (m := SPAN_POSSESSIVE_RE.search(span)) and m.start() > 0:
            end = start + m.start()
            changed = True
        elif start < end and text[end - 1] in _CLOSE and not (text[end - 1] == "." and _ABBREV_END.search(span)):
            end -= 1
            changed = True
        new_start = drop_the(text, start, end)
        if new_start != start:
            start = new_start
            changed = True
    return start, end


def drop_the(text: str, start: int, end: int) -> int:
    """New start without a leading article. Lower-case "the" always goes; a capital "The" goes only at a
    sentence or line start (mid-sentence "The Jordan Times" is part of the name)."""
    span = text[start:end]
    if len(span) > 4 and span[:4] in ("the ", "the\n") or span[:4] == "THE ":
        return start + 4
    if len(span) > 4 and span[:4] == "The ":
        prev = _prev_char(text, start)
        if not prev or not (prev.isalnum() or prev in ",&"):
            return start + 4
    return start


def _prev_char(text: str, i: int) -> str:
    i -= 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return text[i] if i >= 0 else ""


def overlaps(sorted_spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Whether [s, e) overlaps one of the sorted spans (only the eight that start last before e are looked at)."""
    i = bisect.bisect_left(sorted_spans, (e, e))
    return any(ps < e and s < pe for ps, pe in sorted_spans[max(0, i - 8) : i])
