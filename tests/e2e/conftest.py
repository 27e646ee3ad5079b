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


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    config_path = tmp_path_factory.mktemp("stack") / "local.json"
    log_path = config_path.with_suffix(".log")
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    command = [sys.executable, "-m", "newsproc.cli", "local", "--port", str(_free_port()),
               "--api-port", str(_free_port()), "--config", str(config_path)]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not config_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"local stack did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)
    config = json.loads(config_path.read_text()) | {"log": str(log_path)}
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
