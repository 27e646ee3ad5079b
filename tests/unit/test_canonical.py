"""Canonical entities from hand-made mentions (no model)."""

from __future__ import annotations

import re

import pytest

from newsproc.names import (
    SPAN_POSSESSIVE_RE,
    acronym_matches_initials,
    display_name,
    entity_key,
    label_from_vote,
    place_group,
    surface_form_key,
    vote_group,
)
from newsproc.pipeline.canonicalize import canonicalize, salience_score
from newsproc.pipeline.extract import RawMention

pytestmark = pytest.mark.unit


def mentions(text: str, *items: tuple[str, str, int]) -> list[RawMention]:
    """(surface, label, occurrence) -> RawMention at the occurrence-th match of surface in text."""
    out = []
    for surface, label, nth in items:
        starts = [m.start() for m in re.finditer(re.escape(surface), text)]
        s = starts[nth]
        out.append(RawMention(s, s + len(surface), surface, label))
    return out


def by_name(entities):
    return {e.name: e for e in entities}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("President Vladimir Putin's", "vladimir putin"),
        ("Vladimir Putin", "vladimir putin"),
        ("VLADIMIR PUTIN", "vladimir putin"),
        ("Mr Peskov", "peskov"),
        ("Dr. Ana Sittenfeld", "ana sittenfeld"),
        ("Kim Jong-un", "kim jong un"),
        ("Kim Jong Un’s", "kim jong un"),
        ("José Mujica", "jose mujica"),
        ("the United Nations", "united nations"),
        ("U.S.", "us"),
        ("Māori", "maori"),
    ],
)
def test_entity_key_folds(name: str, key: str) -> None:
    assert entity_key(name) == key


def test_label_groups_initials_and_the_two_possessive_patterns() -> None:
    assert place_group("FAC") == "PLACE" and vote_group("FAC") == "FAC"  # merging places vs voting on labels
    assert (
        vote_group("LOC") == "GPE" and label_from_vote("GPE", "LOC") == "LOC" and label_from_vote("GPE", "ORG") == "GPE"
    )
    assert acronym_matches_initials("DPRK", "Democratic People's Republic of Korea")
    assert not acronym_matches_initials("SAGO", "Saudi Grains Organization")
    assert surface_form_key("KIM  Jong-un's") == "kim jong-un"
    # Display names keep the s of "Jones'"; the extraction's span cut takes it (see names.SPAN_POSSESSIVE_RE).
    assert display_name("Jones'") == "Jones" and SPAN_POSSESSIVE_RE.sub("", "Jones'") == "Jone"


def test_kim_forms_join_one_entity() -> None:
    text = "Kim Jong-un inspected the site. Kim said the test worked. Mr Kim smiled. Later Kim Jong Un's sister spoke."
    raw = mentions(
        text,
        ("Kim Jong-un", "PERSON", 0),
        ("Kim", "PERSON", 1),
        ("Kim", "PERSON", 2),
        ("Kim Jong Un", "PERSON", 0),
    )
    ms, ents = canonicalize(text, raw)
    assert len(ents) == 1
    kim = ents[0]
    assert kim.key == "kim jong un" and kim.count == 4 and kim.label == "PERSON"
    assert kim.name in {"Kim Jong-un", "Kim Jong Un"}
    assert {m.entity_id for m in ms} == {kim.id}
    assert kim.first_start == 0


def test_honorific_short_form_links_to_full_name() -> None:
    text = "Kremlin spokesman Dmitry Peskov spoke. Mr Peskov declined to comment."
    raw = mentions(text, ("Dmitry Peskov", "PERSON", 0), ("Peskov", "PERSON", 1))
    _, ents = canonicalize(text, raw)
    assert [(e.name, e.count, e.variants) for e in ents] == [("Dmitry Peskov", 2, ["Peskov"])]


def test_two_people_sharing_a_surname_stay_apart() -> None:
    text = "Carl Walker and Jessie Walker spoke. Walker said the plan would fail."
    raw = mentions(text, ("Carl Walker", "PERSON", 0), ("Jessie Walker", "PERSON", 0), ("Walker", "PERSON", 2))
    _, ents = canonicalize(text, raw)
    names = by_name(ents)
    assert set(names) == {"Carl Walker", "Jessie Walker", "Walker"}
    assert len({e.id for e in ents}) == 3


def test_shared_surname_goes_to_clearly_dominant_person_only() -> None:
    text = "Kim Jong-un met Kim Myong Sik. Kim Jong-un spoke. Kim Jong-un left. Kim Jong-un waved. Kim said more."
    raw = mentions(
        text,
        ("Kim Jong-un", "PERSON", 0),
        ("Kim Myong Sik", "PERSON", 0),
        ("Kim Jong-un", "PERSON", 1),
        ("Kim Jong-un", "PERSON", 2),
        ("Kim Jong-un", "PERSON", 3),
    )
    raw += [RawMention(text.rindex("Kim"), text.rindex("Kim") + 3, "Kim", "PERSON")]
    _, ents = canonicalize(text, raw)
    names = by_name(ents)
    assert names["Kim Jong-un"].count == 5 and names["Kim Myong Sik"].count == 1
    # balanced: stays apart
    raw2 = raw[:2] + raw[-1:]
    _, ents2 = canonicalize(text, raw2)
    assert {e.name for e in ents2} == {"Kim Jong-un", "Kim Myong Sik", "Kim"}


