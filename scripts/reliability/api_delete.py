"""reliability[api_delete]: documents processed (two versions of each object), then DELETE through the real
ApiFunction handler: no version and no delete marker of the key is left, and no item of the document,
also after the removal events the deletion caused have been processed."""

from __future__ import annotations

import random
import time

from scripts.reliability.documents import short_article
from scripts.reliability.harness import ScenarioResult, api_module, drain_with_retries, local_stack, tally


def run(documents: int = 5) -> ScenarioResult:
    """Process `documents` two-version objects, DELETE each through the API: nothing of them is left."""
    from newsproc.local.lambda_runtime import LambdaContext, http_api_event
    from newsproc.media import document_id_for

    started = time.perf_counter()
    api = api_module()
    rng = random.Random(8)
    statuses: list[int] = []
    with local_stack() as stack:
        bucket = stack.resources.raw_bucket
        keys = [f"erase/{i}.txt" for i in range(documents)]
        for index, key in enumerate(keys):
            for _version in range(2):
                stack.s3.put_object(Bucket=bucket, Key=key, Body=short_article(rng, index).encode())
        drain_with_retries(stack)
        before = tally(stack, keys)
        for key in keys:
            document_id = document_id_for(bucket, key)
            event = http_api_event("DELETE", f"/documents/{document_id}", route_key="DELETE /documents/{document_id}",
                                   path_parameters={"document_id": document_id})  # fmt: skip
            statuses.append(api.lambda_handler(event, LambdaContext("ApiFunction"))["statusCode"])
        left_now = _left(stack, keys)
        drained = drain_with_retries(stack)  # the ObjectRemoved notifications of the erasure
        versions, markers, items = _left(stack, keys)
        dlq = tally(stack, []).dlq
    before.dlq = dlq
    return ScenarioResult(
        "api_delete",
        before,
        {
            "deleted_204": f"{statuses.count(204)}/{documents}",
            "versions_left": versions,
            "delete_markers_left": markers,
            "items_left": items,
            "items_left_before_removal_events": left_now[2],
            "removal_events": drained.received,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )


def _left(stack: object, keys: list[str]) -> tuple[int, int, int]:
    """Versions, delete markers and table items (any SK) left of these keys."""
    from newsproc.media import document_id_for

    bucket = stack.resources.raw_bucket  # type: ignore[attr-defined]
    versions = markers = items = 0
    for key in keys:
        listing = stack.s3.list_object_versions(Bucket=bucket, Prefix=key)  # type: ignore[attr-defined]
        versions += sum(1 for v in listing.get("Versions", []) if v["Key"] == key)
        markers += sum(1 for m in listing.get("DeleteMarkers", []) if m["Key"] == key)
        pk = f"DOC#{document_id_for(bucket, key)}"
        items += stack.table.query(  # type: ignore[attr-defined]
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": pk}, Select="COUNT"
        )["Count"]
    return versions, markers, items
