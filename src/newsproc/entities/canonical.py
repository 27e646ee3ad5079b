"""Merge a document's mentions into canonical entities (first level: names, honorifics, surnames)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from newsproc.entities.extraction import RawMention
from newsproc.models import Entity, Mention

HONORIFICS = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "prime minister", "minister", "senator", "sen", "rep", "gov", "governor", "general",
    "gen", "king", "queen", "prince", "princess", "pope", "chancellor", "judge", "justice",
}  # fmt: skip
_HONORIFIC_RE = re.compile(
    r"^(?:(?:" + "|".join(sorted((re.escape(h) for h in HONORIFICS), key=len, reverse=True)) + r")\.?\s+)+",
    re.I,
)
_POSSESSIVE_RE = re.compile(r"['’‘]s?$")
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}


def strip_honorific(name: str) -> str:
    stripped = _HONORIFIC_RE.sub("", name).strip()
    return stripped or name


def entity_key(name: str) -> str:
    """Stable index key: accents, case, punctuation, possessives and honorifics folded."""
    name = _POSSESSIVE_RE.sub("", name.strip())
    name = strip_honorific(name)
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"[^\w\s]", " ", folded.casefold()).replace("_", " ")
    return " ".join(folded.split())


def _tokens(key: str) -> list[str]:
    return key.split()


@dataclass
class _Cluster:
    key: str
    mentions: list[RawMention] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return _tokens(self.key)


def canonicalize(text: str, raw_mentions: list[RawMention]) -> tuple[list[Mention], list[Entity]]:
    del text  # offsets already point into it; kept in the signature for context-aware rules
    ordered = sorted(raw_mentions, key=lambda m: (m.start, m.end))
    clusters: dict[tuple[str, str], _Cluster] = {}
    assignment: list[tuple[str, str]] = []
    label_group = {m: _label_group(m.label) for m in ordered}
    # Longest names first, so that short forms can attach to a full name seen anywhere in the text.
    for mention in sorted(ordered, key=lambda m: -len(entity_key(m.text).split())):
        key = entity_key(mention.text)
        if not key:
            continue
        group = label_group[mention]
        target = clusters.get((group, key)) or _match_short_form(clusters, group, key)
        if target is None:
            target = clusters[(group, key)] = _Cluster(key=key)
        target.mentions.append(mention)
    by_mention: dict[int, str] = {}
    entities: list[Entity] = []
    total = max(1, len(ordered))
    text_len = max((m.end for m in ordered), default=1)
    for cluster in clusters.values():
        cluster.mentions.sort(key=lambda m: m.start)
        label = Counter(m.label for m in cluster.mentions).most_common(1)[0][0]
        name = max((strip_honorific(_POSSESSIVE_RE.sub("", m.text)) for m in cluster.mentions),
                   key=lambda n: (len(n.split()), len(n)))  # fmt: skip
        entity_id = _entity_id(label, cluster.key)
        first = cluster.mentions[0].start
        count = len(cluster.mentions)
        salience = round(0.7 * count / total + 0.3 * (1 - first / text_len), 4)
        variants = sorted({m.text for m in cluster.mentions} - {name})
        entities.append(Entity(id=entity_id, key=cluster.key, name=name, label=label, count=count,
                               variants=variants, first_start=first, salience=salience))  # fmt: skip
        for m in cluster.mentions:
            by_mention[id(m)] = entity_id
    del assignment
    mentions = [
        Mention(start=m.start, end=m.end, text=m.text, label=m.label, entity_id=by_mention[id(m)])
        for m in ordered
        if id(m) in by_mention
    ]
    entities.sort(key=lambda e: (-e.salience, e.first_start))
    return mentions, entities


def _label_group(label: str) -> str:
    # GPE/LOC disagree often for the same place; treat them as one group.
    return "PLACE" if label in {"GPE", "LOC"} else label


def _match_short_form(clusters: dict[tuple[str, str], _Cluster], group: str, key: str) -> _Cluster | None:
    """A surname or first name alone joins the one longer name of the same label that contains it."""
    if group not in _NAME_LABELS:
        return None
    tokens = _tokens(key)
    candidates = [
        c for (g, _), c in clusters.items()
        if g == group and len(c.tokens) > len(tokens) and _is_subsequence(tokens, c.tokens)
    ]  # fmt: skip
    return candidates[0] if len(candidates) == 1 else None


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    if short == long[-len(short):] or short == long[: len(short)]:
        return True
    return False


def _entity_id(label: str, key: str) -> str:
    return hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]
