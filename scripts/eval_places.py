#!/usr/bin/env python3
"""Link precision of the place linker on a hand-checked set, and its time per document.

    .venv/bin/python scripts/eval_places.py [--eval-dir DIR] [--gold scripts/data/places_gold.jsonl]
        [--timing] [--worksheet FILE --every N --offset K]

Re-runs DocumentPipeline (en_core_web_sm, text as given: no cleaning, as scripts/eval_entities.py) on the dev
articles of the hand-checked set (../shared/eval/ner/dev.jsonl) and compares every GPE/LOC entity's link
with the answer recorded by hand in the set (matched by document id and entity key):

    places: entries=N linked=L correct=C precision=C/L unlinked_share=U/N recall=C/answerable missing=M

`precision`: links that name the right place (GeoNames id, or ISO code where the answer has no id);
`unlinked_share`: entries the linker left unlinked; `recall`: right links over the entries that have a right
gazetteer entry; `missing`: entries the pipeline no longer outputs (not counted elsewhere). Every wrong link
and every missed answer is listed.

--timing: all 350 dev articles in batches of 10 (as the Lambda's SQS batches) through the same pipeline;
prints the per-document milliseconds of the `places` stage, of the ORG relabel inside extraction, and of the
`ner` stage (median and mean), and the gazetteer's load time.

--worksheet FILE --every N --offset K: writes the GPE/LOC entities of every Nth dev article from the Kth with
their link, the candidates and the text around the first mention: how the hand-checked set was started
(docs/places.md: `dev` = --every 10 --offset 0, the rules tuned on it; `heldout` = --offset 5, judged after).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"
DEFAULT_GOLD = REPO / "scripts" / "data" / "places_gold.jsonl"
BATCH = 10


def load_docs(eval_dir: Path) -> list[dict]:
    path = eval_dir / "ner" / "dev.jsonl"
    if not path.is_file():
        raise SystemExit(f"eval data not found: {path} (--eval-dir)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_pipeline(docs: list[dict]):
    """(results, relabel ms per document id): the pipeline as the service runs it, text as given."""
    import newsproc.pipeline.extract as extract
    from newsproc.media import DocumentInput, MediaType
    from newsproc.models import Source
    from newsproc.pipeline.extract import MODEL_PACKAGE, load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    pipeline = DocumentPipeline(load_nlp(MODEL_PACKAGE))
    relabel_ms: list[float] = []
    original = extract.relabel_places

    def timed(text, spans, gaz=None):  # the relabel runs inside extraction: timed on its own here
        started = time.perf_counter()
        try:
            return original(text, spans, gaz)
        finally:
            relabel_ms.append((time.perf_counter() - started) * 1000)

    extract.relabel_places = timed
    results = []
    try:
        for start in range(0, len(docs), BATCH):
            batch = docs[start : start + BATCH]
            inputs = [
                DocumentInput(
                    document_id=d["id"],
                    source=Source(key=f"{d['id']}.txt", size=len(d["text"].encode())),
                    data=d["text"].encode(),
                    media_type=MediaType.TEXT,
                )
                for d in batch
            ]
            results.extend(pipeline.process_batch(inputs, skip_cleaning=True))
    finally:
        extract.relabel_places = original
    return results, relabel_ms


def score(gold_rows: list[dict], results) -> int:
    """One line per set of the file (`dev`: the rules were tuned on it; `heldout`: judged after) and for all."""
    sets = list(dict.fromkeys(row.get("set", "all") for row in gold_rows))
    problems: list[str] = []
    for name in [*sets, "all"] if len(sets) > 1 else sets:
        rows = [row for row in gold_rows if name == "all" or row.get("set", "all") == name]
        problems = score_set(name, rows, results) if name != "all" else problems
        if name == "all":
            score_set(name, rows, results)
    return 0


def score_set(name: str, gold_rows: list[dict], results) -> list[str]:
    by_doc = {r.document_id: r for r in results}
    linked = correct = unlinked = answerable = missing = 0
    problems = []
    for row in gold_rows:
        result = by_doc.get(row["doc"])
        entity = next(
            (e for e in (result.entities if result else []) if e.key == row["key"] and e.label in ("GPE", "LOC")),
            None,
        )
        if entity is None:
            missing += 1
            problems.append(f"  missing  {row['doc']} {row['name']!r}")
            continue
        answer = row["answer"]
        answerable += answer is not None
        link = entity.links
        if link is None:
            unlinked += 1
            if answer is not None:
                problems.append(f"  unlinked {row['doc']} {row['name']!r} (answer {answer})")
            continue
        linked += 1
        right = answer is not None and (
            link.geonames == answer["geonames"] if answer.get("geonames") else link.iso3166 == answer.get("iso3166")
        )
        correct += right
        if not right:
            problems.append(
                f"  WRONG    {row['doc']} {row['name']!r}: linked geonames={link.geonames} iso={link.iso3166} "
                f"(answer {answer}; {row['reason']})"
            )
    n = len(gold_rows) - missing
    print(
        f"places [{name}]: entries={len(gold_rows)} linked={linked} correct={correct} "
        f"precision={correct / max(1, linked):.3f} unlinked_share={unlinked / max(1, n):.3f} "
        f"recall={correct / max(1, answerable):.3f} missing={missing}"
    )
    if name != "all":
        for line in problems:
            print(line)
    return problems


def timing(docs: list[dict]) -> None:
    from newsproc.pipeline.places import load_stats

    results, relabel_ms = run_pipeline(docs)
    places = [r.pipeline.timings_ms.get("places", 0.0) for r in results]
    ner = [r.pipeline.timings_ms.get("ner", 0.0) for r in results]
    linked = sum(1 for r in results for e in r.entities if e.links is not None)
    place_entities = sum(1 for r in results for e in r.entities if e.label in ("GPE", "LOC"))
    stats = load_stats()

    def line(name: str, values: list[float]) -> str:
        return f"{name}_ms_median={statistics.median(values):.3f} {name}_ms_mean={statistics.fmean(values):.3f}"

    print(
        f"timing: docs={len(results)} {line('places', places)} {line('relabel', relabel_ms)} {line('ner', ner)} "
        f"places_plus_relabel_pct_of_ner={100 * (sum(places) + sum(relabel_ms)) / max(1e-9, sum(ner)):.2f}"
    )
    print(
        f"dev: place_entities={place_entities} linked={linked} ({linked / max(1, place_entities):.3f}); "
        f"gazetteer load_ms={stats['load_ms']} places={stats['places']} names={stats['names']}"
    )


def worksheet(docs: list[dict], every: int, offset: int, out: Path) -> None:
    from newsproc.pipeline.places import gazetteer

    chosen = docs[offset::every]
    results, _ = run_pipeline(chosen)
    gaz = gazetteer()
    with out.open("w", encoding="utf-8") as fh:
        for doc, result in zip(chosen, results, strict=True):
            for e in result.entities:
                if e.label not in ("GPE", "LOC"):
                    continue
                at = e.first_start
                cands = [
                    f"{p.kind}:{p.name}/{p.country}/{p.geonames or p.iso3166}/{p.population}" + ("/alias" * p.alias)
                    for p in gaz.candidates(e.key)
                ][:8]
                row = {
                    "doc": doc["id"],
                    "name": e.name,
                    "key": e.key,
                    "label": e.label,
                    "link": e.links.model_dump() if e.links else None,
                    "candidates": cands,
                    "context": " ".join(doc["text"][max(0, at - 120) : at + 120].split()),
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"worksheet: {out} docs={len(chosen)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", default=str(DEFAULT_EVAL_DIR))
    parser.add_argument("--gold", default=str(DEFAULT_GOLD))
    parser.add_argument("--timing", action="store_true", help="also time the stages on all 350 dev articles")
    parser.add_argument("--worksheet", default=None, help="write a worksheet for hand-checking instead")
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--offset", type=int, default=0)
    args = parser.parse_args(argv)
    docs = load_docs(Path(args.eval_dir))
    if args.worksheet:
        worksheet(docs, args.every, args.offset, Path(args.worksheet))
        return 0
    gold_rows = [json.loads(x) for x in Path(args.gold).read_text(encoding="utf-8").splitlines() if x.strip()]
    wanted = {row["doc"] for row in gold_rows}
    results, _ = run_pipeline([d for d in docs if d["id"] in wanted])
    status = score(gold_rows, results)
    if args.timing:
        timing(docs)
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
