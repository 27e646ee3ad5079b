"""The segment check of scripts/eval_segments.py (the third collection, cleaning/train) on invented pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import eval_segments as es

pytestmark = pytest.mark.unit

RAW = "Home | Sport\nThe mayor’s plan was approved on Monday.\nIt costs  two million euros.\nShare this story"


def test_segments_count_as_found_missed_kept_or_removed() -> None:
    page = es.SegmentPage(
        "a", RAW, keep=("The MAYOR'S plan was approved", "two million euros", "not on the page"), drop=("Share this",)
    )
    perfect = es.score([page], lambda raw: "\n".join(raw.splitlines()[1:3]))
    assert (perfect.found, perfect.missed, perfect.kept_boilerplate, perfect.removed_boilerplate) == (2, 0, 0, 1)
    assert perfect.precision == perfect.recall == perfect.f1 == 1.0
    everything = es.score([page], lambda raw: raw)
    assert everything.precision == pytest.approx(2 / 3) and everything.recall == 1.0
    nothing = es.score([page], lambda raw: "")
    assert nothing.recall == 0.0 and nothing.precision == 0.0 and nothing.f1 == 0.0


def test_pages_load_from_the_benchmark_layout(tmp_path: Path) -> None:
    train = tmp_path / "cleaning" / "train"
    (train / "raw").mkdir(parents=True)
    (train / "raw" / "x.html.txt").write_text(RAW, encoding="utf-8")
    rows = [{"file": "x.html", "url": "u", "with": ["two million"], "without": ["Home"]}, {"file": "gone.html"}]
    (train / "segments.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    [page] = es.load_pages(tmp_path)
    assert page.file == "x.html" and page.keep == ("two million",) and page.drop == ("Home",)
