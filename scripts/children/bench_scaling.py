"""Scaling child of `python -m scripts.bench --only scaling`: median process() time per article size.

    python scripts/children/bench_scaling.py RUNS PATH [PATH ...]

Prints one JSON line: {PATH: median seconds} (one warm-up per article; RUNS - 1 runs from 500 kB).
"""

import json
import statistics
import sys
import time


def main(runs: int, paths: list[str]) -> dict[str, float]:
    from newsproc.media import DocumentInput
    from newsproc.models import Source
    from newsproc.pipeline.extract import load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    pipeline = DocumentPipeline(load_nlp())
    out = {}
    for path in paths:
        with open(path, "rb") as file:
            data = file.read()
        doc = DocumentInput("s", data, Source(bucket="b", key="a.txt", size=len(data)))
        pipeline.process(doc)  # warm, and caches of this size
        times = []
        for _ in range(runs if len(data) < 500_000 else max(1, runs - 1)):
            t0 = time.perf_counter()
            pipeline.process(doc)
            times.append(time.perf_counter() - t0)
        out[path] = statistics.median(times)
    return out


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), sys.argv[2:])))
