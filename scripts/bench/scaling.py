"""bench[scaling]: process() time of one fresh process over articles of 1 kB to 1 MB."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from scripts.bench.common import emit, python_child
from scripts.bench.documents import article_of_size

CHILD = "bench_scaling.py"
SIZES = {"kb1": 1_000, "kb10": 10_000, "kb100": 100_000, "kb1000": 1_000_000}


def run(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> None:
    paths = {}
    for label, n in SIZES.items():
        paths[label] = tmp / f"scale-{label}.txt"
        paths[label].write_bytes(article_of_size(n, texts))
    _wall, out = python_child(CHILD, str(args.runs), *(str(p) for p in paths.values()))
    ms = {label: out[str(path)] * 1000 for label, path in paths.items()}
    emit(
        "scaling",
        **{f"{label}_ms": round(v, 1) for label, v in ms.items()},
        **{f"{label}_us_per_byte": round(1000 * ms[label] / SIZES[label], 2) for label in SIZES},
    )
