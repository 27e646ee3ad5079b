"""Records that should not wait out the visibility timeout: copies sent at once, then the original acknowledged.

- `requeue`: records handed back near the timeout go back to their queue as fresh copies. Returned as
  batch item failures, they would wait out the queue's visibility timeout (as long as the function's
  timeout) and each hand-back would count toward maxReceiveCount, so a record deferred a few times would
  reach the DLQ without ever failing. A copy is a new message: visible now, receive count 1.
- `park`: records no retry can help (not an S3 event at all) go straight to their queue's dead-letter
  queue, the RedrivePolicy's target, with the reason as a message attribute. Retried, they would reach it
  only after maxReceiveCount receives, each a visibility timeout apart (hours with the template's 5400 s).

Sending first and acknowledging the original second can deliver twice, never lose; processing is
idempotent per object version.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(child=True)


def queue_url_for(sqs: Any, queue_arn: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> -> the queue's URL."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def requeue(sqs: Any, records: Iterable[Mapping[str, Any]]) -> set[str]:
    """Send a copy of each SQS event record to its own queue; the message ids whose copy was accepted."""
    return _send_copies(sqs, [(record, None) for record in records], lambda arn: queue_url_for(sqs, arn))


def park(sqs: Any, records: Iterable[tuple[Mapping[str, Any], str]]) -> set[str]:
    """Send a copy of each (record, reason) to its queue's dead-letter queue; the message ids accepted there."""
    return _send_copies(sqs, list(records), lambda arn: queue_url_for(sqs, _dead_letter_target(sqs, arn)))


def _send_copies(
    sqs: Any, records: list[tuple[Mapping[str, Any], str | None]], target_url: Callable[[str], str]
) -> set[str]:
    """Copies of the records, grouped by their queue, sent to `target_url(queue ARN)`."""
    by_queue: dict[str, list[tuple[Mapping[str, Any], str | None]]] = defaultdict(list)
    for record, reason in records:
        by_queue[record["eventSourceARN"]].append((record, reason))
    accepted: set[str] = set()
    for queue_arn, queued in by_queue.items():
        try:
            url = target_url(queue_arn)
        except Exception:  # no such queue, no RedrivePolicy or no permission: handed back as before
            logger.warning("cannot send copies: target queue not found", extra={"queue_arn": queue_arn})
            continue
        for start in range(0, len(queued), 10):
            chunk = queued[start : start + 10]
            entries = [_entry(i, record, reason) for i, (record, reason) in enumerate(chunk)]
            sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            accepted |= {chunk[int(entry["Id"])][0]["messageId"] for entry in sent.get("Successful", [])}
    return accepted


def _dead_letter_target(sqs: Any, queue_arn: str) -> str:
    """The ARN of the queue's RedrivePolicy target."""
    queue_url = queue_url_for(sqs, queue_arn)
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])["Attributes"]
    return str(json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"])


def _entry(index: int, record: Mapping[str, Any], reason: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": str(index), "MessageBody": record["body"]}
    if reason is not None:
        entry["MessageAttributes"] = {PARK_REASON: {"DataType": "String", "StringValue": reason[:1000] or "-"}}
    return entry


# The message attribute a parked copy carries: why it was parked.
PARK_REASON = "newsproc-error"
