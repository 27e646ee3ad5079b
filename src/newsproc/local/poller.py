"""Event source mappings in miniature: SQS (receive a batch, invoke the handler, delete what succeeded) and
DynamoDB Streams (read a shard from a checkpoint, invoke, move the checkpoint past what succeeded).

SQS: failed records are not deleted, so SQS makes them visible again after the visibility timeout and
moves them to the DLQ after maxReceiveCount, exactly as the real mapping with ReportBatchItemFailures.

Streams (`poll_stream_once`, `drain_stream`): the template's DynamoDB event (BatchSize, FilterCriteria,
ReportBatchItemFailures, BisectBatchOnFunctionError, MaximumRetryAttempts, DestinationConfig.OnFailure)
played on moto's dynamodbstreams: filtered-out records are skipped, a batch is retried from its first
failed record, halved after a crash when bisecting, and after MaximumRetryAttempts its position goes to
the on-failure queue, as Lambda sends it, and the shard moves on.

The drain loops of the codebase (`drain`, `drain_stream`): `scripts/demo.py`, `newsproc local`
(`poll_once`, `poll_stream_once`), the tests and the reliability scenarios (`wait_for_in_flight=True`,
on a queue whose visibility timeout they scaled down) all receive through them.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsproc.local.lambda_runtime import Handler, LambdaContext, dynamodb_stream_event, sqs_event


@dataclass(frozen=True)
class BatchOutcome:
    received: int
    succeeded: int
    failed: int


@dataclass(frozen=True)
class DrainOutcome:
    """Totals over all batches of one drain."""

    invocations: int  # handler invocations (batches received)
    received: int  # messages received, redeliveries included
    succeeded: int
    failed: int  # failed receipts: records the handler reported failed (or whose invocation raised)
    seconds: float


def poll_once(
    sqs: Any,
    queue_url: str,
    queue_arn: str,
    handler: Handler,
    *,
    batch_size: int = 10,
    wait_seconds: int = 1,
    function_name: str = "ProcessDocumentFunction",
    timeout_s: float = 120.0,
    on_message: Callable[[str, bool], None] | None = None,
    retry_failed_now: bool = False,
    make_context: Callable[[], Any] | None = None,
) -> BatchOutcome:
    """One receive and one invocation.

    `retry_failed_now`: failed messages get visibility 0 instead of waiting out the queue's visibility
    timeout, so SQS redelivers them at once and, after maxReceiveCount receives, its RedrivePolicy
    moves them to the DLQ: what would happen after maxReceiveCount x VisibilityTimeout, without the wait.
    `make_context`: builds the Lambda context of the invocation (default: a LambdaContext of `timeout_s`).
    """
    response = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=min(batch_size, 10),
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
    )
    messages = response.get("Messages", [])
    if not messages:
        return BatchOutcome(0, 0, 0)
    event = sqs_event(messages, queue_arn)
    context = make_context() if make_context else LambdaContext(function_name=function_name, timeout_s=timeout_s)
    failed_ids, _ = _invoke(handler, event, context, [m["MessageId"] for m in messages])
    done = [m for m in messages if m["MessageId"] not in failed_ids]
    if on_message is not None:
        for message in messages:
            on_message(message["Body"], message["MessageId"] not in failed_ids)
    for start in range(0, len(done), 10):
        chunk = done[start : start + 10]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
        )
    if retry_failed_now:
        for message in messages:
            if message["MessageId"] in failed_ids:
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
    return BatchOutcome(received=len(messages), succeeded=len(done), failed=len(failed_ids))


def _invoke(handler: Handler, event: dict[str, Any], context: Any, ids: list[str]) -> tuple[set[str], bool]:
    """The ids the handler reported failed (batchItemFailures), and whether it crashed: then every id failed,
    as a function error fails the whole batch in Lambda."""
    try:
        result = handler(event, context) or {}
    except Exception:
        return set(ids), True
    return {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}, False


def queue_depth(sqs: Any, queue_url: str) -> int:
    """Messages visible, in flight or delayed: 0 when nothing can come back."""
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def drain(
    sqs: Any,
    queue_url: str,
    queue_arn: str,
    handler: Handler,
    *,
    retry_failed_now: bool = False,
    wait_for_in_flight: bool = False,
    poll_interval_s: float = 0.1,
    max_receives: int = 100_000,
    **kwargs: Any,
) -> DrainOutcome:
    """Poll until the queue is empty; the totals over all batches.

    By default the drain stops at the first empty receive: failed messages wait out the queue's
    visibility timeout and are left in flight. With `wait_for_in_flight`, it goes on as the event
    source mapping would: while messages are in flight it sleeps `poll_interval_s` between empty
    receives, SQS redelivers them when their visibility timeout expires (and moves them to the DLQ
    after maxReceiveCount), and the drain stops only when the queue is empty, in-flight messages
    included: every message then ended deleted or in the DLQ. Use it on a queue with a short
    visibility timeout (the reliability harness scales the template's down). With `retry_failed_now`,
    failed messages come back at once (see `poll_once`) and the drain also stops only when the queue
    is empty. `max_receives` bounds the receive calls.
    `kwargs` go to `poll_once` (batch_size, wait_seconds, timeout_s, on_message, ...).
    """
    started = time.perf_counter()
    invocations = received = succeeded = failed = 0
    for _ in range(max_receives):
        outcome = poll_once(sqs, queue_url, queue_arn, handler, retry_failed_now=retry_failed_now, **kwargs)
        if outcome.received:
            invocations += 1
            received += outcome.received
            succeeded += outcome.succeeded
            failed += outcome.failed
        elif not (retry_failed_now or wait_for_in_flight) or queue_depth(sqs, queue_url) == 0:
            break
        elif wait_for_in_flight and not retry_failed_now:
            time.sleep(poll_interval_s)  # messages in flight: their visibility timeout has not expired
    return DrainOutcome(invocations, received, succeeded, failed, time.perf_counter() - started)


# ---------------------------------------------------------------------------------------- DynamoDB Streams


def matches(pattern: Any, value: Any) -> bool:
    """Lambda's event filter rule (the subset the template uses): nested objects, and lists of accepted
    values, each an exact value, {"prefix": s} or {"exists": bool}; anything else is refused, not guessed."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            (key in value and matches(rule, value[key])) or _absent_ok(rule) for key, rule in pattern.items()
        )
    if not isinstance(pattern, list):
        raise ValueError(f"filter rule {pattern!r}: a value must be listed")
    for rule in pattern:
        if isinstance(rule, dict):
            if set(rule) == {"prefix"}:
                if isinstance(value, str) and value.startswith(rule["prefix"]):
                    return True
            elif set(rule) == {"exists"}:
                if rule["exists"]:
                    return True
            else:
                raise ValueError(f"filter rule {rule!r} is not played locally")
        elif value == rule:
            return True
    return False


