"""The `newsproc` console script as users run it."""

import json
import re
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


SUMMARY = re.compile(r"newsproc process: processed (\d+), failed (\d+)(?: \(([^)]*)\))?, in \d+\.\d s(.*)")


def _summary(done: subprocess.CompletedProcess[bytes]) -> tuple[int, int, str | None, str]:
    """The last stderr line: the one-line summary (no traceback anywhere)."""
    err = done.stderr.decode()
    assert "Traceback" not in err
    match = SUMMARY.fullmatch(err.splitlines()[-1])
    assert match, err
    return int(match[1]), int(match[2]), match[3], match[4]


def test_cli_summary_counts_failures_by_code() -> None:
    files = sorted(str(p) for p in (EVENTS / "articles").iterdir())
    done = _newsproc("process", *files)
    assert _summary(done)[:3] == (len(files) - 1, 1, "unsupported_media_type 1")  # the .pdf


def test_cli_directories_globs_and_out_dir(tmp_path) -> None:
    out = tmp_path / "results"
    done = _newsproc("process", "events/articles", "events/**/*.txt", "--out", str(out))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    known = sorted(str(p.relative_to(ROOT)) for p in (EVENTS / "articles").iterdir() if p.suffix != ".pdf")
    results = {p.name: json.loads(p.read_text()) for p in out.iterdir()}
    assert sorted(r["source"]["key"] for r in results.values()) == known  # the .txt matched twice, processed once
    assert all(name == f"{r['document_id']}.json" for name, r in results.items())
    assert _summary(done) == (len(known), 0, None, f"; results in {out}/")


def test_cli_language_declares_the_inputs_language() -> None:
    short = b"Angela Merkel visited Paris."  # too short to identify: no entities without the flag
    assert json.loads(_newsproc("process", "-", stdin=short).stdout)["warnings"][0]["code"] == "language_unknown"
    result = json.loads(_newsproc("process", "--language", "en", "-", stdin=short).stdout)
    assert result["metadata"]["language"] == "en" and not result["warnings"]
    assert {e["name"] for e in result["entities"]} >= {"Angela Merkel", "Paris"}
    own = json.dumps({"text": short.decode(), "language": "de"}).encode()  # the document's own declaration wins
    assert json.loads(_newsproc("process", "--language", "en", "-", stdin=own).stdout)["metadata"]["language"] == "de"


def test_cli_recognises_a_json_body_on_stdin_unless_format_says_otherwise() -> None:
    body = json.dumps({"title": "Talks in Nairobi", "text": "President William Ruto met Amina Diallo in Nairobi."})
    result = json.loads(_newsproc("process", "-", stdin=body.encode()).stdout)
    assert (result["source"]["key"], result["metadata"]["title"]) == ("stdin.json", "Talks in Nairobi")
    assert result["clean_text"].startswith("President William Ruto")
    as_text = json.loads(_newsproc("process", "--format", "text", "--skip-cleaning", "-", stdin=body.encode()).stdout)
    assert as_text["clean_text"] == body


def test_cli_shows_a_progress_bar_when_stderr_is_a_terminal() -> None:
    import fcntl
    import os
    import pty
    import struct
    import termios

    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with os.fdopen(master, "rb", buffering=0) as screen:
        done = subprocess.run([sys.executable, "-m", "newsproc.cli", "process", "--batch-size", "1",
                               "events/articles"], cwd=ROOT, stdout=subprocess.PIPE, stderr=terminal,
                              timeout=300)  # fmt: skip
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = screen.read(65536)
            except OSError:  # EIO: the terminal is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 3  # results stay on stdout
    text = shown.decode()
    assert "processing: 100%" in text and "3/3" in text
    assert text.rstrip().splitlines()[-1].startswith("newsproc process: processed 3, failed 0")
