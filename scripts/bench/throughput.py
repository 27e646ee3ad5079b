"""bench[throughput]: words of clean text per second, naive spaCy vs the bare limit vs the service path."""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scripts.bench.common import MODEL_PACKAGE, batched, emit
from scripts.bench.documents import WORD, document_inputs, raw_documents

LIMIT_BATCH_SIZE = 16


@dataclass
class ServicePath:
    """The service's pipeline and the raw documents it processes (used again by batch and cost)."""

    pipeline: Any
    inputs: list[Any]


def setup(texts: Sequence[str], args: argparse.Namespace) -> ServicePath:
    """The pipeline and documents alone, when batch or cost run without throughput."""
    from newsproc.pipeline.extract import load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    return ServicePath(DocumentPipeline(load_nlp()), document_inputs(raw_documents(texts[: args.docs])))


def run(texts: Sequence[str], args: argparse.Namespace) -> ServicePath:
    from newsproc.pipeline.extract import UNUSED_COMPONENTS, load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    model = importlib.import_module(MODEL_PACKAGE)
    naive_nlp = model.load()
    limit_nlp = model.load(exclude=list(UNUSED_COMPONENTS))
    pipeline = DocumentPipeline(load_nlp())

    raw = raw_documents(texts[: args.docs])
    inputs = document_inputs(raw)
    # The clean texts, exactly as the service produces them (and hands them to the NER).
    prepared = pipeline.process_batch(inputs)
    ok = [r for r in prepared if r.status.value == "PROCESSED"]
    clean = [r.clean_text for r in ok]
    ok_ids = {r.document_id for r in ok}
    inputs = [d for d in inputs if d.document_id in ok_ids]
    words = sum(len(WORD.findall(t)) for t in clean)
    raw_words = sum(len(WORD.findall(d.data.decode("utf-8", "replace"))) for d in inputs)

    def naive() -> None:
        for text in clean:
            naive_nlp(text)

    def limit() -> None:
        # batch_size 16 (the service's): faster here than spaCy's default of 1000, so the stricter limit
        for _ in limit_nlp.pipe(clean, batch_size=LIMIT_BATCH_SIZE):
            pass

    def service() -> None:
        for batch in batched(inputs, 10):
            pipeline.process_batch(batch)

    # warm-up (lazy imports: trafilatura, py3langid; spaCy caches), then interleaved runs
    naive_nlp(clean[0])
    list(limit_nlp.pipe(clean[:2]))
    pipeline.process_batch(inputs[:5])
    times: dict[str, list[float]] = {"naive": [], "limit": [], "service": []}
    for _ in range(args.runs):
        for name, fn in (("naive", naive), ("limit", limit), ("service", service)):
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    med = {k: statistics.median(v) for k, v in times.items()}
    wps = {k: words / v for k, v in med.items()}
    emit(
        "throughput",
        naive_wps=round(wps["naive"]),
        limit_wps=round(wps["limit"]),
        service_wps=round(wps["service"]),
        service_over_naive=round(wps["service"] / wps["naive"], 3),
        service_over_limit=round(wps["service"] / wps["limit"], 3),
        docs=len(clean),
        limit_batch_size=LIMIT_BATCH_SIZE,
        words=words,
        raw_words=raw_words,
        runs=args.runs,
        storage="excluded",
        **{f"{k}_runs_s": "/".join(f"{t:.2f}" for t in v) for k, v in times.items()},
    )
    return ServicePath(pipeline, inputs)
