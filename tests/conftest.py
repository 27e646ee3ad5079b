"""Shared fixtures: moto with the template's resources, and the real handlers loaded from template.yaml."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsproc.local.env import use_local_environment

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SHARED_EVAL = Path(os.environ.get("NEWSPROC_EVAL_DIR", ROOT.parent / "shared" / "eval"))

use_local_environment(POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="true")


@dataclass
class Aws:
    s3: Any
    sqs: Any
    dynamodb: Any
    resources: Any


@pytest.fixture
def aws() -> Iterator[Aws]:
    """moto with the bucket, queues and table created from template.yaml, env vars set like Lambda's."""
    import boto3
    from moto import mock_aws

    from newsproc import runtime
    from newsproc.local.resources import create_resources
    from newsproc.local.template import Template

    with mock_aws():
        runtime.reset_clients()
        s3, sqs = boto3.client("s3"), boto3.client("sqs")
        resources = create_resources(Template.load(), s3=s3, sqs=sqs, dynamodb=boto3.client("dynamodb"))
        saved = {k: os.environ.get(k) for k in resources.environment()}
        os.environ.update(resources.environment())
        yield Aws(s3=s3, sqs=sqs, dynamodb=boto3.resource("dynamodb"), resources=resources)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        runtime.reset_clients()


@pytest.fixture(scope="session")
def process_module() -> Any:
    """The real ProcessDocumentFunction module (loads en_core_web_sm once for the session)."""
    from newsproc.local.lambda_runtime import load_handler
    from newsproc.local.resources import local_names

    os.environ.update(local_names())
    _, module = load_handler("ProcessDocumentFunction")
    return module


@pytest.fixture(scope="session")
def api_module() -> Any:
    from newsproc.local.lambda_runtime import load_handler
    from newsproc.local.resources import local_names

    os.environ.update(local_names())
    _, module = load_handler("ApiFunction")
    return module
