#!/usr/bin/env python3
"""Evaluate the service's cleaner on the shared dev collections with the reference scorer.

Collections: ``<eval-dir>/cleaning/dev`` (60 pages) and ``<eval-dir>/cleaning/dev_gn1`` (617 pages).
For each collection and each path it writes ``.eval-output/<collection>.<path>.pred.jsonl``, runs
``<eval-dir>/score_cleaning.py --gold <collection>`` on it and prints the scorer's line with the
collection and path in brackets, e.g.::

    cleaning[dev][raw learned out-of-sample]: pages=60 precision=0.xxx recall=0.xxx f1=0.xxx f1_bow=0.xxx

Paths (raw = ``raw.txt``, html = ``page.html.gz``):

* ``raw learned out-of-sample`` / ``html learned out-of-sample``: the headline. Grouped k-fold
  cross-validation by site over both collections (scripts/fit_cleaner.py): every page is cleaned by a
  line model fitted without any page of its site; the hand rules are frozen.
* ``raw learned in-sample`` / ``html markup in-sample``: the shipped cleaner (``clean_text``,
  ``clean_html`` with the default markup extractor and the shipped model.json, fitted on all pages).
* ``raw hand rules`` / ``html hand rules``: the same line pass with the hand-set line values (no model).
* ``html HTML_EXTRACTOR=trafilatura``: ``clean_html(html, "trafilatura")``.
* ``html trafilatura.extract alone``: ``trafilatura.extract(html)`` with its default options.

Then the cleaning time of the shipped paths (median of ``--repeats`` passes, after a warm-up) and,
unless ``--no-ner``, the time of the service's entity step (``newsproc.pipeline.extract``, spaCy NER) on
the same cleaned texts with the ratio between the two; timed on ``--time-on`` (default dev) because
single passes on a shared 2-vCPU machine vary by 20 % or more. A summary table ends the output and
all figures go to ``.eval-output/cleaning_summary.json``.

The eval folder defaults to ``../shared/eval`` beside the repository; override it with the environment
variable ``NEWSPROC_EVAL_DIR`` or ``--eval-dir``. ``--per-page`` writes the scorer's per-page TSV files
next to the predictions. The raw-text cleaner is also checked on a third collection it was never fitted on,
``cleaning/train`` (scripts/eval_segments.py; ``--no-segments`` skips it). ``--only raw|html`` runs one
of the two inputs, ``--no-cv`` skips the cross-validation (about 5 minutes), ``--collections dev`` runs
one collection.

Two checks of how sure the out-of-sample figures are: after the cross-validation, the default HTML path is
compared with the trafilatura path and with trafilatura alone on the same pages (the F1 difference and its
95 % interval over 2,000 page resamples, a paired bootstrap: ``paired[...]`` lines); and ``--cv-seeds 16 17
18 19`` repeats the cross-validation with other fold assignments (about 4 minutes each) and prints each
seed's figure with the mean, min and max (``cv-seeds[...]`` lines).
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

import numpy as np

from newsproc.pipeline.clean import clean_html, clean_text

REPO = Path(__file__).resolve().parents[1]

DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"
OUT_DIR = REPO / ".eval-output"
WORD = re.compile(r"\w+")
COLLECTIONS = ("dev", "dev_gn1")


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
    is noisy). A warm-up comes first, as for the NER timing: lazy imports, stop lists and the model load once."""
    clean = clean_text if kind == "raw" else lambda doc: clean_html(doc, extractor)
    clean("<p>Warm-up line of text.</p>")
    runs = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        texts = [clean(doc).text for doc in docs]
        runs.append(time.perf_counter() - start)
    return texts, statistics.median(runs)


