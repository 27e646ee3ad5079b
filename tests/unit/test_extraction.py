"""Mention extraction with a blank spaCy pipeline (an entity_ruler stands in for the model)."""

from __future__ import annotations

import pytest
import spacy

from newsproc.pipeline import extract as extraction
from newsproc.pipeline.extract import chunk_text, extract_mentions, harmonize, postprocess, restore_case

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "ORG", "pattern": "the United Nations"},
            {"label": "ORG", "pattern": "The Jordan Times"},
            {"label": "GPE", "pattern": [{"TEXT": "Ethiopia"}, {"TEXT": "'s"}]},
            {"label": "GPE", "pattern": "Ethiopia"},
            {"label": "PERSON", "pattern": "Mr Peskov"},
            {"label": "PERSON", "pattern": "Dmitry Peskov"},
            {"label": "DATE", "pattern": "last Monday"},
            {"label": "DATE", "pattern": "two years"},
            {"label": "MONEY", "pattern": "5 per cent"},
            {
                "label": "MONEY",
                "pattern": [{"LOWER": "about"}, {"TEXT": "US$"}, {"TEXT": "4.2"}, {"TEXT": "billion"}],
            },
            {"label": "CARDINAL", "pattern": "seven"},
        ]
    )
    return nlp


def spans(ms):
    return [(m.text, m.label) for m in ms]


def test_offsets_and_boundaries(nlp) -> None:
    text = (
        "Dmitry Peskov said last Monday that the United Nations had failed Ethiopia's people for two "
        "years. Mr Peskov read The Jordan Times. Costs rose 5 per cent to about US$ 4.2 billion, seven said."
    )
    [ms] = extract_mentions(nlp, [text])
    for m in ms:
        assert text[m.start : m.end] == m.text
    assert spans(ms) == [
        ("Dmitry Peskov", "PERSON"),
        ("Monday", "DATE"),
        ("United Nations", "ORG"),
        ("Ethiopia", "GPE"),
        ("Peskov", "PERSON"),
        ("The Jordan Times", "ORG"),
        ("US$ 4.2 billion", "MONEY"),
    ]


def test_batch_keeps_document_order(nlp) -> None:
    texts = ["Ethiopia", "", "Nothing here.", "Mr Peskov and Ethiopia"]
    out = extract_mentions(nlp, texts, batch_size=2)
    assert [spans(ms) for ms in out] == [
        [("Ethiopia", "GPE")],
        [],
        [],
        [("Peskov", "PERSON"), ("Ethiopia", "GPE")],
    ]


def test_long_text_is_chunked_without_loss(nlp, monkeypatch) -> None:
    monkeypatch.setattr(extraction, "CHUNK_CHARS", 200)
    para = "Dmitry Peskov met officials in Ethiopia. " * 3
    text = "\n\n".join([para] * 40)
    [ms] = extract_mentions(nlp, [text])
    assert len([m for m in ms if m.label == "GPE"]) == 120
    assert len([m for m in ms if m.label == "PERSON"]) == 120
    assert all(text[m.start : m.end] == m.text for m in ms)


def test_chunk_text_covers_text_and_cuts_at_breaks() -> None:
    text = ("A sentence here. " * 30 + "\n\n") * 10
    chunks = list(chunk_text(text, size=300))
    assert "".join(c for _, c in chunks) == text
    assert all(len(c) <= 300 for _, c in chunks)
    assert all(text[o : o + len(c)] == c for o, c in chunks)
    assert all(c.endswith((" ", "\n")) for _, c in chunks[:-1])
    unbroken = "x" * 1000
    assert "".join(c for _, c in chunk_text(unbroken, size=300)) == unbroken


