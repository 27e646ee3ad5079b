"""Stop-word lists (jusText's, installed with trafilatura) and a cheap per-document language pick."""

from __future__ import annotations

import importlib.util
from collections import Counter
from functools import cache
from pathlib import Path

# Languages tried for each document. Picking among a few keeps the cost at a few set intersections.
LANGUAGES = (
    "English", "German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Polish", "Czech",
    "Swedish", "Danish", "Norwegian_Bokmal", "Finnish", "Hungarian", "Romanian", "Turkish", "Russian",
    "Indonesian",
)  # fmt: skip


@cache
def stoplist(name: str) -> frozenset[str]:
    """jusText's list, read as `justext.get_stoplist` reads it, without importing jusText: its
    package imports lxml.html and lxml_html_clean (about 0.03 s of cold start), which only HTML needs."""
    spec = importlib.util.find_spec("justext")
    if spec is None or spec.origin is None:  # pragma: no cover - jusText is a pinned dependency
        raise ModuleNotFoundError("justext")
    data = (Path(spec.origin).parent / "stoplists" / f"{name}.txt").read_bytes()
    return frozenset(word.decode("utf8").lower() for word in data.splitlines())


@cache
def _stoplists() -> dict[str, frozenset[str]]:
    lists = {}
    for name in LANGUAGES:
        try:
            lists[name] = stoplist(name)
        except OSError:  # pragma: no cover - a list missing from the installed jusText
            continue
    return lists


def pick_stoplist(tokens_lower: list[str]) -> tuple[str, frozenset[str]]:
    """The stop list that covers most tokens of the document (English when there are no tokens)."""
    english = stoplist("English")
    if not tokens_lower:
        return "English", english
    counts = Counter(tokens_lower)
    english_hits = sum(counts[tok] for tok in english.intersection(counts))
    if english_hits >= 0.3 * len(tokens_lower):
        # no other list covers 30 % of an English text; most documents stop here
        return "English", english
    lists = _stoplists()
    best_name, best_hits = "English", english_hits
    for name, words in lists.items():
        if name == "English":
            continue
        hits = sum(counts[tok] for tok in words.intersection(counts))
        if hits > best_hits:
            best_name, best_hits = name, hits
    return best_name, lists[best_name]
