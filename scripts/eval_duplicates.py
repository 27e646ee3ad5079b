#!/usr/bin/env python3
"""Near-duplicate detection measured on a test set built from the dev articles (docs/duplicates.md).

The test set is made at run time, deterministically (``--seed``), from ``<eval-dir>/ner/dev.jsonl``
(350 news articles: the bases) and ``<eval-dir>/cleaning/dev`` (60 scraped pages, whose lines outside
``truth.txt`` are real menus, prompts, related stories and footers). For each base:

* positives (the same story): ``boilerplate`` (the article between another site's header and footer
  lines), ``words_5pct`` (5 % of the words replaced), ``sentences`` (one sentence dropped, one from
  another article added), ``truncated_60_80`` (the first 60-80 % of the text), ``combined`` (the first
  70-90 %, 3 % of the words replaced, another site's boilerplate);
* negatives: every other base, among them its ``same topic`` partner, the dev article that shares the
  most gold entity names with it. Dev bases that are themselves the same text (exact word 3-gram
  Jaccard >= 0.9, listed in the output) count as the same story.

Service path: every text goes through the service's cleaner (``clean_text``, as a ``.txt`` object would),
the bases are stored through the real ``DuplicateRepository`` on moto (the table from template.yaml),
and each variant and each base is looked up as the ingest path does (the band Queries, then the
threshold). Printed: precision and recall of duplicate detection, recall per kind, the same-topic
pairs flagged, the unrelated candidates the bands bring (per million stored documents), and the time
per document of the signature and of the lookup (moto in process: not DynamoDB's latency), and, unless
``--no-ner``, the entity step's time on the same texts. ``--sweep`` also prints the n-gram, banding and
threshold choices on the same set (in memory, same band keys and rules).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from newsproc.models import Pipeline, ResultDocument, Status
from newsproc.pipeline.clean import clean_text
from newsproc.pipeline.similarity import SCHEME, Scheme, Signature, signature, words
from newsproc.store.duplicates import Candidate, best_matches

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
KINDS = ("boilerplate", "words_5pct", "sentences", "truncated_60_80", "combined")


@dataclass(frozen=True)
class Case:
    query: str  # an id: "b017" for base 17, "b017:boilerplate" for a variant
    base: int  # the base it was made from
    kind: str  # "base" or one of KINDS
    text: str


def eval_dir_from(arg: str | None) -> Path:
    if arg:
        return Path(arg).resolve()
    env = os.environ.get("NEWSPROC_EVAL_DIR")
    return Path(env).resolve() if env else DEFAULT_EVAL_DIR


# --------------------------------------------------------------------------------------- the set


def load(eval_dir: Path) -> tuple[list[dict], list[tuple[list[str], list[str]]]]:
    """The dev articles, and (header, footer) boilerplate lines of each dev page."""
    articles = [json.loads(line) for line in (eval_dir / "ner" / "dev.jsonl").read_text().splitlines() if line]
    pages = []
    for page in sorted((eval_dir / "cleaning" / "dev").iterdir()):
        raw, truth = (page / "raw.txt").read_text().splitlines(), (page / "truth.txt").read_text()
        body = [i for i, line in enumerate(raw) if len(line.split()) > 3 and line.strip() in truth]
        if body:
            head = [line for line in raw[: body[0]] if line.strip() not in truth]
            foot = [line for line in raw[body[-1] + 1 :] if line.strip() not in truth]
            pages.append((head, foot))
    return articles, pages


def _replace_words(text: str, share: float, vocabulary: list[str], rng: random.Random) -> str:
    return "\n".join(
        " ".join(rng.choice(vocabulary) if rng.random() < share else w for w in line.split(" "))
        for line in text.split("\n")
    )


def _prefix(text: str, share: float) -> str:
    cut = text.rfind(" ", 0, int(len(text) * share))
    return text[: cut if cut > 0 else len(text)]


def _sentences(text: str, other: str, rng: random.Random) -> str:
    """One sentence dropped from a paragraph that has several, one of `other` added to a paragraph."""
    paragraphs = [_SENTENCE.split(p) for p in text.split("\n")]
    long = [i for i, p in enumerate(paragraphs) if len(p) > 1]
    if long:
        p = paragraphs[rng.choice(long)]
        del p[rng.randrange(len(p))]
    prose = [i for i, p in enumerate(paragraphs) if " ".join(p).strip()]
    target = paragraphs[rng.choice(prose)] if prose else paragraphs[0]
    target.insert(rng.randrange(len(target) + 1), rng.choice(_SENTENCE.split(other.replace("\n", " "))))
    return "\n".join(" ".join(p) for p in paragraphs)


def build_cases(articles: list[dict], pages: list[tuple[list[str], list[str]]], seed: int) -> list[Case]:
    rng = random.Random(seed)
    vocabulary = sorted({w for a in articles for w in a["text"].split() if w.isalpha()})
    cases = []
    for i, article in enumerate(articles):
        text = article["text"]
        cases.append(Case(f"b{i:03d}", i, "base", text))
        head, foot = pages[rng.randrange(len(pages))]
        variants = {
            "boilerplate": "\n".join([*head, text, *foot]),
            "words_5pct": _replace_words(text, 0.05, vocabulary, rng),
            "sentences": _sentences(text, articles[rng.randrange(len(articles))]["text"], rng),
            "truncated_60_80": _prefix(text, rng.uniform(0.6, 0.8)),
        }
        head, foot = pages[rng.randrange(len(pages))]
        mixed = _replace_words(_prefix(text, rng.uniform(0.7, 0.9)), 0.03, vocabulary, rng)
        variants["combined"] = "\n".join([*head, mixed, *foot])
        cases += [Case(f"b{i:03d}:{kind}", i, kind, variants[kind]) for kind in KINDS]
    return cases


def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(max(1, len(w) - n + 1))}


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def same_story(articles: list[dict]) -> tuple[dict[int, set[int]], float]:
    """Dev articles that are the same text (exact word 3-gram Jaccard >= 0.9): one story; and the highest
    exact Jaccard between two different stories (how close unrelated news gets)."""
    sets = [_shingles(a["text"]) for a in articles]
    groups: dict[int, set[int]] = defaultdict(set)
    closest = 0.0
    for i, j in itertools.combinations(range(len(sets)), 2):
        jaccard = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
        if jaccard >= 0.9:
            groups[i].add(j)
            groups[j].add(i)
        else:
            closest = max(closest, jaccard)
    return groups, closest


def same_topic(articles: list[dict]) -> list[tuple[int, int]]:
    """Each base with the other dev article that shares the most gold entity names (a different story)."""
    names = [{e["text"].casefold() for e in a.get("entities", [])} for a in articles]
    pairs = []
    for i, mine in enumerate(names):
        share = [(len(mine & other) / max(1, len(mine | other)), j) for j, other in enumerate(names) if j != i]
        pairs.append((i, max(share)[1]))
    return pairs


# ------------------------------------------------------------------------------------ detection


def doc_id(base: int) -> str:
    return f"{base:032x}"


def score(cases: list[Case], found: dict[str, list[str]], stories: dict[int, set[int]], no_signature: set[str]) -> dict:
    tp = fp = fn = 0
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        expected = {doc_id(b) for b in stories.get(case.base, set())}
        if case.kind != "base":
            expected.add(doc_id(case.base))
        got = set(found.get(case.query, []))
        tp, fp, fn = tp + len(got & expected), fp + len(got - expected), fn + len(expected - got)
        if case.kind != "base":
            per_kind[case.kind][0] += doc_id(case.base) in got
            per_kind[case.kind][1] += 1
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "per_kind": {k: v[0] / v[1] for k, v in per_kind.items()},
        "no_signature": len(no_signature),
    }


def in_memory(
    cases: list[Case], signatures: dict[str, Signature | None], scheme: Scheme
) -> tuple[dict[str, list[str]], int]:
    """The service's rule on an in-memory band index: (matches per query, unrelated candidate pairs)."""
    bands: dict[str, list[Candidate]] = defaultdict(list)
    for case in cases:
        sig = signatures[case.query]
        if case.kind == "base" and sig is not None:
            for key in sig.band_keys(scheme):
                bands[key].append(Candidate(doc_id(case.base), sig.to_bytes()))
    found, unrelated = {}, 0
    for case in cases:
        sig = signatures[case.query]
        if sig is None:
            continue
        candidates = [c for key in sig.band_keys(scheme) for c in bands.get(key, [])]
        unrelated += len({c.document_id for c in candidates} - {doc_id(case.base)})
        exclude = doc_id(case.base) if case.kind == "base" else None
        found[case.query] = [m.document_id for m in best_matches(sig, candidates, exclude=exclude, scheme=scheme)]
    return found, unrelated


