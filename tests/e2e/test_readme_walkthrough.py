"""The README's walkthrough, run as written against the local stack (so the README cannot drift).

The `$ ` lines between the walkthrough markers of README.md are run with bash, with the variables the
README tells the user to set (NEWSPROC_ENDPOINT, NEWSPROC_API from the stack's config, the AWS CLI's
credentials, .tools/bin on PATH); each must exit 0 and print what the README shows: JSON compared as
JSON (timestamps aside, every shown field and list item present), other output line by line. A command
is retried for a while, as a user would, because documents are processed asynchronously.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def walkthrough() -> list[tuple[str, str]]:
    """(command, output shown) for each `$ ` line of the README's walkthrough."""
    text = (ROOT / "README.md").read_text().split(START, 1)[1].split(END, 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in text.strip().removeprefix("```").removesuffix("```").strip("\n").splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before the first command: {line!r}"
            steps[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in steps]


def test_readme_walkthrough_is_parsed() -> None:
    steps = walkthrough()
    assert [c.split()[0] for c, _ in steps] == ["aws", "curl", "curl", "curl"]
    assert all("$NEWSPROC_" in command for command, _ in steps)
    assert "127.0.0.1" not in "".join(c for c, _ in steps), "ports come from the variables, not the README"


def _matches(shown: Any, actual: Any) -> bool:
    """`actual` holds what is shown: same scalars (timestamps aside), every key, every list item."""
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in shown.items())
    if isinstance(shown, list):
        return isinstance(actual, list) and all(any(_matches(s, a) for a in actual) for s in shown)
    if isinstance(shown, str) and _TIMESTAMP.match(shown):
        return isinstance(actual, str) and bool(_TIMESTAMP.match(actual))
    return shown == actual


def _all_pages(actual: Any, stack: dict[str, Any], command: str) -> Any:
    """A listing of the shared stack holds the other e2e tests' documents too: read its further pages."""
    path = re.search(r"\$NEWSPROC_API(/[^\"' ]*)", command)
    if not (isinstance(actual, dict) and actual.get("next") and path):
        return actual
    merged = dict(actual)
    while merged.get("next"):
        separator = "&" if "?" in path[1] else "?"
        url = f"{stack['api_url']}{path[1]}{separator}next={merged['next']}"
        with urllib.request.urlopen(url, timeout=60) as response:
            page = json.loads(response.read())
        merged = {**page, "documents": merged["documents"] + page["documents"]}
    return merged | {"next": None}


def _shown_in(shown: str, output: str, stack: dict[str, Any], command: str) -> bool:
    try:
        expected = json.loads(shown)
    except ValueError:
        lines = {line.strip() for line in re.split(r"[\r\n]+", output)}
        return all(line.strip() in lines for line in shown.splitlines() if line.strip())
    try:
        actual = json.loads(output)
    except ValueError:
        return False
    return _matches(expected, actual) or _matches(expected, _all_pages(actual, stack, command))


def test_readme_walkthrough_runs_as_written(local_stack) -> None:
    tools = ROOT / ".tools" / "bin"
    path = f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "PATH": path,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "NEWSPROC_ENDPOINT": local_stack["endpoint_url"], "NEWSPROC_API": local_stack["api_url"],
    }  # fmt: skip
    skipped = []
    for command, shown in walkthrough():
        needed = {word for word in ("aws", "curl", "jq") if re.search(rf"(^|\| ){word} ", command)}
        missing = [tool for tool in sorted(needed) if shutil.which(tool, path=path) is None]
        if missing:
            if os.environ.get("CI") or "aws" in missing:  # without the upload nothing else can run
                pytest.fail(f"{', '.join(missing)} not installed (`make tools`; apt-get install jq curl): {command}")
            skipped.append(command)
            continue
        deadline = time.monotonic() + 180
        while True:
            done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
            if done.returncode == 0 and _shown_in(shown, done.stdout, local_stack, command):
                break
            assert time.monotonic() < deadline, (
                f"`{command}` exited {done.returncode}; shown in the README:\n{shown}\n"
                f"printed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
            )
            time.sleep(1)
    if skipped:
        pytest.skip(f"not installed here, not run: {skipped}")
