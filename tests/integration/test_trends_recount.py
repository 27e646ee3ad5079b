"""`newsproc recount-trends` against moto: counters recounted from the entity items for documents the stream
never delivered, and a drifted counter corrected; a second run changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from newsproc import store
from newsproc.cli import main
from newsproc.settings import Settings
from newsproc.trends.counting import CounterDelta
from tests.integration.test_trends import KIM, MONDAY, PUTIN, SEOUL, _counters, _result

pytestmark = pytest.mark.integration


def _recount(aws: Any, capsys: Any) -> str:
    tables = ["--table", aws.resources.table, "--trends-table", aws.resources.trends_table]
    assert main(["recount-trends", *tables]) == 0
    return capsys.readouterr().out


def test_recount_counts_documents_the_stream_never_delivered(aws: Any, capsys: Any) -> None:
    documents = store.document_repository(Settings.from_env())
    # stored while no consumer ran (the stream is never drained here): no counter knows them
    documents.save(_result(1, "2026-11-30", [KIM, SEOUL, MONDAY]))
    documents.save(_result(2, "2026-11-30T10:00:00Z", [KIM, PUTIN]))
    documents.save(_result(3, None, [KIM]))  # no published date: counted nowhere
    assert _counters("2026-11-30") == {}

    out = _recount(aws, capsys)
    assert "recount-trends: 6 entity items read, 3 counters; 3 corrected (+4 documents)" in out
    assert _counters("2026-11-30") == {"kim jong un": (2, 4), "vladimir putin": (1, 1)}
    assert _counters("2026-11-30", "GPE") == {"seoul": (1, 1)}
    assert "0 corrected" in _recount(aws, capsys)  # nothing left to do


def test_recount_corrects_a_drifted_counter_and_one_nothing_counts(aws: Any, capsys: Any) -> None:
    documents = store.document_repository(Settings.from_env())
    documents.save(_result(1, "2026-11-30", [KIM]))
    counters = store.trend_counters(Settings.from_env())
    day = date(2026, 11, 30)
    # drift: a record applied twice, and a counter of a document deleted while the consumer was down
    counters.apply("lost-1", [CounterDelta(day, "PERSON", "kim jong un", "Kim Jong-un", 3, 6)])
    counters.apply("lost-2", [CounterDelta(day, "PERSON", "vladimir putin", "Vladimir Putin", 1, 1)])
    assert _counters("2026-11-30") == {"kim jong un": (3, 6), "vladimir putin": (1, 1)}

    assert "2 corrected (-3 documents)" in _recount(aws, capsys)
    assert _counters("2026-11-30") == {"kim jong un": (1, 2)}  # putin at zero: not listed
    assert "0 corrected" in _recount(aws, capsys)


def test_a_large_recount_is_applied_in_transactions_of_at_most_100_items(aws: Any) -> None:
    counters = store.trend_counters(Settings.from_env())
    deltas = [CounterDelta(date(2026, 11, 30), "PERSON", f"person {n}", f"Person {n}", 1, 1) for n in range(250)]
    assert counters.apply_recount("run", deltas) == 3  # 99 + 99 + 52 counters, each with its marker
    stored = counters.stored_counters()
    assert len(stored) == 250 and {(t.documents, t.mentions) for t in stored.values()} == {(1, 1)}
