"""`python -m scripts.reliability [scenario ...] [--small]`: run the scenarios, one line each."""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import sys
import time
from collections.abc import Callable

import scripts.reliability
from scripts.reliability import (
    api_delete,
    bad_input,
    deferral,
    duplicates,
    faults,
    foreign_bucket,
    forged_tokens,
    future_removal,
    large_result,
    load,
    malformed,
    oversized_metadata,
    poison,
)
from scripts.reliability.harness import (
    TIME_SCALE,
    ScenarioResult,
    function_timeout_s,
    process_module,
    scaled_seconds,
)

SCENARIOS: dict[str, Callable[..., ScenarioResult]] = {
    "duplicates": duplicates.run,
    "poison": poison.run,
    "malformed": malformed.run,
    "faults": faults.run,
    "bad_input": bad_input.run,
    "load": load.run,
    "oversized_metadata": oversized_metadata.run,
    "future_removal": future_removal.run,
    "deferral": deferral.run,
    "api_delete": api_delete.run,
    "large_result": large_result.run,
    "forged_tokens": forged_tokens.run,
    "foreign_bucket": foreign_bucket.run,
}
SMALL = {
    "duplicates": {"documents": 60},
    "poison": {},
    "malformed": {},
    "faults": {"documents": 60},
    "bad_input": {"examples": 8, "big_mb": 50},
    "load": {"documents": 100},
    "oversized_metadata": {},
    "future_removal": {},
    "deferral": {},
    "api_delete": {},
    # A 100 KB article (~0.5 MB result) against MAX_RESPONSE_BYTES=300000 instead of 2 MB against 5 MB.
    "large_result": {"article_bytes": 100_000, "max_response_bytes": 300_000},
    "forged_tokens": {},
    "foreign_bucket": {},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.reliability", description=scripts.reliability.__doc__.splitlines()[0]
    )
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--small", action="store_true", help="test sizes (60 documents) instead of the issue's")
    args = parser.parse_args(argv)
    names = args.scenarios or list(SCENARIOS)
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    from newsproc.local.env import use_local_environment
    from newsproc.local.template import Template

    # The poison and faults scenarios make the handler log exceptions on purpose: keep stdout to the lines.
    use_local_environment(POWERTOOLS_LOG_LEVEL="CRITICAL", POWERTOOLS_METRICS_DISABLED="true")
    print("reliability: moto in process, resources from template.yaml, real ProcessDocumentFunction handler;")
    print("  short documents (~60 words each) so the 500/2,000-document scenarios run in minutes;")
    visibility = float(Template.load().properties("IngestQueue")["VisibilityTimeout"])
    print(
        f"  template times / {TIME_SCALE}: IngestQueue VisibilityTimeout {visibility:g} s -> "
        f"{scaled_seconds(visibility):g} s, ProcessDocumentFunction Timeout {function_timeout_s():g} s -> "
        f"{scaled_seconds(function_timeout_s()):g} s"
    )
    process_module()
    ok = True
    for name in names:
        # Earlier scenarios leave a large heap; hypothesis allocates heavily, and full collections
        # over that heap made bad_input crawl (20+ minutes instead of ~10 s). Freeze what exists.
        gc.collect()
        gc.freeze()
        started = time.perf_counter()
        # Powertools flushes metrics (EMF JSON) to stdout every 100 values: keep only our lines.
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            result = SCENARIOS[name](**(SMALL[name] if args.small else {}))
        print(result.line() + f" wall_s={time.perf_counter() - started:.1f}", flush=True)
        ok &= result.tally.lost == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
