"""The local stack as a subprocess (`newsproc local`), on free loopback ports."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BUILD = ROOT / ".aws-sam" / "build"


def built_stack_problem() -> str | None:
    """Why the built mode cannot run here (no build, or one older than the sources), or None."""
    template = BUILD / "template.yaml"
    if not template.exists():
        return "no build under .aws-sam/build (run `make build`)"
    built_at = template.stat().st_mtime
    sources = [p for d in ("src/newsproc", "functions", "layers") for p in (ROOT / d).rglob("*") if p.is_file()]
    newer = [p for p in sources if p.stat().st_mtime > built_at and "__pycache__" not in p.parts]
    if newer:
        return f"the build is older than {newer[0].relative_to(ROOT)} (run `make build`)"
    return None


@pytest.fixture(scope="session", params=["in-process", pytest.param("built", marks=pytest.mark.build)], ids=lambda p: p)
def local_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`newsproc local` in both modes: in process, and the built functions in python3.12 workers.

    The built mode is skipped without a current build, except under NEWSPROC_REQUIRE_BUILT=1 (`make
    test-built`, which CI runs after `make build`), where a missing or stale build fails.
    """
    mode = request.param
    if mode == "built" and (problem := built_stack_problem()):
        if os.environ.get("NEWSPROC_REQUIRE_BUILT") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    config_path = tmp_path_factory.mktemp("stack") / "local.json"
    log_path = config_path.with_suffix(".log")
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    command = [sys.executable, "-m", "newsproc.cli", "local", "--port", str(_free_port()),
               "--api-port", str(_free_port()), "--config", str(config_path), f"--{mode}"]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not config_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"local stack did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)
    config = json.loads(config_path.read_text()) | {"log": str(log_path), "mode": mode}
    yield config
    process.send_signal(signal.SIGINT)  # Ctrl-C
    try:
        returncode = process.wait(timeout=120)  # generous: the stack itself stops within ~10 s
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("local stack did not stop on Ctrl-C")
    assert returncode == 0, Path(log_path).read_text()[-3000:]
    assert not config_path.exists(), "the config file is removed on a clean stop"


@pytest.fixture(scope="session")
def s3(local_stack: dict[str, Any]) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=local_stack["endpoint_url"], region_name=local_stack["region"])