def trafilatura_alone(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


class Scorer:
    """Writes predictions, runs the reference scorer and prints its line; keeps every figure."""

    def __init__(self, eval_dir: Path, per_page: bool) -> None:
        self.eval_dir = eval_dir
        self.per_page = per_page
        self.results: dict[str, dict[str, dict[str, float]]] = {}
        self.texts: dict[tuple[str, str], dict[str, str]] = {}  # (collection, path) -> page id -> text

    def score(self, collection: str, path: str, ids: list[str], texts: list[str]) -> dict[str, float]:
        self.texts[(collection, path)] = dict(zip(ids, texts, strict=True))
        OUT_DIR.mkdir(exist_ok=True)
        slug = re.sub(r"[^\w.-]+", "_", path)
        pred = OUT_DIR / f"{collection}.{slug}.pred.jsonl"
        score_json = OUT_DIR / f"{collection}.{slug}.score.json"
        with pred.open("w", encoding="utf-8") as out:
            for pid, text in zip(ids, texts, strict=True):
                out.write(json.dumps({"id": pid, "clean_text": text}, ensure_ascii=False) + "\n")
        gold = self.eval_dir / "cleaning" / collection
        cmd = [sys.executable, str(self.eval_dir / "score_cleaning.py"), "--gold", str(gold), "--pred", str(pred)]
        cmd += ["--json", str(score_json)]
        if self.per_page:
            cmd += ["--per-page", str(OUT_DIR / f"{collection}.{slug}.per_page.tsv")]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"score_cleaning.py failed with exit code {proc.returncode}")
        line = proc.stdout.strip().splitlines()[-1]
        print(line.replace("cleaning:", f"cleaning[{collection}][{path}]:", 1), flush=True)
        score = json.loads(score_json.read_text(encoding="utf-8"))
        # 6 places: the summary rounds to 3 once, as the scorer's line does (4 then 3 turned 0.96945 into 0.970)
        figures = {k: round(float(score[k]), 6) for k in ("precision", "recall", "f1", "f1_bow") if k in score}
        self.results.setdefault(collection, {})[path] = figures
        return figures


def shipped_paths(scorer: Scorer, eval_dir: Path, args: argparse.Namespace, kinds: list[str]) -> dict:
    """The shipped cleaner (in-sample), the reference systems and the timings."""
    timing: dict[str, dict[str, float]] = {}
    for collection in args.collections:
        pages = load_pages(eval_dir / "cleaning" / collection)
        ids = [p.name for p in pages]
        timed = collection in args.time_on
        for kind in kinds:
            docs = [read_page(kind, page) for page in pages]
            path = "raw learned in-sample" if kind == "raw" else "html markup in-sample"
            texts, elapsed = clean_all(kind, docs, args.repeats if timed else 1, "markup")
            scorer.score(collection, path, ids, texts)
            if kind == "html":
                other, other_s = clean_all(kind, docs, args.repeats if timed else 1, "trafilatura")
                scorer.score(collection, "html HTML_EXTRACTOR=trafilatura", ids, other)
                scorer.score(collection, "html trafilatura.extract alone", ids, [trafilatura_alone(d) for d in docs])
            if not timed:
                continue
            n = len(pages)
            words = sum(len(WORD.findall(t)) for t in texts)
            print(
                f"  time[{collection}][{kind}]: total={elapsed:.3f}s per_page={1000 * elapsed / n:.2f}ms "
                f"output_words={words} output_words_per_s={words / elapsed if elapsed else 0:,.0f}"
            )
            entry = {"clean_ms_per_page": round(1000 * elapsed / n, 2)}
            if kind == "html":
                entry["trafilatura_path_ms_per_page"] = round(1000 * other_s / n, 2)
                print(f"  time[{collection}][html HTML_EXTRACTOR=trafilatura]: per_page={1000 * other_s / n:.2f}ms")
            ner_s = None if args.no_ner else time_ner(texts, args.repeats)
            if ner_s:
                ratio = 100 * elapsed / ner_s
                entry.update(ner_ms_per_page=round(1000 * ner_s / n, 2), ratio_pct=round(ratio, 1))
                print(
                    f"  ner[{collection}][{kind}]: total={ner_s:.3f}s per_page={1000 * ner_s / n:.2f}ms "
                    f"words_per_s={words / ner_s:,.0f}; cleaning costs {ratio:.1f}% of the entity step"
                    + (f" (trafilatura path: {100 * other_s / ner_s:.1f}%)" if kind == "html" else "")
                )
            timing[f"{collection}/{kind}"] = entry
    return timing


def cross_validated(scorer: Scorer, eval_dir: Path, args: argparse.Namespace, kinds: list[str]) -> None:
    """Out-of-sample figures (grouped k-fold by site) and the hand-rule figures on the same cached lines."""
    import fit_cleaner as fc  # beside this script: its folder is on sys.path when run as a file

    fit_kinds = tuple("text" if k == "raw" else "dom" for k in kinds)
    start = time.perf_counter()
    pages, data = fc.build(eval_dir, fc.COLLECTIONS, fit_kinds)
    oos = fc.cross_validate(data, fc._scorer(eval_dir))
    sites = len({p.site for p in pages})
    print(
        f"  cross-validation: {fc.FOLDS} folds grouped by site ({sites} sites, {len(pages)} pages, seed {fc.SEED}), "
        f"{time.perf_counter() - start:.0f}s",
        flush=True,
    )
    for kind, fit_kind in zip(kinds, fit_kinds, strict=True):
        for collection in args.collections:
            rows = [d for d in data[fit_kind] if d.page.collection == collection]
            ids = [d.page.id for d in rows]
            scorer.score(collection, f"{kind} learned out-of-sample", ids, [oos[fit_kind][i] for i in ids])
            scorer.score(collection, f"{kind} hand rules", ids, [fc.clean_with(d, None) for d in rows])
    if args.cv_seeds:
        repeated_cross_validation(fc, data, eval_dir, args, dict(zip(fit_kinds, kinds, strict=True)), oos)


