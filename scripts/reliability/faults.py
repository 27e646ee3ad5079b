"""reliability[faults]: 20% of the handler's S3 and DynamoDB calls fail transiently (5xx, throttling,
unprocessed items), below botocore's retries: nothing is lost, every entity item is written."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from typing import Any

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import (
    CallCounter,
    ScenarioResult,
    Stack,
    drain_with_retries,
    function_clients,
    local_stack,
    scan,
    tally,
)


class FaultInjector:
    """Makes a share of the handler's S3 and DynamoDB calls fail transiently, below botocore's retries.

    A `before-send` hook (registered first, ahead of moto's stubber) returns an HTTP 500
    (InternalError / InternalServerError) or, for `throttle_share` of the faults, a throttling error
    (S3 503 SlowDown, DynamoDB 400 ThrottlingException), so botocore's standard retry mode sees
    exactly what AWS would send. BatchWriteItem calls are also, at the same rate, answered with part
    of their items in UnprocessedItems (not written), which boto3's batch_writer must resend.
    """

    def __init__(self, clients: list[Any], *, rate: float, throttle_share: float = 0.1, seed: int = 6) -> None:
        self.rate, self.throttle_share = rate, throttle_share
        self.random = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._dropped: list[dict[str, Any]] | None = None
        self._clients = clients
        for client in clients:
            service = client.meta.service_model.service_name
            client.meta.events.register_first(f"before-send.{service}", self._before_send, unique_id="faults-send")
            if service == "dynamodb":
                client.meta.events.register_first(
                    "after-call.dynamodb.BatchWriteItem", self._after_batch_write, unique_id="faults-unprocessed"
                )

    def _before_send(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse

        with self._lock:
            fail = self.random.random() < self.rate
            throttle = self.random.random() < self.throttle_share
            partial = self.random.random() < self.rate
        dynamodb = "dynamodb" in request.url
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not fail:
            if dynamodb and target.endswith("BatchWriteItem") and partial:
                self._drop_half(request)
            return None
        if dynamodb:
            code, status = ("ThrottlingException", 400) if throttle else ("InternalServerError", 500)
            body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.0"}
        else:
            code, status = ("SlowDown", 503) if throttle else ("InternalError", 500)
            body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            headers = {"Content-Type": "application/xml"}
        self.injected[f"{'dynamodb' if dynamodb else 's3'}:{code}"] += 1
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    def _drop_half(self, request: Any) -> None:
        payload = json.loads(request.body)
        dropped: dict[str, Any] = {}
        for table, writes in payload["RequestItems"].items():
            keep = len(writes) // 2 + 1 if len(writes) > 1 else len(writes)
            if len(writes) > 1:
                payload["RequestItems"][table], dropped[table] = writes[:keep], writes[keep:]
        if dropped:
            request.body = json.dumps(payload).encode()
            request.headers["Content-Length"] = str(len(request.body))
            self._dropped = [dropped]
            self.injected["dynamodb:UnprocessedItems"] += sum(len(v) for v in dropped.values())

    def _after_batch_write(self, parsed: dict[str, Any], **_: Any) -> None:
        if self._dropped:
            unprocessed = parsed.setdefault("UnprocessedItems", {})
            for table, writes in self._dropped[0].items():
                unprocessed.setdefault(table, []).extend(writes)
            self._dropped = None

    def close(self) -> None:
        for client in self._clients:
            service = client.meta.service_model.service_name
            client.meta.events.unregister(f"before-send.{service}", unique_id="faults-send")
            if service == "dynamodb":
                client.meta.events.unregister("after-call.dynamodb.BatchWriteItem", unique_id="faults-unprocessed")


def count_entity_items(stack: Stack) -> int:
    from boto3.dynamodb.conditions import Attr

    count, kwargs = 0, {"Select": "COUNT"}
    while True:
        page = stack.table.scan(FilterExpression=Attr("SK").begins_with("ENT#"), **kwargs)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run(documents: int = 500, rate: float = 0.2, throttle_share: float = 0.1) -> ScenarioResult:
    """20% of the handler's S3 and DynamoDB calls fail transiently (5xx, throttling, unprocessed items)."""
    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=3)
        clients = list(function_clients())
        counter = CallCounter(clients[1])
        s3_calls: Counter[str] = Counter()
        clients[0].meta.events.register(
            "before-call.s3.*", lambda model, **_: s3_calls.update([model.name]), unique_id="s3-count"
        )
        faults = FaultInjector(clients, rate=rate, throttle_share=throttle_share)
        drained = drain_with_retries(stack)
        faults.close()
        counter.close()
        clients[0].meta.events.unregister("before-call.s3.*", unique_id="s3-count")
        counted = tally(stack, keys)
        entity_items = count_entity_items(stack)
        expected_items = sum(int(i.get("entity_count", 0)) for i in scan(stack) if i["SK"] == "DOC")
    injected = faults.injected
    return ScenarioResult(
        "faults",
        counted,
        {
            "fault_rate": rate,
            "injected_5xx": sum(v for k, v in injected.items() if k.endswith(("InternalError", "InternalServerError"))),
            "injected_throttling": injected["s3:SlowDown"] + injected["dynamodb:ThrottlingException"],
            "unprocessed_items_injected": injected["dynamodb:UnprocessedItems"],
            "api_calls": sum(s3_calls.values()) + sum(counter.calls.values()),
            "message_retries": drained.failed,
            "entity_items": f"{entity_items}/{expected_items}",
            "seconds": round(drained.seconds, 1),
        },
    )
