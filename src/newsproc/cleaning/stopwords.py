"""Stop-word lists (jusText's, installed with trafilatura) and a cheap per-document language pick."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import justext

# Languages tried for each document. Picking among a few keeps the cost at a few set intersections.
LANGUAGES = (
    "English", "German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Polish", "Czech",
    "Swedish", "Danish", "Norwegian_Bokmal", "Finnish", "Hungarian", "Romanian", "Turkish", "Russian",
    "Indonesian",
)  # fmt: skip


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    lists = {}
    for name in LANGUAGES:
        try:
            lists[name] = frozenset(w.lower() for w in justext.get_stoplist(name))
        except (ValueError, OSError):  # pragma: no cover - a list missing from the installed jusText
            continue
    return lists


def pick_stoplist(tokens_lower: list[str]) -> tuple[str, frozenset[str]]:
    """The stop list that covers most tokens of the document (English when there are no tokens)."""
    lists = _stoplists()
    if not tokens_lower:
        return "English", lists["English"]
    counts = Counter(tokens_lower)
    english = lists["English"]
    english_hits = sum(counts[tok] for tok in english.intersection(counts))
    if english_hits >= 0.3 * len(tokens_lower):
        # no other list covers 30 % of an English text; most documents stop here
        return "English", english
    best_name, best_hits = "English", english_hits
    for name, words in lists.items():
        if name == "English":
            continue
        hits = sum(counts[tok] for tok in words.intersection(counts))
        if hits > best_hits:
            best_name, best_hits = name, hits
    return best_name, lists[best_name]
