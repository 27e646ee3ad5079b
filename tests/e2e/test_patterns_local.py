"""`newsproc local --patterns FILE`: a deployment's own entities (a TICKER) through the local stack.

Starts the stack itself (in process, its own ports and config file), uploads an article to the raw
bucket and reads the stored result through the HTTP API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from typing import Any
from urllib.error import HTTPError

import pytest

from newsproc.media import document_id_for

pytestmark = pytest.mark.e2e

ARTICLE = (
    "Apple shares rise after strong iPhone sales\n\n"
    "Shares of Apple, traded as AAPL on the Nasdaq, rose 4 per cent on Thursday after the company reported "
    "record iPhone sales in China. Tim Cook, the chief executive, said demand stayed strong.\n\n"
    "Analysts in New York said AAPL could gain further if the company keeps its margins, while shares of "
    "Microsoft were flat.\n"
)


def _get(config: dict[str, Any], path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(config["api_url"] + path, timeout=60) as response:
            return response.status, json.loads(response.read().decode())
    except HTTPError as error:
        return error.code, None


def test_a_patterns_file_adds_a_ticker_entity_through_the_local_stack(tmp_path) -> None:
    check_ticker(stored_result_with_patterns(tmp_path, "--in-process"))


def stored_result_with_patterns(tmp_path, mode: str) -> dict[str, Any]:
    """`newsproc local <mode> --patterns F` (mode: --in-process or --built): the stored result of ARTICLE."""
    import boto3

    from tests.conftest import ROOT
    from tests.e2e.conftest import _free_port

    patterns = tmp_path / "tickers.jsonl"
    patterns.write_text(
        '{"label": "TICKER", "pattern": "AAPL"}\n{"label": "TICKER", "pattern": "MSFT"}\n', encoding="utf-8"
    )
    config_path = tmp_path / "local.json"
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "ENTITY_PATTERNS")}
    command = [sys.executable, "-m", "newsproc.cli", "local", mode, "--port", str(_free_port()),
               "--api-port", str(_free_port()), "--config", str(config_path), "--patterns", str(patterns)]  # fmt: skip
    with open(tmp_path / "stack.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while not config_path.exists():
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "stack.log").read_text()
            time.sleep(0.3)
        config = json.loads(config_path.read_text())
        s3 = boto3.client("s3", endpoint_url=config["endpoint_url"], region_name=config["region"])
        key = "markets/apple.txt"
        s3.put_object(Bucket=config["raw_bucket"], Key=key, Body=ARTICLE.encode(), ContentType="text/plain")
        document_id = document_id_for(config["raw_bucket"], key)
        result = None
        deadline = time.monotonic() + 120
        while result is None and time.monotonic() < deadline:
            status, body = _get(config, f"/documents/{document_id}")
            result = body if status == 200 else None
            time.sleep(0.5)
        assert result is not None, (tmp_path / "stack.log").read_text()[-3000:]
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    return result


def check_ticker(result: dict[str, Any]) -> None:
    assert result["status"] == "PROCESSED"
    tickers = [e for e in result["entities"] if e["label"] == "TICKER"]
    assert [(e["name"], e["count"]) for e in tickers] == [("AAPL", 2)], result["entities"]
    assert [m["text"] for m in result["mentions"] if m["label"] == "TICKER"] == ["AAPL", "AAPL"]
    # the model's entities that do not overlap a custom match stay
    assert any(e["label"] == "PERSON" and e["name"] == "Tim Cook" for e in result["entities"])
