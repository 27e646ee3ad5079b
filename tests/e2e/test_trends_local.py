"""End to end through `newsproc local`: an article dropped in S3 is processed, its entity items reach the
trend counters through the documents table's stream (the stack's stream poller and CountEntitiesFunction),
and GET /trends and the timeline answer them over HTTP."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from tests.conftest import EVENTS

pytestmark = pytest.mark.e2e


def _get(config: dict[str, Any], path: str) -> dict[str, Any]:
    with urllib.request.urlopen(config["api_url"] + path, timeout=60) as response:
        return json.loads(response.read())


def test_an_article_reaches_the_trends_and_its_timeline(local_stack: dict[str, Any], s3: Any) -> None:
    body = (EVENTS / "articles" / "berlin-marathon.json").read_bytes()  # published 2024-09-29
    s3.put_object(Bucket=local_stack["raw_bucket"], Key="e2e-trends/berlin.json", Body=body)
    deadline, kipruto = time.monotonic() + 240, None
    while kipruto is None and time.monotonic() < deadline:
        trends = _get(local_stack, "/trends?label=PERSON&from=2024-09-29&to=2024-09-29")
        kipruto = next((e for e in trends["entities"] if e["key"] == "amos kipruto"), None)
        time.sleep(0.5)
    assert kipruto is not None, f"not counted in 240 s; the stack's log: {local_stack['log']}"
    assert kipruto["documents"] >= 1 and kipruto["mentions"] >= 3 and kipruto["previous_documents"] == 0
    timeline = _get(
        local_stack, "/entities/PERSON/Amos%20Kipruto/timeline?from=2024-09-01&to=2024-09-30&granularity=week"
    )
    assert {"period": "2024-09-23", "documents": kipruto["documents"], "mentions": kipruto["mentions"]} in timeline[
        "periods"
    ]
