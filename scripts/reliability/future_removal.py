"""reliability[future_removal]: a removal whose eventTime is in the year 2999, then a create of the same key:
processed; and a forced message (`backfill --force`, API reprocess) over a tombstone: processed."""

from __future__ import annotations

import time

from scripts.reliability.harness import ScenarioResult, drain_with_retries, local_stack, tally

ARTICLE = b"Carlos Moedas, the mayor of Lisbon, spoke on Monday in Lisbon about the new harbour bridge."


def run(keys: int = 3) -> ScenarioResult:
    """Future removals then creates (`keys` keys); a forced message over a stored tombstone per key."""
    from newsproc.ingest.events import ObjectRef, s3_event_message
    from newsproc.media import document_id_for

    started = time.perf_counter()
    with local_stack() as stack:
        bucket, queue = stack.resources.raw_bucket, stack.resources.queue_url
        future_keys = [f"future/{i}.txt" for i in range(keys)]
        for key in future_keys:
            removal = ObjectRef(bucket=bucket, key=key, removed=True, event_time="2999-01-01T00:00:00.000Z")
            stack.sqs.send_message(QueueUrl=queue, MessageBody=s3_event_message(removal))
        drain_with_retries(stack)
        for key in future_keys:  # the create: moto's bucket notification goes to the queue
            stack.s3.put_object(Bucket=bucket, Key=key, Body=ARTICLE)
        drain_with_retries(stack)

        forced_keys = [f"tombstoned/{i}.txt" for i in range(keys)]
        for key in forced_keys:
            stack.s3.put_object(Bucket=bucket, Key=key, Body=ARTICLE)
        drain_with_retries(stack)  # processed, then replaced by a tombstone from a forged far-future time
        for key in forced_keys:
            document_id = document_id_for(bucket, key)
            for item in stack.table.query(
                KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"DOC#{document_id}"}
            )["Items"]:
                stack.table.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})
            stack.table.put_item(Item={"PK": f"DOC#{document_id}", "SK": "DOC", "document_id": document_id,
                                       "deleted": True, "source_modified": "2999-01-01T00:00:00Z",
                                       "pipeline_version": "0"})  # fmt: skip
            stack.sqs.send_message(QueueUrl=queue, MessageBody=s3_event_message(ObjectRef(bucket=bucket, key=key)))
        drain_with_retries(stack)
        refused = sum(1 for key in forced_keys if _item(stack, document_id_for(bucket, key)).get("deleted"))
        for key in forced_keys:
            forced = ObjectRef(bucket=bucket, key=key, force=True)
            stack.sqs.send_message(QueueUrl=queue, MessageBody=s3_event_message(forced))
        drained = drain_with_retries(stack)
        future = tally(stack, future_keys)
        counted = tally(stack, future_keys + forced_keys)
        forced_tally = tally(stack, forced_keys)
    return ScenarioResult(
        "future_removal",
        counted,
        {
            "created_after_future_removal": f"{future.processed}/{keys}",
            "ordinary_event_refused_by_tombstone": f"{refused}/{keys}",
            "forced_over_tombstone": f"{forced_tally.processed}/{keys}",
            "failed_receipts": drained.failed,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )


def _item(stack: object, document_id: str) -> dict:
    return stack.table.get_item(Key={"PK": f"DOC#{document_id}", "SK": "DOC"}).get("Item") or {}  # type: ignore[attr-defined]