def sweep(cases: list[Case], cleaned: dict[str, str], stories: dict[int, set[int]]) -> None:
    print("\nsweep (in memory, same band keys and rules): n-gram, num_perm, bands x rows, threshold")
    queries = len(cases)
    bases = sum(c.kind == "base" for c in cases)
    positives = [c for c in cases if c.kind != "base"]
    exact = {c.query: _jaccard(cleaned[c.query], cleaned[f"b{c.base:03d}"]) for c in positives}
    for num_perm in (64, 128, 256):
        scheme = Scheme(num_perm=num_perm)
        signatures = {c.query: signature(cleaned[c.query], scheme) for c in cases}
        found, _ = in_memory(cases, signatures, scheme)
        s = score(cases, found, stories, {q for q, sig in signatures.items() if sig is None})
        errors = [
            abs(own.similarity(base) - exact[c.query])
            for c in positives
            if (own := signatures[c.query]) is not None and (base := signatures[f"b{c.base:03d}"]) is not None
        ]
        print(
            f"  num_perm={num_perm:3d} (16 x 3, threshold 0.5): precision={s['precision']:.3f} recall={s['recall']:.3f}"
            f" | estimate vs exact Jaccard on the positives: mean error {statistics.mean(errors):.3f},"
            f" p95 {statistics.quantiles(errors, n=20)[-1]:.3f}"
        )
    for ngram, (bands, rows), threshold in itertools.product(
        (2, 3, 4, 5), ((16, 3), (20, 3), (16, 2), (32, 4), (10, 5)), (0.3, 0.4, 0.5, 0.6)
    ):
        if ngram != 3 and (bands, rows) != (16, 3):
            continue
        scheme = Scheme(ngram=ngram, num_perm=128, bands=bands, rows=rows, threshold=threshold)
        signatures = {c.query: signature(cleaned[c.query], scheme) for c in cases}
        found, unrelated = in_memory(cases, signatures, scheme)
        s = score(cases, found, stories, {q for q, sig in signatures.items() if sig is None})
        per_million = unrelated / (queries * (bases - 1)) * 1e6
        kinds = " ".join(f"{k}={v:.3f}" for k, v in s["per_kind"].items())
        print(
            f"  n={ngram} bands={bands:2d} rows={rows} threshold={threshold:.1f}: precision={s['precision']:.3f}"
            f" recall={s['recall']:.3f} | {kinds} | unrelated candidates per lookup per 10^6 docs={per_million:,.0f}"
        )


