"""reliability[malformed]: messages that are not S3 events, in batches with real ones: parked in the DLQ on
their first receive, never retried, the documents beside them stored."""

from __future__ import annotations

import json
from typing import Any

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import ScenarioResult, drain_with_retries, local_stack, send_all, tally

# What a careless producer or a misrouted subscription puts on the ingest queue.
MALFORMED = (
    "not json at all",
    "{truncated",
    "[1, 2, 3]",
    json.dumps({"Records": "not a list"}),
    json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {}}}]}),
    json.dumps({"Type": "Notification", "Message": "an SNS envelope with no S3 event in it"}),
)


def run(documents: int = 10) -> ScenarioResult:
    """`documents` uploads (their notifications) and the MALFORMED bodies, interleaved on the queue."""
    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=3)
        send_all(stack, list(MALFORMED))
        receipts: dict[str, int] = {}

        def counting(event: dict[str, Any], context: Any) -> dict[str, Any]:
            for record in event["Records"]:
                if record["body"] in MALFORMED:
                    receipts[record["body"]] = receipts.get(record["body"], 0) + 1
            return stack.handler(event, context)

        drained = drain_with_retries(stack, handler=counting)
        parked = stack.sqs.receive_message(
            QueueUrl=stack.resources.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        with_reason = sum(1 for m in parked if m.get("MessageAttributes", {}).get("newsproc-error"))
        for message in parked:  # back for tally, which counts the DLQ
            stack.sqs.change_message_visibility(
                QueueUrl=stack.resources.dlq_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        counted = tally(stack, keys)
    return ScenarioResult(
        "malformed",
        counted,
        {
            "malformed": len(MALFORMED),
            "malformed_receipts": sum(receipts.values()),
            "parked_with_reason": with_reason,
            "invocations": drained.invocations,
            "failed_receipts": drained.failed,
        },
    )
