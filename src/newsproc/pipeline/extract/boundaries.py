"""Consistent mention spans: no leading "the", quotes or punctuation, no trailing possessive, honorifics left
out of PERSON, balanced brackets; DATE and MONEY spans go to their own rules."""

from __future__ import annotations

from newsproc.names import HONORIFIC_RE, NAME_LABELS
from newsproc.pipeline.extract.dates import date_parts
from newsproc.pipeline.extract.money import money_fix
from newsproc.pipeline.extract.spans import strip


def boundaries(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """Fixed span(s) for one model mention; an empty list drops it."""
    if label == "DATE":
        return date_parts(text, start, end)
    if label == "MONEY":
        return money_fix(text, start, end)
    start, end = strip(text, start, end)
    start, end = balance_brackets(text, start, end)
    if label == "PERSON":
        m = HONORIFIC_RE.match(text, start, end)
        if m and m.end() >= end - 1:
            return []  # "Majesty", "His Highness": a title alone is no person
        if m:
            start, end = strip(text, m.end(), end)
    span = text[start:end]
    if not span or not any(ch.isalpha() for ch in span):
        return []
    if label in NAME_LABELS and not any(ch.isupper() or not ch.isascii() for ch in span if ch.isalpha()):
        return []  # "marimbas", "fed": a name has at least one capital
    return [(start, end, label)]


def balance_brackets(text: str, start: int, end: int) -> tuple[int, int]:
    """ "Superior Council of Private Enterprise (Cosep" -> cut at the unbalanced bracket."""
    span = text[start:end]
    for open_, close in ("()", "[]"):
        if span.count(open_) != span.count(close):
            i = span.find(open_) if span.count(open_) > span.count(close) else span.find(close)
            if i > 0:
                return strip(text, start, start + i)
    return start, end