def test_restore_case_is_same_length_and_uses_document_casing() -> None:
    text = "KIM WARNS SEOUL OVER UN SANCTIONS\n\nKim Jong-un told Seoul that the UN was unfair."
    restored = restore_case(text)
    assert len(restored) == len(text)
    assert restored.split("\n")[0] == "Kim warns Seoul over UN sanctions"
    assert restored[len("KIM WARNS SEOUL OVER UN SANCTIONS") :] == text[len("KIM WARNS SEOUL OVER UN SANCTIONS") :]
    assert restore_case("Normal text with NASA.") == "Normal text with NASA."
    weird = "İSTANBUL ŞEHİR HABERLERİ BUGÜN\nİstanbul is big."
    assert len(restore_case(weird)) == len(weird)


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("last Monday", ["Monday"]),
        ("two years", []),
        ("the end of 2019", ["2019"]),
        ("between 2016 and 2020", ["2016", "2020"]),
        ("Wednesday, July 27", ["Wednesday, July 27"]),
        ("5 November 2013", ["5 November 2013"]),
        ("the 14th of June", ["14th of June"]),
        ("this year", []),
        ("2016-2020", ["2016-2020"]),
        ("last Christmas Eve", ["Christmas Eve"]),
    ],
)
def test_dates_keep_calendar_expressions(surface: str, expected: list[str]) -> None:
    text = f"It happened {surface}, they said."
    s = text.index(surface)
    out = postprocess(text, [(s, s + len(surface), "DATE")])
    assert [m.text for m in out] == expected


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        ("It cost about $1.5bn in all.", "about $1.5", "$1.5bn"),
        ("Fees of $50 apply.", "50", "$50"),
        ("The bill was more than US$300 billion.", "more than US$300 billion", "US$300 billion"),
        ("A 12 per cent rise.", "12 per cent", None),
    ],
)
def test_money_boundaries(text: str, surface: str, expected: str | None) -> None:
    s = text.index(surface)
    out = [m.text for m in postprocess(text, [(s, s + len(surface), "MONEY")])]
    assert out == ([expected] if expected else [])


def test_money_patterns_the_model_missed() -> None:
    text = "He paid Tk 2,680 and Dh5,000, then 300 pesos and N$111 million; in 2,020 votes nobody paid."
    out = [m.text for m in postprocess(text, [])]
    assert out == ["Tk 2,680", "Dh5,000", "300 pesos", "N$111 million"]


def test_person_honorifics_and_quotes_trimmed() -> None:
    text = "Then “President Cyril Ramaphosa’s” aide, Dr. Ana Sittenfeld, and His Majesty spoke."
    items = [
        ("“President Cyril Ramaphosa’s”", "PERSON"),
        ("Dr. Ana Sittenfeld,", "PERSON"),
        ("His Majesty", "PERSON"),
    ]
    spans_ = [(text.index(s), text.index(s) + len(s), lab) for s, lab in items]
    assert [m.text for m in postprocess(text, spans_)] == ["Cyril Ramaphosa", "Ana Sittenfeld"]


def test_abbreviation_period_kept() -> None:
    text = "Troops from the U.S. arrived."
    s = text.index("the U.S.")
    assert [m.text for m in postprocess(text, [(s, s + len("the U.S."), "GPE")])] == ["U.S."]


def test_harmonize_surname_label_and_propagation() -> None:
    text = "Busisiwe Mkhwebane spoke. Mkhwebane left. Later Mkhwebane returned. Mkhwebane Street is long."
    full = (0, len("Busisiwe Mkhwebane"), "PERSON")
    s = text.index("Mkhwebane left")
    out = harmonize(text, [full, (s, s + 9, "ORG")])
    assert sorted(out) == [
        full,
        (s, s + 9, "PERSON"),
        (text.index("Mkhwebane returned"), text.index("Mkhwebane returned") + 9, "PERSON"),
    ]


def test_bracket_acronym_gets_label() -> None:
    text = "The Saudi Grains Organization (SAGO) met. SAGO agreed."
    s = text.index("Saudi")
    out = postprocess(text, [(s, s + len("Saudi Grains Organization"), "ORG")])
    assert [(m.text, m.label) for m in out] == [
        ("Saudi Grains Organization", "ORG"),
        ("SAGO", "ORG"),
        ("SAGO", "ORG"),
    ]
