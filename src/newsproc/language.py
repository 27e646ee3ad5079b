"""Language identification with py3langid (ships its model; imported lazily: it pulls in numpy)."""

from __future__ import annotations

from functools import cache
from typing import Any

MIN_CHARS = 20


@cache
def _identifier() -> Any:
    import py3langid

    return py3langid


def detect_language(text: str) -> str | None:
    sample = text[:5000]
    if len(sample.strip()) < MIN_CHARS:
        return None
    language, _probability = _identifier().classify(sample)
    return str(language)
