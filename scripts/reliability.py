"""Reliability scenarios of issue 6, measured: one line per scenario.

    reliability[<scenario>]: documents=<n> stored=<n> failed=<n> dlq=<n> lost=<n> ...

`stored` counts documents with a result (PROCESSED or FAILED), `failed` those stored FAILED with an
error code, `dlq` messages parked in the dead-letter queue, `lost` documents with neither a result
nor a DLQ message. Everything runs in process: moto (`mock_aws`) with the bucket, queues and table
created from template.yaml, and the real ProcessDocumentFunction handler (real en_core_web_sm).
Documents are short (a few sentences) so the 500/2,000-document scenarios take minutes, not hours.

Redelivery: the template's queue has VisibilityTimeout 720 s. Instead of waiting, the harness
(`drain_with_retries`) sets the visibility of each failed message to 0 with
change_message_visibility, so SQS (moto) redelivers it at once and, after maxReceiveCount
receives, moves it to the DLQ by the queue's RedrivePolicy, exactly as it would after 4 x 720 s.

Usage: scripts/reliability.py [scenario ...] [--small]   (the tests import this module with small sizes)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsproc.local.env import use_local_environment  # noqa: E402

# The poison and faults scenarios make the handler log exceptions on purpose: keep stdout to the lines.
use_local_environment(POWERTOOLS_LOG_LEVEL="CRITICAL", POWERTOOLS_METRICS_DISABLED="true")

# ------------------------------------------------------------------------------------------ harness

_MODULE: Any = None


def process_module() -> Any:
    """The real ProcessDocumentFunction module, loaded once (spaCy init) as template.yaml declares it."""
    global _MODULE
    if _MODULE is None:
        from newsproc.local.lambda_runtime import load_handler
        from newsproc.local.resources import local_names

        os.environ.update(local_names())
        _, _MODULE = load_handler("ProcessDocumentFunction")
    return _MODULE


@dataclass
class Stack:
    s3: Any  # the harness's own clients: never faulted, never counted
    sqs: Any
    table: Any
    resources: Any
    handler: Callable[[dict[str, Any], Any], dict[str, Any]]


@contextlib.contextmanager
def local_stack() -> Iterator[Stack]:
    from newsproc.local.harness import moto_stack

    module = process_module()
    with moto_stack() as moto:
        yield Stack(s3=moto.s3, sqs=moto.sqs, table=moto.table, resources=moto.resources, handler=module.lambda_handler)


def function_clients() -> tuple[Any, Any]:
    """The S3 and DynamoDB clients the handler uses (cached in newsproc.aws)."""
    from newsproc import aws

    return aws.s3_client(), aws.dynamodb_resource().meta.client


@dataclass
class DrainOutcome:
    invocations: int = 0
    received: int = 0
    failed_receipts: int = 0
    seconds: float = 0.0


def drain_with_retries(stack: Stack, *, max_rounds: int = 100_000, timeout_s: float = 120.0) -> DrainOutcome:
    """Like the event source mapping: batches of 10, delete what succeeded, failed ones come back.

    Failed messages get visibility 0 (instead of the 720 s timeout) so redelivery and the
    RedrivePolicy's move to the DLQ after maxReceiveCount happen immediately.
    """
    from newsproc.local.lambda_runtime import LambdaContext, sqs_event

    sqs, url, arn = stack.sqs, stack.resources.queue_url, stack.resources.queue_arn
    outcome = DrainOutcome()
    started = time.perf_counter()
    empty = 0
    for _ in range(max_rounds):
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            empty += 1
            if empty >= 2 and _queue_depth(sqs, url) == 0:
                break
            continue
        empty = 0
        outcome.invocations += 1
        outcome.received += len(messages)
        context = LambdaContext(function_name="ProcessDocumentFunction", timeout_s=timeout_s)
        try:
            response = stack.handler(sqs_event(messages, arn), context) or {}
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:  # the whole invocation failed (e.g. every record failed): all come back
            failed = {m["MessageId"] for m in messages}
        outcome.failed_receipts += len(failed)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            )
        for message in messages:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _queue_depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def take_all_messages(stack: Stack) -> list[str]:
    """Receive and delete every message of the queue (to re-send them in another order/multiplicity)."""
    bodies: list[str] = []
    while True:
        messages = stack.sqs.receive_message(QueueUrl=stack.resources.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return bodies
        bodies += [m["Body"] for m in messages]
        stack.sqs.delete_message_batch(
            QueueUrl=stack.resources.queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def send_all(stack: Stack, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):
        stack.sqs.send_message_batch(
            QueueUrl=stack.resources.queue_url,
            Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])],
        )


@dataclass
class Tally:
    documents: int
    stored: int
    processed: int
    failed: int
    error_codes: Counter[str]
    dlq: int
    lost: int
    missing: list[str] = field(default_factory=list)


def tally(stack: Stack, keys: list[str]) -> Tally:
    """What became of each uploaded key: a result item (which status), a DLQ message, or nothing."""
    from newsproc.media import document_id_for

    items: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {}
    while True:
        page = stack.table.scan(**kwargs)
        for item in page.get("Items", []):
            if item["SK"] == "DOC" and not item.get("deleted"):
                items[item["document_id"]] = item
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    dlq_keys = set()
    dlq_count = 0
    while True:
        messages = stack.sqs.receive_message(
            QueueUrl=stack.resources.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=600
        ).get("Messages", [])
        if not messages:
            break
        dlq_count += len(messages)
        for m in messages:
            with contextlib.suppress(Exception):
                from newsproc.ingest.events import object_refs_from_message

                dlq_keys |= {r.key for r in object_refs_from_message(m["Body"])}
    found = [items.get(document_id_for(stack.resources.raw_bucket, key)) for key in keys]
    stored = [i for i in found if i is not None]
    missing = [k for k, i in zip(keys, found, strict=True) if i is None and k not in dlq_keys]
    return Tally(
        documents=len(keys),
        stored=len(stored),
        processed=sum(1 for i in stored if i["status"] == "PROCESSED"),
        failed=sum(1 for i in stored if i["status"] == "FAILED"),
        error_codes=Counter(i.get("error_code", "?") for i in stored if i["status"] == "FAILED"),
        dlq=dlq_count,
        lost=len(missing),
        missing=missing,
    )


class CallCounter:
    """Counts the handler's DynamoDB calls with a botocore `before-call.dynamodb.*` hook."""

    WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.items_written = 0
        client.meta.events.register("before-call.dynamodb.*", self._count, unique_id="reliability-counter")
        self._client = client

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name == "BatchWriteItem":
            body = json.loads(params.get("body") or b"{}")
            self.items_written += sum(len(v) for v in body.get("RequestItems", {}).values())
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.items_written += 1

    @property
    def writes(self) -> int:
        return sum(self.calls[name] for name in self.WRITES)

    def close(self) -> None:
        self._client.meta.events.unregister("before-call.dynamodb.*", unique_id="reliability-counter")


