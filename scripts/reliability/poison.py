"""reliability[poison]: one batch of 10, 2 of whose records always raise: 8 stored, 2 in the DLQ."""

from __future__ import annotations

from typing import Any

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import ScenarioResult, drain_with_retries, function_clients, local_stack, tally


def run(documents: int = 10, poison: int = 2) -> ScenarioResult:
    """One batch of 10, 2 of whose records always raise: 8 stored, 2 in the DLQ after maxReceiveCount."""
    from newsproc.local.template import Template

    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=2)
        poisoned = set(keys[:: max(1, documents // poison)][:poison])
        s3, _ = function_clients()

        def explode(params: dict[str, Any], **_: Any) -> None:
            if any(params.get("url_path", "").endswith("/" + k) for k in poisoned):
                raise RuntimeError("poison record: processing always raises")

        s3.meta.events.register("before-call.s3.GetObject", explode, unique_id="poison")
        drained = drain_with_retries(stack)
        s3.meta.events.unregister("before-call.s3.GetObject", unique_id="poison")
        counted = tally(stack, keys)
    max_receives = Template.load().properties("IngestQueue")["RedrivePolicy"]["maxReceiveCount"]
    return ScenarioResult(
        "poison",
        counted,
        {
            "poison_records": len(poisoned),
            "max_receive_count": max_receives,
            "invocations": drained.invocations,
            "failed_receipts": drained.failed,
        },
    )
