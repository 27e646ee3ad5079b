"""bench[machine]: where and on what the figures were taken."""

from __future__ import annotations

import os
import sys
from datetime import date

from scripts.bench.common import emit


def run(origin: str) -> None:
    emit(
        "machine",
        cpus=os.cpu_count(),
        affinity_cpus=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        python=sys.version.split()[0],
        platform=sys.platform,
        date=date.today().isoformat(),
        documents=origin,
        load1=round(os.getloadavg()[0], 2),
    )
