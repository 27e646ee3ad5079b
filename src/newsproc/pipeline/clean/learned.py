"""The learned line classifier: per-line feature vectors and the shipped logistic model (model.json).

`line_vectors` turns the lines of features.py (and, on the HTML path, the markup evidence of dom.py)
into fixed-length numeric vectors: length, punctuation, stop-word density, capitals, repetition, the
hand rules' verdicts (boilerplate family, prompt cover, section barrier, date/byline shape, the hand
value per token), position in the page, the prose of the neighbouring lines, and for HTML the link
share, furniture/article containers, caption and element, and where the line sits among the page's block
containers (the prose and links of its parent and grandparent, its depth below the main container).
`apply_model` gives every line the probability that it is article text and turns it into the
token-weighted value the main-block selection (blocks.py) maximises: ``(p - threshold) * max(tokens, 1)``.

The weights are fitted by ``scripts/fit_cleaner.py`` (``make fit-cleaner``) and ship as
``model.json`` beside this file; evaluation is plain Python (no numpy at run time), a few microseconds
a line. Without a model file the hand values stay.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from newsproc.pipeline.clean import patterns as pt
from newsproc.pipeline.clean.features import _TEASER_END, _is_prose, _Line, _markup_furniture
from newsproc.pipeline.clean.metadata import is_date_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from newsproc.pipeline.clean.dom import DomLine

MODEL_PATH = Path(__file__).with_name("model.json")

TEXT_FEATURES = (
    "log_tokens", "short", "stop", "caps", "end_punct", "sent_inside", "repeat", "multi", "rule",
    "prompt_cover", "teaser", "prose", "hand_value", "barrier", "date_line", "byline",
    "prev_prose", "next_prose", "near_prose", "near_stop", "dist_longest", "word_len", "digits",
    "prev_rule", "next_rule", "rel_len",
)  # fmt: skip
DOM_FEATURES = (
    "link", "boiler", "content", "caption", "h1", "heading", "li", "p", "cell", "page_has_content",
    "outside_content", "near_link",
)  # fmt: skip
# where the line sits among the page's block containers (_container_features; DomLine.path)
CONTAINER_FEATURES = ("parent_prose", "grand_prose", "parent_link", "parent_density", "below_main", "main_share")


def feature_names(dom: bool) -> tuple[str, ...]:
    return TEXT_FEATURES + DOM_FEATURES + CONTAINER_FEATURES if dom else TEXT_FEATURES


_NON_LETTER = re.compile(r"[\W\d_]+")
_DIGITS = re.compile(r"\d")
_HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
_CELLS = frozenset(("td", "th", "tr", "dd", "dt"))


def line_vectors(lines: list[_Line], hints: list[DomLine] | None = None) -> list[list[float]]:
    """One feature vector per line (order of TEXT_FEATURES, then DOM_FEATURES when hints are given)."""
    n = len(lines)
    if not n:
        return []
    prose = [1.0 if _is_prose(ln) else 0.0 for ln in lines]
    rule = [1.0 if ln.reason else 0.0 for ln in lines]
    longest = max(range(n), key=lambda i: lines[i].tokens)
    max_tokens = max(1, lines[longest].tokens)
    # prefix sums: the neighbourhood means are O(1) a line
    cum_prose, cum_stop = [0.0], [0.0]
    for ln, pr in zip(lines, prose, strict=True):
        cum_prose.append(cum_prose[-1] + pr)
        cum_stop.append(cum_stop[-1] + ln.stop)
    vectors: list[list[float]] = []
    for pos, ln in enumerate(lines):
        t = ln.tokens
        text = ln.text
        lo, hi = max(0, pos - 3), min(n, pos + 4)
        others = max(1, hi - lo - 1)
        near_prose = (cum_prose[hi] - cum_prose[lo] - prose[pos]) / others
        near_stop = (cum_stop[hi] - cum_stop[lo] - ln.stop) / others
        letters = len(_NON_LETTER.sub("", text))
        digits = len(_DIGITS.findall(text))
        short = t <= 14
        vec = [
            math.log1p(t),
            1.0 if t <= 3 else 0.0,
            ln.stop,
            ln.caps,
            1.0 if ln.end_punct else 0.0,
            1.0 if ln.sent_inside else 0.0,
            1.0 if ln.repeat else 0.0,
            1.0 if ln.count > 1 else 0.0,
            rule[pos],
            ln.prompt_cover,
            1.0 if _TEASER_END.search(text) else 0.0,
            prose[pos],
            max(-3.0, min(1.5, ln.value / max(1, t))),
            1.0 if ln.barrier else 0.0,
            1.0 if short and is_date_line(text, t) else 0.0,
            1.0 if short and pt.BYLINE.match(text) else 0.0,
            prose[pos - 1] if pos else 0.0,
            prose[pos + 1] if pos + 1 < n else 0.0,
            near_prose,
            near_stop,
            abs(pos - longest) / n,
            min(12.0, letters / max(1, t)) / 6.0,
            digits / max(1, len(text)),
            rule[pos - 1] if pos else 0.0,
            rule[pos + 1] if pos + 1 < n else 0.0,
            t / max_tokens,
        ]
        vectors.append(vec)
    if hints is not None:
        doms = [hints[ln.index] for ln in lines]
        has_content = 1.0 if any(h.content_share >= 0.5 for h in doms) else 0.0
        links = [h.link_share for h in doms]
        for pos, (vec, h) in enumerate(zip(vectors, doms, strict=True)):
            lo, hi = max(0, pos - 3), min(n, pos + 4)
            near_link = (sum(links[lo:hi]) - links[pos]) / max(1, hi - lo - 1)
            vec += [
                h.link_share,
                h.boiler_share,
                h.content_share,
                1.0 if h.caption else 0.0,
                1.0 if h.tag == "h1" else 0.0,
                1.0 if h.tag in _HEADINGS else 0.0,
                1.0 if h.tag == "li" else 0.0,
                1.0 if h.tag == "p" else 0.0,
                1.0 if h.tag in _CELLS else 0.0,
                has_content,
                has_content * (1.0 - h.content_share),
                near_link,
            ]
        for vec, extra in zip(vectors, _container_features(lines, doms, prose), strict=True):
            vec += extra
    return vectors


def _container_features(lines: list[_Line], doms: list[DomLine], prose: list[float]) -> list[list[float]]:
    """Where the line sits relative to the page's prose: readability-like container scores.

    Every prose line outside links (features._is_prose, link share under 0.3) gives its tokens to each
    block element above it (DomLine.path). A container scores the prose of its children plus half that
    of its grandchildren, times one minus its link share (readability's candidate score); the best one
    is the page's main container. Per line (CONTAINER_FEATURES): the share of the page's prose in its
    parent and grandparent block, the link share and prose share of the parent's tokens, how deep the
    line sits below the main container (-0.1 outside it) and the main container's share of the prose.
    """
    prose_acc: dict[int, float] = {}
    all_acc: dict[int, float] = {}
    link_acc: dict[int, float] = {}
    score: dict[int, float] = {}
    total = 0.0
    for ln, h, pr in zip(lines, doms, prose, strict=True):
        t = float(max(1, ln.tokens))
        w = t if pr and h.link_share < 0.3 else 0.0
        lt = t * h.link_share
        for a in h.path:
            all_acc[a] = all_acc.get(a, 0.0) + t
            if lt:
                link_acc[a] = link_acc.get(a, 0.0) + lt
            if w:
                prose_acc[a] = prose_acc.get(a, 0.0) + w
        if w and len(h.path) >= 2:
            total += w
            score[h.path[-2]] = score.get(h.path[-2], 0.0) + w
            if len(h.path) >= 3:
                score[h.path[-3]] = score.get(h.path[-3], 0.0) + 0.5 * w
    if not total:
        return [[0.0] * len(CONTAINER_FEATURES) for _ in lines]
    best = max(score, key=lambda a: (score[a] * (1.0 - link_acc.get(a, 0.0) / all_acc[a]), -a))
    best_share = prose_acc.get(best, 0.0) / total
    out = []
    for h in doms:
        path = h.path
        parent = path[-2] if len(path) >= 2 else None
        if parent is None:
            out.append([0.0, 0.0, 0.0, 0.0, -0.1, best_share])
            continue
        grand = path[-3] if len(path) >= 3 else parent
        out.append([
            prose_acc.get(parent, 0.0) / total,
            prose_acc.get(grand, 0.0) / total,
            link_acc.get(parent, 0.0) / all_acc[parent],
            prose_acc.get(parent, 0.0) / all_acc[parent],
            min(10, len(path) - 1 - path.index(best)) / 10 if best in path else -0.1,
            best_share,
        ])  # fmt: skip
    return out


class LineModel:
    """The fitted line model: boosted trees (``"type": "trees"``) or a logistic model over standardized
    features; `prob` is the probability that a line (its feature vector) is article text."""

    def __init__(self, spec: dict) -> None:
        self.names = tuple(spec["features"])
        self.threshold = float(spec.get("threshold", 0.5))
        # the further-block minimum of blocks.py (absolute, share of the main block), chosen with the threshold
        self.extra = tuple(float(v) for v in spec.get("extra", (30.0, 0.25)))
        # share of the hand value added to the learned one (0: the model alone), chosen with the threshold
        self.hand_weight = float(spec.get("hand_weight", 0.0))
        if spec.get("type") == "trees":
            self._logit = _compile_trees(float(spec["base"]), spec["trees"])
            return
        sd = [s if s > 1e-9 else 1.0 for s in spec["sd"]]
        # fold the standardization into the weights once: one dot product per line at run time
        w = [w / s for w, s in zip(spec["w"], sd, strict=True)]
        b = spec["b"] - sum(w * m / s for w, m, s in zip(spec["w"], spec["mu"], sd, strict=True))
        self._logit = lambda vec: b + sum(wi * x for wi, x in zip(w, vec, strict=True))

    def prob(self, vec: list[float]) -> float:
        z = self._logit(vec)
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


def _compile_trees(base: float, trees: list[dict]) -> Callable[[list[float]], float]:
    """The trees as one generated Python function of nested comparisons (5-10x faster than walking
    the node lists). Only numbers from the model file go into the source, each through int()/float()."""

    def node_source(tree: dict, node: int, depth: int) -> list[str]:
        pad = "    " * depth
        f = int(tree["f"][node])
        if f < 0:
            return [f"{pad}z += {float(tree['v'][node])!r}"]
        return [
            f"{pad}if x[{f}] <= {float(tree['t'][node])!r}:",
            *node_source(tree, int(tree["l"][node]), depth + 1),
            f"{pad}else:",
            *node_source(tree, int(tree["r"][node]), depth + 1),
        ]

    body = [f"    z = {base!r}"]
    for tree in trees:
        body += node_source(tree, 0, 1)
    source = "def _logit(x):\n" + "\n".join(body) + "\n    return z\n"
    namespace: dict = {}
    exec(compile(source, "<newsproc line model>", "exec"), namespace)  # noqa: S102 - numbers only, see above
    return namespace["_logit"]


@lru_cache(maxsize=1)
def load_models(path: str = str(MODEL_PATH)) -> dict[str, LineModel]:
    """The shipped models by path kind ("text", "dom"), read once per process; {} without a file."""
    p = Path(path)
    if not p.is_file():
        return {}
    spec = json.loads(p.read_text(encoding="utf-8"))
    return {kind: LineModel(m) for kind, m in spec["models"].items()}


def markup_vetoes(lines: list[_Line], hints: list[DomLine] | None) -> list[bool]:
    """Lines the markup alone condemns (link lists, furniture containers: features._markup_furniture).

    A frozen hand rule on top of the model: their value is never above the hand value, so a sentence
    in a comments box or a share bar does not join the article because the model liked its words.
    """
    if hints is None:
        return [False] * len(lines)
    return [_markup_furniture(hints[ln.index], ln.tokens) is not None for ln in lines]


def apply_model(lines: list[_Line], hints: list[DomLine] | None, model: LineModel | None) -> None:
    """Replace each line's hand value by the learned one: (p - threshold) * max(tokens, 1), plus
    ``hand_weight`` times the hand value; never above the hand value on lines the markup condemns."""
    if model is None or not lines:
        return
    vetoes = markup_vetoes(lines, hints)
    for ln, vec, veto in zip(lines, line_vectors(lines, hints), vetoes, strict=True):
        p = model.prob(vec)
        ln.prob = p
        value = (p - model.threshold) * max(1, ln.tokens) + model.hand_weight * ln.value
        ln.value = min(value, ln.value) if veto else value