def _absent_ok(rule: Any) -> bool:
    return isinstance(rule, list) and {"exists": False} in rule


@dataclass(frozen=True)
class StreamMapping:
    """A function's DynamoDB event source, as template.yaml declares it (`Template.stream_event`)."""

    batch_size: int = 100
    max_retries: int = -1  # Lambda's default: retry until the record expires
    bisect: bool = False
    patterns: tuple[Any, ...] = ()
    on_failure_url: str | None = None  # the queue the DestinationConfig names, resolved locally

    @classmethod
    def from_event(cls, properties: dict[str, Any], on_failure_url: str | None) -> StreamMapping:
        filters = properties.get("FilterCriteria", {}).get("Filters", [])
        return cls(
            batch_size=int(properties.get("BatchSize", 100)),
            max_retries=int(properties.get("MaximumRetryAttempts", -1)),
            bisect=bool(properties.get("BisectBatchOnFunctionError", False)),
            patterns=tuple(json.loads(f["Pattern"]) for f in filters),
            on_failure_url=on_failure_url if properties.get("DestinationConfig") else None,
        )

    def accepts(self, record: dict[str, Any]) -> bool:
        return not self.patterns or any(matches(p, record) for p in self.patterns)


@dataclass
class StreamCursor:
    """Per shard: the last sequence number done (the checkpoint), the failed attempts of the batch at it,
    and the batch size after a bisection."""

    done: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)
    given_up: int = 0  # batches sent to the on-failure destination
    read: int = 0  # records the last poll read, filtered ones included (0: every shard is at its end)


