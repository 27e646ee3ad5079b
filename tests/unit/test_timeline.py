"""Entity timelines: published days, ISO weeks, windows and their bounds, whole periods across pages (fakes)."""

from __future__ import annotations

from datetime import date

import pytest

from newsproc.api.errors import ApiError
from newsproc.api.service import DocumentService
from newsproc.models import Entity, Metadata, Pipeline, ResultDocument, Source, Status
from newsproc.settings import Settings
from newsproc.store.memory import InMemoryCatalog, InMemoryDocumentRepository, InMemoryEntityTimeline, InMemoryRawStore
from newsproc.store.pagination import InvalidTokenError, decode_token, encode_token
from newsproc.trends.periods import RequestError, period_start, published_day, window
from newsproc.trends.reads import TIMELINE_MAX_DAYS, timeline

pytestmark = pytest.mark.unit
TODAY = date(2026, 12, 2)


def _doc(number: int, published: str | None, mentions: int = 1, name: str = "Kim Jong-un") -> ResultDocument:
    entity = Entity(id="e1", key="kim jong un", name=name, label="PERSON", count=mentions, first_start=0)
    other = Entity(id="e2", key="seoul", name="Seoul", label="GPE", count=1, first_start=5)
    return ResultDocument(
        document_id=f"{number:032x}",
        status=Status.PROCESSED,
        source=Source(bucket="raw", key=f"k{number}.txt", size=1),
        metadata=Metadata(published=published),
        clean_text="text",
        entities=[entity, other],
        pipeline=Pipeline(version="test"),
    )


def _store(published: list[str | None]) -> InMemoryEntityTimeline:
    repository = InMemoryDocumentRepository()
    for number, day in enumerate(published):
        repository.save(_doc(number, day, mentions=number + 1))
    return InMemoryEntityTimeline(repository)


def _read(store: InMemoryEntityTimeline, **kwargs: object) -> tuple[list[dict], str | None]:
    arguments = {"start": None, "end": None, "granularity": "day", "limit": 1000, "next_token": None} | kwargs
    return timeline(store, "PERSON", "kim jong un", today=TODAY, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("2024-03-18", date(2024, 3, 18)),
        ("2024-05-02T23:30:00-05:00", date(2024, 5, 2)),  # the publisher's own date, not UTC's
        ("2024-02-30", None),
        ("March 18, 2024", None),
        ("-", None),
        (None, None),
        ("2024-3-18", None),
    ],
)
def test_published_day(published: str | None, day: date | None) -> None:
    assert published_day(published) == day


def test_weeks_are_iso_weeks_named_by_their_monday() -> None:
    assert period_start(date(2026, 11, 30), "week") == date(2026, 11, 30)  # a Monday
    assert period_start(date(2026, 12, 6), "week") == date(2026, 11, 30)  # the Sunday of that week
    assert period_start(date(2026, 12, 7), "week") == date(2026, 12, 7)
    assert period_start(date(2027, 1, 1), "week") == date(2026, 12, 28)  # across the year end
    assert period_start(date(2026, 12, 6), "day") == date(2026, 12, 6)


def test_days_and_weeks_count_documents_and_mentions() -> None:
    store = _store(["2026-11-30", "2026-11-30T08:00:00Z", "2026-12-02", "2026-12-07", None, "undated"])
    days, token = _read(store, start="2026-11-01", end="2026-12-31")
    assert token is None
    assert days == [
        {"period": "2026-11-30", "documents": 2, "mentions": 1 + 2},
        {"period": "2026-12-02", "documents": 1, "mentions": 3},
        {"period": "2026-12-07", "documents": 1, "mentions": 4},
    ]
    weeks, _ = _read(store, start="2026-11-01", end="2026-12-31", granularity="week")
    assert weeks == [
        {"period": "2026-11-30", "documents": 3, "mentions": 6},
        {"period": "2026-12-07", "documents": 1, "mentions": 4},
    ]


