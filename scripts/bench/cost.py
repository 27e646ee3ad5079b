"""bench[cost]: US dollars per 1,000 articles of 4,500 characters, from the measured CPU time.

Prices (US East, N. Virginia) as published on https://aws.amazon.com/lambda/pricing/ (x86, first
6 billion GB-seconds a month; $0.20 per million requests) and https://aws.amazon.com/comprehend/pricing/
(DetectEntities $0.0001 per 100-character unit, 3 units minimum), the figures given in issue 7 and
its brief. PRICE_DATE is when they were taken for this script; they were not re-read online here.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from scripts.bench.common import batched, emit
from scripts.bench.documents import document_inputs, scraped
from scripts.bench.throughput import ServicePath

PRICE_DATE = "2026-12-01"
LAMBDA_X86_USD_PER_GB_S = 0.0000166667
LAMBDA_USD_PER_REQUEST = 0.20 / 1_000_000
COMPREHEND_USD_PER_UNIT = 0.0001  # DetectEntities, per 100 characters
COMPREHEND_MIN_UNITS = 3
COST_ARTICLE_CHARS = 4_500


def run(texts: Sequence[str], args: argparse.Namespace, service: ServicePath, memory_mb: int, batch_size: int) -> None:
    """Per 1,000 articles of 4,500 characters, from the measured CPU time of the service path."""
    pipeline = service.pipeline
    pool = " ".join(t.replace("\n", " ") for t in texts[:200])
    articles = []
    for i in range(30):
        start = (i * 3_917) % max(1, len(pool) - COST_ARTICLE_CHARS)
        body = pool[start : start + COST_ARTICLE_CHARS]
        articles.append(scraped(body.rsplit(" ", 1)[0], 1000 + i, "txt"))
    inputs = document_inputs(articles)
    pipeline.process_batch(inputs[:batch_size])  # warm
    cpu, wall = [], []
    for _ in range(args.runs):
        c0, w0 = time.process_time(), time.perf_counter()
        for batch in batched(inputs, batch_size):
            pipeline.process_batch(batch)
        cpu.append((time.process_time() - c0) / len(inputs))
        wall.append((time.perf_counter() - w0) / len(inputs))
    cpu_s, wall_s = statistics.median(cpu), statistics.median(wall)
    # At 1,769 MB a function has one full vCPU: billed duration ~ CPU time of this single-threaded path.
    vcpu_share = min(1.0, memory_mb / 1769)
    billed_s = max(cpu_s, wall_s) / vcpu_share
    gb = memory_mb / 1024
    usd = 1000 * billed_s * gb * LAMBDA_X86_USD_PER_GB_S + (1000 / batch_size) * LAMBDA_USD_PER_REQUEST
    units = max(COMPREHEND_MIN_UNITS, -(-COST_ARTICLE_CHARS // 100))
    comprehend = 1000 * units * COMPREHEND_USD_PER_UNIT
    emit(
        "cost",
        usd_per_1000=round(usd, 4),
        comprehend_usd_per_1000=round(comprehend, 2),
        memory_mb=memory_mb,
        price_per_gb_s=f"{LAMBDA_X86_USD_PER_GB_S:.10f}",
        usd_per_request=f"{LAMBDA_USD_PER_REQUEST:.1e}",
        batch_size=batch_size,
        cpu_ms_per_article=round(cpu_s * 1000, 1),
        wall_ms_per_article=round(wall_s * 1000, 1),
        price_date=PRICE_DATE,
        comprehend_over_service=round(comprehend / usd, 1),
    )
