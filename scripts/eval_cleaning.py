#!/usr/bin/env python3
"""Evaluate the service's cleaner on the shared dev pages with the reference scorer.

For every page folder of ``<eval-dir>/cleaning/dev`` it runs the same code the Lambda uses:
``newsproc.pipeline.clean.clean_text`` on ``raw.txt`` and ``newsproc.pipeline.clean.clean_html`` on
``page.html.gz``. The predictions go to ``.eval-output/cleaning_raw.pred.jsonl`` and
``.eval-output/cleaning_html.pred.jsonl`` (``--html-extractor trafilatura`` evaluates the optional
trafilatura HTML path instead of the default markup pass); then ``<eval-dir>/score_cleaning.py`` is run on each of them
and its line is printed with the input kind in brackets, e.g.::

    cleaning[raw]: pages=60 precision=0.xxx recall=0.xxx f1=0.xxx f1_bow=0.xxx

followed by the cleaning time (total, per page, output words per second) and, unless ``--no-ner``,
the time of the service's entity step (``newsproc.pipeline.extract``, spaCy NER) on the same cleaned texts with
the ratio between the two. Both times are the median of ``--repeats`` passes (default 3), because
single passes on a shared 2-vCPU machine vary by 20 % or more.

The eval folder defaults to ``../shared/eval`` beside the repository; override it with the environment
variable ``NEWSPROC_EVAL_DIR`` or ``--eval-dir``. ``--per-page`` writes the scorer's per-page TSV files
next to the predictions. ``--only raw|html`` runs one of the two inputs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from newsproc.pipeline.clean import clean_html, clean_text

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"
OUT_DIR = REPO / ".eval-output"
WORD = re.compile(r"\w+")


def eval_dir_from(arg: str | None) -> Path:
    if arg:
        return Path(arg).resolve()
    env = os.environ.get("NEWSPROC_EVAL_DIR")
    return Path(env).resolve() if env else DEFAULT_EVAL_DIR


def load_pages(dev: Path) -> list[Path]:
    return sorted(p for p in dev.iterdir() if (p / "truth.txt").is_file())


def time_ner(texts: list[str], repeats: int) -> float | None:
    """Median seconds the service's entity step (spaCy NER, newsproc.pipeline.extract) takes on the cleaned texts."""
    try:
        from newsproc.pipeline.extract import extract_mentions, load_nlp
    except ImportError:
        return None
    try:
        nlp = load_nlp()
    except (ImportError, OSError) as exc:  # model package missing
        print(f"  (NER timing skipped: {exc})", file=sys.stderr)
        return None
    extract_mentions(nlp, texts[:2])  # warm-up
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        extract_mentions(nlp, texts)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def read_page(kind: str, page: Path) -> str:
    if kind == "raw":
        return (page / "raw.txt").read_text(encoding="utf-8")
    with gzip.open(page / "page.html.gz", "rt", encoding="utf-8", errors="replace") as fh:
        return fh.read()


def clean_all(kind: str, docs: list[str], repeats: int, extractor: str) -> tuple[list[str], float]:
    """The clean texts and the median seconds of `repeats` passes over all documents (this machine's timer
    is noisy). A warm-up comes first, as for the NER timing: lazy imports and the stop lists load once."""
    clean = clean_text if kind == "raw" else lambda doc: clean_html(doc, extractor)
    clean("<p>Warm-up line of text.</p>")
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        texts = [clean(doc).text for doc in docs]
        runs.append(time.perf_counter() - start)
    return texts, statistics.median(runs)


def run_kind(
    kind: str, pages: list[Path], eval_dir: Path, per_page: bool, repeats: int, extractor: str
) -> dict[str, float]:
    OUT_DIR.mkdir(exist_ok=True)
    pred_path = OUT_DIR / f"cleaning_{kind}.pred.jsonl"
    texts, elapsed = clean_all(kind, [read_page(kind, page) for page in pages], repeats, extractor)
    words = sum(len(WORD.findall(text)) for text in texts)
    with pred_path.open("w", encoding="utf-8") as out:
        for page, text in zip(pages, texts, strict=True):
            out.write(json.dumps({"id": page.name, "clean_text": text}, ensure_ascii=False) + "\n")
    cmd = [
        sys.executable,
        str(eval_dir / "score_cleaning.py"),
        "--gold",
        str(eval_dir / "cleaning" / "dev"),
        "--pred",
        str(pred_path),
        "--json",
        str(OUT_DIR / f"cleaning_{kind}.score.json"),
    ]
    if per_page:
        cmd += ["--per-page", str(OUT_DIR / f"cleaning_{kind}.per_page.tsv")]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"score_cleaning.py failed with exit code {proc.returncode}")
    line = proc.stdout.strip().splitlines()[-1]
    print(line.replace("cleaning:", f"cleaning[{kind}]:", 1))
    n = max(1, len(pages))
    print(
        f"  time[{kind}]: total={elapsed:.3f}s per_page={1000 * elapsed / n:.2f}ms "
        f"output_words={words} output_words_per_s={words / elapsed if elapsed else 0:,.0f}"
    )
    score = json.loads((OUT_DIR / f"cleaning_{kind}.score.json").read_text(encoding="utf-8"))
    score["_elapsed_s"] = elapsed
    score["_words"] = words
    score["_texts"] = texts
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", help="shared eval folder (default: $NEWSPROC_EVAL_DIR, ../shared/eval)")
    parser.add_argument("--only", choices=["raw", "html"], help="run one input kind only")
    parser.add_argument("--per-page", action="store_true", help="also write per-page TSVs to .eval-output/")
    parser.add_argument(
        "--no-ner", action="store_true", help="skip timing the entity step (spaCy NER) on the cleaned texts"
    )
    parser.add_argument(
        "--html-extractor",
        choices=["markup", "trafilatura"],
        default="markup",
        help="HTML path to evaluate (the service's HTML_EXTRACTOR setting; default markup)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed passes; the median is printed (default 3)")
    args = parser.parse_args(argv)
    eval_dir = eval_dir_from(args.eval_dir)
    dev = eval_dir / "cleaning" / "dev"
    if not dev.is_dir():
        print(f"eval data not found: {dev} (set NEWSPROC_EVAL_DIR or --eval-dir)", file=sys.stderr)
        return 2
    pages = load_pages(dev)
    kinds = [args.only] if args.only else ["raw", "html"]
    for kind in kinds:
        score = run_kind(kind, pages, eval_dir, args.per_page, args.repeats, args.html_extractor)
        ner_s = None if args.no_ner else time_ner(score["_texts"], args.repeats)
        if ner_s:
            print(
                f"  ner[{kind}]: total={ner_s:.3f}s per_page={1000 * ner_s / len(pages):.2f}ms "
                f"words_per_s={score['_words'] / ner_s:,.0f}; cleaning costs "
                f"{100 * score['_elapsed_s'] / ner_s:.1f}% of the entity step"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
