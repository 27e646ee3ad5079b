"""reliability[oversized_metadata]: JSON documents with a 450,000-character title and an HTML page with a
<title> of that size: each ends stored (every item under DynamoDB's 400 KB), none in the DLQ."""

from __future__ import annotations

import json
import time

from scripts.reliability.harness import ScenarioResult, drain_with_retries, local_stack, scan, tally

TEXT = "Carlos Moedas, the mayor of Lisbon, met Ingrid Solberg in Oslo on Monday to discuss the rail link."


def run(title_chars: int = 450_000, json_documents: int = 2) -> ScenarioResult:
    """JSON titles and an HTML <title> of `title_chars` characters: each document stored, none in the DLQ."""
    started = time.perf_counter()
    title = ("Lisbon harbour bridge " * (title_chars // 22 + 1))[:title_chars]
    with local_stack() as stack:
        bucket, keys = stack.resources.raw_bucket, []
        for i in range(json_documents):
            key = f"oversized/{i}.json"
            body = json.dumps({"title": title, "text": f"{TEXT} Story {i}."}).encode()
            stack.s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
            keys.append(key)
        html = f"<html><head><title>{title}</title></head><body><article><p>{TEXT}</p></article></body></html>"
        stack.s3.put_object(Bucket=bucket, Key="oversized/page.html", Body=html.encode(), ContentType="text/html")
        keys.append("oversized/page.html")
        drained = drain_with_retries(stack)
        counted = tally(stack, keys)
        # The largest attribute value of any item (DynamoDB refuses items over 400 KB).
        largest_item = max(len(json.dumps(item, default=str)) for item in scan(stack))
    return ScenarioResult(
        "oversized_metadata",
        counted,
        {
            "title_chars": title_chars,
            "processed": counted.processed,
            "codes": ",".join(f"{k}:{v}" for k, v in sorted(counted.error_codes.items())) or "-",
            "largest_item_chars": largest_item,
            "failed_receipts": drained.failed,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