def test_the_window_bounds_the_days_read() -> None:
    store = _store(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02T23:59:59+14:00"])
    periods, _ = _read(store, start="2026-11-30", end="2026-12-02")
    assert [p["period"] for p in periods] == ["2026-11-30", "2026-12-01", "2026-12-02"]
    # the first week is cut at `from`: only its days inside the window count
    weeks, _ = _read(store, start="2026-12-01", end="2026-12-02", granularity="week")
    assert weeks == [{"period": "2026-11-30", "documents": 2, "mentions": 3 + 4}]


def test_defaults_end_today_and_span_the_longest_window() -> None:
    store = _store([TODAY.isoformat(), "2025-12-02", "2025-12-01"])
    periods, _ = _read(store)
    assert [p["period"] for p in periods] == ["2025-12-02", "2026-12-02"]  # 366 days back, 2025-12-01 is out
    weeks, _ = _read(store, granularity="week")
    assert sum(p["documents"] for p in weeks) == 3
    assert TIMELINE_MAX_DAYS == {"day": 366, "week": 1827}


def test_without_a_window_it_ends_at_the_latest_dated_document() -> None:
    archive = _store(["2024-03-18", "2024-03-19T08:00:00Z", "2023-03-17", None, "2031-01-01"])  # one date ahead
    periods, _ = _read(archive)  # the 366 days up to 2024-03-19, not the empty year up to today
    assert [p["period"] for p in periods] == ["2024-03-18", "2024-03-19"]
    assert _read(_store([None]))[0] == []  # nothing dated: the year up to today, empty
    weeks, _ = _read(archive, granularity="week")  # five years of weeks up to 2024-03-19
    assert [w["period"] for w in weeks] == ["2023-03-13", "2024-03-18"]
    only_end, _ = _read(archive, end="2024-03-18")  # a window asked for is kept as asked
    assert [p["period"] for p in only_end] == ["2024-03-18"]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"start": "2026-12-02", "end": "2026-12-01"}, "invalid_period"),
        ({"start": "2025-01-01", "end": "2026-12-01"}, "invalid_period"),  # over 366 days by day
        ({"start": "2026-02-30"}, "invalid_period"),
        ({"end": "20261201"}, "invalid_period"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "invalid_period"),  # no window near date.min
        ({"end": "0001-01-01"}, "invalid_period"),
        ({"granularity": "month"}, "invalid_granularity"),
        ({"limit": 0}, "invalid_limit"),
        ({"limit": 1001}, "invalid_limit"),
    ],
)
def test_refused_windows_and_values(kwargs: dict, code: str) -> None:
    with pytest.raises(RequestError) as refused:
        _read(_store([]), **kwargs)
    assert refused.value.code == code


def test_weeks_allow_five_years() -> None:
    periods, _ = _read(_store(["2022-01-03"]), start="2022-01-03", end="2026-12-02", granularity="week")
    assert periods == [{"period": "2022-01-03", "documents": 1, "mentions": 1}]
    with pytest.raises(RequestError):
        window("2021-01-01", "2026-12-02", max_days=1827, default_days=1827, today=TODAY)


def test_pages_hold_whole_periods_and_resume_at_the_cut_one() -> None:
    # 3 documents on the 1st, 3 on the 2nd, 1 on the 3rd; pages of 4 items
    store = _store(["2026-12-01"] * 3 + ["2026-12-02"] * 3 + ["2026-12-03"])
    first, token = _read(store, start="2026-12-01", end="2026-12-31", limit=4)
    assert first == [{"period": "2026-12-01", "documents": 3, "mentions": 1 + 2 + 3}]  # the 2nd was cut: left out
    assert token is not None
    assert decode_token(token, fields={"GSI1PK", "at"})["at"] == "2026-12-02"
    second, token = _read(store, start="2026-12-01", end="2026-12-31", limit=4, next_token=token)
    assert second == [
        {"period": "2026-12-02", "documents": 3, "mentions": 4 + 5 + 6},
        {"period": "2026-12-03", "documents": 1, "mentions": 7},
    ]
    assert token is None


def test_a_period_larger_than_a_page_continues_after_the_last_item() -> None:
    store = _store(["2026-12-01"] * 5 + ["2026-12-02"])
    pages, token, calls = [], None, 0
    while True:
        periods, token = _read(store, start="2026-12-01", end="2026-12-02", limit=2, next_token=token)
        pages.append(periods)
        calls += 1
        if token is None:
            break
    merged: dict[str, int] = {}
    for periods in pages:
        for p in periods:
            merged[p["period"]] = merged.get(p["period"], 0) + p["documents"]
    assert merged == {"2026-12-01": 5, "2026-12-02": 1}
    assert calls <= 4


def test_tokens_are_checked_against_the_entity_and_the_window() -> None:
    store = _store(["2026-12-01"] * 3 + ["2026-12-02"])
    _, token = _read(store, start="2026-12-01", end="2026-12-31", limit=2)
    assert token is not None
    with pytest.raises(InvalidTokenError):  # another entity
        timeline(store, "PERSON", "someone else", start="2026-12-01", end="2026-12-31", granularity="day",
                 limit=2, next_token=token, today=TODAY)  # fmt: skip
    with pytest.raises(InvalidTokenError):  # a position outside this window
        _read(store, start="2026-12-05", end="2026-12-31", next_token=token)
    forged = encode_token({"GSI1PK": "ENT#PERSON#kim jong un", "at": "2026-12-01#not-hex"})
    with pytest.raises(InvalidTokenError):
        _read(store, start="2026-12-01", end="2026-12-31", next_token=forged)


def test_the_service_keys_the_name_and_answers_422() -> None:
    repository = InMemoryDocumentRepository()
    repository.save(_doc(1, "2026-12-01", mentions=2))
    service = DocumentService(
        InMemoryRawStore(), repository, InMemoryCatalog(repository), None,  # type: ignore[arg-type]
        settings=Settings(), timelines=InMemoryEntityTimeline(repository),
    )  # fmt: skip
    periods, token = service.timeline(
        "person", "Kim Jong Un's", start="2026-12-01", end="2026-12-01", granularity="day", limit=10, next_token=None
    )
    assert (periods, token) == ([{"period": "2026-12-01", "documents": 1, "mentions": 2}], None)
    with pytest.raises(ApiError) as refused:
        service.timeline("PERSON", "Kim", start="2026-12-02", end="2026-12-01", granularity="day", limit=10,
                         next_token=None)  # fmt: skip
    assert (refused.value.status, refused.value.code) == (422, "invalid_period")
