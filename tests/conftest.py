"""Shared fixtures: moto with the template's resources, and the real handlers loaded from template.yaml."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsproc.local.env import use_local_environment

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SHARED_EVAL = Path(os.environ.get("NEWSPROC_EVAL_DIR", ROOT.parent / "shared" / "eval"))

use_local_environment(POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="true")


@pytest.fixture
def aws() -> Iterator[Any]:
    """moto with the bucket, queues and table created from template.yaml, env vars set like Lambda's."""
    from newsproc.local.harness import moto_stack

    with moto_stack() as stack:
        yield stack


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
