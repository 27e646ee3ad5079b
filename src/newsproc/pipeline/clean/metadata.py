"""Dates found in the text itself: `find_date`, `split_date` and `is_date_line` (the cleaner picks title, date
and byline)."""

from __future__ import annotations

import re

# Kept over dateparser.search_dates (htmldate reads whole pages, not lines): 0.016 ms vs 57 ms a line on
# events/articles, and dateparser takes "on Monday", "1.8" and "in 2026" for dates (measured 2026-12-02).
_MONTHS = {
    # English, German, French, Spanish, Portuguese, Italian, Dutch (full names and common abbreviations)
    "jan": 1, "january": 1, "januar": 1, "janvier": 1, "enero": 1, "janeiro": 1, "gennaio": 1, "januari": 1,
    "jänner": 1,
    "feb": 2, "february": 2, "februar": 2, "février": 2, "febrero": 2, "fevereiro": 2, "febbraio": 2,
    "februari": 2,
    "mar": 3, "march": 3, "märz": 3, "mars": 3, "marzo": 3, "março": 3, "maart": 3,
    "apr": 4, "april": 4, "avril": 4, "abril": 4, "aprile": 4,
    "may": 5, "mai": 5, "mayo": 5, "maio": 5, "maggio": 5, "mei": 5,
    "jun": 6, "june": 6, "juni": 6, "juin": 6, "junio": 6, "junho": 6, "giugno": 6,
    "jul": 7, "july": 7, "juli": 7, "juillet": 7, "julio": 7, "julho": 7, "luglio": 7,
    "aug": 8, "august": 8, "août": 8, "agosto": 8, "augustus": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9, "setembro": 9, "settembre": 9,
    "oct": 10, "october": 10, "oktober": 10, "octobre": 10, "octubre": 10, "outubro": 10, "ottobre": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11, "novembro": 11,
    "dec": 12, "december": 12, "dezember": 12, "décembre": 12, "diciembre": 12, "dezembro": 12,
    "dicembre": 12,
}  # fmt: skip
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})\b", re.I
)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.])")
_SLASHED = re.compile(r"(?<![\d/])(\d{4})/(\d{1,2})/(\d{1,2})(?![\d/])")


def _valid(y: int, m: int, d: int) -> str | None:
    if 1990 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def find_date(line: str) -> tuple[str, int, int] | None:
    """First date in the line as (ISO yyyy-mm-dd, start, end), or None."""
    if not _YEAR.search(line):
        return None
    found: list[tuple[int, int, str]] = []
    for m in _ISO.finditer(line):
        if iso := _valid(int(m[1]), int(m[2]), int(m[3])):
            found.append((m.start(), m.end(), iso))
    for m in _MDY.finditer(line):
        if iso := _valid(int(m[3]), _MONTHS[m[1].lower()], int(m[2])):
            found.append((m.start(), m.end(), iso))
    for m in _DMY.finditer(line):
        if iso := _valid(int(m[3]), _MONTHS[m[2].lower()], int(m[1])):
            found.append((m.start(), m.end(), iso))
    for m in _DOTTED.finditer(line):
        if iso := _valid(int(m[3]), int(m[2]), int(m[1])):
            found.append((m.start(), m.end(), iso))
    for m in _SLASHED.finditer(line):
        if iso := _valid(int(m[1]), int(m[2]), int(m[3])):
            found.append((m.start(), m.end(), iso))
    if not found:
        return None
    start, end, iso = min(found)
    return iso, start, end


def split_date(line: str) -> tuple[str | None, str]:
    """The line's first date (ISO) and the line without it; (None, line) when it has none."""
    hit = find_date(line)
    if hit is None:
        return None, line
    return hit[0], (line[: hit[1]] + " " + line[hit[2] :]).strip()


def is_date_line(line: str, n_tokens: int) -> str | None:
    """ISO date when the line is a date stamp (a date plus at most a few labels/times), else None."""
    if n_tokens > 14 or len(line) > 100:
        return None
    iso, rest = split_date(line)
    if iso is None:
        return None
    # what is left may be a label, a weekday, a time, a time zone or a short source/author name
    if len(re.findall(r"\w+", rest)) <= 8:
        return iso
    return None