# ------------------------------------------------------------------------------ service (moto)


def _result(document_id: str, text: str) -> ResultDocument:
    eval_pipeline = Pipeline(version="eval")
    return ResultDocument(document_id=document_id, status=Status.PROCESSED, clean_text=text, pipeline=eval_pipeline)


def service_check(cases: list[Case], cleaned: dict[str, str], bases: int) -> tuple[int, int, float]:
    """The first `bases` bases stored and their cases looked up through DuplicateRepository on moto (the
    template's table): (answers equal to the in-memory rule's, cases, median lookup ms on moto)."""
    from newsproc.local.env import use_local_environment

    use_local_environment(POWERTOOLS_LOG_LEVEL="WARNING")  # fake credentials, the region: moto only
    from newsproc.local.harness import moto_stack
    from newsproc.store.duplicates import DuplicateRepository

    subset = [c for c in cases if c.base < bases]
    signatures = {c.query: signature(cleaned[c.query]) for c in subset}
    expected, _ = in_memory(subset, signatures, SCHEME)
    agree, timings = 0, []
    with moto_stack() as stack:
        repository = DuplicateRepository(stack.table)
        for case in (c for c in subset if c.kind == "base"):
            repository.replace(_result(doc_id(case.base), cleaned[case.query]), signatures[case.query])
        for case in subset:
            sig = signatures[case.query]
            if sig is None:
                agree += case.query not in expected
                continue
            started = time.perf_counter()
            exclude = doc_id(case.base) if case.kind == "base" else None
            got = [m.document_id for m in repository.lookup(sig, exclude=exclude)]
            timings.append((time.perf_counter() - started) * 1000)
            agree += got == expected.get(case.query)
    return agree, len(subset), statistics.median(timings)


def timing(cases: list[Case], cleaned: dict[str, str]) -> tuple[list[float], list[float], float]:
    """Per document: signature ms, in-memory lookup ms (band keys, candidates, estimates: the CPU part of a
    lookup), and the mean number of band items a lookup reads (what the 16 Queries return)."""
    signatures = {c.query: signature(cleaned[c.query]) for c in cases}
    bands: dict[str, list[Candidate]] = defaultdict(list)
    for case in (c for c in cases if c.kind == "base" and signatures[c.query] is not None):
        sig = signatures[case.query]
        assert sig is not None
        for key in sig.band_keys():
            bands[key].append(Candidate(doc_id(case.base), sig.to_bytes()))
    signing, looking, items = [], [], 0
    for case in cases:
        started = time.perf_counter()
        sig = signature(cleaned[case.query])
        signed = time.perf_counter()
        if sig is None:
            continue
        candidates = [c for key in sig.band_keys() for c in bands.get(key, [])]
        best_matches(sig, candidates)
        signing.append((signed - started) * 1000)
        looking.append((time.perf_counter() - signed) * 1000)
        items += len(candidates)
    return signing, looking, items / len(signing)


