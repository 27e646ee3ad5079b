"""Language identification with py3langid (ships its model; imported lazily: it pulls in numpy)."""

from __future__ import annotations

from functools import cache
from typing import Any

MIN_CHARS = 20
# Below this normalized probability the answer is a guess (one short sentence often scores ~0.1),
# so the language is reported as unknown (None) rather than wrong.
MIN_PROBABILITY = 0.5
SAMPLE_CHARS = 5000


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= MIN_PROBABILITY else None
