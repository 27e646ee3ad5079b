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
from scripts.reliability import bad_input, duplicates, faults, load, poison
from scripts.reliability.harness import ScenarioResult, process_module

SCENARIOS: dict[str, Callable[..., ScenarioResult]] = {
    "duplicates": duplicates.run,
    "poison": poison.run,
    "faults": faults.run,
    "bad_input": bad_input.run,
    "load": load.run,
}
SMALL = {
    "duplicates": {"documents": 60},
    "poison": {},
    "faults": {"documents": 60},
    "bad_input": {"examples": 8, "big_mb": 50},
    "load": {"documents": 100},
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

    # The poison and faults scenarios make the handler log exceptions on purpose: keep stdout to the lines.
    use_local_environment(POWERTOOLS_LOG_LEVEL="CRITICAL", POWERTOOLS_METRICS_DISABLED="true")
    print("reliability: moto in process, resources from template.yaml, real ProcessDocumentFunction handler;")
    print("  short documents (~60 words each) so the 500/2,000-document scenarios run in minutes")
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
