"""Entity-name rules in one place: name labels, honorifics, possessives, keys, initials, label groups.

Standard library only, so the API function (CoreLayer) keys an entity query exactly as the pipeline
keyed the entity index (tests/integration/test_api_layer_boundary.py).
"""

from __future__ import annotations

import re
import unicodedata

from newsproc.lexicon import HONORIFICS

# Labels of named things; DATE and MONEY are values (merged only with the same key and label).
NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})

# One or more honorifics at the start of a name ("Prime Minister", "Mr.", "His Excellency Dr").
HONORIFIC_RE = re.compile(
    r"(?:(?:" + "|".join(sorted((re.escape(h) for h in HONORIFICS), key=len, reverse=True)) + r")(?:\.|\b)[^\S\n]*)+",
    re.I,
)
# A trailing possessive of a display name: "Putin's", "Kim’s", "Jones'" (the s of "Jones" stays).
POSSESSIVE_RE = re.compile(r"(?:['’‘`´]s|(?<=s)['’‘`´])$", re.I)
# The possessive cut from a mention's span end during extraction (and ignored by surface_form_key): case-sensitive,
# also takes a bare apostrophe and the s before one ("Jones'" -> "Jone"); kept apart from POSSESSIVE_RE because
# unifying the two changes the entity figures.
SPAN_POSSESSIVE_RE = re.compile(r"(?:['’‘`´]s|s['’‘`´]|['’‘`´])$")
_LEADING_THE = re.compile(r"^the\s+", re.I)
# Words an acronym may skip: "Democratic People's Republic of Korea" -> DPRK.
_INITIALS_SKIP = {"of", "the", "and", "for", "in", "on", "de", "la", "del", "des", "du", "y", "et", "to", "at", "&"}


def strip_honorific(name: str) -> str:
    m = HONORIFIC_RE.match(name)
    if m and m.end() < len(name):
        return name[m.end() :].strip()
    return name


def display_name(surface: str) -> str:
    """Surface form shown as an entity name: no possessive, honorific or leading article."""
    name = " ".join(surface.split())
    name = POSSESSIVE_RE.sub("", name).strip()
    name = strip_honorific(name)
    name = _LEADING_THE.sub("", name) if len(name) > 4 else name
    return name.strip() or surface.strip()


def entity_key(name: str) -> str:
    """Stable index key: case, accents, punctuation, possessives, honorifics and a leading "the" folded.

    ``entity_key("President Vladimir Putin's") == "vladimir putin"``,
    ``entity_key("Kim Jong-un") == entity_key("KIM JONG UN") == "kim jong un"``,
    ``entity_key("U.S.") == "us"``.
    """
    name = display_name(name)
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    folded = re.sub(r"[.'’‘`´]", "", folded)  # U.S. -> us, O'Brien -> obrien
    folded = re.sub(r"[\W_]+", " ", folded)
    return " ".join(folded.split())


def value_key(text: str) -> str:
    """Key of a DATE/MONEY/other value mention: case and spacing folded, digits and separators kept."""
    return " ".join(text.casefold().split())


def surface_form_key(surface: str) -> str:
    """Key under which one document's mentions vote on a label: SPAN_POSSESSIVE_RE, case and spacing folded.

    Looser than entity_key (punctuation, accents and honorifics stay) since it only compares forms within a document.
    """
    return " ".join(SPAN_POSSESSIVE_RE.sub("", surface).casefold().split())


def initials(key: str, surface: str) -> set[str]:
    """Acronyms a name may be written as: all initials, initials without small words, its capitals."""
    words = key.split()
    raw_words = re.findall(r"[^\W_]+", surface)
    out = {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in _INITIALS_SKIP)}
    # "Democratic People's Republic of Korea" -> DPRK, "Saudi Grains Organization" -> SAGO is not spelled
    out.add(_capital_initials(raw_words).casefold())
    return {i for i in out if len(i) >= 2}


def acronym_matches_initials(acronym: str, name: str) -> bool:
    """Whether the first two letters of `acronym` occur in the capitals of `name`'s words.

    "DPRK" / "Democratic People's Republic of Korea". Words here are letter runs (a digit ends a word), unlike
    initials(): the extraction has always matched so.
    """
    caps = _capital_initials(re.findall(r"[^\W\d_]+", name))
    return bool(caps) and acronym.upper()[:2] in caps.upper()


def _capital_initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[0].isupper())


def place_group(label: str) -> str:
    """GPE/LOC/FAC disagree often for the same place: one group when merging near-identical names."""
    return "PLACE" if label in {"GPE", "LOC", "FAC"} else label


def vote_group(label: str) -> str:
    """GPE and LOC count as one label when a document's mentions of one form vote on its label (FAC stays apart:
    unlike place_group, this decides the label of mentions, not whether two entities are one)."""
    return "GPE" if label in {"GPE", "LOC"} else label


def label_from_vote(winner: str, own: str) -> str:
    """The label a mention takes when the vote of its form went to group `winner`: its own if it is in that group."""
    return own if vote_group(own) == winner else winner
