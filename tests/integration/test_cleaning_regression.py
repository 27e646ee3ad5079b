"""Regression over the shared dev pages: F1 must not drop more than 0.01 below the committed figure.

Runs the service's cleaner (raw.txt through clean_text, page.html.gz through clean_html with each
HTML extractor) and scores the
predictions with the reference scorer ../shared/eval/score_cleaning.py. Skipped when the eval folder
(``NEWSPROC_EVAL_DIR`` or ../shared/eval) is absent.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsproc.pipeline.clean import clean_html, clean_text

pytestmark = pytest.mark.eval

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = Path(os.environ.get("NEWSPROC_EVAL_DIR", ROOT.parent / "shared" / "eval"))
DEV = EVAL_DIR / "cleaning" / "dev"
BASELINE = json.loads((Path(__file__).with_name("cleaning_baseline.json")).read_text(encoding="utf-8"))


def _score(kind: str, tmp_path: Path) -> dict[str, float]:
    pred = tmp_path / f"{kind}.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for page in sorted(p for p in DEV.iterdir() if (p / "truth.txt").is_file()):
            if kind == "raw":
                result = clean_text((page / "raw.txt").read_text(encoding="utf-8"))
            else:
                with gzip.open(page / "page.html.gz", "rt", encoding="utf-8", errors="replace") as fh:
                    result = clean_html(fh.read(), "trafilatura" if kind == "html_trafilatura" else "markup")
            out.write(json.dumps({"id": page.name, "clean_text": result.text}, ensure_ascii=False) + "\n")
    score_json = tmp_path / f"{kind}.score.json"
    subprocess.run(
        [sys.executable, str(EVAL_DIR / "score_cleaning.py"), "--gold", str(DEV), "--pred", str(pred),
         "--json", str(score_json)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(score_json.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", ["raw", "html", "html_trafilatura"])
def test_cleaning_f1_does_not_regress(kind: str, tmp_path: Path) -> None:
    if not (DEV.is_dir() and (EVAL_DIR / "score_cleaning.py").is_file()):
        pytest.skip(f"shared eval data not found at {EVAL_DIR} (set NEWSPROC_EVAL_DIR)")
    f1 = float(_score(kind, tmp_path)["f1"])
    committed = BASELINE[kind]["f1"]
    message = f"cleaning[{kind}] F1 {f1:.4f} is more than 0.01 below the committed {committed:.3f}"
    assert f1 >= committed - BASELINE["tolerance"], message