def repeated_cross_validation(
    fc, data: dict, eval_dir: Path, args: argparse.Namespace, kinds: dict[str, str], first: dict
) -> None:
    """The same cross-validation with other fold assignments (``--cv-seeds``): how much the out-of-sample
    figure owes to which sites happen to share a fold. `first` is the run with fc.SEED. Prints every seed
    and the mean, min and max."""
    reference = fc._scorer(eval_dir)
    seeds = [fc.SEED, *(s for s in args.cv_seeds if s != fc.SEED)]
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for seed in seeds:
        oos = first if seed == fc.SEED else fc.cross_validate(data, reference, seed=seed)
        for fit_kind, rows in data.items():
            for collection in args.collections:
                pairs = [(d.page.truth, oos[fit_kind][d.page.id]) for d in rows if d.page.collection == collection]
                p, r, f1 = fc.f1_of(reference, pairs)
                figures.setdefault((collection, kinds[fit_kind]), []).append((p, r, f1))
                name = f"{collection}][{kinds[fit_kind]}"
                print(f"  cv-seed[{name}] seed {seed}: f1={f1:.4f} ({p:.4f}/{r:.4f})", flush=True)
    for (collection, kind), rows in figures.items():
        f1s, recalls = [r[2] for r in rows], [r[1] for r in rows]
        print(
            f"  cv-seeds[{collection}][{kind} learned out-of-sample]: {len(rows)} seeds "
            f"f1 mean={statistics.mean(f1s):.4f} min={min(f1s):.4f} max={max(f1s):.4f} "
            f"recall mean={statistics.mean(recalls):.4f} min={min(recalls):.4f} max={max(recalls):.4f}"
        )


# (path, the path it is compared with): out-of-sample differences with their page-resampling interval
COMPARED = (
    ("html learned out-of-sample", "html HTML_EXTRACTOR=trafilatura"),
    ("html learned out-of-sample", "html trafilatura.extract alone"),
)
RESAMPLES = 2000


def _page_scores(reference, truths: list[str], texts: list[str]) -> np.ndarray:
    """Per page: precision, recall and whether each counts (score_cleaning.aggregate's rules)."""
    rows = []
    for truth, text in zip(truths, texts, strict=True):
        tp, fp, fn = reference.tp_fp_fn(reference.tokenize(truth), reference.tokenize(text), 4)
        rows.append((reference.page_precision(tp, fp, fn), reference.page_recall(tp, fp, fn), tp + fp > 0, tp + fn > 0))
    return np.array(rows, dtype=float).reshape(len(rows), 4)


def _f1_resampled(scores: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """aggregate()'s F1 (mean page precision and recall) for each row of page counts."""
    p = (counts * scores[:, 0] * scores[:, 2]).sum(1) / np.maximum((counts * scores[:, 2]).sum(1), 1)
    r = (counts * scores[:, 1] * scores[:, 3]).sum(1) / np.maximum((counts * scores[:, 3]).sum(1), 1)
    return np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0.0)


def paired_difference(
    reference, truths: list[str], mine: list[str], theirs: list[str], rng: np.random.Generator
) -> tuple[float, float, float]:
    """F1 of `mine` minus F1 of `theirs` on the same pages (score_cleaning.aggregate's F1) and the 95 %
    interval of that difference over RESAMPLES page resamples (paired bootstrap)."""
    a, b = _page_scores(reference, truths, mine), _page_scores(reference, truths, theirs)
    counts = rng.multinomial(len(truths), np.full(len(truths), 1 / len(truths)), size=RESAMPLES)
    whole = np.ones((1, len(truths)))
    diff = float((_f1_resampled(a, whole) - _f1_resampled(b, whole))[0])
    lo, hi = np.percentile(_f1_resampled(a, counts) - _f1_resampled(b, counts), (2.5, 97.5))
    return diff, float(lo), float(hi)


