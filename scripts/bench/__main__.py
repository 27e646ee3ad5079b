"""`python -m scripts.bench`: parse the flags and run the selected benchmarks (see scripts/bench/__init__.py)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import scripts.bench
from scripts.bench import (
    across,
    batch,
    built_cold_start,
    cold_start,
    configurations,
    cost,
    machine,
    memory,
    profiling,
    scaling,
    size,
    throughput,
)
from scripts.bench.documents import source_texts

FIGURES = (
    "throughput",
    "cold_start",
    "built_cold_start",
    "memory",
    "size",
    "batch",
    "cost",
    "scaling",
    "configurations",
    "across",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=scripts.bench.__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=120, help="documents in the throughput set")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (medians are printed)")
    parser.add_argument(
        "--cold-runs", type=int, default=15, help="fresh processes per side for the cold start (it is noisy)"
    )
    parser.add_argument("--only", default="", help=f"comma-separated subset of figures ({','.join(FIGURES)})")
    parser.add_argument("--profile", action="store_true", help="also profile the service path (cProfile)")
    parser.add_argument("--memory-mb", type=int, default=1769, help="Lambda memory size for the cost figure")
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    texts, origin = source_texts()
    machine.run(origin)
    tmp = Path(tempfile.mkdtemp(prefix="newsproc-bench-"))
    service = None
    if wanted("throughput"):
        service = throughput.run(texts, args)
        if args.profile:
            profiling.run(service.pipeline, service.inputs)
    elif wanted("cost") or wanted("batch"):
        service = throughput.setup(texts, args)
    if wanted("cold_start"):
        cold_start.run(texts, args, tmp)
    if wanted("built_cold_start"):
        built_cold_start.run(texts, args)
    if wanted("memory"):
        memory.run(texts, args, tmp)
    if wanted("size"):
        size.run()
    batch_size = 10
    if wanted("batch"):
        batch.run(args, service)
    if wanted("cost"):
        cost.run(texts, args, service, args.memory_mb, batch_size)
    if wanted("scaling"):
        scaling.run(texts, args, tmp)
    if wanted("across"):
        across.run(texts, args, service.pipeline if service else None)
    if wanted("configurations"):
        configurations.run(texts, args, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
