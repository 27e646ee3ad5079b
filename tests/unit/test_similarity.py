"""Shingles, MinHash signatures and LSH band keys (newsproc.pipeline.similarity)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsproc.pipeline import similarity
from newsproc.pipeline.similarity import SCHEME, Scheme, Signature, signature, words

pytestmark = pytest.mark.unit

ARTICLE = (
    "Lisbon's city council approved the construction of a new bridge across the Tagus on Monday, ending a decade "
    "of delays. Mayor Carlos Moedas said the 1.8 billion euro project would be financed in part by the European "
    "Investment Bank and would open to traffic in 2031. Opposition councillors questioned the cost estimates and "
    "asked for an independent review of the environmental impact on the estuary, home to thousands of migratory "
    "birds. Construction is expected to start next spring after a public tender."
)
UNRELATED = (
    "Kenyan runners swept the Berlin marathon on Sunday as Amos Kipruto won the men's race in two hours and two "
    "minutes, ahead of two compatriots. The women's race went to an Ethiopian debutante who pulled away in the last "
    "five kilometres. Organisers said more than forty thousand runners finished, a record for the event, and "
    "thanked the city's volunteers for handing out water along the course despite the unseasonable heat."
)


def _edited(text: str, every: int) -> str:
    """Every `every`-th word replaced."""
    return " ".join("replaced" if i % every == 0 else w for i, w in enumerate(text.split(" "), start=1))


def test_similarity_identical_texts_have_equal_signatures_and_band_keys() -> None:
    a, b = signature(ARTICLE), signature(str(ARTICLE))
    assert a is not None and b is not None
    assert a.similarity(b) == 1.0 and a.band_keys() == b.band_keys()
    assert len(a.values) == SCHEME.num_perm and len(a.band_keys()) == SCHEME.bands


def test_similarity_layout_case_and_punctuation_do_not_count() -> None:
    relaid = ARTICLE.upper().replace(". ", ".\n\n").replace(",", " ,")
    assert signature(relaid) == signature(ARTICLE)
    assert words("Mr. Moedas's  BRIDGE!") == ["mr", "moedas", "s", "bridge"]


def test_similarity_small_edits_stay_above_the_threshold_unrelated_text_is_far_below() -> None:
    own = signature(ARTICLE)
    edited, truncated, other = (
        signature(_edited(ARTICLE, 25)),
        signature(ARTICLE[: len(ARTICLE) * 3 // 4]),
        signature(UNRELATED),
    )
    assert own is not None and edited is not None and truncated is not None and other is not None
    assert own.similarity(edited) >= SCHEME.threshold
    assert own.similarity(truncated) >= SCHEME.threshold
    assert own.similarity(other) < 0.1
    # A near-duplicate shares a band with these parameters; the unrelated text shares none.
    assert set(own.band_keys()) & set(edited.band_keys())
    assert not set(own.band_keys()) & set(other.band_keys())


def test_similarity_short_text_has_no_signature() -> None:
    assert signature("Too short to say anything about.") is None
    assert signature("") is None
    assert signature(" ".join(f"w{i}" for i in range(SCHEME.min_shingles + SCHEME.ngram - 1))) is not None


def test_similarity_band_keys_are_stable_across_processes_and_versions() -> None:
    # Band keys are stored: a change here would orphan every stored band item (docs/duplicates.md).
    own = signature(ARTICLE)
    assert own is not None
    assert own.band_keys()[:2] == ["LSH#00#420f67c4f22ba550", "LSH#01#2d6b67c8ff66a157"]
    assert own.values[:3] == (82575118, 122463200, 52095560)
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.unit.test_similarity import ARTICLE, signature; print(signature(ARTICLE).band_keys()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_process.stdout.strip() == own.band_keys()[0]


def test_similarity_signature_bytes_round_trip() -> None:
    own = signature(ARTICLE)
    assert own is not None
    data = own.to_bytes()
    assert len(data) == 4 * SCHEME.num_perm and Signature.from_bytes(data) == own
    with pytest.raises(ValueError):
        Signature.from_bytes(b"abc")
    assert own.similarity(Signature(())) == 0.0


def test_similarity_long_texts_are_hashed_in_chunks_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    long_text = " ".join(f"word{i % 5000} other{i % 777}" for i in range(12_000))
    whole = signature(long_text)
    monkeypatch.setattr(similarity._Hasher, "CHUNK", 1000)
    assert signature(long_text) == whole


def test_similarity_scheme_checks_its_banding_and_reports_the_s_curve() -> None:
    with pytest.raises(ValueError):
        Scheme(num_perm=16, bands=8, rows=3)
    assert SCHEME.candidate_probability(0.0) == 0.0 and SCHEME.candidate_probability(1.0) == 1.0
    assert SCHEME.candidate_probability(0.5) > 0.85 > SCHEME.candidate_probability(0.3)


def test_similarity_reading_a_signature_needs_no_numpy() -> None:
    # The ApiFunction (CoreLayer only) reads stored signatures and estimates similarities.
    code = (
        "import sys; from newsproc.pipeline.similarity import Signature; from newsproc.store import duplicates; "
        "s = Signature(tuple(range(128))); assert s.similarity(Signature.from_bytes(s.to_bytes())) == 1.0; "
        "s.band_keys(); assert 'numpy' not in sys.modules, 'numpy imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
