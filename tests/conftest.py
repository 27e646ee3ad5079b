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


@pytest.fixture
def minhashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each MinHash signature computed during the test (the numpy work, whoever asks for it): its shingle count."""
    from newsproc.pipeline import similarity

    computed: list[str] = []
    real = similarity._Hasher.minhash

    def minhash(self: similarity._Hasher, shingles: Any) -> tuple[int, ...]:
        computed.append(f"{len(shingles)} shingles")
        return real(self, shingles)

    monkeypatch.setattr(similarity._Hasher, "minhash", minhash)
    return computed


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