def ner_ms(texts: list[str]) -> float | None:
    """The entity step's time per document on the same texts (median of 3 passes), or None without spaCy."""
    try:
        from newsproc.pipeline.extract import extract_mentions, load_nlp

        nlp = load_nlp()
    except (ImportError, OSError) as exc:
        print(f"  (NER timing skipped: {exc})", file=sys.stderr)
        return None
    extract_mentions(nlp, texts[:2])
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        extract_mentions(nlp, texts)
        runs.append((time.perf_counter() - started) * 1000 / len(texts))
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", help="default: $NEWSPROC_EVAL_DIR or ../shared/eval")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--sweep", action="store_true", help="also print the parameter choices on the same set")
    parser.add_argument("--no-ner", action="store_true", help="skip timing the entity step for comparison")
    parser.add_argument("--moto", type=int, default=10, help="bases stored on moto for the repository check (0: none)")
    args = parser.parse_args(argv)
    eval_dir = eval_dir_from(args.eval_dir)
    if not (eval_dir / "ner" / "dev.jsonl").is_file():
        print(f"no dev articles in {eval_dir}: set NEWSPROC_EVAL_DIR or --eval-dir", file=sys.stderr)
        return 2
    articles, pages = load(eval_dir)
    cases = build_cases(articles, pages, args.seed)
    stories, closest = same_story(articles)
    topics = same_topic(articles)
    cleaned = {c.query: clean_text(c.text).text for c in cases}
    print(
        f"test set: {len(articles)} bases, {len(cases) - len(articles)} positives ({len(KINDS)} kinds), "
        f"{len(topics)} same-topic pairs, seed {args.seed}; boilerplate from {len(pages)} dev pages"
    )
    print(
        "dev articles that are the same text (counted as one story): "
        f"{sorted({tuple(sorted({i, *g})) for i, g in stories.items()})}; highest exact Jaccard between two "
        f"different stories: {closest:.3f}"
    )
    print(
        f"scheme: word {SCHEME.ngram}-grams, num_perm={SCHEME.num_perm}, bands={SCHEME.bands} x rows={SCHEME.rows}, "
        f"threshold={SCHEME.threshold} (candidate probability at 0.5: {SCHEME.candidate_probability(0.5):.3f})"
    )
    signatures = {c.query: signature(cleaned[c.query]) for c in cases}
    found, unrelated = in_memory(cases, signatures, SCHEME)
    s = score(cases, found, stories, {q for q, sig in signatures.items() if sig is None})
    print(
        f"duplicates[after clean_text, bands + threshold]: precision={s['precision']:.3f} recall={s['recall']:.3f} "
        f"(tp={s['tp']} fp={s['fp']} fn={s['fn']}; {s['no_signature']} texts without a signature)"
    )
    print("  recall per kind: " + " ".join(f"{k}={v:.3f}" for k, v in s["per_kind"].items()))
    different = [(i, j) for i, j in topics if j not in stories.get(i, set())]
    flagged = sum(doc_id(j) in found.get(f"b{i:03d}", []) for i, j in different)
    print(f"  same-topic pairs (different stories) flagged: {flagged} of {len(different)}")
    per_million = unrelated / (len(cases) * (len(articles) - 1)) * 1e6
    print(f"  unrelated candidates from the bands: {unrelated} pairs, {per_million:,.1f} per lookup per 10^6 documents")
    raw_found, _ = in_memory(cases, {c.query: signature(c.text) for c in cases}, SCHEME)
    r = score(cases, raw_found, stories, set())
    print(
        f"duplicates[texts as built, no cleaner]: precision={r['precision']:.3f} recall={r['recall']:.3f} | "
        + " ".join(f"{k}={v:.3f}" for k, v in r["per_kind"].items())
    )
    if args.moto:
        agree, total, moto_ms = service_check(cases, cleaned, args.moto)
        print(
            f"DuplicateRepository on moto ({args.moto} bases stored, their {total} cases looked up): "
            f"{agree} of {total} answers equal to the above; lookup median {moto_ms:.0f} ms (moto's, not DynamoDB's)"
        )
    sig_ms, lookup_ms, read = timing(cases, cleaned)
    print(
        f"time per document: signature median={statistics.median(sig_ms):.2f} ms "
        f"p95={statistics.quantiles(sig_ms, n=20)[-1]:.2f} ms; lookup CPU (band keys, estimates) "
        f"median={statistics.median(lookup_ms):.3f} ms; {SCHEME.bands} Queries return {read:.1f} band items on average"
    )
    if not args.no_ner:
        base_texts = [cleaned[c.query] for c in cases if c.kind == "base"]
        ner = ner_ms(base_texts)
        if ner is not None:
            share = (statistics.median(sig_ms) + statistics.median(lookup_ms)) / ner
            print(f"entity step on the bases: {ner:.1f} ms per document; signature + lookup CPU = {share:.1%} of it")
    if args.sweep:
        sweep(cases, cleaned, stories)
    return 0


if __name__ == "__main__":
    sys.exit(main())
