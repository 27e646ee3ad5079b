"""bench[cold_start]: spawn of a fresh process to its first result, naive spaCy vs the service's init.

Each side runs scripts/children/bench_cold_start.py in --cold-runs fresh processes, interleaved.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
from collections.abc import Sequence
from pathlib import Path

from scripts.bench.common import ROOT, emit, python_child
from scripts.bench.documents import scraped

CHILD = "bench_cold_start.py"


def compile_sources() -> None:
    """The deployed layers ship bytecode (layers/slim.sh) and pip compiled the installed packages, but the
    editable newsproc would be compiled from source in every child (CI and this machine set
    PYTHONDONTWRITEBYTECODE): compile it once, as the layer build does."""
    for tree in (ROOT / "src" / "newsproc", ROOT / "functions" / "process_document"):
        compileall.compile_dir(tree, quiet=1)


def run(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> None:
    raw = tmp / "cold.txt"
    raw.write_bytes(scraped(texts[0], 0, "txt")[1])
    clean = tmp / "cold-clean.txt"
    clean.write_text(texts[0], encoding="utf-8")
    compile_sources()
    # cold start = spawn of the fresh process to its first finished result (a Lambda never exits, so
    # the interpreter's teardown is not part of it; with_exit_s shows spawn to exit for reference)
    runs: dict[str, list[dict[str, float]]] = {"naive": [], "service": []}
    for _ in range(args.cold_runs):  # interleaved, fresh processes
        for name, path in (("naive", clean), ("service", raw)):
            wall, out = python_child(CHILD, name, str(path))
            runs[name].append(
                {
                    "cold": out["spawn_to_done_s"],
                    "init": out["init_s"],
                    # with SnapStart the init phase is restored from a snapshot: the first request is left
                    "first_request": out["first_s"] - out["init_s"],
                    "with_exit": wall,
                    # garbage collection up to the first result (the service freezes its init objects)
                    "gc": out["gc_s"],
                }
            )

    def series(name: str, key: str) -> list[float]:
        return [run[key] for run in runs[name]]

    cold = {name: statistics.median(series(name, "cold")) for name in runs}
    details = {
        f"{name}_{key}_s": round(statistics.median(series(name, key)), digits)
        for key, digits in (("init", 2), ("first_request", 3), ("with_exit", 2), ("gc", 3))
        for name in runs
    }
    # the spread shows how much of the ratio is machine noise
    spread = {
        f"{name}_quartiles_s": "/".join(f"{q:.2f}" for q in statistics.quantiles(series(name, "cold"), n=4))
        for name in runs
    }
    emit(
        "cold_start",
        naive_s=round(cold["naive"], 2),
        service_s=round(cold["service"], 2),
        service_over_naive=round(cold["service"] / cold["naive"], 3),
        **details,
        runs=args.cold_runs,
        **spread,
        runs_service_faster=sum(s < n for n, s in zip(series("naive", "cold"), series("service", "cold"), strict=True)),
    )
