"""bench[built_cold_start]: cold start of the built artifacts, each function in its own python3.12 worker.

Spawn to the first finished result: for ProcessDocumentFunction a direct `extract` call on a benchmark
text, for ApiFunction `GET /documents`. Workers run only the built code, the layers and the runtime's
boto3 (newsproc.local.built), against moto as a server; skipped when there is no build.
"""

from __future__ import annotations

import argparse
import logging
import statistics


def run(texts: list[str], args: argparse.Namespace) -> None:
    from newsproc.local.built import DEFAULT_BUILD_DIR, BuiltFunction, measure_cold_starts
    from newsproc.local.env import use_local_environment
    from newsproc.local.harness import moto_server
    from newsproc.local.lambda_runtime import http_api_event

    if not (DEFAULT_BUILD_DIR / "template.yaml").exists():
        print("bench[built_cold_start]: skipped (no .aws-sam/build: run `make build`)")
        return
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request access log
    use_local_environment()  # fake credentials and a region for moto; the workers get their own environment
    runs = max(1, min(args.cold_runs, 5))
    with moto_server() as stack:
        process = BuiltFunction.from_stack("ProcessDocumentFunction", stack)
        api = BuiltFunction.from_stack("ApiFunction", stack)
        try:
            extract = {"action": "extract", "body": texts[0], "kind": "text"}
            process_runs = measure_cold_starts(process, extract, runs)
            api_runs = measure_cold_starts(api, http_api_event("GET", "/documents"), runs)
        finally:
            process.stop()
            api.stop()
    errors = [r.function_error for r in process_runs + api_runs if r.function_error]

    def median(values: list[float | None]) -> float:
        return round(statistics.median(v for v in values if v is not None), 3)

    print(
        f"bench[built_cold_start]: process_first_result_s={median([r.total_s for r in process_runs])} "
        f"process_init_s={median([r.init_s for r in process_runs])} "
        f"api_first_response_s={median([r.total_s for r in api_runs])} "
        f"api_init_s={median([r.init_s for r in api_runs])} runs={runs} errors={len(errors)}"
    )
