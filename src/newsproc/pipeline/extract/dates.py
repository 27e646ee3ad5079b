"""DATE mentions reduced to calendar expressions (dates, months, weekdays, years, centuries, holidays)."""

from __future__ import annotations

import re

from newsproc.pipeline.extract.spans import strip

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tues|Tue|Wed|Thurs|Thu|Fri|Sat|Sun)\.?"
_DAY = r"(?:[0-3]?\d(?:st|nd|rd|th)?)"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_YEAR_RANGE = _YEAR + r"(?:s|\s?[-–/]\s?(?:" + _YEAR + r"|\d{2})\b)?"
_HOLIDAY = (
    r"(?:Christmas(?: Eve| Day)?|Easter(?: Sunday| Monday)?|Good Friday|New Year(?:['’]s)?(?: Day| Eve)?"
    r"|Ramadan|Ramzan|Eid(?:[- ](?:al|ul|el)[- ]?(?:Adha|Fitr|Azha))?|Diwali|Deepavali|Holi|Hanukkah"
    r"|Passover|Yom Kippur|Rosh Hashanah|Thanksgiving|Lunar New Year|Chinese New Year|Songkran"
    r"|Ram Navami|Navratri|Durga Puja|Muharram|Ashura|Nowruz|Halloween|Valentine['’]s Day)"
)
_DATE_CORE = re.compile(
    r"\b(?:"
    + rf"(?:{_WEEKDAY},?\s+(?:\(\s*)?)?"
    + r"(?:"
    + rf"{_MONTH}\s+{_DAY}(?:\s*(?:[-–]|to|and)\s*(?:{_MONTH}\s+)?{_DAY}\b)?(?:,?\s+{_YEAR})?"
    + rf"|{_DAY}(?:\s*(?:[-–]|and|to)\s*{_DAY})?(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?"
    + rf"|{_MONTH},?\s+{_YEAR}"
    + r"|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
    + rf"|{_YEAR_RANGE}"
    + r"|(?:[0-2]?\d(?:st|nd|rd|th)|[XVI]{1,5})\s+[Cc]entury"
    + rf"|{_MONTH}|{_WEEKDAY}|{_HOLIDAY}"
    + r"|(?:nineteen\s+)?(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)"
    + r")"
    + r")(?![\w])",
)
# Month/weekday abbreviations that are also English words: kept only when they are the whole span.
_DATE_FALSE = re.compile(r"^(?:May|Sun|Sat|Wed|Mar|Jan)\.?$")


def date_parts(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Keep only calendar expressions inside a DATE span ("last Monday" -> "Monday",
    "between 2016 and 2020" -> "2016", "2020"); relative/duration expressions ("two years") are dropped."""
    span = text[start:end]
    parts = []
    for m in _DATE_CORE.finditer(span):
        s, e = start + m.start(), start + m.end()
        if _DATE_FALSE.match(m.group(0)) and m.group(0) != span:
            continue  # a bare "May" inside "may be ..."-like spans
        s, e = strip(text, s, e)
        if s < e:
            parts.append((s, e, "DATE"))
    return parts