def paired_intervals(scorer: Scorer, eval_dir: Path, collections: list[str]) -> dict:
    """How sure the out-of-sample comparisons are: the F1 difference of two paths on the same pages, with
    a 95 % interval from resampling the pages (fixed seed). An interval that holds 0 means the collection
    cannot tell the two paths apart."""
    import fit_cleaner as fc  # beside this script

    reference = fc._scorer(eval_dir)
    rng = np.random.default_rng(fc.SEED)
    out: dict[str, dict[str, float]] = {}
    for collection in collections:
        for path, other in COMPARED:
            if (collection, path) not in scorer.texts or (collection, other) not in scorer.texts:
                continue
            ids = sorted(scorer.texts[(collection, path)])
            truths = [(eval_dir / "cleaning" / collection / i / "truth.txt").read_text(encoding="utf-8") for i in ids]
            mine = [scorer.texts[(collection, path)][i] for i in ids]
            theirs = [scorer.texts[(collection, other)][i] for i in ids]
            diff, lo, hi = paired_difference(reference, truths, mine, theirs, rng)
            print(
                f"  paired[{collection}]: {path} - {other}: F1 {diff:+.3f} "
                f"(95% interval {lo:+.3f} .. {hi:+.3f}, {RESAMPLES} page resamples)"
            )
            out[f"{collection}: {path} - {other}"] = {"f1_diff": round(diff, 6), "lo": round(lo, 6), "hi": round(hi, 6)}
    return out


