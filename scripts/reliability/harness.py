"""Shared by the scenarios: the moto stack with the real handler, the drain, the tally and call counts."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsproc.local.lambda_runtime import LambdaContext
from newsproc.local.poller import DrainOutcome

_MODULE: Any = None
_API_MODULE: Any = None

# Every time of template.yaml runs TIME_SCALE times faster here: the IngestQueue's VisibilityTimeout
# (5,400 s -> 3 s) and ProcessDocumentFunction's Timeout (900 s -> 0.5 s), which the handler's 15 s
# deadline reserve is measured against (ScaledContext). SQS takes whole seconds, so the factor divides
# 5,400 exactly (1,000 would give 5.4 s, which SQS refuses and moto truncates).
TIME_SCALE = 1800


def scaled_seconds(template_seconds: float) -> float:
    return template_seconds / TIME_SCALE


@dataclass
class ScaledContext(LambdaContext):
    """A Lambda context on the scaled clock: `timeout_s` is the template's (900 s), and it runs out after
    timeout_s / TIME_SCALE real seconds. The remaining time is reported in template milliseconds, so the
    handler's 15 s reserve is 15 s of template time (15 s / TIME_SCALE real)."""

    def get_remaining_time_in_millis(self) -> int:
        elapsed_template_s = (time.monotonic() - self._started) * TIME_SCALE
        return max(0, int((self.timeout_s - elapsed_template_s) * 1000))


def function_timeout_s() -> float:
    """ProcessDocumentFunction's Timeout in template.yaml (900 s)."""
    from newsproc.local.lambda_runtime import function_timeout
    from newsproc.local.template import Template

    return function_timeout("ProcessDocumentFunction", Template.load())


def scaled_context(timeout_s: float | None = None) -> ScaledContext:
    """The context of one invocation: the template's Timeout (or `timeout_s`, template seconds), scaled."""
    return ScaledContext("ProcessDocumentFunction", timeout_s=function_timeout_s() if timeout_s is None else timeout_s)


def process_module() -> Any:
    """The real ProcessDocumentFunction module, loaded once (spaCy init) as template.yaml declares it."""
    global _MODULE
    if _MODULE is None:
        from newsproc.local.lambda_runtime import load_handler
        from newsproc.local.resources import local_names

        os.environ.update(local_names())
        _, _MODULE = load_handler("ProcessDocumentFunction")
    return _MODULE


def api_module(**environment: str) -> Any:
    """The real ApiFunction module (loaded once). With `environment` (e.g. MAX_RESPONSE_BYTES), a fresh copy
    loaded with those variables set, since the module reads its Settings once at init as in Lambda."""
    global _API_MODULE
    from newsproc.local.lambda_runtime import load_handler
    from newsproc.local.resources import local_names

    if environment:
        from newsproc.local.harness import temporary_environment

        with temporary_environment(local_names() | environment):
            return load_handler("ApiFunction")[1]
    if _API_MODULE is None:
        os.environ.update(local_names())
        _, _API_MODULE = load_handler("ApiFunction")
    return _API_MODULE


@dataclass
class Stack:
    s3: Any  # the harness's own clients: never faulted, never counted
    sqs: Any
    table: Any
    resources: Any
    handler: Callable[[dict[str, Any], Any], dict[str, Any]]


@contextlib.contextmanager
def local_stack() -> Iterator[Stack]:
    """`newsproc.local.harness.moto_stack` (the one moto harness) and the real handler.

    The ingest queue gets the template's VisibilityTimeout scaled by TIME_SCALE (here only: moto_stack
    creates it with the template's own value).
    """
    from newsproc.local.harness import moto_stack

    module = process_module()
    with moto_stack() as moto:
        visibility = int(moto.template.properties("IngestQueue")["VisibilityTimeout"])
        scaled = scaled_seconds(visibility)
        assert scaled == int(scaled) and scaled >= 1, f"SQS takes whole seconds: {visibility} / {TIME_SCALE}"
        moto.sqs.set_queue_attributes(
            QueueUrl=moto.resources.queue_url, Attributes={"VisibilityTimeout": str(int(scaled))}
        )
        yield Stack(s3=moto.s3, sqs=moto.sqs, table=moto.table, resources=moto.resources, handler=module.lambda_handler)


def function_clients() -> tuple[Any, Any]:
    """The S3 and DynamoDB clients the handler uses (cached in newsproc.aws)."""
    from newsproc import aws

    return aws.s3_client(), aws.dynamodb_resource().meta.client


def drain_with_retries(
    stack: Stack, *, handler: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None, make_context: Any = None
) -> DrainOutcome:
    """Like the event source mapping: batches of 10, delete what succeeded, failed ones come back later.

    `newsproc.local.poller.drain` with `wait_for_in_flight`: a failed message stays in flight for the
    queue's (scaled) visibility timeout, then moto redelivers it, and after maxReceiveCount receives moves
    it to the DLQ by the RedrivePolicy; nothing resets visibility by hand. The drain sleeps while messages
    are in flight and returns when the queue is empty, in-flight messages included. Each invocation gets
    a ScaledContext of the template's Timeout (`make_context` to choose another).
    """
    from newsproc.local.poller import drain

    return drain(
        stack.sqs,
        stack.resources.queue_url,
        stack.resources.queue_arn,
        handler or stack.handler,
        wait_for_in_flight=True,
        batch_size=10,
        wait_seconds=0,
        make_context=make_context or scaled_context,
    )


def take_all_messages(stack: Stack) -> list[str]:
    """Receive and delete every message of the queue (to re-send them in another order/multiplicity)."""
    from newsproc.local.poller import drain

    bodies: list[str] = []

    def take(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        bodies.extend(record["body"] for record in event["Records"])
        return {"batchItemFailures": []}

    drain(stack.sqs, stack.resources.queue_url, stack.resources.queue_arn, take, wait_seconds=0)
    return bodies


def send_all(stack: Stack, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):
        stack.sqs.send_message_batch(
            QueueUrl=stack.resources.queue_url,
            Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])],
        )


def scan(stack: Stack, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of the table (all pages)."""
    while True:
        page = stack.table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


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


def tally(stack: Stack, keys: list[str], *, bucket: str | None = None) -> Tally:
    """What became of each uploaded key: a result item (which status), a DLQ message, or nothing."""
    from newsproc.ingest.events import object_refs_from_message
    from newsproc.media import document_id_for

    items = {i["document_id"]: i for i in scan(stack) if i["SK"] == "DOC" and not i.get("deleted")}
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
                dlq_keys |= {r.key for r in object_refs_from_message(m["Body"])}
    found = [items.get(document_id_for(bucket or stack.resources.raw_bucket, key)) for key in keys]
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
        parts.append(f"time_scale=1/{TIME_SCALE}")
        return f"reliability[{self.name}]: " + " ".join(parts)


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
