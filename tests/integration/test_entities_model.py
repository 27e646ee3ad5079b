"""Entity extraction with the real en_core_web_sm model (short texts written for these tests)."""

from __future__ import annotations

import pytest

from newsproc.pipeline.canonicalize import canonicalize
from newsproc.pipeline.extract import UNUSED_COMPONENTS, extract_mentions, load_nlp

pytestmark = pytest.mark.model

TEXTS = [
    "Kremlin spokesman Dmitry Peskov said on Tuesday that President Vladimir Putin's schedule was full. "
    "Mr Peskov declined to comment further.",
    "The World Bank approved a US$ 4.2 billion loan to Kenya on 5 November 2013, officials in Nairobi said.",
    "Prime Minister Sheikh Hasina opened the Padma Bridge in Bangladesh in June 2022.",
    "The European Union and the African Union will meet in Addis Ababa next week.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def run(nlp, text: str):
    [raw] = extract_mentions(nlp, [text])
    assert all(text[m.start : m.end] == m.text for m in raw)
    return raw, *canonicalize(text, raw)


def test_model_version_and_performance(nlp) -> None:
    assert nlp.meta["version"] == "3.8.0"
    assert nlp.meta["performance"]["ents_f"] == pytest.approx(0.8433, abs=1e-3)
    assert [name for name, _ in nlp.pipeline] == ["ner", "entity_ruler"]


def test_excluded_components_do_not_change_entities(nlp) -> None:
    full = load_nlp(exclude=())
    assert {"tagger", "parser", "lemmatizer", "attribute_ruler"} <= set(full.pipe_names)
    assert set(UNUSED_COMPONENTS) & set(nlp.pipe_names) == set()
    assert extract_mentions(full, TEXTS) == extract_mentions(nlp, TEXTS)


def test_tokenizer_read_from_the_model_equals_spacys_default_load(nlp) -> None:
    import importlib

    from newsproc.pipeline.extract import MODEL_PACKAGE

    standard = importlib.import_module(MODEL_PACKAGE).load(exclude=list(UNUSED_COMPONENTS))
    assert nlp.tokenizer.rules == standard.tokenizer.rules
    tricky = [
        *TEXTS,
        "U.S.-based e-mail: info@example.com, 3.5bn (£2,000) on 12/03/2024 at 5p.m. can't won't Dr. Kim's",
    ]
    for text in tricky:
        assert [t.text for t in nlp.tokenizer(text)] == [t.text for t in standard.tokenizer(text)]


def test_kim_variants_are_one_entity(nlp) -> None:
    text = (
        "North Korean leader Kim Jong-un oversaw the launch, state media said. Kim said the test was a "
        "warning to Washington. Mr Kim also met army officials. "
        "Kim Jong Un's sister later issued a statement."
    )
    raw, mentions, entities = run(nlp, text)
    kims = [e for e in entities if e.key == "kim jong un"]
    assert len(kims) == 1
    kim = kims[0]
    assert kim.label == "PERSON" and kim.count >= 3
    assert kim.name in {"Kim Jong-un", "Kim Jong Un"}
    kim_mentions = [m for m in mentions if m.entity_id == kim.id]
    assert {m.text for m in kim_mentions} >= {"Kim Jong-un", "Kim Jong Un"}
    assert not any(m.text.endswith("'s") for m in raw)


def test_honorific_links_short_form(nlp) -> None:
    raw, _, entities = run(nlp, TEXTS[0])
    peskov = next(e for e in entities if e.key == "dmitry peskov")
    assert peskov.count == 2 and "Peskov" in peskov.variants
    putin = next(e for e in entities if e.label == "PERSON" and "putin" in e.key)
    assert putin.key == "vladimir putin" and putin.name == "Vladimir Putin"
    assert "President" not in {w for m in raw for w in m.text.split()}


def test_people_sharing_a_surname_stay_apart(nlp) -> None:
    text = (
        "Opposition leader Carl Walker and his cousin Jessie Walker addressed the rally in Regina. "
        "Walker said the plan would fail."
    )
    _, mentions, entities = run(nlp, text)
    people = {e.key: e for e in entities if e.label == "PERSON"}
    assert "carl walker" in people and "jessie walker" in people
    assert people["carl walker"].id != people["jessie walker"].id
    assert people["carl walker"].count == 1 and people["jessie walker"].count == 1


def test_acronym_joins_expansion(nlp) -> None:
    text = (
        "The Democratic People's Republic of Korea rejected the proposal on Monday. "
        "The DPRK said talks with Seoul were pointless, and the DPRK foreign ministry agreed."
    )
    _, mentions, entities = run(nlp, text)
    dprk = [e for e in entities if "DPRK" in e.variants or e.name == "DPRK"]
    assert len(dprk) == 1
    assert dprk[0].name == "Democratic People's Republic of Korea"
    assert not any(m.text.lower().startswith("the ") for m in mentions)


def test_all_caps_headline(nlp) -> None:
    text = (
        "PRESIDENT RUTO MEETS ODINGA IN NAIROBI AHEAD OF VOTE\n\n"
        "Kenyan President William Ruto met opposition leader Raila Odinga in Nairobi on Friday."
    )
    raw, _, entities = run(nlp, text)
    headline = [m for m in raw if m.end <= text.index("\n")]
    assert {(m.text, m.label) for m in headline} >= {
        ("RUTO", "PERSON"),
        ("ODINGA", "PERSON"),
        ("NAIROBI", "GPE"),
    }
    ruto = next(e for e in entities if e.key == "william ruto")
    assert ruto.count == 2 and ruto.first_start == text.index("RUTO")


def test_two_megabyte_article_no_truncation(nlp) -> None:
    para = (
        "Dmitry Peskov met officials of the World Bank in Nairobi on Tuesday. "
        "The talks covered a US$ 4.2 billion loan to Kenya.\n\n"
    )
    n = 2_000_000 // len(para) + 1
    body = para * n
    text = body + "Finally, Angela Merkel visited Ouagadougou."
    assert len(text) > 2_000_000 > nlp.max_length
    [raw] = extract_mentions(nlp, [text])
    assert all(text[m.start : m.end] == m.text for m in raw)
    assert sum(m.text == "Nairobi" for m in raw) == n
    assert {"Angela Merkel", "Ouagadougou"} <= {m.text for m in raw if m.start >= len(body)}


def test_confidence_keeps_the_predictions_and_scores_every_mention(nlp) -> None:
    from newsproc.pipeline.extract import confidence as conf

    plain = extract_mentions(nlp, TEXTS)
    scored = extract_mentions(nlp, TEXTS, confidence=True)
    assert [[(m.start, m.end, m.label) for m in ms] for ms in plain] == [
        [(m.start, m.end, m.label) for m in ms] for ms in scored
    ]
    values = [m.confidence for ms in scored for m in ms]
    assert values and all(v is not None and 0 <= v <= 1 for v in values)
    assert any(v not in conf.FIXED_CONFIDENCE.values() for v in values), "model mentions are scored by the beam"


def test_locally_normalised_beam_of_width_one_is_the_greedy_parse(nlp) -> None:
    from newsproc.pipeline.extract.confidence import beam_parse

    ner = nlp.get_pipe("ner")
    docs = [nlp.make_doc(text) for text in TEXTS]
    greedy = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(TEXTS, disable=["entity_ruler"])]
    beams = beam_parse(ner, docs, beam_width=1)
    best = [sorted(max(ner.moves.get_beam_parses(b), key=lambda p: p[0])[1]) for b in beams]
    assert best == [sorted(g) for g in greedy]
