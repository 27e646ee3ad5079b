"""Cutting long texts into pieces the model accepts, at paragraph, line, sentence or space breaks."""

from __future__ import annotations

import re
from collections.abc import Iterator

CHUNK_CHARS = 20_000

_BREAKS = (re.compile(r"\n[^\S\n]*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"'”’)]*\s"), re.compile(r"\s"))


def chunk_text(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split at the last paragraph/line/sentence/space break before `size`, so no mention is cut."""
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = _last_break(text, start, end)
            if cut > start + size // 4:
                end = cut
        yield start, text[start:end]
        start = end


def _last_break(text: str, start: int, end: int) -> int:
    lo = start + (end - start) // 4
    for pattern in _BREAKS:
        last = None
        for last in pattern.finditer(text, lo, end):  # noqa: B007 - we want the last match
            pass
        if last is not None:
            return last.end()
    return end
