"""The two reads: an entity's timeline (EntityIndex) and the trends of a label (day counters). Both bounded.

Timeline: one Query on the EntityIndex per call, `GSI1PK = ENT#<LABEL>#<key>` and `GSI1SK BETWEEN from AND
to~` (the sort key starts with the published date, so the key condition is the date range and undated
documents, `-#...`, are outside it), oldest first, at most `limit` (<= 1,000) items read. Periods come
whole: when more items follow, the page stops before the last period it reached and the token resumes at
that period's first day, so no period is split over two pages, unless a single period holds more than
`limit` documents (then the token resumes after the last item read and that period continues on the next
page: add the counts of a period that appears twice).

Trends: per day of the window and of the window before it, one Query of the day's counter partition on
the TopIndex (documents descending), at most `DAY_CAP` counters each; summed, ranked by documents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from newsproc.store.pagination import decode_token, encode_token
from newsproc.trends.counting import COUNTED_LABELS
from newsproc.trends.periods import (
    RequestError,
    Window,
    check_granularity,
    check_limit,
    period_start,
    published_day,
    window,
)

TIMELINE_MAX_ITEMS = 1000  # items read by one timeline call (one Query page of at most ~430 KB)
TIMELINE_MAX_DAYS = {"day": 366, "week": 1827}  # a year of days, five years of weeks; also the default window
TREND_MAX_DAYS = 31  # the window; the window before it has the same length: at most 62 day partitions a call
TREND_DEFAULT_DAYS = 7
TREND_MAX_LIMIT = 100
DAY_CAP = 500  # counters read per day partition (the day's top 500 of the label by documents)
_DOCUMENT_ID = re.compile(r"[0-9a-f]{1,64}")


class TimelineStore(Protocol):
    def dated_items(
        self, label: str, key: str, *, low: str, high: str, after: str | None, limit: int
    ) -> tuple[list[tuple[str, int]], bool]:
        """(GSI1SK, count) of the entity's items with low <= GSI1SK <= high (after `after`, exclusive), in
        GSI1SK order, at most `limit`; and whether more may follow."""
        ...

    def latest_sort_key(self, label: str, key: str, *, high: str) -> str | None:
        """The highest GSI1SK of the entity's dated items up to `high` (one item read), or None."""
        ...


class DayCounters(Protocol):
    def top_for_day(self, day: date, label: str, *, cap: int) -> tuple[list[dict[str, Any]], bool]:
        """The day's counters of `label` with documents > 0, most documents first, at most `cap`
        ({"key", "name", "documents", "mentions"}); and whether the cap cut the partition short."""
        ...


def _pk(label: str, key: str) -> str:
    return f"ENT#{label}#{key}"


def _resume_position(token: str, pk: str, span: Window) -> str:
    """A token's position: a day of the window (resume at it) or an item sort key (resume after it)."""

    def valid(value: dict[str, str]) -> bool:
        at, day = value["at"], published_day(value["at"])
        item = "#" not in at or _DOCUMENT_ID.fullmatch(at.rsplit("#", 1)[1]) is not None
        return value["GSI1PK"] == pk and day is not None and span.holds(day) and item

    return decode_token(token, fields={"GSI1PK", "at"}, valid=valid)["at"]


