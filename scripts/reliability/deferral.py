"""reliability[deferral]: a batch delivered with too little remaining time (the scaled context of a 10 s
timeout, below the handler's 15 s reserve): nothing starts, every record goes back as a fresh copy
(receive count 1) and is processed; none in the DLQ. Redelivery runs on the (scaled) visibility timeout."""

from __future__ import annotations

import json
import time
from typing import Any

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import (
    ScenarioResult,
    drain_with_retries,
    function_timeout_s,
    local_stack,
    scaled_context,
    tally,
)


def run(documents: int = 30, short_timeout_s: float = 10.0, short_invocations: int = 2) -> ScenarioResult:
    """The first `short_invocations` batches get a context of `short_timeout_s` template seconds (below
    the 15 s reserve); later ones the template's Timeout. Every record ends processed."""
    started = time.perf_counter()
    invocations: list[dict[str, Any]] = []
    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=7, prefix="deferral/")

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            short = len(invocations) < short_invocations
            context = scaled_context(short_timeout_s if short else None)
            response = stack.handler(event, context)
            invocations.append(
                {
                    "short": short,
                    "receive_counts": [int(r["attributes"]["ApproximateReceiveCount"]) for r in event["Records"]],
                    "bodies": [r["body"] for r in event["Records"]],
                    "events": sum(1 for r in event["Records"] if "Records" in json.loads(r["body"])),
                    "failures": len(response.get("batchItemFailures", [])),
                }
            )
            return response

        drained = drain_with_retries(stack, handler=handler)
        counted = tally(stack, keys)
    deferred_bodies = {b for i in invocations if i["short"] for b in i["bodies"]}
    later = [i for i in invocations if not i["short"]]
    copy_counts = [c for i in later for b, c in zip(i["bodies"], i["receive_counts"], strict=True)
                   if b in deferred_bodies]  # fmt: skip
    return ScenarioResult(
        "deferral",
        counted,
        {
            "processed": counted.processed,
            "short_context_s": f"{short_timeout_s:g}/{function_timeout_s():g}",
            "deferred_records": sum(i["events"] for i in invocations if i["short"]),  # S3 events (no s3:TestEvent)
            "deferred_batch_failures": sum(i["failures"] for i in invocations if i["short"]),
            "copies_received": len(copy_counts),
            "copy_receive_counts": ",".join(f"{c}:{copy_counts.count(c)}" for c in sorted(set(copy_counts))) or "-",
            "max_receive_count_seen": max(c for i in invocations for c in i["receive_counts"]),
            "failed_receipts": drained.failed,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
