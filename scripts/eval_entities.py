#!/usr/bin/env python3
"""Score the service's own entity extraction on the shared dev set.

Runs load_nlp + extract_mentions on each dev text exactly as given (no cleaning), writes a PRED jsonl to
.eval-output/, then runs the reference scorer (--map worldwide) and prints its output verbatim. The language
gate (detect_language + ner_language with the English-only NER_MODELS) is applied as the service applies it:
a document it keeps from the English model gets no mentions, and the `gate:` line counts the routes.

    python scripts/eval_entities.py [--eval-dir DIR] [--out FILE] [--json FILE] [--limit N]

The eval folder defaults to ../shared/eval next to the repo; NEWSPROC_EVAL_DIR or --eval-dir override it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"


def eval_dir_from(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("NEWSPROC_EVAL_DIR")
    return Path(env) if env else DEFAULT_EVAL_DIR


def predict(gold_path: Path, out_path: Path, limit: int | None = None) -> tuple[int, float, float]:
    from newsproc.pipeline.extract import extract_mentions, load_nlp

    docs = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        docs = docs[:limit]
    t0 = time.perf_counter()
    nlp = load_nlp()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    predictions = extract_mentions(nlp, [d["text"] for d in docs], batch_size=16)
    ner_s = time.perf_counter() - t0
    routes = gate_routes([d["text"] for d in docs])
    predictions = [p if route == "en" else [] for p, route in zip(predictions, routes, strict=True)]
    global GATE_LINE
    GATE_LINE = f"gate: docs={len(docs)} " + " ".join(f"{k}={routes.count(k)}" for k in sorted(set(routes)))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as fh:
        for doc, mentions in zip(docs, predictions, strict=True):
            for m in mentions:
                assert doc["text"][m.start : m.end] == m.text, (doc["id"], m)
            row = {
                "id": doc["id"],
                "mentions": [{"start": m.start, "end": m.end, "label": m.label, "text": m.text} for m in mentions],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(docs), load_s, ner_s


GATE_LINE = ""  # printed after the scorer's report (which tests expect first)


def gate_routes(texts: list[str]) -> list[str]:
    """The pipeline each text would be given by the service's language gate ("-" + warning code when none)."""
    from newsproc.pipeline.language import detect_language, ner_language

    routes = []
    for text in texts:
        chosen, warning = ner_language(detect_language(text), text, {"en"})
        routes.append(chosen or f"-{warning[0] if warning else ''}")
    return routes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", default=None)
    parser.add_argument("--out", default=str(REPO / ".eval-output" / "ner_dev.pred.jsonl"))
    parser.add_argument("--json", default=None, help="also write the scorer's JSON report here")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents (debugging)")
    args = parser.parse_args(argv)

    eval_dir = eval_dir_from(args.eval_dir)
    gold = eval_dir / "ner" / "dev.jsonl"
    scorer = eval_dir / "score_entities.py"
    if not gold.is_file() or not scorer.is_file():
        print(f"eval data not found under {eval_dir} (set NEWSPROC_EVAL_DIR or --eval-dir)", file=sys.stderr)
        return 2
    out = Path(args.out)
    n_docs, load_s, ner_s = predict(gold, out, args.limit)
    cmd = [sys.executable, str(scorer), "--gold", str(gold), "--pred", str(out), "--map", "worldwide"]
    if args.json:
        cmd += ["--json", args.json]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.stderr:
        sys.stderr.write(proc.stderr)
    print(GATE_LINE)
    print(
        f"ner: docs={n_docs} model_load_s={load_s:.2f} ner_s={ner_s:.2f} "
        f"ms_per_doc={1000 * ner_s / max(1, n_docs):.1f} pred={out}"
    )
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
