"""Language identification with py3langid (ships its model; imported lazily: it pulls in numpy).

Fast path: a text whose tokens are mostly covered by the English stop list, and better by it than by any
of the cleaner's other stop lists, is English without asking py3langid (which agreed on all 350 dev
documents). This keeps py3langid's model (0.5 s to decompress and load) off the cold start of a
service that mostly sees English; every other text goes to py3langid as before.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

MIN_CHARS = 20
# Below this normalized probability the answer is a guess (one short sentence often scores ~0.1),
# so the language is reported as unknown (None) rather than wrong.
MIN_PROBABILITY = 0.5
SAMPLE_CHARS = 5000
# English dev articles have 31-60 % of their tokens in the English stop list; Dutch, the closest
# other language, about 20 % (and then the Dutch list covers more).
ENGLISH_FAST_MIN_TOKENS = 40
ENGLISH_FAST_MIN_COVERAGE = 0.3
_TOKEN = re.compile(r"\w+")


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _clearly_english(sample: str) -> bool:
    from newsproc.pipeline.clean.stopwords import pick_stoplist

    tokens = [t.lower() for t in _TOKEN.findall(sample)]
    if len(tokens) < ENGLISH_FAST_MIN_TOKENS:
        return False
    name, stops = pick_stoplist(tokens)
    return name == "English" and sum(t in stops for t in tokens) >= ENGLISH_FAST_MIN_COVERAGE * len(tokens)


def detect_language(text: str) -> str | None:
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    if _clearly_english(sample):
        return "en"
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= MIN_PROBABILITY else None


# ------------------------------------------------------------------------------------ the language gate
# A text whose language is unknown (None: too short, or py3langid unsure) is treated as English only when
# it is written in ASCII letters (>= 95 % of its letters) and either py3langid's best (unsure) guess among
# the widely written languages below is English, or its words include English stop words, more than any of
# the cleaner's other stop lists covers ("Minister" and "on" are Polish stop words); otherwise no model runs
# (language_unknown). The guess leaves out py3langid's rarer languages: a short English sentence full of
# names is often closest to Nigerian Pidgin, Latin or Afrikaans, never a language a news desk expects.
UNKNOWN_MIN_ASCII_LETTERS = 0.95
FALLBACK_LANGUAGE = "en"
GUESS_LANGUAGES = frozenset(
    ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "cs", "sv", "da", "no", "nb", "fi", "hu", "ro", "tr", "ru", "id")
)


def _best_guess(sample: str) -> str:
    """py3langid's most likely language among GUESS_LANGUAGES, however unsure."""
    return next(language for language, _ in _identifier().rank(sample) if language in GUESS_LANGUAGES)


def _plausibly_english(text: str) -> bool:
    from newsproc.pipeline.clean.stopwords import pick_stoplist

    sample = text[:SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters or sum(ch.isascii() for ch in letters) < UNKNOWN_MIN_ASCII_LETTERS * len(letters):
        return False
    if _best_guess(sample) == FALLBACK_LANGUAGE:
        return True
    tokens = [t.lower() for t in _TOKEN.findall(sample)]
    name, stops = pick_stoplist(tokens)
    return name == "English" and any(t in stops for t in tokens)


def ner_language(language: str | None, text: str, available: Any) -> tuple[str | None, tuple[str, str] | None]:
    """Which NER pipeline runs on a text: (its language code, None), or (None, (warning code, message)).

    `language` is detect_language's answer, `available` the languages that have a pipeline (NER_MODELS).
    A language without a pipeline gets no model (language_not_supported); an unknown language gets the
    English one only if the text is plausibly English (above), else none (language_unknown)."""
    if language is not None:
        if language in available:
            return language, None
        return None, (
            "language_not_supported",
            f"the text was identified as {language!r}; entities are extracted for "
            f"{', '.join(sorted(available)) or 'no language'} (NER_MODELS), so none were extracted",
        )
    if FALLBACK_LANGUAGE in available and _plausibly_english(text):
        return FALLBACK_LANGUAGE, None
    return None, (
        "language_unknown",
        "the language of the text could not be identified (too short, mixed or unsure); no entities were extracted",
    )
