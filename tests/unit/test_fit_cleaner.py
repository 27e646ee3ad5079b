"""Unit tests for the learned cleaner: line features (learned.py), the fitting script (scripts/fit_cleaner.py)
on a tiny synthetic set, the shipped model file and the title-suffix rule. Invented pages only."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from newsproc.pipeline.clean import cleaner as C
from newsproc.pipeline.clean.dom import parse_page
from newsproc.pipeline.clean.learned import (
    CONTAINER_FEATURES,
    DOM_FEATURES,
    MODEL_PATH,
    LineModel,
    feature_names,
    line_vectors,
    load_models,
)
from scripts import fit_cleaner as fc
from scripts import line_learners
from tests.unit.test_cleaning import PROSE

pytestmark = pytest.mark.unit

MENU = ["Home", "World", "Business", "Sport", "Contact us"]
TEASERS = [
    "Council votes to keep the old lighthouse open for visitors",
    "Storm warning issued for the north coast this weekend",
    "Fishing fleet returns early as prices fall at the market",
]


class _StubScorer:
    """The reference scorer's three functions, enough for fit_kind's threshold choice."""

    @staticmethod
    def tokenize(text: str) -> list[str]:
        return fc.TOKEN.findall(text or "")

    @staticmethod
    def tp_fp_fn(truth: list[str], pred: list[str], n: int) -> tuple[float, float, float]:
        t, p = (
            Counter(zip(*[truth[i:] for i in range(n)], strict=False)),
            Counter(zip(*[pred[i:] for i in range(n)], strict=False)),
        )
        tp = sum((t & p).values())
        fp, fn = sum(p.values()) - tp, sum(t.values()) - tp
        s = tp + fp + fn
        return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)

    @staticmethod
    def aggregate(tfs):
        ps = [tp / (tp + fp) for tp, fp, _ in tfs if tp + fp > 0]
        rs = [tp / (tp + fn) for tp, _, fn in tfs if tp + fn > 0]
        p, r = (sum(ps) / len(ps) if ps else 0.0), (sum(rs) / len(rs) if rs else 0.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _page(i: int, site: str) -> fc.Page:
    body = PROSE[i % len(PROSE) :] + PROSE[: i % len(PROSE)]
    raw = "\n".join([*MENU, TEASERS[i % 3], *body, *TEASERS, "© 2026 Coastal Times. All rights reserved."])
    html = (
        "<html><body><nav>" + "".join(f"<a href='/{m}'>{m}</a>" for m in MENU) + "</nav>"
        + "<ul>" + "".join(f"<li><a href='/t'>{t}</a></li>" for t in TEASERS) + "</ul>"
        + "<article>" + "".join(f"<p>{p}</p>" for p in body) + "</article>"
        + "<footer>© 2026 Coastal Times. All rights reserved.</footer></body></html>"
    )  # fmt: skip
    return fc.Page(
        id=f"p{i}", collection="dev" if i % 2 else "dev_gn1", site=site, raw=raw, html=html, truth="\n".join(body)
    )


@pytest.fixture(scope="module")
def synthetic() -> dict[str, list[fc.Lines]]:
    pages = [_page(i, f"site{i % 4}.example") for i in range(8)]
    return {kind: [fc.page_lines(p, kind) for p in pages] for kind in fc.KINDS}


# ---------------------------------------------------------------- features


def test_line_vectors_have_one_value_per_feature_name() -> None:
    page = parse_page(_page(0, "a").html)
    texts = [ln.text for ln in page.lines]
    text_lines, _, _ = C._prepare(list(texts))
    dom_lines, _, _ = C._prepare(list(texts), page.lines)
    assert {len(v) for v in line_vectors(text_lines)} == {len(feature_names(dom=False))}
    assert {len(v) for v in line_vectors(dom_lines, page.lines)} == {len(feature_names(dom=True))}


def test_prose_lines_and_menu_lines_get_different_features() -> None:
    lines, _, _ = C._prepare([*MENU, *PROSE])
    names = feature_names(dom=False)
    vec = {ln.text: dict(zip(names, v, strict=True)) for ln, v in zip(lines, line_vectors(lines), strict=True)}
    prose, menu = vec[PROSE[0]], vec["Home"]
    assert prose["prose"] == 1.0 and menu["prose"] == 0.0
    assert prose["log_tokens"] > menu["log_tokens"]
    assert prose["end_punct"] == 1.0 and menu["short"] == 1.0


def test_link_and_container_evidence_reach_the_dom_features() -> None:
    page = parse_page(_page(0, "a").html)
    lines, _, _ = C._prepare([ln.text for ln in page.lines], page.lines)
    names = feature_names(dom=True)
    vec = {
        ln.text: dict(zip(names, v, strict=True)) for ln, v in zip(lines, line_vectors(lines, page.lines), strict=True)
    }
    assert vec[TEASERS[0]]["link"] == 1.0
    assert vec[PROSE[0]]["content"] == 1.0 and vec[PROSE[0]]["link"] == 0.0


def test_container_features_find_the_main_prose_container() -> None:
    # the article's paragraphs share one <div>; a teaser box with one sentence sits beside it, the menu above
    html = (
        "<body><ul>" + "".join(f"<li><a href='/{m}'>{m}</a></li>" for m in MENU) + "</ul>"
        + "<div><div class='x'>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</div>"
        + f"<div class='y'><p>{PROSE[0][:60]}, and <a href='/t'>{TEASERS[0]}</a>.</p></div></div></body>"
    )  # fmt: skip
    page = parse_page(html)
    lines, _, _ = C._prepare([ln.text for ln in page.lines], page.lines)
    names = feature_names(dom=True)
    vec = {
        ln.text: dict(zip(names, v, strict=True)) for ln, v in zip(lines, line_vectors(lines, page.lines), strict=True)
    }
    body, menu = vec[PROSE[1]], vec["World"]
    assert body["parent_prose"] == pytest.approx(1.0) and body["parent_link"] == 0.0
    assert body["below_main"] == 0.1  # one level below the main container (the <p> in the <div>)
    assert menu["parent_prose"] == 0.0 and menu["parent_link"] == 1.0 and menu["below_main"] == -0.1
    assert body["main_share"] == menu["main_share"] == pytest.approx(1.0)
    assert 0.0 < body["parent_density"] <= 1.0


def test_container_features_without_prose_or_paths_are_neutral() -> None:
    page = parse_page("<body><ul>" + "".join(f"<li><a href='/{m}'>{m}</a></li>" for m in MENU) + "</ul></body>")
    lines, _, _ = C._prepare([ln.text for ln in page.lines], page.lines)
    n = len(feature_names(dom=False)) + len(DOM_FEATURES)
    assert all(v[n:] == [0.0] * len(CONTAINER_FEATURES) for v in line_vectors(lines, page.lines))


def test_lines_carry_their_block_path() -> None:
    page = parse_page("<body><div><p>One <b>bold</b></p><p>Two</p>tail</div><ul><li>Item</li></ul></body>")
    path = {ln.text: ln.path for ln in page.lines}
    assert path["One bold"][:-1] == path["Two"][:-1] == path["tail"]  # siblings share the <div>
    assert path["One bold"][-1] != path["Two"][-1]
    assert path["Item"][:2] == path["tail"][:2] and path["Item"][2] != path["tail"][2]


# ---------------------------------------------------------------- labels, sites, folds


def test_labels_follow_the_truth_shingles() -> None:
    truth = "The harbour board met on Tuesday to discuss the new pier.\nShort head"
    labels = fc.line_labels(
        [
            "The harbour board met on Tuesday to discuss the new pier.",
            "Short head",
            "Home",
            "Subscribe to our newsletter today",
        ],
        truth,
    )
    assert labels == [1, 1, 0, 0]


def test_sites_reduce_to_the_registered_domain() -> None:
    assert fc.registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert fc.registered_domain("www.reuters.com") == "reuters.com"
    html = "<a href='http://ad.doubleclick.net/x'>ad</a><a href='http://www.paper.com/a'>a</a><a href='http://www.paper.com/b'>b</a>"
    assert fc.site_of({}, html, "id") == "paper.com"
    assert fc.site_of({"url": "https://www.wsj.com/articles/x"}, "", "id") == "wsj.com"
    assert fc.site_of({}, "", "id") == "page:id"


def test_folds_keep_a_site_together_and_are_deterministic() -> None:
    pages = [_page(i, f"site{i % 5}.example") for i in range(20)]
    folds = fc.folds_by_site(pages, k=3)
    assert folds == fc.folds_by_site(pages, k=3)
    assert set(folds) == {p.site for p in pages}
    assert set(folds.values()) == {0, 1, 2}


# ---------------------------------------------------------------- fitting


def test_logistic_fit_learns_a_separable_feature_deterministically() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 1] > 0).astype(float)
    w = np.ones(400)
    a, b = line_learners.fit_logistic(X, y, w), line_learners.fit_logistic(X, y, w)
    assert a == b
    assert abs(a["w"][1]) > 5 * max(abs(a["w"][0]), abs(a["w"][2]))


def test_trees_fit_and_the_compiled_model_agree() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 4))
    y = ((X[:, 0] > 0.3) ^ (X[:, 2] < -0.5)).astype(float)  # an interaction a linear model cannot fit
    spec = line_learners.fit_trees(X, y, np.ones(600), trees=20)
    assert spec == line_learners.fit_trees(X, y, np.ones(600), trees=20)
    p = 1 / (1 + np.exp(-line_learners.model_logits(spec, X)))
    assert ((p > 0.5) == (y == 1)).mean() > 0.95
    model = LineModel({**spec, "features": ["a", "b", "c", "d"], "threshold": 0.5})
    assert np.allclose([model.prob(list(x)) for x in X[:50]], p[:50])


def test_fit_kind_on_a_tiny_set_cleans_better_than_keeping_everything(synthetic) -> None:
    for kind, rows in synthetic.items():
        spec = fc.fit_kind(rows, _StubScorer)
        assert spec["threshold"] in fc.THRESHOLDS[kind] and spec["features"] == list(feature_names(kind == "dom"))
        assert spec == fc.fit_kind(rows, _StubScorer)  # same data, same weights
        pairs = [(d.page.truth, fc.clean_with(d, spec)) for d in rows]
        kept_all = [(d.page.truth, d.page.raw) for d in rows]
        assert fc.f1_of(_StubScorer, pairs)[2] > fc.f1_of(_StubScorer, kept_all)[2]


def test_cross_validation_scores_every_page_out_of_sample(synthetic) -> None:
    out = fc.cross_validate(synthetic, _StubScorer, k=2)
    assert set(out) == set(fc.KINDS)
    assert {pid for texts in out.values() for pid in texts} == {d.page.id for d in synthetic["text"]}


def test_written_model_loads_and_drives_the_cleaner(synthetic, tmp_path: Path) -> None:
    spec = {"models": {kind: fc.fit_kind(rows, _StubScorer) for kind, rows in synthetic.items()}}
    path = tmp_path / "model.json"
    fc.write_model(spec, path)
    models = load_models(str(path))
    assert set(models) == {"text", "dom"}
    cleaned = C._clean_lines(C._paragraph_units(_page(1, "x").raw.split("\n")), "text", models=models)
    assert PROSE[0] in cleaned.text and "Contact us" not in cleaned.text


def test_the_shipped_model_file_is_small_and_complete() -> None:
    assert MODEL_PATH.is_file()
    assert MODEL_PATH.stat().st_size < 200_000
    spec = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for kind in ("text", "dom"):
        assert spec["models"][kind]["features"] == list(feature_names(kind == "dom"))
    assert set(load_models()) == {"text", "dom"}


# ---------------------------------------------------------------- title suffix


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Storm hits the coast | Coastal Times", None, "Storm hits the coast"),
        ("Storm hits the coast | Coastal Times", "Coastal Times", "Storm hits the coast"),
        ("Coastal Times - Storm hits the coast", "Coastal Times", "Storm hits the coast"),
        ("Storm - a story", None, "Storm - a story"),
        ("Election 2020: what to know now", None, "Election 2020: what to know now"),
        (None, None, None),
    ],
)
def test_site_name_suffixes_are_cut_from_titles(title, site, expected) -> None:
    assert C.strip_site_suffix(title, site) == expected
