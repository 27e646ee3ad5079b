import pytest

from newsproc.pipeline.language import detect_language

pytestmark = pytest.mark.unit


def test_language_identifies_long_enough_text() -> None:
    assert (
        detect_language("The council said the new bridge would open to traffic next spring, after years of delay.")
        == "en"
    )
    assert (
        detect_language("Der Stadtrat teilte mit, dass die neue Brücke im nächsten Frühjahr eröffnet werden soll.")
        == "de"
    )
    assert detect_language("Le conseil municipal a annoncé que le nouveau pont ouvrira au printemps prochain.") == "fr"


def test_language_unknown_when_too_short_or_unsure() -> None:
    assert detect_language("Hi") is None
    assert detect_language("Kofi Annan visited Accra.") is None
