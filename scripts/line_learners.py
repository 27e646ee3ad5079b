"""The two learners of the cleaner's line models (scripts/fit_cleaner.py): gradient-boosted trees (shipped)
and a logistic regression; numpy only, no randomness, so a rerun gives the same weights.

A fitted model is plain lists and numbers that newsproc.pipeline.clean.learned.LineModel evaluates in
plain Python; `model_logits` is the same function in numpy for the fitting script.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

L2 = 1.0


def fit_logistic(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2, iters: int = 30) -> dict:
    """Weighted L2-penalised logistic regression by Newton steps on standardized features (deterministic)."""
    mu = np.average(X, axis=0, weights=w)
    sd = np.sqrt(np.average((X - mu) ** 2, axis=0, weights=w))
    sd[sd < 1e-9] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mu) / sd])
    w = w / w.sum() * len(w)  # mean weight 1, so l2 keeps its meaning whatever the data size
    beta = np.zeros(Z.shape[1])
    penalty = np.full(Z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ beta, -30, 30)))
        grad = Z.T @ (w * (p - y)) + penalty * beta
        hess = (Z * (w * p * (1 - p))[:, None]).T @ Z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return {
        "b": float(beta[0]),
        "w": [float(v) for v in beta[1:]],
        "mu": [float(v) for v in mu],
        "sd": [float(v) for v in sd],
    }


TREES = 60
DEPTH = 3
RATE = 0.2
BINS = 32
LEAF_L2 = 1.0
MIN_CHILD = 5.0


def fit_trees(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, trees: int = TREES, depth: int = DEPTH, rate: float = RATE
) -> dict:
    """Gradient-boosted decision trees (logistic loss, Newton leaves, histogram splits); deterministic.

    Split candidates are the feature's weighted-sample quantiles (at most BINS per feature); every tree
    is grown level by level to `depth`. The result is plain lists that learned.LineModel evaluates.
    """
    n, n_feat = X.shape
    w = w / w.sum() * n
    cuts = []
    binned = np.zeros((n, n_feat), dtype=np.int32)
    for f in range(n_feat):
        qs = np.unique(np.quantile(X[:, f], np.linspace(0, 1, BINS + 1)[1:-1]))
        cuts.append(qs)
        binned[:, f] = np.searchsorted(qs, X[:, f], side="left")  # bin b: cuts[b-1] < x <= cuts[b]
    offsets = np.arange(n_feat) * (BINS + 1)
    flat = binned + offsets
    prior = float(np.clip(np.average(y, weights=w), 1e-4, 1 - 1e-4))
    base = float(np.log(prior / (1 - prior)))
    z = np.full(n, base)
    out = []
    bins = _Bins(binned, flat, cuts, depth, rate)
    for _ in range(trees):
        p = 1.0 / (1.0 + np.exp(-z))
        tree = {"f": [], "t": [], "l": [], "r": [], "v": []}
        _grow(tree, bins, w * (p - y), w * p * (1 - p), np.arange(n), 0)
        out.append(tree)
        z += _tree_predict(tree, X)
    return {"type": "trees", "base": base, "trees": out}


@dataclass
class _Bins:
    binned: np.ndarray  # (lines, features) bin index of every value
    flat: np.ndarray  # the same, offset per feature: one bincount gives all histograms of a node
    cuts: list  # per feature the cut values (bin b holds cuts[b-1] < x <= cuts[b])
    depth: int
    rate: float


def _grow(tree: dict, bins: _Bins, g: np.ndarray, h: np.ndarray, idx: np.ndarray, level: int) -> int:
    """Add the node for the samples `idx` (and its subtree) to `tree`; the node's index."""
    node = len(tree["f"])
    for key in tree:
        tree[key].append(-1 if key in ("f", "l", "r") else 0.0)
    G, H = g[idx].sum(), h[idx].sum()
    tree["v"][node] = float(-bins.rate * G / (H + LEAF_L2))
    if level == bins.depth or len(idx) < 2:
        return node
    n_feat = bins.binned.shape[1]
    size = n_feat * (BINS + 1)
    cells = bins.flat[idx].ravel()
    hg = np.bincount(cells, weights=np.repeat(g[idx], n_feat), minlength=size).reshape(n_feat, -1)
    hh = np.bincount(cells, weights=np.repeat(h[idx], n_feat), minlength=size).reshape(n_feat, -1)
    gl, hl = np.cumsum(hg, axis=1)[:, :-1], np.cumsum(hh, axis=1)[:, :-1]
    gr, hr = G - gl, H - hl
    gain = gl**2 / (hl + LEAF_L2) + gr**2 / (hr + LEAF_L2) - G**2 / (H + LEAF_L2)
    gain[(hl < MIN_CHILD * 0.25) | (hr < MIN_CHILD * 0.25)] = -np.inf
    for f in range(n_feat):
        gain[f, len(bins.cuts[f]) :] = -np.inf  # no cut beyond the feature's last quantile
    best = int(np.argmax(gain))
    f, b = divmod(best, gain.shape[1])
    if not np.isfinite(gain[f, b]) or gain[f, b] <= 1e-6:
        return node
    go_left = bins.binned[idx, f] <= b
    tree["f"][node], tree["t"][node] = f, float(bins.cuts[f][b])
    tree["l"][node] = _grow(tree, bins, g, h, idx[go_left], level + 1)
    tree["r"][node] = _grow(tree, bins, g, h, idx[~go_left], level + 1)
    return node


def _tree_predict(tree: dict, X: np.ndarray) -> np.ndarray:
    out = np.zeros(len(X))
    stack = [(0, np.arange(len(X)))]
    while stack:
        node, idx = stack.pop()
        f = tree["f"][node]
        if f < 0 or not len(idx):
            out[idx] = tree["v"][node]
            continue
        left = X[idx, f] <= tree["t"][node]
        stack += [(tree["l"][node], idx[left]), (tree["r"][node], idx[~left])]
    return out


def model_logits(spec: dict, X: np.ndarray) -> np.ndarray:
    if spec.get("type") == "trees":
        return spec["base"] + sum(_tree_predict(t, X) for t in spec["trees"])
    sd = np.array(spec["sd"])
    return spec["b"] + ((X - np.array(spec["mu"])) / sd) @ np.array(spec["w"])
