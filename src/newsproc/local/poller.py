"""An SQS event source mapping in miniature: receive a batch, invoke the handler, delete what succeeded.

Failed records are not deleted, so SQS makes them visible again after the visibility timeout and
moves them to the DLQ after maxReceiveCount, exactly as the real mapping with ReportBatchItemFailures.

The one drain loop of the codebase (`drain`): `scripts/demo.py`, `newsproc local` (`poll_once`), the
tests and the reliability scenarios (`wait_for_in_flight=True`, on a queue whose visibility timeout
they scaled down) all receive through it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsproc.local.lambda_runtime import Handler, LambdaContext, sqs_event


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
    try:
        result = handler(event, context) or {}
        failed_ids = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    except Exception:  # a crashed invocation fails the whole batch, as in Lambda
        failed_ids = {m["MessageId"] for m in messages}
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
