"""Document-level label consistency for name mentions, and repeats of known names the model missed."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from newsproc.names import (
    HONORIFIC_RE,
    NAME_LABELS,
    acronym_matches_initials,
    label_from_vote,
    surface_form_key,
    vote_group,
)
from newsproc.pipeline.extract.spans import overlaps

_ACRONYM = re.compile(r"[A-Z][A-Za-z]*[A-Z][A-Za-z]*")


def harmonize(text: str, spans: list[tuple[int, int, str]], ner_text: str | None = None) -> list[tuple[int, int, str]]:
    """Document-level label consistency for name mentions.

    * Mentions with the same surface form take the majority label of that form (ties keep their own).
    * A one-word mention that is the first or last word of a multi-word PERSON mention in the same
      document ("Mkhwebane" after "Busisiwe Mkhwebane") becomes PERSON, unless that word is clearly more
      often a place.
    * An acronym defined in brackets right after a name ("Saudi Grains Organization (SAGO)") gets that
      name's label; later bare uses of a defined acronym, and of the surname of a full PERSON name, that
      the model missed are added (only as stand-alone capitalised words, never inside a longer name).
    """
    names = [(s, e, lab) for s, e, lab in spans if lab in NAME_LABELS]
    if not names:
        return spans
    spans = spans + _bracket_acronyms(text, names)
    names = [(s, e, lab) for s, e, lab in spans if lab in NAME_LABELS]
    by_form: dict[str, Counter] = defaultdict(Counter)
    for s, e, lab in names:
        by_form[surface_form_key(text[s:e])][vote_group(lab)] += 1
    person_parts: Counter = Counter()
    surnames: set[str] = set()
    for s, e, lab in names:
        if lab == "PERSON":
            words = text[s:e].split()
            if len(words) >= 2:
                person_parts[surface_form_key(words[-1])] += 1
                person_parts[surface_form_key(words[0])] += 1
                if words[-1][:1].isupper() and len(words[-1]) > 2:
                    surnames.add(words[-1])
    out = []
    for s, e, lab in spans:
        if lab in NAME_LABELS:
            form = surface_form_key(text[s:e])
            counts = by_form[form]
            best, n = counts.most_common(1)[0]
            parts = person_parts.get(form, 0) if " " not in form else 0
            if parts and lab != "PERSON":
                if counts["GPE"] < 2 * (counts["PERSON"] + parts):
                    lab = "PERSON"
            elif best != vote_group(lab) and n > counts[vote_group(lab)]:
                lab = label_from_vote(best, lab)
        out.append((s, e, lab))
    # propagate forms the model found elsewhere in the document to the occurrences it missed
    form_label: dict[str, str] = {name: "PERSON" for name in surnames}
    for s, e, lab in out:
        if lab not in NAME_LABELS:
            continue
        surface = text[s:e]
        if surface in surnames and lab == "PERSON" or _ACRONYM.fullmatch(surface) and lab != "PERSON":
            form_label.setdefault(surface, lab)
    if form_label:
        out.extend(_propagate(ner_text if ner_text and len(ner_text) == len(text) else text, out, form_label))
    return out


def _bracket_acronyms(text: str, names: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    taken = sorted((s, e) for s, e, _ in names)
    added = []
    for s, e, lab in names:
        m = re.match(r"[^\S\n]?[(\[]([A-Za-z][\w&.-]{1,11})[)\]]", text[e : e + 16])
        if not m or " " not in text[s:e]:
            continue
        acro = m.group(1)
        first_letter = acro[0].casefold() == text[s].casefold()
        if sum(c.isupper() for c in acro) < 2 or not (first_letter or acronym_matches_initials(acro, text[s:e])):
            continue
        a_s = e + m.start(1)
        a_e = a_s + len(acro)
        if not overlaps(taken, a_s, a_e):
            added.append((a_s, a_e, lab))
    return added


def _propagate(text: str, spans: list[tuple[int, int, str]], form_label: dict[str, str]) -> list[tuple[int, int, str]]:
    taken = sorted((s, e) for s, e, _ in spans)
    pattern = re.compile(
        r"(?<![\w'’-])(?:" + "|".join(map(re.escape, sorted(form_label, key=len, reverse=True))) + r")(?![\w-])"
    )
    added = []
    for m in pattern.finditer(text):
        s, e = m.span()
        if overlaps(taken, s, e):
            continue
        before = text[max(0, s - 30) : s]
        after = text[e : e + 30]
        prev_word = re.search(r"([A-Z][\w’'-]*)[^\S\n]$", before)
        if (
            prev_word
            and not HONORIFIC_RE.fullmatch(prev_word.group(1))
            and not re.search(r"(?:^|[.!?]\s+)\S+\s$", before)
        ):
            continue  # "Carl Walker" / "Walker Street": part of another name
        if re.match(r"[^\S\n](?:[A-Z]\w|of [A-Z]|de [A-Z])", after):
            continue
        added.append((s, e, form_label[m.group(0)]))
    return added
