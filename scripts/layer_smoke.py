"""Import smoke test of the built Lambda layers under python3.12 (the Lambda runtime's version).

Runs the process path (newsproc.pipeline.extract.load_nlp + DocumentPipeline.process_batch on a text and an
HTML article, and the optional trafilatura HTML path) in a fresh python3.12 whose sys.path is only the
CoreLayer and NlpLayer build directories, as /opt/python is on Lambda. The child programs are files,
scripts/children/layer_process.py and scripts/children/layer_api.py, started by path. boto3 is not needed: the process
path does no I/O.

    python scripts/layer_smoke.py [--build-dir .aws-sam/build] [--python python3.12] [--modules]

Then imports the ApiFunction handler with only the CoreLayer and the runtime's boto3 (installed for
python3.12 into .aws-sam/runtime-sdk, as Lambda provides it) and builds its OpenAPI schema.

Prints `layer_smoke: ok python=3.12.1 entities=... html_entities=... seconds=... api_init_seconds=...`
and exits 0, or
prints `layer_smoke: FAIL ...` and exits 1 (2 when the build or python3.12 is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from newsproc.local.lambda_env import find_python312, runtime_sdk

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("CoreLayer", "NlpLayer")

SAMPLE_TEXT = (
    "Lisbon council approves new harbour bridge\n\n"
    "LISBON (Reuters) - Lisbon's city council on Monday approved a new bridge over the Tagus river, "
    "Mayor Carlos Moedas said, after the European Investment Bank agreed to lend 1.8 billion euros. "
    "Moedas told reporters in Lisbon that construction would start in 2026.\n\n"
    "Sign up to our newsletter\n"
)

# The programs run by the python3.12 child (real files, started by path). Each prints one JSON line.
CHILDREN = ROOT / "scripts" / "children"
PROCESS_CHILD = CHILDREN / "layer_process.py"
API_CHILD = CHILDREN / "layer_api.py"


def sample_html() -> str:
    path = ROOT / "events" / "articles" / "wind-farm.html"
    if path.exists():
        return path.read_text(encoding="utf-8")
    body = "".join(f"<p>{SAMPLE_TEXT}</p>" for _ in range(3))
    return f"<html><head><title>Bridge</title></head><body><article>{body}</article></body></html>"


def run_child(argv: list[str], pythonpath: list[Path], label: str, cwd: Path | None = None, **env: str) -> dict:
    """Run a fresh python3.12 child like Lambda does: only the runtime's stdlib and the given paths (no
    user site, no inherited PYTHONPATH, no bytecode written); its last stdout line is JSON."""
    child_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(str(p) for p in pythonpath),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        **env,
    }
    proc = subprocess.run(argv, capture_output=True, text=True, env=child_env, timeout=300, cwd=cwd)
    if proc.returncode != 0:
        raise RuntimeError(f"{label}: " + (proc.stderr.strip()[-3000:] or f"exit code {proc.returncode}"))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(build_dir: Path, python: str, *, modules: bool = False) -> dict:
    # -P: the child's own folder is not put on sys.path, only the layers are there
    argv = [python, "-s", "-P", str(PROCESS_CHILD), SAMPLE_TEXT, sample_html()]
    if modules:
        argv.append("--modules")
    return run_child(argv, [build_dir / layer / "python" for layer in LAYERS], "process path")


def check(result: dict, build_dir: Path) -> list[str]:
    problems = []
    if result["status"] != ["PROCESSED", "PROCESSED"]:
        problems.append(f"status={result['status']} errors={result['errors']}")
    txt_entities = {tuple(e) for e in result["entities"][0]}
    for expected in [("Carlos Moedas", "PERSON"), ("European Investment Bank", "ORG")]:
        if expected not in txt_entities:
            problems.append(f"missing entity {expected} in {sorted(txt_entities)}")
    if not result["entities"][1]:
        problems.append("no entities from the HTML sample (markup path)")
    if result.get("trafilatura_words", 0) < 20:
        problems.append(f"the trafilatura HTML path gave {result.get('trafilatura_words')} words")
    if not result.get("signature_bands"):
        problems.append("no near-duplicate signature for the text sample")
    if not result.get("linked_places"):
        problems.append("no place linked to the gazetteer in either sample")
    allowed = {str(build_dir / layer) for layer in LAYERS}
    strays = [p for p in result["paths"] if p not in allowed]
    if strays:
        problems.append(f"modules imported from outside the layers: {strays}")
    return problems


def run_api(build_dir: Path, python: str) -> dict:
    """Import the ApiFunction handler with only the CoreLayer and the runtime's boto3, as on Lambda
    (the function's folder first on the path, as /var/task is)."""
    function_dir = build_dir / "ApiFunction"
    return run_child(
        [python, "-s", "-P", str(API_CHILD)],
        [function_dir, build_dir / "CoreLayer" / "python", runtime_sdk(python)],
        "ApiFunction",
        cwd=function_dir,
        TABLE_NAME="smoke", RAW_BUCKET="smoke", RESULTS_BUCKET="smoke", AWS_DEFAULT_REGION="us-east-1",
        POWERTOOLS_TRACE_DISABLED="1", POWERTOOLS_METRICS_NAMESPACE="smoke",
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / ".aws-sam" / "build"))
    parser.add_argument("--python", default=None, help="python3.12 interpreter (default: pyenv 3.12.1)")
    parser.add_argument("--modules", action="store_true", help="also print the imported module names")
    args = parser.parse_args(argv)
    build_dir = Path(args.build_dir).resolve()
    missing = [layer for layer in LAYERS if not (build_dir / layer / "python").is_dir()]
    if missing:
        print(f"layer_smoke: SKIP no built layers {missing} under {build_dir} (run `make build`)")
        return 2
    python = find_python312(args.python)
    if python is None:
        print("layer_smoke: SKIP python3.12 not found (pyenv 3.12.1 or python3.12 on PATH)")
        return 2
    try:
        result = run(build_dir, python, modules=args.modules)
        api = run_api(build_dir, python)
    except Exception as exc:  # noqa: BLE001 - reported, exit 1
        print(f"layer_smoke: FAIL {type(exc).__name__}: {exc}")
        return 1
    problems = check(result, build_dir)
    if api["nlp_modules"] or api["openapi_bytes"] < 1000:
        problems.append(f"ApiFunction: {api}")
    if args.modules:
        print("modules:", " ".join(result["modules"]))
    if problems:
        print("layer_smoke: FAIL " + "; ".join(problems))
        return 1
    print(
        f"layer_smoke: ok python={result['python']} model_version={result['model_version']} "
        f"entities={len(result['entities'][0])} html_entities={len(result['entities'][1])} "
        f"language={','.join(str(x) for x in result['language'])} seconds={result['seconds']} "
        f"api_init_seconds={api['seconds']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
