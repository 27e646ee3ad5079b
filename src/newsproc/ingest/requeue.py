"""Records handed back near the timeout go back to the queue as fresh copies, at once.

Returned as batch item failures, they would wait out the queue's visibility timeout (as long as the
function's timeout) and each hand-back would count toward maxReceiveCount, so a record deferred a few
times would reach the DLQ without ever failing. A copy is a new message: visible now, receive count 1.
Sending first and acknowledging the original second can deliver twice, never lose; processing is
idempotent per object version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(child=True)


def queue_url_for(sqs: Any, queue_arn: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> -> the queue's URL."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def requeue(sqs: Any, records: Iterable[Mapping[str, Any]]) -> set[str]:
    """Send a copy of each SQS event record to its own queue; the message ids whose copy was accepted."""
    by_queue: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        by_queue[record["eventSourceARN"]].append(record)
    accepted: set[str] = set()
    for queue_arn, queued in by_queue.items():
        try:
            url = queue_url_for(sqs, queue_arn)
        except Exception:  # no such queue or no permission: these records are handed back as before
            logger.warning("cannot requeue: queue not found", extra={"queue_arn": queue_arn})
            continue
        for start in range(0, len(queued), 10):
            chunk = queued[start : start + 10]
            entries = [{"Id": str(i), "MessageBody": r["body"]} for i, r in enumerate(chunk)]
            sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            accepted |= {chunk[int(entry["Id"])]["messageId"] for entry in sent.get("Successful", [])}
    return accepted