def timeline(
    store: TimelineStore,
    label: str,
    key: str,
    *,
    start: str | None,
    end: str | None,
    granularity: str,
    limit: int,
    next_token: str | None,
    today: date,
) -> tuple[list[dict[str, Any]], str | None]:
    """Documents and mentions of the entity per period, oldest first; periods without documents are left
    out. The continuation token is valid for the same entity and window only."""
    check_granularity(granularity)
    check_limit(limit, TIMELINE_MAX_ITEMS)
    most = TIMELINE_MAX_DAYS[granularity]
    if end is None and start is None:
        # No window asked for: the one ending at the entity's latest dated document (up to today), so an
        # archive of older news shows its timeline instead of an empty last year. One more item read.
        latest = published_day(store.latest_sort_key(label, key, high=f"{today.isoformat()}~") or "")
        end = (latest or today).isoformat()
    span = window(start, end, max_days=most, default_days=most, today=today)
    pk, low, after = _pk(label, key), span.start.isoformat(), None
    if next_token:
        position = _resume_position(next_token, pk, span)
        if "#" in position:
            after = position
        else:
            low = position
    # "~" sorts after every character a published value continues with ("T", "#", " ", digits, letters).
    rows, more = store.dated_items(label, key, low=low, high=f"{span.end.isoformat()}~", after=after, limit=limit)
    dated = [(sort_key, count, published_day(sort_key)) for sort_key, count in rows]
    periods = {sk: period_start(day, granularity) for sk, _, day in dated if day is not None}
    token = None
    if more and rows:
        last = periods.get(rows[-1][0])
        whole = [row for row in dated if last is None or periods.get(row[0]) != last]
        if last is not None and any(periods.get(row[0]) for row in whole):
            dated, at = whole, max(last, span.start).isoformat()  # that period is read again, whole, next time
        else:  # one period fills the page: it continues after the last item read
            at = rows[-1][0]
        token = encode_token({"GSI1PK": pk, "at": at})
    counts: dict[date, list[int]] = {}
    for sort_key, count, _ in dated:
        if sort_key in periods:
            slot = counts.setdefault(periods[sort_key], [0, 0])
            slot[0] += 1
            slot[1] += count
    return [
        {"period": period.isoformat(), "documents": documents, "mentions": mentions}
        for period, (documents, mentions) in sorted(counts.items())
    ], token


def _summed(store: DayCounters, days: Sequence[date], label: str) -> tuple[dict[str, dict[str, Any]], bool]:
    totals: dict[str, dict[str, Any]] = {}
    capped = False
    for day in days:
        rows, cut = store.top_for_day(day, label, cap=DAY_CAP)
        capped = capped or cut
        for row in rows:
            total = totals.setdefault(
                row["key"], {"name": row.get("name") or row["key"], "documents": 0, "mentions": 0}
            )
            total["documents"] += int(row["documents"])
            total["mentions"] += int(row.get("mentions", 0))
            total["name"] = row.get("name") or total["name"]  # the latest day's display name
    return totals, capped


def trends(
    store: DayCounters, label: str, *, start: str | None, end: str | None, limit: int, today: date
) -> dict[str, Any]:
    """The label's entities with the most documents in the window, with their documents in the window of
    the same length before it; `complete` is False when a day had more than DAY_CAP counters (an entity
    outside a day's top DAY_CAP then counts 0 for that day: its totals are lower bounds)."""
    if label not in COUNTED_LABELS:
        raise RequestError("label_not_counted", f"trends count the labels {', '.join(sorted(COUNTED_LABELS))}")
    check_limit(limit, TREND_MAX_LIMIT)
    span = window(start, end, max_days=TREND_MAX_DAYS, default_days=TREND_DEFAULT_DAYS, today=today)
    before = span.previous()
    current, cut_now = _summed(store, span.each_day(), label)
    previous, cut_before = _summed(store, before.each_day(), label)
    entities = [
        {"label": label, "name": total["name"], "key": key, "documents": total["documents"],
         "mentions": total["mentions"], "previous_documents": (earlier := previous.get(key, {}).get("documents", 0)),
         "change": total["documents"] - earlier}
        for key, total in current.items()
    ]  # fmt: skip
    # Most documents first; ties: the larger rise, then the key (a stable order across calls).
    entities.sort(key=lambda e: (-e["documents"], -e["change"], e["key"]))
    return {
        "label": label,
        "from": span.start.isoformat(),
        "to": span.end.isoformat(),
        "previous_from": before.start.isoformat(),
        "previous_to": before.end.isoformat(),
        "entities": entities[:limit],
        "complete": not (cut_now or cut_before),
    }
