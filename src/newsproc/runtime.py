"""Wiring for the Lambda functions and the CLI: AWS clients (created once, retrying) and services.

boto3 honours AWS_ENDPOINT_URL, so the same wiring works against AWS, moto or the local stack.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from newsproc.settings import Settings
from newsproc.storage import DocumentRepository, RawObjectStore

# Throttling and 5xx errors are retried with backoff by botocore itself, configured here once.
RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 8}, connect_timeout=5, read_timeout=30)


@cache
def s3_client() -> Any:
    return boto3.client("s3", config=RETRY_CONFIG)


@cache
def dynamodb_resource() -> Any:
    return boto3.resource("dynamodb", config=RETRY_CONFIG)


def reset_clients() -> None:
    """Drop cached clients (after a SnapStart restore, or when tests switch endpoints)."""
    s3_client.cache_clear()
    dynamodb_resource.cache_clear()


def document_repository(settings: Settings) -> DocumentRepository:
    return DocumentRepository(
        dynamodb_resource(),
        s3_client(),
        table_name=settings.table_name,
        results_bucket=settings.results_bucket,
        entity_index_name=settings.entity_index_name,
        inline_result_bytes=settings.inline_result_bytes,
    )


def raw_store() -> RawObjectStore:
    return RawObjectStore(s3_client())
