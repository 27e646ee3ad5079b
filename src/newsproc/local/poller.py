"""An SQS event source mapping in miniature: receive a batch, invoke the handler, delete what succeeded.

Failed records are not deleted, so SQS makes them visible again after the visibility timeout and
moves them to the DLQ after maxReceiveCount, exactly as the real mapping with ReportBatchItemFailures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsproc.local.lambda_runtime import Handler, LambdaContext, sqs_event


@dataclass(frozen=True)
class BatchOutcome:
    received: int
    succeeded: int
    failed: int


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
) -> BatchOutcome:
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
    context = LambdaContext(function_name=function_name, timeout_s=timeout_s)
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
    return BatchOutcome(received=len(messages), succeeded=len(done), failed=len(failed_ids))


def drain(sqs: Any, queue_url: str, queue_arn: str, handler: Handler, **kwargs: Any) -> BatchOutcome:
    """Poll until the queue gives nothing; the totals over all batches."""
    received = succeeded = failed = 0
    while True:
        outcome = poll_once(sqs, queue_url, queue_arn, handler, **kwargs)
        if outcome.received == 0:
            return BatchOutcome(received, succeeded, failed)
        received += outcome.received
        succeeded += outcome.succeeded
        failed += outcome.failed
