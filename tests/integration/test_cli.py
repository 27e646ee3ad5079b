"""The `newsproc` console script as users run it."""

import json
import subprocess
import sys

import pytest

from tests.conftest import EVENTS, ROOT

pytestmark = [pytest.mark.integration, pytest.mark.model]


def _newsproc(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "newsproc.cli", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=300)  # fmt: skip


def test_cli_process_prints_one_json_line_per_input_and_exits_zero_on_failed_documents() -> None:
    files = sorted(str(p) for p in (EVENTS / "articles").iterdir())
    done = _newsproc("process", *files)
    assert done.returncode == 0, done.stderr.decode()
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["source"]["key"] for r in results] == files
    assert {r["status"] for r in results} == {"PROCESSED", "FAILED"}


def test_cli_skip_cleaning_keeps_the_text_and_offsets_exactly() -> None:
    text = "Sign up to our newsletter.\n\nThe ‘Nairobi’ talks: President William Ruto’s plan.\n"
    done = _newsproc("process", "--skip-cleaning", "--format", "text", "-", stdin=text.encode())
    result = json.loads(done.stdout)
    assert result["clean_text"] == text
    assert all(text[m["start"] : m["end"]] == m["text"] for m in result["mentions"])
    assert any(m["text"] == "William Ruto" for m in result["mentions"])


def test_cli_usage_errors_exit_non_zero() -> None:
    assert _newsproc("process", "no-such-file.txt").returncode == 2
    assert _newsproc("frobnicate").returncode == 2
    assert _newsproc("redrive", "--local").returncode != 0 or (ROOT / ".newsproc-local.json").exists()
