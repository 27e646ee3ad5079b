"""Memory child of `python -m scripts.bench --only memory`: peak RSS after init and after one article.

    python scripts/children/bench_memory.py PATH

Prints one JSON line: init_mb, peak_mb (VmHWM), seconds, entities, result_json_mb.
"""

import json
import sys
import time


def hwm_mb() -> float:
    """VmHWM: peak RSS of this process image (ru_maxrss would carry the parent's over fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(path: str) -> dict:
    from newsproc.media import DocumentInput
    from newsproc.models import Source
    from newsproc.pipeline.extract import load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    pipeline = DocumentPipeline(load_nlp())
    init_mb = hwm_mb()
    with open(path, "rb") as file:
        data = file.read()
    t0 = time.perf_counter()
    result = pipeline.process(DocumentInput("mem", data, Source(bucket="b", key="a.txt", size=len(data))))
    seconds = time.perf_counter() - t0
    assert result.status.value == "PROCESSED", result.error
    return {"init_mb": init_mb, "peak_mb": hwm_mb(), "seconds": seconds, "entities": len(result.entities),
            "result_json_mb": len(result.model_dump_json()) / 1e6}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
