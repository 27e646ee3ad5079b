"""Days, ISO weeks and the bounded windows of days a request may ask for.

A document's day is the date its `metadata.published` starts with (`YYYY-MM-DD`), as written: a datetime
with an offset counts on its own local date (`2024-05-02T23:30:00-05:00` is 2 May), because the offset is
the publisher's and converting it would move late-evening articles to the next day. A published value that
does not start with such a date (none, `-`, `March 18, 2024`) gives no day: the document is in neither the
timelines nor the trends (its entities are still in the entity index and the documents routes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

GRANULARITIES = ("day", "week")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class RequestError(ValueError):
    """A read the API refuses (422): `code` names the rule, the message says what is allowed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def published_day(published: str | None) -> date | None:
    """The date `published` starts with, or None (no date, another format, an impossible date)."""
    match = _DAY.match(published or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2024-02-30
        return None


def period_start(day: date, granularity: str) -> date:
    """The first day of the period holding `day`: itself, or the Monday of its ISO week."""
    return day - timedelta(days=day.weekday()) if granularity == "week" else day


# A window, and the window of the same length before it, stay far inside date.min..date.max.
YEARS = (1000, 9000)


def parse_day(text: str, parameter: str) -> date:
    day = published_day(text) if len(text) == 10 else None
    if day is None or not YEARS[0] <= day.year <= YEARS[1]:
        raise RequestError(
            "invalid_period", f"{parameter} must be a date YYYY-MM-DD in {YEARS[0]}-{YEARS[1]}, not {text[:40]!r}"
        )
    return day


@dataclass(frozen=True)
class Window:
    """Days `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> Window:
        """The window of the same length that ends the day before this one starts."""
        return Window(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def window(start: str | None, end: str | None, *, max_days: int, default_days: int, today: date) -> Window:
    """The window of a request: `to` defaults to today (UTC), `from` to `default_days` days ending on `to`;
    `from` after `to`, or more than `max_days` days, is a RequestError."""
    last = parse_day(end, "to") if end else today
    first = parse_day(start, "from") if start else last - timedelta(days=default_days - 1)
    if first > last:
        raise RequestError("invalid_period", f"from ({first}) is after to ({last})")
    chosen = Window(first, last)
    if chosen.days > max_days:
        raise RequestError("invalid_period", f"from..to spans {chosen.days} days; at most {max_days} here")
    return chosen


def check_granularity(granularity: str) -> str:
    if granularity not in GRANULARITIES:
        raise RequestError("invalid_granularity", f"granularity must be one of {', '.join(GRANULARITIES)}")
    return granularity


def check_limit(limit: int, most: int) -> int:
    if not 1 <= limit <= most:
        raise RequestError("invalid_limit", f"limit must be 1 to {most}, not {limit}")
    return limit
