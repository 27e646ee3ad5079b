#!/usr/bin/env python3
"""The raw-text cleaner on a third collection it was never fitted on: ``cleaning/train`` (990 pages).

``cleaning/train`` is trafilatura's own extraction benchmark: mostly German news and blog pages, only the
page text (``raw/<file>.txt``) and, per page, a few short segments that the article contains (``with``)
and a few boilerplate segments it must not contain (``without``). There is no full truth, so the
reference scorer cannot score it; this module scores it the way that benchmark does: a ``with`` segment
found in the clean text is a true positive, one missing a false negative, a ``without`` segment kept a
false positive. Segments that do not occur in the page's raw text at all are left out (no cleaner could
keep them). Matching ignores case, runs of white space and the apostrophe convention.

The line models are fitted on ``cleaning/dev`` and ``cleaning/dev_gn1`` only, so every figure here is out
of sample for the whole model, and the collection's language and sites differ from both.

    python scripts/eval_segments.py          # also part of `make eval-cleaning`
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"
_APOSTROPHES = re.compile(r"['‘’`´]")
_SPACE = re.compile(r"\s+")


def normalized(text: str) -> str:
    return _SPACE.sub(" ", _APOSTROPHES.sub("'", text)).strip().casefold()


@dataclass(frozen=True)
class SegmentPage:
    file: str
    raw: str
    keep: tuple[str, ...]  # `with`: the article contains them
    drop: tuple[str, ...]  # `without`: boilerplate


@dataclass
class SegmentScore:
    found: int = 0  # keep segments in the clean text
    missed: int = 0
    kept_boilerplate: int = 0  # drop segments in the clean text
    removed_boilerplate: int = 0

    @property
    def precision(self) -> float:
        kept = self.found + self.kept_boilerplate
        return self.found / kept if kept else 0.0

    @property
    def recall(self) -> float:
        wanted = self.found + self.missed
        return self.found / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_pages(eval_dir: Path) -> list[SegmentPage]:
    train = eval_dir / "cleaning" / "train"
    pages = []
    for line in (train / "segments.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        path = train / "raw" / f"{row['file']}.txt"
        if path.is_file():
            raw = path.read_text(encoding="utf-8", errors="replace")
            pages.append(SegmentPage(row["file"], raw, tuple(row.get("with", ())), tuple(row.get("without", ()))))
    return pages


def _tally(segments: Iterable[str], source: str, out: str) -> tuple[int, int]:
    """(in the output, not in the output) over the segments the source actually contains."""
    present = [s for s in map(normalized, segments) if s and s in source]
    kept = sum(1 for s in present if s in out)
    return kept, len(present) - kept


def score(pages: Iterable[SegmentPage], clean: Callable[[str], str]) -> SegmentScore:
    total = SegmentScore()
    for page in pages:
        source, out = normalized(page.raw), normalized(clean(page.raw))
        found, missed = _tally(page.keep, source, out)
        kept, removed = _tally(page.drop, source, out)
        total.found += found
        total.missed += missed
        total.kept_boilerplate += kept
        total.removed_boilerplate += removed
    return total


def report(eval_dir: Path) -> dict[str, dict[str, float]]:
    """Print and return the figures of the shipped raw-text cleaner, its hand rules alone and the naive baseline."""
    from newsproc.pipeline.clean import cleaner

    pages = load_pages(eval_dir)
    figures = {}
    paths: tuple[tuple[str, Callable[[str], str]], ...] = (
        ("raw learned", lambda raw: cleaner.clean_text(raw).text),
        ("raw hand rules", lambda raw: cleaner.clean_text(raw, models={}).text),
        ("raw unchanged", lambda raw: raw),
    )
    for name, clean in paths:
        s = score(pages, clean)
        figures[name] = {"precision": round(s.precision, 6), "recall": round(s.recall, 6), "f1": round(s.f1, 6)}
        print(
            f"cleaning[train segments][{name}]: pages={len(pages)} precision={s.precision:.3f} "
            f"recall={s.recall:.3f} f1={s.f1:.3f} keep_segments={s.found + s.missed} "
            f"drop_segments={s.kept_boilerplate + s.removed_boilerplate}",
            flush=True,
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", default=os.environ.get("NEWSPROC_EVAL_DIR") or str(DEFAULT_EVAL_DIR))
    report(Path(parser.parse_args(argv).eval_dir).resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