def _reference_metadata(html: str) -> dict[str, str | None]:
    """The page's own og:/article:/JSON-LD metadata (no <title>, no <time>): what the check compares with."""
    from lxml import etree

    from newsproc.pipeline.clean import dom

    target = dom._PageTarget()
    parser = etree.HTMLParser(target=target, encoding="utf-8", remove_comments=True, no_network=True, huge_tree=True)
    try:
        etree.fromstring(html.encode("utf-8", "replace"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        target.close()
    meta, ld = target.meta, dom._json_ld(target.json_ld)
    title = meta.get("og:title") or dom._ld_text(ld.get("headline"))
    site = meta.get("og:site_name")
    if title and site:  # the reference title is the headline without the page's own site name
        parts = re.split(r"\s+(?:[|•·»«:~/]|::|-{1,2}|–|—)\s+", title)
        keep = [p for p in parts if WORD.findall(p.lower()) != WORD.findall(site.lower())]
        title = " - ".join(keep) if keep else title
    date = meta.get("article:published_time") or meta.get("og:published_time") or dom._ld_text(ld.get("datePublished"))
    author = next(
        (meta[k] for k in ("author", "article:author") if meta.get(k) and not meta[k].startswith("http")), None
    ) or dom._ld_author(ld.get("author"))
    return {"title": title, "published": dom._iso_date(date) if date else None, "byline": author}


def _words(text: str | None) -> list[str]:
    return WORD.findall((text or "").lower())


def _meta_right(field: str, pred: str | None, ref: str) -> bool:
    if field == "title":
        return _words(pred) == _words(ref)
    if field == "title within the page title":  # og:title or <title> as the page has it, site name and all
        got = set(_words(pred))
        return len(got) >= 3 and got <= set(_words(ref))
    if field == "published":
        return pred == ref
    got, want = set(_words(pred)) - {"by"}, set(_words(ref)) - {"by"}
    return bool(got and want) and (want <= got or got <= want)


def metadata_check(eval_dir: Path, collections: list[str]) -> dict:
    """Share of pages whose title, published date and byline are right, against og:/JSON-LD metadata."""
    from newsproc.pipeline.clean.dom import parse_page

    out: dict = {}
    for collection in collections:
        counts: dict[str, dict[str, list[int]]] = {}
        for page in load_pages(eval_dir / "cleaning" / collection):
            html = read_page("html", page)
            ref = _reference_metadata(html)
            text = clean_text(read_page("raw", page))
            markup = clean_html(html)
            raw_title = parse_page(html).title
            # dev_gn1 (2008) has no og:title: a looser check of the text path's titles on both collections
            ref["title within the page title"] = raw_title
            preds = {
                "text": {
                    "title": text.title,
                    "title within the page title": text.title,
                    "published": text.published,
                    "byline": text.byline,
                },
                "markup": {"title": markup.title, "published": markup.published, "byline": markup.byline},
                "markup, title suffix kept": {"title": raw_title},
            }
            for path, fields in preds.items():
                for field, value in fields.items():
                    if ref[field]:
                        hit = counts.setdefault(path, {}).setdefault(field, [0, 0])
                        hit[0] += _meta_right(field, value, ref[field])
                        hit[1] += 1
        for path, fields in counts.items():
            cells = " ".join(f"{f}={r / n:.3f} (n={n})" for f, (r, n) in fields.items())
            print(f"metadata[{collection}][{path}]: {cells}")
            out.setdefault(collection, {})[path] = {f: [r, n] for f, (r, n) in fields.items()}
        if not counts:
            print(f"metadata[{collection}]: no page carries og:/JSON-LD metadata")
    return out


def summary(
    results: dict,
    timing: dict,
    metadata: dict | None = None,
    segments: dict | None = None,
    paired: dict | None = None,
) -> None:
    order = [
        "raw learned out-of-sample", "raw learned in-sample", "raw hand rules",
        "html learned out-of-sample", "html markup in-sample", "html hand rules",
        "html HTML_EXTRACTOR=trafilatura", "html trafilatura.extract alone",
    ]  # fmt: skip
    cols = list(results)
    print("\nsummary (F1, precision / recall):")
    print(f"  {'path':34}" + "".join(f"{c:>26}" for c in cols))
    for path in order:
        cells = []
        for c in cols:
            r = results[c].get(path)
            cells.append(f"{r['f1']:.3f} ({r['precision']:.3f}/{r['recall']:.3f})" if r else "-")
        if any(cell != "-" for cell in cells):
            print(f"  {path:34}" + "".join(f"{cell:>26}" for cell in cells))
    if segments:
        print("  third collection, never fitted on (cleaning/train segments):")
        for path, r in segments.items():
            print(f"  {path:34}{r['f1']:.3f} ({r['precision']:.3f}/{r['recall']:.3f})".rstrip())
    OUT_DIR.mkdir(exist_ok=True)
    if paired:
        print("  out-of-sample differences on the same pages (95% interval, pages resampled):")
        for name, r in paired.items():
            print(f"  {name}: {r['f1_diff']:+.3f} ({r['lo']:+.3f} .. {r['hi']:+.3f})")
    out = {"scores": results, "timing": timing, "metadata": metadata or {}, "train_segments": segments or {}}
    out["paired"] = paired or {}
    (OUT_DIR / "cleaning_summary.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", help="shared eval folder (default: $NEWSPROC_EVAL_DIR, ../shared/eval)")
    parser.add_argument("--only", choices=["raw", "html"], help="run one input kind only")
    parser.add_argument("--collections", nargs="+", choices=COLLECTIONS, default=list(COLLECTIONS))
    parser.add_argument("--per-page", action="store_true", help="also write per-page TSVs to .eval-output/")
    parser.add_argument("--no-cv", action="store_true", help="skip the grouped cross-validation")
    parser.add_argument("--no-segments", action="store_true", help="skip the cleaning/train segment check")
    parser.add_argument("--no-metadata", action="store_true", help="skip the title/date/byline check")
    parser.add_argument(
        "--no-ner", action="store_true", help="skip timing the entity step (spaCy NER) on the cleaned texts"
    )
    parser.add_argument(
        "--cv-seeds",
        nargs="*",
        type=int,
        default=[],
        help="repeat the cross-validation with these fold seeds too (about 4 minutes each), e.g. 16 17 18 19",
    )
    parser.add_argument("--time-on", nargs="*", default=["dev"], help="collections to time (default: dev)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes; the median is printed (default 3)")
    args = parser.parse_args(argv)
    if args.no_cv and args.cv_seeds:
        parser.error("--cv-seeds repeats the cross-validation, which --no-cv skips")
    eval_dir = eval_dir_from(args.eval_dir)
    missing = [c for c in args.collections if not (eval_dir / "cleaning" / c).is_dir()]
    if missing:
        print(f"eval data not found: {missing} in {eval_dir} (set NEWSPROC_EVAL_DIR or --eval-dir)", file=sys.stderr)
        return 2
    kinds = [args.only] if args.only else ["raw", "html"]
    scorer = Scorer(eval_dir, args.per_page)
    timing = shipped_paths(scorer, eval_dir, args, kinds)
    segments = None
    if "raw" in kinds and not args.no_segments and (eval_dir / "cleaning" / "train" / "segments.jsonl").is_file():
        import eval_segments  # beside this script: the third collection, never fitted on

        segments = eval_segments.report(eval_dir)
    metadata = None if args.no_metadata else metadata_check(eval_dir, args.collections)
    paired = None
    if not args.no_cv:
        cross_validated(scorer, eval_dir, args, kinds)
        paired = paired_intervals(scorer, eval_dir, args.collections)
    summary(scorer.results, timing, metadata, segments, paired)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
