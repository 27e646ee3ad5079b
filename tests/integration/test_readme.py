"""The README's demo output is what `make demo` prints now (`make readme` rewrites it)."""

import os
import re
import subprocess
import sys

import pytest

from scripts.demo import README, readme_block
from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.model]


def test_readme_demo_block_is_the_demo_output() -> None:
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    done = subprocess.run([sys.executable, "scripts/demo.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    shown = readme_block(README.read_text())
    assert shown == done.stdout, "README.md's demo block is stale: run `make readme`"
    assert not re.search(r"\d+(\.\d+)?\s*(ms|s)\b|seconds", shown), "timings in the README's demo block"
