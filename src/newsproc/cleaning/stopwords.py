"""Stop-word lists (jusText's, installed with trafilatura) and a cheap per-document language pick."""

from __future__ import annotations

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
    counts: dict[str, int] = {}
    for tok in tokens_lower:
        counts[tok] = counts.get(tok, 0) + 1
    best_name, best_hits = "English", -1
    for name, words in lists.items():
        hits = sum(counts[tok] for tok in words.intersection(counts))
        if hits > best_hits:
            best_name, best_hits = name, hits
    return best_name, lists[best_name]
