"""bench[memory]: peak RSS of a fresh process after init and after a 100 kB and a 2 MB article."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from scripts.bench.common import emit, python_child
from scripts.bench.documents import article_of_size

CHILD = "bench_memory.py"


def run(texts: Sequence[str], args: argparse.Namespace, tmp: Path) -> dict:
    figures = {}
    for label, n_bytes in (("kb100", 100_000), ("mb2", 2_000_000)):
        path = tmp / f"mem-{label}.txt"
        path.write_bytes(article_of_size(n_bytes, texts))
        _wall, out = python_child(CHILD, str(path))
        figures[label] = out
    emit(
        "memory",
        kb100_peak_rss_mb=round(figures["kb100"]["peak_mb"]),
        mb2_peak_rss_mb=round(figures["mb2"]["peak_mb"]),
        after_init_rss_mb=round(figures["kb100"]["init_mb"]),
        mb2_seconds=round(figures["mb2"]["seconds"], 1),
        mb2_result_json_mb=round(figures["mb2"]["result_json_mb"], 2),
    )
    return figures