class FaultInjector:
    """Makes a share of the handler's S3 and DynamoDB calls fail transiently, below botocore's retries.

    A `before-send` hook (registered first, ahead of moto's stubber) returns an HTTP 500
    (InternalError / InternalServerError) or, for `throttle_share` of the faults, a throttling error
    (S3 503 SlowDown, DynamoDB 400 ThrottlingException), so botocore's standard retry mode sees
    exactly what AWS would send. BatchWriteItem calls are also, at the same rate, answered with part
    of their items in UnprocessedItems (not written), which boto3's batch_writer must resend.
    """

    def __init__(self, clients: list[Any], *, rate: float, throttle_share: float = 0.1, seed: int = 6) -> None:
        self.rate, self.throttle_share = rate, throttle_share
        self.random = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._dropped: list[dict[str, Any]] | None = None
        self._clients = clients
        for client in clients:
            service = client.meta.service_model.service_name
            client.meta.events.register_first(f"before-send.{service}", self._before_send, unique_id="faults-send")
            if service == "dynamodb":
                client.meta.events.register_first(
                    "after-call.dynamodb.BatchWriteItem", self._after_batch_write, unique_id="faults-unprocessed"
                )

    def _before_send(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse

        with self._lock:
            fail = self.random.random() < self.rate
            throttle = self.random.random() < self.throttle_share
            partial = self.random.random() < self.rate
        dynamodb = "dynamodb" in request.url
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not fail:
            if dynamodb and target.endswith("BatchWriteItem") and partial:
                self._drop_half(request)
            return None
        if dynamodb:
            code, status = ("ThrottlingException", 400) if throttle else ("InternalServerError", 500)
            body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.0"}
        else:
            code, status = ("SlowDown", 503) if throttle else ("InternalError", 500)
            body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            headers = {"Content-Type": "application/xml"}
        self.injected[f"{'dynamodb' if dynamodb else 's3'}:{code}"] += 1
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    def _drop_half(self, request: Any) -> None:
        payload = json.loads(request.body)
        dropped: dict[str, Any] = {}
        for table, writes in payload["RequestItems"].items():
            keep = len(writes) // 2 + 1 if len(writes) > 1 else len(writes)
            if len(writes) > 1:
                payload["RequestItems"][table], dropped[table] = writes[:keep], writes[keep:]
        if dropped:
            request.body = json.dumps(payload).encode()
            request.headers["Content-Length"] = str(len(request.body))
            self._dropped = [dropped]
            self.injected["dynamodb:UnprocessedItems"] += sum(len(v) for v in dropped.values())

    def _after_batch_write(self, parsed: dict[str, Any], **_: Any) -> None:
        if self._dropped:
            unprocessed = parsed.setdefault("UnprocessedItems", {})
            for table, writes in self._dropped[0].items():
                unprocessed.setdefault(table, []).extend(writes)
            self._dropped = None

    def close(self) -> None:
        for client in self._clients:
            service = client.meta.service_model.service_name
            client.meta.events.unregister(f"before-send.{service}", unique_id="faults-send")
            if service == "dynamodb":
                client.meta.events.unregister("after-call.dynamodb.BatchWriteItem", unique_id="faults-unprocessed")


# ---------------------------------------------------------------------------------------- documents

PEOPLE = ["Amina Diallo", "Carlos Moedas", "Ingrid Solberg", "Kenji Watanabe", "Priya Raman", "Tomás Herrera",
          "Olena Kovalenko", "David Mensah", "Lucia Bianchi", "Rahul Gupta", "Sofia Lindqvist"]  # fmt: skip
ORGS = ["European Investment Bank", "World Health Organization", "Reuters", "Siemens", "the United Nations",
        "Toyota", "Oxfam", "the Bank of England", "Airbus", "Greenpeace"]  # fmt: skip
PLACES = ["Lisbon", "Nairobi", "Oslo", "Osaka", "Chennai", "Bogotá", "Kyiv", "Accra", "Milan", "Gothenburg"]
THINGS = ["harbour bridge", "solar farm", "metro line", "water plant", "hospital wing", "rail link"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def short_article(rng: random.Random, index: int) -> str:
    """A few sentences with people, organisations, places and dates (about 60 words)."""
    person, other = rng.sample(PEOPLE, 2)
    org, place, thing, day = rng.choice(ORGS), rng.choice(PLACES), rng.choice(THINGS), rng.choice(DAYS)
    amount = rng.randint(2, 900)
    return (
        f"{place} approves new {thing} after years of delay\n\n"
        f"{person} said on {day} that {org} would lend {amount} million euros for the {thing} in {place}. "
        f"The project, number {index}, was opposed by {other}, who called the cost too high. "
        f"{person.split()[-1]} told reporters that construction would start next spring.\n"
    )


def upload_articles(stack: Stack, count: int, *, seed: int, prefix: str = "articles/") -> list[str]:
    rng = random.Random(seed)
    keys = []
    for index in range(count):
        key = f"{prefix}{index:05d}.txt"
        stack.s3.put_object(
            Bucket=stack.resources.raw_bucket,
            Key=key,
            Body=short_article(rng, index).encode(),
            ContentType="text/plain; charset=utf-8",
        )
        keys.append(key)
    return keys


# ---------------------------------------------------------------------------------------- scenarios


@dataclass
class ScenarioResult:
    name: str
    tally: Tally
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        t = self.tally
        parts = [
            f"documents={t.documents}",
            f"stored={t.stored}",
            f"failed={t.failed}",
            f"dlq={t.dlq}",
            f"lost={t.lost}",
        ]
        parts += [f"{k}={v}" for k, v in self.extra.items()]
        return f"reliability[{self.name}]: " + " ".join(parts)


def scenario_duplicates(documents: int = 500, seed: int = 1) -> ScenarioResult:
    """Each S3 event delivered 1-3 times (seeded), shuffled: one result each, and as many writes as without."""

    def run(duplicate: bool) -> tuple[Tally, CallCounter, int]:
        with local_stack() as stack:
            keys = upload_articles(stack, documents, seed=seed)
            bodies = take_all_messages(stack)
            rng = random.Random(seed)
            if duplicate:
                bodies = [b for b in bodies for _ in range(rng.randint(1, 3))]
                rng.shuffle(bodies)
            send_all(stack, bodies)
            counter = CallCounter(function_clients()[1])
            drain_with_retries(stack)
            counter.close()
            return tally(stack, keys), counter, len(bodies)

    single_tally, single, _ = run(duplicate=False)
    result, counter, deliveries = run(duplicate=True)
    return ScenarioResult(
        "duplicates",
        result,
        {
            "deliveries": deliveries,
            "results": result.stored,
            "writes": counter.writes,
            "writes_without_duplicates": single.writes,
            "items_written": counter.items_written,
            "items_written_without_duplicates": single.items_written,
            "reads": counter.calls["GetItem"] + counter.calls["Query"],
        },
    )


def scenario_poison(documents: int = 10, poison: int = 2) -> ScenarioResult:
    """One batch of 10, 2 of whose records always raise: 8 stored, 2 in the DLQ after maxReceiveCount."""
    from newsproc.local.template import Template

    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=2)
        poisoned = set(keys[:: max(1, documents // poison)][:poison])
        s3, _ = function_clients()

        def explode(params: dict[str, Any], **_: Any) -> None:
            if any(params.get("url_path", "").endswith("/" + k) for k in poisoned):
                raise RuntimeError("poison record: processing always raises")

        s3.meta.events.register("before-call.s3.GetObject", explode, unique_id="poison")
        drained = drain_with_retries(stack)
        s3.meta.events.unregister("before-call.s3.GetObject", unique_id="poison")
        counted = tally(stack, keys)
    max_receives = Template.load().properties("IngestQueue")["RedrivePolicy"]["maxReceiveCount"]
    return ScenarioResult(
        "poison",
        counted,
        {
            "poison_records": len(poisoned),
            "max_receive_count": max_receives,
            "invocations": drained.invocations,
            "failed_receipts": drained.failed_receipts,
        },
    )


def scenario_faults(documents: int = 500, rate: float = 0.2, throttle_share: float = 0.1) -> ScenarioResult:
    """20% of the handler's S3 and DynamoDB calls fail transiently (5xx, throttling, unprocessed items)."""
    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=3)
        clients = list(function_clients())
        counter = CallCounter(clients[1])
        s3_calls: Counter[str] = Counter()
        clients[0].meta.events.register(
            "before-call.s3.*", lambda model, **_: s3_calls.update([model.name]), unique_id="s3-count"
        )
        faults = FaultInjector(clients, rate=rate, throttle_share=throttle_share)
        drained = drain_with_retries(stack)
        faults.close()
        counter.close()
        clients[0].meta.events.unregister("before-call.s3.*", unique_id="s3-count")
        counted = tally(stack, keys)
        entity_items = _count_entity_items(stack)
        expected_items = sum(int(i.get("entity_count", 0)) for i in _scan(stack) if i["SK"] == "DOC")
    injected = faults.injected
    return ScenarioResult(
        "faults",
        counted,
        {
            "fault_rate": rate,
            "injected_5xx": sum(v for k, v in injected.items() if k.endswith(("InternalError", "InternalServerError"))),
            "injected_throttling": injected["s3:SlowDown"] + injected["dynamodb:ThrottlingException"],
            "unprocessed_items_injected": injected["dynamodb:UnprocessedItems"],
            "api_calls": sum(s3_calls.values()) + sum(counter.calls.values()),
            "message_retries": drained.failed_receipts,
            "entity_items": f"{entity_items}/{expected_items}",
            "seconds": round(drained.seconds, 1),
        },
    )


def _scan(stack: Stack) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {}
    while True:
        page = stack.table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _count_entity_items(stack: Stack) -> int:
    count, kwargs = 0, {"Select": "COUNT"}
    while True:
        from boto3.dynamodb.conditions import Attr

        page = stack.table.scan(FilterExpression=Attr("SK").begins_with("ENT#"), **kwargs)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# Bad input: hypothesis strategies shared with tests/unit/test_bad_input.py.
# Capped: the cleaner is super-linear on one long token / repeated inline HTML (docs/reliability.md,
# "Findings"): "x" * 60_000 takes ~40 s and "<b>a</b>" * 60_000 as HTML ~85 s.
HUGE_LINE_REPEATS = 2_000


def bad_input_strategy(max_repeats: int = HUGE_LINE_REPEATS) -> Any:
    from hypothesis import strategies as st

    text = st.text(min_size=0, max_size=400)
    charsets = st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-be", "shift_jis", "koi8-r", "gb18030"])
    wrong_charset = st.tuples(text, charsets).map(lambda t: t[0].encode(t[1], errors="ignore"))
    huge_line = st.tuples(st.sampled_from(["word ", "Putin ", "x", "ü", "<b>a</b>"]), st.integers(1, max_repeats)).map(
        lambda t: (t[0] * t[1]).encode()
    )
    zero_bytes = st.tuples(text, st.integers(1, 50)).map(lambda t: ("\x00" * t[1]).join(t[0] or "a").encode())
    depth = st.integers(1, max_repeats)
    nested_json = st.one_of(
        depth.map(lambda d: ("[" * d + "]" * d).encode()),
        depth.map(lambda d: ('{"text": ' * d + '"x"' + "}" * d).encode()),
        depth.map(lambda d: ("[" * d).encode()),  # malformed: never closed
        st.sampled_from(
            [
                b'{"text": 5}',
                b'{"html": null}',
                b'{"text": "',
                b"{}",
                b"null",
                b'"just a string"',
                b'{"text": "\\ud800"}',
                b'{"text": "a", "published": {"x": 1}}',
            ]
        ),  # fmt: skip
    )
    html_bomb = st.one_of(
        depth.map(lambda d: ("<div>" * d + "text" + "</div>" * d).encode()),
        depth.map(lambda d: ("<p>" * d).encode()),
        depth.map(lambda d: ("&amp;" * d).encode()),
        depth.map(lambda d: ("<!--" * d).encode()),
        depth.map(lambda d: ('<a href="' + "x" * d + '">link</a>').encode()),
        st.just(b"<html><body><script>" + b"a" * 200_000 + b"</script></body></html>"),
    )
    body = st.one_of(st.binary(max_size=4096), wrong_charset, huge_line, zero_bytes, nested_json, html_bomb)
    suffix = st.sampled_from([".txt", ".html", ".htm", ".json", ".pdf", "", ".TXT", ".json.gz"])
    # Keys are data: dots, slashes, percent signs, unicode and spaces must not matter.
    key_stem = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
    key = st.tuples(st.sampled_from(["", "../", "a/../../", "%2e%2e/", "ü ñ/"]), key_stem, suffix).map(
        lambda t: ("bad/" + t[0] + t[1] + t[2])[:900]
    )
    content_type = st.sampled_from(["text/plain", "text/html", "application/json", "application/octet-stream",
                                    "text/plain; charset=utf-16", "text/html; charset=shift_jis"])  # fmt: skip
    return st.tuples(key, body, content_type)


def scenario_bad_input(examples: int = 40, big_mb: int = 50) -> ScenarioResult:
    """Batches of up to 9 hostile objects plus one good article: all end PROCESSED or FAILED with a code."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from newsproc.local.lambda_runtime import LambdaContext
    from newsproc.media import document_id_for

    problems: list[str] = []
    seen_keys: list[str] = []
    good_keys: list[str] = []
    batch_failures = 0
    get_calls: list[str] = []
    with local_stack() as stack:
        s3, _ = function_clients()
        s3.meta.events.register(
            "before-call.s3.GetObject", lambda params, **_: get_calls.append(params.get("url_path", "")), unique_id="g"
        )
        rng = random.Random(4)
        counter = [0]

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(st.lists(bad_input_strategy(), min_size=1, max_size=9))
        def one_batch(objects: list[tuple[str, bytes, str]]) -> None:
            nonlocal batch_failures
            counter[0] += 1
            from newsproc.ingest.events import ObjectRef, s3_event_message

            records = []
            keys_here = []
            for i, (key, body, content_type) in enumerate(objects):
                key = f"{key}.{counter[0]}.{i}"  # unique per example, so each is a new document
                stack.s3.put_object(Bucket=stack.resources.raw_bucket, Key=key, Body=body, ContentType=content_type)
                keys_here.append(key)
            good = f"good/{counter[0]}.txt"
            stack.s3.put_object(
                Bucket=stack.resources.raw_bucket, Key=good, Body=short_article(rng, counter[0]).encode()
            )
            for key in [*keys_here, good]:
                message = s3_event_message(ObjectRef(bucket=stack.resources.raw_bucket, key=key))
                records.append({"messageId": f"m-{len(records)}", "body": message})
            event = _sqs_event_from_bodies(records, stack.resources.queue_arn)
            response = stack.handler(event, LambdaContext("ProcessDocumentFunction"))
            if response.get("batchItemFailures"):
                batch_failures += 1
                problems.append(f"batch failures: {response['batchItemFailures']}")
            seen_keys.extend(keys_here)
            good_keys.append(good)

        one_batch()
        # The 50 MB object: refused from its HEAD (too_large), its body never read.
        big_key = "bad/huge.txt"
        stack.s3.put_object(Bucket=stack.resources.raw_bucket, Key=big_key, Body=b"a " * (big_mb * 512 * 1024))
        from newsproc.ingest.events import ObjectRef, s3_event_message

        event = _sqs_event_from_bodies(
            [{"messageId": "big", "body": s3_event_message(ObjectRef(bucket=stack.resources.raw_bucket, key=big_key))}],
            stack.resources.queue_arn,
        )
        response = stack.handler(event, LambdaContext("ProcessDocumentFunction"))
        batch_failures += bool(response.get("batchItemFailures"))
        big_body_read = any(path.endswith("/huge.txt") for path in get_calls)
        seen_keys.append(big_key)
        s3.meta.events.unregister("before-call.s3.GetObject", unique_id="g")
        counted = tally(stack, seen_keys)
        good = tally(stack, good_keys)
        big_item = stack.table.get_item(
            Key={"PK": f"DOC#{document_id_for(stack.resources.raw_bucket, big_key)}", "SK": "DOC"}
        ).get("Item", {})
    no_code = counted.error_codes.get("?", 0)
    return ScenarioResult(
        "bad_input",
        counted,
        {
            "processed": counted.processed,
            "batches": counter[0] + 1,
            "batch_failures": batch_failures,
            "good_processed": f"{good.processed}/{good.documents}",
            "failed_without_code": no_code,
            "big_object": f"{big_mb}MB:{big_item.get('error_code')}:body_read={big_body_read}",
            "codes": ",".join(f"{k}:{v}" for k, v in sorted(counted.error_codes.items())),
        },
    )


def _sqs_event_from_bodies(records: list[dict[str, str]], queue_arn: str) -> dict[str, Any]:
    from newsproc.local.lambda_runtime import sqs_event

    messages = [{"MessageId": r["messageId"], "ReceiptHandle": r["messageId"], "Body": r["body"]} for r in records]
    return sqs_event(messages, queue_arn)


def scenario_load(documents: int = 2000) -> ScenarioResult:
    """2,000 documents through the template's queue with the in-process poller (src/newsproc/local/poller.py)."""
    from newsproc.local.poller import drain

    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=5)
        started = time.perf_counter()
        outcome = drain(stack.sqs, stack.resources.queue_url, stack.resources.queue_arn, stack.handler, batch_size=10)
        seconds = time.perf_counter() - started
        counted = tally(stack, keys)
    return ScenarioResult(
        "load",
        counted,
        {
            "messages": outcome.received,
            "seconds": round(seconds, 1),
            "docs_per_s": round(counted.stored / seconds, 1) if seconds else 0,
            "words_per_doc": 60,
        },
    )


SCENARIOS: dict[str, Callable[..., ScenarioResult]] = {
    "duplicates": scenario_duplicates,
    "poison": scenario_poison,
    "faults": scenario_faults,
    "bad_input": scenario_bad_input,
    "load": scenario_load,
}
SMALL = {
    "duplicates": {"documents": 60},
    "poison": {},
    "faults": {"documents": 60},
    "bad_input": {"examples": 8, "big_mb": 50},
    "load": {"documents": 100},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--small", action="store_true", help="test sizes (60 documents) instead of the issue's")
    args = parser.parse_args(argv)
    names = args.scenarios or list(SCENARIOS)
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    print("reliability: moto in process, resources from template.yaml, real ProcessDocumentFunction handler;")
    print("  short documents (~60 words each) so the 500/2,000-document scenarios run in minutes")
    process_module()
    ok = True
    for name in names:
        # Earlier scenarios leave a large heap; hypothesis allocates heavily, and full collections
        # over that heap made bad_input crawl (20+ minutes instead of ~10 s). Freeze what exists.
        gc.collect()
        gc.freeze()
        started = time.perf_counter()
        # Powertools flushes metrics (EMF JSON) to stdout every 100 values: keep only our lines.
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            result = SCENARIOS[name](**(SMALL[name] if args.small else {}))
        print(result.line() + f" wall_s={time.perf_counter() - started:.1f}", flush=True)
        ok &= result.tally.lost == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
