"""AWS clients, created once per container with retries, and the synchronous call of the process function.

boto3 honours AWS_ENDPOINT_URL, so the same wiring works against AWS, moto or the local stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Throttling and 5xx errors are retried with backoff by botocore itself, configured here once.
RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8}, connect_timeout=5, read_timeout=30)


@cache
def s3_client() -> Any:
    return boto3.client("s3", config=RETRY_CONFIG)


@cache
def dynamodb_resource() -> Any:
    return boto3.resource("dynamodb", config=RETRY_CONFIG)


@cache
def sqs_client() -> Any:
    return boto3.client("sqs", config=RETRY_CONFIG)


@cache
def lambda_client() -> Any:
    return boto3.client("lambda", config=Config(retries={"mode": "standard", "max_attempts": 3}, read_timeout=60))


def reset_clients() -> None:
    """Drop cached clients (after a SnapStart restore, or when tests switch endpoints).

    boto3's default session is dropped too: it keeps the credentials and region it resolved first.
    """
    for factory in (s3_client, dynamodb_resource, sqs_client, lambda_client):
        factory.cache_clear()
    boto3.DEFAULT_SESSION = None


Invoker = Callable[[dict[str, Any]], dict[str, Any]]
_local_invoker: Invoker | None = None


def use_local_invoker(invoker: Invoker | None) -> None:
    """The local stack runs the process handler in process (moto's Lambda invoke needs Docker)."""
    global _local_invoker
    _local_invoker = invoker


def invoke_processor(function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Synchronous call of the process function with a direct payload (see newsproc.api.direct)."""
    if _local_invoker is not None:
        return _local_invoker(payload)
    response = lambda_client().invoke(
        FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
    )
    body = json.loads(response["Payload"].read() or b"{}")
    if response.get("FunctionError"):
        return {"error": {"code": "processing_error", "message": str(body.get("errorMessage", "failed"))}}
    return body
