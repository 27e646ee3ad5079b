"""reliability[foreign_bucket]: S3 events naming another bucket (in the same batches as events of the raw
bucket) are stored FAILED foreign_bucket; the other bucket's objects are never read, counted with a
botocore `before-call.s3.*` hook on the handler's S3 client (GetObject/HeadObject per bucket)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import ScenarioResult, drain_with_retries, function_clients, local_stack, tally

OTHER_BUCKET = "someone-elses-bucket"


def run(documents: int = 10, foreign: int = 10) -> ScenarioResult:
    """`foreign` events for objects of another bucket among `documents` ordinary uploads."""
    from newsproc.ingest.events import ObjectRef, s3_event_message

    started = time.perf_counter()
    reads: Counter[str] = Counter()
    with local_stack() as stack:
        stack.s3.create_bucket(Bucket=OTHER_BUCKET)
        foreign_keys = [f"secret/{i}.txt" for i in range(foreign)]
        for key in foreign_keys:
            stack.s3.put_object(Bucket=OTHER_BUCKET, Key=key, Body=b"Private text about Carlos Moedas in Lisbon.")
        keys = upload_articles(stack, documents, seed=10, prefix="own/")
        for key in foreign_keys:
            ref = ObjectRef(bucket=OTHER_BUCKET, key=key)
            stack.sqs.send_message(QueueUrl=stack.resources.queue_url, MessageBody=s3_event_message(ref))
        s3, _ = function_clients()

        def count(model: Any, params: dict[str, Any], **_: Any) -> None:
            if model.name in ("GetObject", "HeadObject"):
                url = params.get("url", "")
                bucket = OTHER_BUCKET if OTHER_BUCKET in url else "raw" if stack.resources.raw_bucket in url else "?"
                reads[f"{bucket}:{model.name}"] += 1

        s3.meta.events.register("before-call.s3.*", count, unique_id="foreign-reads")
        drained = drain_with_retries(stack)
        s3.meta.events.unregister("before-call.s3.*", unique_id="foreign-reads")
        counted = tally(stack, foreign_keys, bucket=OTHER_BUCKET)
        own = tally(stack, keys)
        results = [
            stack.table.get_item(Key={"PK": f"DOC#{_id(key)}", "SK": "DOC"}).get("Item", {}).get("result", "")
            for key in foreign_keys
        ]
    return ScenarioResult(
        "foreign_bucket",
        counted,
        {
            "codes": ",".join(f"{k}:{v}" for k, v in sorted(counted.error_codes.items())) or "-",
            "other_bucket_reads": reads[f"{OTHER_BUCKET}:GetObject"] + reads[f"{OTHER_BUCKET}:HeadObject"],
            "raw_bucket_reads": reads["raw:GetObject"] + reads["raw:HeadObject"],  # the hook sees the handler's reads
            "text_in_results": sum(1 for r in results if "Carlos" in str(r)),
            "own_processed": f"{own.processed}/{own.documents}",
            "failed_receipts": drained.failed,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )


def _id(key: str) -> str:
    from newsproc.media import document_id_for

    return document_id_for(OTHER_BUCKET, key)