def test_acronym_joins_its_expansion() -> None:
    text = "The Democratic People's Republic of Korea rejected it. The DPRK later said no."
    raw = mentions(text, ("Democratic People's Republic of Korea", "GPE", 0), ("DPRK", "ORG", 0))
    _, ents = canonicalize(text, raw)
    assert len(ents) == 1
    e = ents[0]
    assert e.name == "Democratic People's Republic of Korea" and e.variants == ["DPRK"] and e.count == 2


def test_bracket_defined_acronym_joins() -> None:
    text = "The Saudi Grains Organization (SAGO) allocated funds. SAGO said so."
    raw = mentions(text, ("Saudi Grains Organization", "ORG", 0), ("SAGO", "ORG", 0), ("SAGO", "ORG", 1))
    _, ents = canonicalize(text, raw)
    assert [(e.name, e.count) for e in ents] == [("Saudi Grains Organization", 3)]


def test_ambiguous_acronym_stays_alone() -> None:
    text = "The African Union and the Arab Union met. AU officials left."
    raw = mentions(text, ("African Union", "ORG", 0), ("Arab Union", "ORG", 0), ("AU", "ORG", 0))
    _, ents = canonicalize(text, raw)
    assert {e.name for e in ents} == {"African Union", "Arab Union", "AU"}


def test_label_majority_and_canonical_name() -> None:
    text = "Mkhwebane spoke. Busisiwe Mkhwebane left. Mkhwebane returned. Mkhwebane's office."
    raw = mentions(
        text,
        ("Mkhwebane", "ORG", 0),
        ("Busisiwe Mkhwebane", "PERSON", 0),
        ("Mkhwebane", "PERSON", 2),
        ("Mkhwebane", "PERSON", 3),
    )
    ms, ents = canonicalize(text, raw)
    assert len(ents) == 1
    assert ents[0].label == "PERSON" and ents[0].name == "Busisiwe Mkhwebane" and ents[0].count == 4
    # mentions keep their own label and offsets
    assert [m.label for m in ms] == ["ORG", "PERSON", "PERSON", "PERSON"]
    assert all(text[m.start : m.end] == m.text for m in ms)


def test_fuzzy_spelling_variants_merge() -> None:
    text = "Mohammed bin Salman arrived. Mohammad bin Salman left."
    raw = mentions(text, ("Mohammed bin Salman", "PERSON", 0), ("Mohammad bin Salman", "PERSON", 0))
    _, ents = canonicalize(text, raw)
    assert len(ents) == 1 and ents[0].count == 2


def test_dates_and_money_merge_only_by_value() -> None:
    text = "On May 5 it cost $4.2 billion; on May 5 it cost $42 billion."
    raw = mentions(
        text,
        ("May 5", "DATE", 0),
        ("$4.2 billion", "MONEY", 0),
        ("May 5", "DATE", 1),
        ("$42 billion", "MONEY", 0),
    )
    _, ents = canonicalize(text, raw)
    assert sorted((e.label, e.key, e.count) for e in ents) == [
        ("DATE", "may 5", 2),
        ("MONEY", "$4.2 billion", 1),
        ("MONEY", "$42 billion", 1),
    ]


def test_entity_ids_are_stable_across_documents() -> None:
    t1 = "President Vladimir Putin's visit."
    t2 = "VLADIMIR PUTIN arrives. Putin waves."
    _, e1 = canonicalize(t1, mentions(t1, ("Vladimir Putin", "PERSON", 0)))
    _, e2 = canonicalize(t2, mentions(t2, ("VLADIMIR PUTIN", "PERSON", 0), ("Putin", "PERSON", 0)))
    assert e1[0].key == e2[0].key == "vladimir putin"
    assert e1[0].id == e2[0].id


def test_salience_orders_entities() -> None:
    text = "Title about Ruto\n\nRuto won. Odinga lost. " + "filler " * 200 + "Ruto again. Kenyatta late."
    raw = mentions(
        text,
        ("Ruto", "PERSON", 0),
        ("Ruto", "PERSON", 1),
        ("Odinga", "PERSON", 0),
        ("Ruto", "PERSON", 2),
        ("Kenyatta", "PERSON", 0),
    )
    _, ents = canonicalize(text, raw)
    assert [e.name for e in ents] == ["Ruto", "Odinga", "Kenyatta"]
    assert ents[0].salience > 0.99
    assert all(0.0 <= e.salience <= 1.0 for e in ents)
    assert salience_score(1, 1, 0, 100, True) == 1.0
    assert salience_score(1, 4, 99, 100, False) == pytest.approx(0.128, abs=1e-3)


def test_empty_input() -> None:
    assert canonicalize("", []) == ([], [])
