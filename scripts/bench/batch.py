"""bench[batch]: per-batch and per-document time for SQS batch sizes 1, 5 and 10 (same documents)."""

from __future__ import annotations

import argparse

from scripts.bench.common import batched, emit, median_time
from scripts.bench.throughput import ServicePath


def run(args: argparse.Namespace, service: ServicePath) -> int:
    """The fastest batch size per document."""
    pipeline, inputs = service.pipeline, service.inputs[:30]
    per_doc = {}
    figures = {}
    for size in (1, 5, 10):
        groups = batched(inputs, size)
        seconds = median_time(lambda groups=groups: [pipeline.process_batch(g) for g in groups], args.runs)
        per_doc[size] = seconds / len(inputs)
        figures[f"b{size}_batch_ms"] = round(1000 * seconds / len(groups), 1)
    for size in (1, 5, 10):
        figures[f"b{size}_per_doc_ms"] = round(1000 * per_doc[size], 1)
    emit("batch", **figures, docs=len(inputs))
    return min(per_doc, key=per_doc.get)
