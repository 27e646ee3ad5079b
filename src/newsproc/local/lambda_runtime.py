"""Run the real Lambda handlers in process: load them as the template declares, build real events."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from newsproc.local.template import DEFAULT_TEMPLATE, Template

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class LambdaContext:
    """The attributes Powertools reads from the Lambda context object."""

    function_name: str
    timeout_s: float = 120.0
    memory_limit_in_mb: int = 1769
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self._started)) * 1000))


def load_handler(function_id: str, template: Template | None = None) -> tuple[Handler, ModuleType]:
    """Import `CodeUri/<module>.py` of the template's function and return its handler callable."""
    template = template or Template.load()
    properties = template.properties(function_id)
    module_name, handler_name = properties["Handler"].rsplit(".", 1)
    path = DEFAULT_TEMPLATE.parent / properties["CodeUri"] / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"newsproc_fn_{function_id}", Path(path))
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as a real import would: pydantic resolves annotations through it
    spec.loader.exec_module(module)
    return getattr(module, handler_name), module


def function_timeout(function_id: str, template: Template) -> float:
    value = template.properties(function_id).get("Timeout") or template.function_globals().get("Timeout", 3)
    return float(value)


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """A Lambda SQS event from `receive_message` results, as the event source mapping builds it."""
    records = []
    for message in messages:
        attributes = message.get("Attributes", {})
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
                    "SentTimestamp": attributes.get("SentTimestamp", str(int(time.time() * 1000))),
                    "SenderId": attributes.get("SenderId", "local"),
                    "ApproximateFirstReceiveTimestamp": attributes.get(
                        "ApproximateFirstReceiveTimestamp", str(int(time.time() * 1000))
                    ),
                },
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def dynamodb_stream_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A Lambda DynamoDB Streams event from `get_records` results, as the event source mapping builds it
    (boto3 parses ApproximateCreationDateTime into a datetime; the event carries epoch seconds)."""
    shaped = []
    for record in records:
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):
            stream["ApproximateCreationDateTime"] = float(int(created.timestamp()))
        shaped.append({**record, "dynamodb": stream, "eventSourceARN": stream_arn})
    return {"Records": shaped}


def http_api_event(
    method: str,
    path: str,
    *,
    route_key: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    stage: str = "$default",
) -> dict[str, Any]:
    """An HTTP API payload v2 event, shaped like `sam local generate-event apigateway http-api-proxy`."""
    import base64

    headers = {k.lower(): v for k, v in (headers or {}).items()}
    is_base64 = isinstance(body, bytes)
    encoded = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": headers,
        "queryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", "newsproc-local"),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key or f"{method} {path}",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": encoded,
        "isBase64Encoded": is_base64,
    }


def response_json(response: dict[str, Any]) -> Any:
    body = response.get("body") or "null"
    if response.get("isBase64Encoded"):
        import base64

        body = base64.b64decode(body).decode()
    return json.loads(body)
