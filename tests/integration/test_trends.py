"""Timelines and trends against moto: real table writes -> the documents table's stream -> CountEntitiesFunction
(drained as its event source mapping would, newsproc.local.poller) -> the trends table; both routes through
the real ApiFunction handler."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

import pytest

from newsproc import store
from newsproc.local.lambda_runtime import LambdaContext, dynamodb_stream_event, http_api_event, load_handler
from newsproc.local.poller import StreamCursor, StreamMapping, drain_stream
from newsproc.models import Entity, Metadata, Pipeline, ResultDocument, Source, Status
from newsproc.settings import Settings
from newsproc.store.pagination import decode_token

pytestmark = pytest.mark.integration


def _result(number: int, published: str | None, entities: list[tuple[str, str, str, int]]) -> ResultDocument:
    return ResultDocument(
        document_id=f"{number:032x}",
        status=Status.PROCESSED,
        source=Source(bucket="newsproc-local-raw", key=f"news/{number}.txt", size=10),
        metadata=Metadata(title=f"article {number}", published=published),
        clean_text="text",
        entities=[
            Entity(id=f"e{i}", key=key, name=name, label=label, count=count, first_start=0)
            for i, (label, key, name, count) in enumerate(entities)
        ],
        pipeline=Pipeline(version="test"),
    )


KIM = ("PERSON", "kim jong un", "Kim Jong-un", 2)
PUTIN = ("PERSON", "vladimir putin", "Vladimir Putin", 1)
SEOUL = ("GPE", "seoul", "Seoul", 1)
MONDAY = ("DATE", "monday", "Monday", 1)


@pytest.fixture
def count_module(aws: Any) -> Any:
    """The real CountEntitiesFunction module, its counters on this moto stack."""
    _, module = load_handler("CountEntitiesFunction")
    module.counters = store.trend_counters(Settings.from_env())
    return module


@pytest.fixture
def drain(aws: Any, count_module: Any) -> Any:
    """Drain the documents table's stream into the handler with the template's event source settings."""
    events = aws.template.stream_event("CountEntitiesFunction")
    mapping = StreamMapping.from_event(events, aws.resources.counts_dlq_url)
    cursor = StreamCursor()
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.extend(event["Records"])
        return count_module.lambda_handler(event, context)

    def run() -> Any:
        return drain_stream(aws.streams, aws.resources.stream_arn, handler, mapping, cursor=cursor, sqs=aws.sqs)

    run.seen = seen  # type: ignore[attr-defined]
    return run


def _counters(day: str, label: str = "PERSON") -> dict[str, tuple[int, int]]:
    rows, _ = store.trend_counters(Settings.from_env()).top_for_day(date.fromisoformat(day), label, cap=100)
    return {row["key"]: (row["documents"], row["mentions"]) for row in rows}


def test_real_writes_are_counted_once_per_record(aws: Any, drain: Any, count_module: Any) -> None:
    documents = store.document_repository(Settings.from_env())
    documents.save(_result(1, "2026-11-30", [KIM, SEOUL, MONDAY]))
    documents.save(_result(2, "2026-11-30T10:00:00Z", [KIM, PUTIN]))
    documents.save(_result(3, None, [KIM]))  # no published date: in no counter
    outcome = drain()
    assert outcome.failed == 0
    # the template's filter: entity items of the counted labels only (no DOC items, no DATE)
    assert {r["dynamodb"]["Keys"]["SK"]["S"] for r in drain.seen} == {
        "ENT#PERSON#kim jong un", "ENT#GPE#seoul", "ENT#PERSON#vladimir putin"
    }  # fmt: skip
    assert _counters("2026-11-30") == {"kim jong un": (2, 4), "vladimir putin": (1, 1)}
    assert _counters("2026-11-30", "GPE") == {"seoul": (1, 1)}

    # Lambda redelivers a batch (a retry after a timeout): every record finds its marker
    again = count_module.lambda_handler(dynamodb_stream_event(drain.seen, aws.resources.stream_arn), LambdaContext("x"))
    assert again == {"batchItemFailures": []}
    assert _counters("2026-11-30") == {"kim jong un": (2, 4), "vladimir putin": (1, 1)}
    marker = aws.dynamodb.Table(aws.resources.trends_table).get_item(
        Key={"PK": f"EVT#{drain.seen[0]['eventID']}", "SK": "EVT"}
    )["Item"]
    assert 0 < int(marker["expires_at"]) - time.time() <= 2 * 24 * 3600

    # reprocessed: a corrected date and a changed count (MODIFY), Putin gone (REMOVE), Seoul unchanged
    documents.save(_result(2, "2026-12-01", [("PERSON", "kim jong un", "Kim Jong-un", 5)]))
    assert drain().failed == 0
    assert _counters("2026-11-30") == {"kim jong un": (1, 2)}
    assert _counters("2026-12-01") == {"kim jong un": (1, 5)}
    # deleted: its entity items go (REMOVE)
    documents.delete(f"{1:032x}")
    assert drain().failed == 0
    assert _counters("2026-11-30") == {}
    assert _counters("2026-11-30", "GPE") == {}


def test_a_batch_that_keeps_failing_goes_to_the_on_failure_queue(aws: Any) -> None:
    documents = store.document_repository(Settings.from_env())
    documents.save(_result(1, "2026-11-30", [KIM, PUTIN]))
    events = aws.template.stream_event("CountEntitiesFunction")
    mapping = StreamMapping.from_event(events, aws.resources.counts_dlq_url)
    calls: list[int] = []

    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(len(event["Records"]))
        raise RuntimeError("the table is down")

    cursor = StreamCursor()
    outcome = drain_stream(aws.streams, aws.resources.stream_arn, broken, mapping, cursor=cursor, sqs=aws.sqs)
    assert calls[:2] == [2, 1]  # bisected after the first crash
    assert outcome.succeeded == 0 and cursor.given_up == 2  # each record alone, after its retries
    messages = aws.sqs.receive_message(QueueUrl=aws.resources.counts_dlq_url, MaxNumberOfMessages=10)["Messages"]
    infos = [json.loads(m["Body"])["DDBStreamBatchInfo"] for m in messages]
    assert {i["batchSize"] for i in infos} == {1} and all(i["streamArn"] == aws.resources.stream_arn for i in infos)
    assert all(json.loads(m["Body"])["requestContext"]["condition"] == "RetryAttemptsExhausted" for m in messages)


def _get(api_module: Any, path: str, route: str, params: dict[str, str] | None, query: dict[str, str]) -> Any:
    event = http_api_event("GET", path, route_key=f"GET {route}", path_parameters=params, query=query)
    response = api_module.lambda_handler(event, LambdaContext("ApiFunction"))
    return response["statusCode"], json.loads(response["body"])


def test_the_routes_through_the_api_handler(aws: Any, drain: Any, api_module: Any) -> None:
    documents = store.document_repository(Settings.from_env())
    documents.save(_result(1, "2026-11-23", [PUTIN]))  # the window before
    documents.save(_result(2, "2026-11-30", [KIM, PUTIN]))
    documents.save(_result(3, "2026-12-01", [KIM]))
    documents.save(_result(4, "2026-12-07", [KIM]))
    assert drain().failed == 0

    status, body = _get(
        api_module, "/trends", "/trends", None, {"label": "PERSON", "from": "2026-11-30", "to": "2026-12-06"}
    )
    assert status == 200, body
    assert (body["from"], body["to"], body["previous_from"], body["previous_to"]) == (
        "2026-11-30", "2026-12-06", "2026-11-23", "2026-11-29"
    )  # fmt: skip
    assert [(e["name"], e["documents"], e["previous_documents"], e["change"]) for e in body["entities"]] == [
        ("Kim Jong-un", 2, 0, 2),
        ("Vladimir Putin", 1, 1, 0),
    ]
    assert body["complete"] is True

    route = "/entities/{label}/{name}/timeline"
    path, params = "/entities/PERSON/Kim%20Jong%20Un/timeline", {"label": "PERSON", "name": "Kim%20Jong%20Un"}
    status, body = _get(
        api_module, path, route, params, {"from": "2026-11-01", "to": "2026-12-31", "granularity": "week"}
    )
    assert status == 200, body
    assert body == {
        "label": "PERSON", "name": "Kim Jong Un", "granularity": "week", "next": None,
        "periods": [{"period": "2026-11-30", "documents": 2, "mentions": 4},
                    {"period": "2026-12-07", "documents": 1, "mentions": 2}],
    }  # fmt: skip
    # no window: the year up to the entity's latest dated document (the descending Limit=1 Query on moto)
    status, body = _get(api_module, path, route, params, {})
    assert status == 200 and body["periods"] and body["periods"][0]["period"] == "2026-11-30", body
    # one item a page: the real Query's ExclusiveStartKey and the period cut
    query = {"from": "2026-11-01", "to": "2026-12-31", "limit": "2"}
    status, first = _get(api_module, path, route, params, query)
    assert status == 200 and first["periods"] == [{"period": "2026-11-30", "documents": 1, "mentions": 2}]
    assert decode_token(first["next"], fields={"GSI1PK", "at"})["at"] == "2026-12-01"
    status, second = _get(api_module, path, route, params, query | {"next": first["next"]})
    assert [p["period"] for p in second["periods"]] == ["2026-12-01", "2026-12-07"]

    status, body = _get(api_module, "/trends", "/trends", None, {})
    assert body["error"]["message"] == "query.label: Field required", body
    for query, code in [
        ({"label": "DATE"}, "validation_error"),
        ({"label": "PERSON", "from": "2026-01-01", "to": "2026-12-01"}, "invalid_period"),
        ({"label": "PERSON", "from": "yesterday"}, "validation_error"),
    ]:
        status, body = _get(api_module, "/trends", "/trends", None, query)
        assert (status, body["error"]["code"]) == (422, code), body
    status, body = _get(api_module, path, route, params, {"granularity": "month"})
    assert (status, body["error"]["code"]) == (422, "validation_error")
    status, body = _get(api_module, path, route, params, {"from": "2026-11-01", "next": "bm90IGEgdG9rZW4="})
    assert (status, body["error"]["code"]) == (400, "invalid_token")