def poll_stream_once(
    streams: Any,
    stream_arn: str,
    handler: Handler,
    cursor: StreamCursor,
    mapping: StreamMapping,
    *,
    sqs: Any = None,
    function_name: str = "CountEntitiesFunction",
    timeout_s: float = 60.0,
) -> BatchOutcome:
    """One batch per shard from its checkpoint: filtered, invoked, the checkpoint moved past what succeeded."""
    received = succeeded = failed = cursor.read = 0
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        shard_id = shard["ShardId"]
        start = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard_id in cursor.done:
            start = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": cursor.done[shard_id]}
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard_id, **start)["ShardIterator"]
        limit = cursor.limits.get(shard_id, mapping.batch_size)
        records = streams.get_records(ShardIterator=iterator, Limit=limit).get("Records", [])
        cursor.read += len(records)
        batch = [r for r in records if mapping.accepts(r)]
        if not batch:  # nothing for the function (or filtered out): the checkpoint moves on
            if records:
                cursor.done[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            continue
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        context = LambdaContext(function_name=function_name, timeout_s=timeout_s)
        failed_ids, crashed = _invoke(handler, dynamodb_stream_event(batch, stream_arn), context, sequence)
        received += len(batch)
        first_failed = next((i for i, s in enumerate(sequence) if s in failed_ids), None)
        if first_failed is None:
            succeeded += len(batch)
            cursor.done[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            cursor.attempts.pop(shard_id, None)
            cursor.limits.pop(shard_id, None)
            continue
        # Lambda checkpoints before the first failed record and retries from it.
        succeeded += first_failed
        failed += len(batch) - first_failed
        before = records[: records.index(batch[first_failed])]
        if before:
            cursor.done[shard_id] = before[-1]["dynamodb"]["SequenceNumber"]
        attempts = cursor.attempts[shard_id] = cursor.attempts.get(shard_id, 0) + 1
        if crashed and mapping.bisect and len(batch) > 1:
            cursor.limits[shard_id] = max(1, len(batch) // 2)
        elif 0 <= mapping.max_retries < attempts:
            _give_up(sqs, mapping, stream_arn, shard_id, batch[first_failed:], attempts, function_name)
            cursor.done[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            cursor.attempts.pop(shard_id, None)
            cursor.limits.pop(shard_id, None)
            cursor.given_up += 1
    return BatchOutcome(received=received, succeeded=succeeded, failed=failed)


def _give_up(
    sqs: Any, mapping: StreamMapping, stream_arn: str, shard_id: str, batch: list[dict[str, Any]], attempts: int,
    function_name: str,
) -> None:  # fmt: skip
    """What Lambda sends to the on-failure destination: where the batch is in the stream, not its records."""
    if sqs is None or mapping.on_failure_url is None:
        return
    times = [r["dynamodb"].get("ApproximateCreationDateTime") for r in batch]
    stamp = [t.isoformat() if hasattr(t, "isoformat") else str(t) for t in (times[0], times[-1])]
    body = {
        "requestContext": {"requestId": str(uuid.uuid4()), "condition": "RetryAttemptsExhausted",
                           "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
                           "approximateInvokeCount": attempts},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "DDBStreamBatchInfo": {"shardId": shard_id, "streamArn": stream_arn, "batchSize": len(batch),
                               "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                               "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                               "approximateArrivalOfFirstRecord": stamp[0], "approximateArrivalOfLastRecord": stamp[1]},
    }  # fmt: skip
    sqs.send_message(QueueUrl=mapping.on_failure_url, MessageBody=json.dumps(body))


def drain_stream(
    streams: Any,
    stream_arn: str,
    handler: Handler,
    mapping: StreamMapping,
    *,
    cursor: StreamCursor | None = None,
    max_polls: int = 10_000,
    **kwargs: Any,
) -> DrainOutcome:
    """Poll until every shard is read to its end with nothing left to retry; the totals."""
    started = time.perf_counter()
    cursor = cursor if cursor is not None else StreamCursor()
    invocations = received = succeeded = failed = 0
    for _ in range(max_polls):
        outcome = poll_stream_once(streams, stream_arn, handler, cursor, mapping, **kwargs)
        if not cursor.read and not cursor.attempts:
            break
        invocations += 1 if outcome.received else 0
        received += outcome.received
        succeeded += outcome.succeeded
        failed += outcome.failed
    return DrainOutcome(invocations, received, succeeded, failed, time.perf_counter() - started)
