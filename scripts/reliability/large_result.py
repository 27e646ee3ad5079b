"""reliability[large_result]: a ~2 MB article of distinct paragraphs (the cleaner drops repeated ones) is
processed through the queue; GET /documents/{id} through the real ApiFunction handler answers 303 with a
Location (a presigned URL of the stored result) instead of a body over Lambda's 6 MB response limit."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

from scripts.reliability.harness import ScenarioResult, api_module, drain_with_retries, local_stack, tally

PARAGRAPH = (
    "On Monday Carlos Moedas, the mayor of Lisbon, met officials of the European Investment Bank in Lisbon "
    "to discuss bridge number {n} over the Tagus, which Portugal expects to cost {n} million euros. "
    "Ana Gomes of the Socialist Party said project {n} would be reviewed by the Court of Auditors in Porto.\n\n"
)


def article(size: int) -> bytes:
    """Distinct paragraphs (the cleaner drops repeated ones) up to `size` bytes."""
    paragraphs: list[str] = []
    total = 0
    while total < size:
        paragraphs.append(PARAGRAPH.format(n=len(paragraphs) + 1))
        total += len(paragraphs[-1])
    return "".join(paragraphs).encode()


def run(article_bytes: int = 2_000_000, max_response_bytes: int | None = None) -> ScenarioResult:
    """A large article; its GET answers 303 + Location. `max_response_bytes` sets the API's MAX_RESPONSE_BYTES
    (a setting, default 5,000,000) so `--small` can use a smaller article."""
    from newsproc.local.lambda_runtime import LambdaContext, http_api_event
    from newsproc.media import document_id_for

    started = time.perf_counter()
    api = api_module(MAX_RESPONSE_BYTES=str(max_response_bytes)) if max_response_bytes else api_module()
    limit = api.settings.max_response_bytes
    body = article(article_bytes)
    with local_stack() as stack:
        bucket, key = stack.resources.raw_bucket, "large/article.txt"
        stack.s3.put_object(Bucket=bucket, Key=key, Body=body)
        stack.s3.put_object(Bucket=bucket, Key="large/small.txt", Body=body[:400])
        drained = drain_with_retries(stack)
        counted = tally(stack, [key, "large/small.txt"])

        def get(document_id: str) -> dict[str, Any]:
            event = http_api_event("GET", f"/documents/{document_id}", route_key="GET /documents/{document_id}",
                                   path_parameters={"document_id": document_id})  # fmt: skip
            return api.lambda_handler(event, LambdaContext("ApiFunction"))

        document_id = document_id_for(bucket, key)
        response = get(document_id)
        location = (response.get("headers") or {}).get("Location", "")
        stored = b""
        if location:
            parts = urlsplit(location)
            results = stack.resources.results_bucket
            stored = stack.s3.get_object(Bucket=results, Key=parts.path.lstrip("/").removeprefix(results + "/"))[
                "Body"
            ].read()
        result = json.loads(stored) if stored else {}
        small_status = get(document_id_for(bucket, "large/small.txt"))["statusCode"]
    return ScenarioResult(
        "large_result",
        counted,
        {
            "article_bytes": len(body),
            "max_response_bytes": limit,
            "get_status": response["statusCode"],
            "location": "presigned" if "Signature=" in location else (location or "none"),
            "body_bytes": len(response.get("body") or ""),
            "result_bytes": len(stored),
            "result_matches": result.get("document_id") == document_id,
            "small_get_status": small_status,
            "processing_seconds": round(drained.seconds, 1),
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
