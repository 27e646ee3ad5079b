"""Trend counters: stream records -> deltas (INSERT/REMOVE/MODIFY), idempotency per record, the stream
handler with a fake store, and the trends read (windows, ranking, the per-day cap)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest

from newsproc.api.schemas import TrendLabel
from newsproc.local.template import Template
from newsproc.names import NAME_LABELS
from newsproc.store.memory import InMemoryTrendCounters
from newsproc.trends.counting import COUNTED_LABELS, CounterDelta, MissingImageError, count_record, deltas_for
from newsproc.trends.periods import RequestError
from newsproc.trends.reads import DAY_CAP, trends
from tests.conftest import EVENTS

pytestmark = pytest.mark.unit
DOC = "0123456789abcdef0123456789abcdef"
TODAY = date(2026, 12, 2)


def image(key: str = "kim jong un", label: str = "PERSON", count: int = 2, published: str = "2026-11-30",
          name: str = "Kim Jong-un") -> dict[str, Any]:  # fmt: skip
    """An entity item as Powertools deserializes a stream image (numbers as Decimal-like ints here)."""
    sk = f"ENT#{label}#{key}"
    return {"PK": f"DOC#{DOC}", "SK": sk, "GSI1PK": sk, "GSI1SK": f"{published}#{DOC}", "document_id": DOC,
            "name": name, "label": label, "count": count, "salience": "0.5", "title": "t"}  # fmt: skip


def test_insert_adds_a_document_and_its_mentions_on_its_day() -> None:
    assert deltas_for("INSERT", None, image(count=3)) == [
        CounterDelta(date(2026, 11, 30), "PERSON", "kim jong un", "Kim Jong-un", 1, 3)
    ]


def test_remove_takes_them_off() -> None:
    assert deltas_for("REMOVE", image(count=3), None) == [
        CounterDelta(date(2026, 11, 30), "PERSON", "kim jong un", "Kim Jong-un", -1, -3)
    ]


def test_modify_moves_only_what_changed() -> None:
    same = deltas_for("MODIFY", image(count=2), image(count=2))
    assert same == []  # a reprocess that changed nothing counted (moto streams these; DynamoDB does not)
    more = deltas_for("MODIFY", image(count=2), image(count=5, name="Kim Jong Un"))
    assert more == [CounterDelta(date(2026, 11, 30), "PERSON", "kim jong un", "Kim Jong Un", 0, 3)]
    moved = deltas_for("MODIFY", image(count=2, published="2026-11-30"), image(count=4, published="2026-12-01T09:00Z"))
    assert moved == [
        CounterDelta(date(2026, 11, 30), "PERSON", "kim jong un", "Kim Jong-un", -1, -2),
        CounterDelta(date(2026, 12, 1), "PERSON", "kim jong un", "Kim Jong-un", 1, 4),
    ]
    dated_now = deltas_for("MODIFY", image(published="-"), image(published="2026-12-01"))
    assert [(d.day, d.documents) for d in dated_now] == [(date(2026, 12, 1), 1)]
    undated_now = deltas_for("MODIFY", image(published="2026-12-01"), image(published="-"))
    assert [(d.day, d.documents) for d in undated_now] == [(date(2026, 12, 1), -1)]


def test_what_is_not_counted() -> None:
    assert deltas_for("INSERT", None, image(label="DATE", key="monday")) == []  # values are not trends
    assert deltas_for("INSERT", None, image(published="-")) == []  # no published date
    assert deltas_for("INSERT", None, image(published="March 18, 2024")) == []
    document_item = {"PK": f"DOC#{DOC}", "SK": "DOC", "result": "{}"}
    assert deltas_for("MODIFY", document_item, document_item) == []


def test_a_record_without_its_image_fails_loudly() -> None:
    with pytest.raises(MissingImageError):
        deltas_for("MODIFY", None, image())
    with pytest.raises(MissingImageError):
        deltas_for("REMOVE", None, None)


def test_a_redelivered_record_counts_once() -> None:
    store = InMemoryTrendCounters()
    assert count_record(store, "event-1", "INSERT", None, image(count=2)) == "counted"
    assert count_record(store, "event-1", "INSERT", None, image(count=2)) == "duplicate"
    assert count_record(store, "event-2", "INSERT", None, image(key="seoul", label="GPE", published="-")) == "ignored"
    assert store.counters[(date(2026, 11, 30), "PERSON", "kim jong un")]["documents"] == 1
    assert count_record(store, "event-3", "REMOVE", image(count=2), None) == "counted"
    assert count_record(store, "event-3", "REMOVE", image(count=2), None) == "duplicate"
    counter = store.counters[(date(2026, 11, 30), "PERSON", "kim jong un")]
    assert (counter["documents"], counter["mentions"]) == (0, 0)
    assert store.top_for_day(date(2026, 11, 30), "PERSON", cap=10) == ([], False)  # zero counters are not read


def test_the_template_filter_and_the_api_enum_name_the_counted_labels() -> None:
    assert COUNTED_LABELS == NAME_LABELS
    assert set(TrendLabel.__args__) == set(COUNTED_LABELS)
    events = Template.load().stream_event("CountEntitiesFunction")
    (only,) = events["FilterCriteria"]["Filters"]
    prefixes = {rule["prefix"] for rule in json.loads(only["Pattern"])["dynamodb"]["Keys"]["SK"]["S"]}
    assert prefixes == {f"ENT#{label}#" for label in COUNTED_LABELS}


@pytest.fixture
def count_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    from newsproc.local.lambda_runtime import load_handler

    _, module = load_handler("CountEntitiesFunction")
    monkeypatch.setattr(module, "counters", InMemoryTrendCounters())
    return module


def test_the_handler_on_the_sample_event_and_its_redelivery(count_module: Any) -> None:
    from newsproc.local.lambda_runtime import LambdaContext

    event = json.loads((EVENTS / "dynamodb_stream.json").read_text())
    assert count_module.lambda_handler(event, LambdaContext("CountEntitiesFunction")) == {"batchItemFailures": []}
    assert count_module.lambda_handler(event, LambdaContext("CountEntitiesFunction")) == {"batchItemFailures": []}
    counters = {(d.isoformat(), lb, k): (c["documents"], c["mentions"]) for (d, lb, k), c in
                count_module.counters.counters.items()}  # fmt: skip
    assert counters == {
        ("2024-03-18", "PERSON", "carlos moedas"): (1, 2),
        ("2024-03-17", "ORG", "european investment bank"): (-1, -2),  # its date was corrected to the 18th
        ("2024-03-18", "ORG", "european investment bank"): (1, 3),
        ("2024-03-18", "GPE", "lisbon"): (-1, -1),
    }
    assert len(count_module.counters.markers) == 3


def test_the_handler_reports_only_the_failed_record(count_module: Any) -> None:
    from newsproc.local.lambda_runtime import LambdaContext

    event = json.loads((EVENTS / "dynamodb_stream.json").read_text())
    broken = copy.deepcopy(event)
    del broken["Records"][1]["dynamodb"]["OldImage"]  # a MODIFY without its old image
    response = count_module.lambda_handler(broken, LambdaContext("CountEntitiesFunction"))
    assert response == {"batchItemFailures": [{"itemIdentifier": broken["Records"][1]["dynamodb"]["SequenceNumber"]}]}
    assert len(count_module.counters.markers) == 2


def _count(store: InMemoryTrendCounters, day: str, key: str, documents: int, label: str = "PERSON") -> None:
    for n in range(documents):
        store.apply(f"{day}-{key}-{n}", [CounterDelta(date.fromisoformat(day), label, key, key.title(), 1, 2)])


def test_trends_rank_by_documents_against_the_window_before() -> None:
    store = InMemoryTrendCounters()
    _count(store, "2026-11-30", "kim jong un", 3)
    _count(store, "2026-12-02", "kim jong un", 2)
    _count(store, "2026-12-01", "vladimir putin", 5)
    _count(store, "2026-11-25", "vladimir putin", 4)  # the window before: 2026-11-23..2026-11-29
    _count(store, "2026-11-26", "xi jinping", 9)  # only before
    _count(store, "2026-12-01", "seoul", 7, label="GPE")  # another label
    answer = trends(store, "PERSON", start="2026-11-30", end="2026-12-06", limit=10, today=TODAY)
    assert (answer["from"], answer["to"], answer["previous_from"], answer["previous_to"]) == (
        "2026-11-30",
        "2026-12-06",
        "2026-11-23",
        "2026-11-29",
    )
    assert [(e["key"], e["documents"], e["previous_documents"], e["change"]) for e in answer["entities"]] == [
        ("kim jong un", 5, 0, 5),  # ties on documents: the larger rise first
        ("vladimir putin", 5, 4, 1),
    ]
    assert answer["entities"][0] == {
        "label": "PERSON", "name": "Kim Jong Un", "key": "kim jong un", "documents": 5, "mentions": 10,
        "previous_documents": 0, "change": 5,
    }  # fmt: skip
    assert answer["complete"] is True
    assert len(trends(store, "PERSON", start="2026-11-30", end="2026-12-06", limit=1, today=TODAY)["entities"]) == 1


def test_trends_default_to_the_last_seven_days_and_refuse_the_rest() -> None:
    store = InMemoryTrendCounters()
    _count(store, TODAY.isoformat(), "kim jong un", 1)
    _count(store, (TODAY - timedelta(days=7)).isoformat(), "kim jong un", 2)
    answer = trends(store, "PERSON", start=None, end=None, limit=20, today=TODAY)
    assert (answer["from"], answer["to"]) == ("2026-11-26", "2026-12-02")
    assert [(e["documents"], e["previous_documents"]) for e in answer["entities"]] == [(1, 2)]
    for kwargs, code in [
        ({"start": "2026-10-01", "end": "2026-12-02"}, "invalid_period"),  # over 31 days
        ({"start": "2026-12-03", "end": "2026-12-02"}, "invalid_period"),
        ({"start": None, "end": None, "limit": 101}, "invalid_limit"),
    ]:
        with pytest.raises(RequestError) as refused:
            trends(store, "PERSON", **{"limit": 20} | kwargs, today=TODAY)  # type: ignore[arg-type]
        assert refused.value.code == code
    with pytest.raises(RequestError) as refused:
        trends(store, "DATE", start=None, end=None, limit=20, today=TODAY)
    assert refused.value.code == "label_not_counted"


def test_trends_read_at_most_the_cap_per_day_and_say_so() -> None:
    store = InMemoryTrendCounters()
    for n in range(DAY_CAP + 1):
        _count(store, "2026-12-01", f"person {n:04d}", 1 + (n == 7))
    answer = trends(store, "PERSON", start="2026-12-01", end="2026-12-01", limit=3, today=TODAY)
    assert answer["complete"] is False
    assert answer["entities"][0]["key"] == "person 0007"


# ------------------------------------------------------------------------------------- the recount


def test_a_recount_counts_each_item_as_the_stream_would() -> None:
    from newsproc.trends.recount import Tally, recount

    other = image(count=3)
    other["GSI1SK"] = f"2026-11-30#{'f' * 32}"
    items = [image(count=2), other, image(key="monday", label="DATE"), image(published="-"), image(key="seoul",
             label="GPE", count=1, name="Seoul", published="2026-12-01T08:00:00Z")]  # fmt: skip
    assert recount(items) == {
        (date(2026, 11, 30), "PERSON", "kim jong un"): Tally(2, 5, "Kim Jong-un"),
        (date(2026, 12, 1), "GPE", "seoul"): Tally(1, 1, "Seoul"),
    }


def test_the_recount_differences_bring_stored_counters_to_the_recount() -> None:
    from newsproc.trends.recount import Tally, differences

    kim, putin, seoul = (
        (date(2026, 11, 30), "PERSON", "kim jong un"),
        (date(2026, 11, 30), "PERSON", "vladimir putin"),
        (date(2026, 12, 1), "GPE", "seoul"),
    )
    should = {kim: Tally(2, 5, "Kim Jong-un"), seoul: Tally(1, 1, "Seoul")}
    stored = {kim: Tally(1, 2, "Kim Jong-un"), putin: Tally(1, 1, "Vladimir Putin"), seoul: Tally(1, 1, "Seoul")}
    assert differences(should, stored) == [
        CounterDelta(date(2026, 11, 30), "PERSON", "kim jong un", "Kim Jong-un", 1, 3),  # missed by the stream
        CounterDelta(date(2026, 11, 30), "PERSON", "vladimir putin", "Vladimir Putin", -1, -1),  # counted, gone
    ]  # Seoul is right: no delta
    assert differences(should, should) == []


def test_a_recount_applied_to_the_counters_makes_them_the_recount() -> None:
    from newsproc.trends.recount import differences, recount

    counters = InMemoryTrendCounters()
    counters.apply("stream-1", deltas_for("INSERT", None, image(count=2)))  # counted by the stream
    counters.apply("stream-1b", deltas_for("INSERT", None, image(count=2)))  # a double count (drift)
    items = [image(count=2), image(key="seoul", label="GPE", count=1, name="Seoul")]  # Seoul never streamed
    should = recount(items)
    assert counters.apply_recount("run", differences(should, counters.stored_counters())) == 1
    assert counters.stored_counters() == should
    assert differences(should, counters.stored_counters()) == []
