"""Merge a document's mentions into canonical entities.

Clustering, in this order (see docs/entities.md):

1. same key (``entity_key``: case, accents, punctuation, possessives, honorifics, leading "the" folded)
   among name labels; DATE and MONEY only ever merge with the same key and label;
2. near-identical multi-word names of the same label group (rapidfuzz ratio >= 92: "Mohammed bin Salman"
   / "Mohammad bin Salman");
3. acronyms join the one name whose initials they spell, preferring a bracket definition
   ("Democratic People's Republic of Korea (DPRK)"); ambiguous acronyms stay alone;
4. a surname or given name alone ("Kim", "Mr Peskov") joins the one longer PERSON name that starts or
   ends with it. When several full names share it ("Kim Jong-un", "Kim Myong Sik") it joins one only if
   that one is clearly dominant (at least twice the mentions of all the others together and the most
   recent full name before the short form); otherwise it stays its own entity.

Label: majority over the cluster's mentions (ties: the label of the longest form). Name: the longest,
most complete surface form (most key words, then most frequent, then earliest), without honorific or
possessive. Key and id derive from the name, so the same person gets the same key in every document.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from newsproc.models import Entity, Mention
from newsproc.names import NAME_LABELS, display_name, entity_key, initials, place_group, value_key
from newsproc.pipeline.extract import RawMention
from newsproc.pipeline.extract.confidence import entity_confidence

_FUZZY_CUTOFF = 92.0
LEAD_CHARS = 500  # the title line and lead paragraph


@dataclass
class _Cluster:
    key: str
    mentions: list[RawMention] = field(default_factory=list)
    labels: Counter = field(default_factory=Counter)

    @property
    def tokens(self) -> list[str]:
        return self.key.split()

    @property
    def label(self) -> str:
        ranked = self.labels.most_common()
        top = [lab for lab, n in ranked if n == ranked[0][1]]
        if len(top) == 1:
            return top[0]
        longest = max(self.mentions, key=lambda m: (len(m.text), -m.start))
        return longest.label if longest.label in top else top[0]

    @property
    def group(self) -> str:
        return place_group(self.label)

    def add(self, mention: RawMention) -> None:
        self.mentions.append(mention)
        self.labels[mention.label] += 1

    def absorb(self, other: _Cluster) -> None:
        for m in other.mentions:
            self.add(m)


def canonicalize(text: str, raw_mentions: list[RawMention]) -> tuple[list[Mention], list[Entity]]:
    ordered = sorted(raw_mentions, key=lambda m: (m.start, m.end))
    clusters: dict[tuple[str, str], _Cluster] = {}
    for m in ordered:
        bucket = "NAME" if m.label in NAME_LABELS else m.label
        key = entity_key(m.text) if bucket == "NAME" else value_key(m.text)
        if not key:
            continue
        clusters.setdefault((bucket, key), _Cluster(key=key)).add(m)
    names = [c for (bucket, _), c in clusters.items() if bucket == "NAME"]
    others = [c for (bucket, _), c in clusters.items() if bucket != "NAME"]
    names = _merge_fuzzy(names)
    names = _merge_acronyms(text, names)
    names = _merge_short_person_forms(names)
    return _build(text, ordered, names + others)


# --------------------------------------------------------------------------------------------- merges


def _merge_fuzzy(clusters: list[_Cluster]) -> list[_Cluster]:
    multi = [c for c in clusters if len(c.tokens) >= 2]
    gone: set[int] = set()
    for i, a in enumerate(multi):
        if id(a) in gone:
            continue
        for b in multi[i + 1 :]:
            if id(b) in gone or a.group != b.group or len(a.tokens) != len(b.tokens):
                continue
            if fuzz.ratio(a.key, b.key, score_cutoff=_FUZZY_CUTOFF) and a.tokens[0][0] == b.tokens[0][0]:
                a.absorb(b)
                gone.add(id(b))
    return [c for c in clusters if id(c) not in gone]


def _is_acronym(cluster: _Cluster) -> bool:
    return len(cluster.tokens) == 1 and any(
        sum(ch.isupper() for ch in m.text) >= 2 and not any(ch.islower() for ch in m.text.replace("s", ""))
        for m in cluster.mentions
    )


def _merge_acronyms(text: str, clusters: list[_Cluster]) -> list[_Cluster]:
    acronyms = [c for c in clusters if _is_acronym(c)]
    if not acronyms:
        return clusters
    full = [c for c in clusters if len(c.tokens) >= 2]
    defined: dict[str, _Cluster] = {}
    for c in full:  # "Full Name (ACR)" / "ACR (Full Name)"
        for m in c.mentions:
            after = re.match(r"\s?[(\[]([^)\]\n]{2,12})[)\]]", text[m.end : m.end + 16])
            if after:
                defined.setdefault(entity_key(after.group(1)), c)
    gone: set[int] = set()
    for a in acronyms:
        target = defined.get(a.key)
        if target is None:
            candidates = [c for c in full if any(a.key == i for m in c.mentions[:1] for i in initials(c.key, m.text))]
            target = candidates[0] if len(candidates) == 1 else None
        if target is not None and id(target) not in gone:
            target.absorb(a)
            gone.add(id(a))
    return [c for c in clusters if id(c) not in gone]


def _merge_short_person_forms(clusters: list[_Cluster]) -> list[_Cluster]:
    persons = [c for c in clusters if c.label == "PERSON"]
    gone: set[int] = set()
    # shortest first, so "Kim" is decided after "Jong Un" might have joined "Kim Jong Un"
    for short in sorted(persons, key=lambda c: len(c.tokens)):
        n = len(short.tokens)
        candidates = [
            c
            for c in persons
            if c is not short
            and id(c) not in gone
            and len(c.tokens) > n
            and (c.tokens[:n] == short.tokens or c.tokens[-n:] == short.tokens)
        ]
        if not candidates:
            continue
        target = candidates[0] if len(candidates) == 1 else _dominant(short, candidates)
        if target is not None:
            target.absorb(short)
            gone.add(id(short))
    return [c for c in clusters if id(c) not in gone]


def _dominant(short: _Cluster, candidates: list[_Cluster]) -> _Cluster | None:
    """Among several full names sharing a surname, the one that is clearly meant, or None."""
    ranked = sorted(candidates, key=lambda c: -len(c.mentions))
    best, rest = ranked[0], ranked[1:]
    if len(best.mentions) < 2 * sum(len(c.mentions) for c in rest):
        return None
    first_short = min(m.start for m in short.mentions)
    before = [(m.start, c) for c in candidates for m in c.mentions if m.start < first_short]
    if not before or max(before, key=lambda x: x[0])[1] is not best:
        return None
    return best


# --------------------------------------------------------------------------------------------- output


def _build(text: str, ordered: list[RawMention], clusters: list[_Cluster]):
    by_mention: dict[int, str] = {}
    entities: list[Entity] = []
    max_count = max((len(c.mentions) for c in clusters), default=1)
    text_len = max(1, len(text))
    lead_end = _lead_end(text)
    seen_ids: Counter = Counter()
    for cluster in clusters:
        cluster.mentions.sort(key=lambda m: m.start)
        label = cluster.label
        name = _canonical_name(cluster)
        key = (entity_key(name) if label in NAME_LABELS else value_key(name)) or cluster.key
        entity_id = _entity_id(label, key)
        seen_ids[entity_id] += 1
        if seen_ids[entity_id] > 1:  # two clusters with one key (e.g. two "Kim"s kept apart): distinct ids
            entity_id = _entity_id(label, f"{key}#{seen_ids[entity_id]}")
        first = cluster.mentions[0].start
        count = len(cluster.mentions)
        salience = salience_score(count, max_count, first, text_len, first < lead_end)
        variants = sorted({" ".join(m.text.split()) for m in cluster.mentions} - {name})
        entities.append(
            Entity(
                id=entity_id,
                key=key,
                name=name,
                label=label,
                count=count,
                variants=variants,
                first_start=first,
                salience=salience,
                confidence=entity_confidence(m.confidence for m in cluster.mentions),
            )
        )
        for m in cluster.mentions:
            by_mention[id(m)] = entity_id
    mentions = [
        Mention(
            start=m.start,
            end=m.end,
            text=m.text,
            label=m.label,
            entity_id=by_mention[id(m)],
            confidence=m.confidence,
        )
        for m in ordered
        if id(m) in by_mention
    ]
    entities.sort(key=lambda e: (-e.salience, e.first_start))
    return mentions, entities


def salience_score(count: int, max_count: int, first_start: int, text_len: int, in_lead: bool) -> float:
    """0.5 * count / count of the most mentioned entity + 0.3 * earliness + 0.2 if first seen in the lead.

    earliness = 1 - first_start / len(text); the lead is the title line plus the first paragraph
    (at most LEAD_CHARS characters). Range 0..1, rounded to 4 places.
    """
    score = 0.5 * count / max(1, max_count) + 0.3 * (1 - first_start / max(1, text_len)) + 0.2 * in_lead
    return round(min(1.0, max(0.0, score)), 4)


def _lead_end(text: str) -> int:
    """End of the title line + first paragraph, capped at LEAD_CHARS."""
    stripped = len(text) - len(text.lstrip())
    breaks = [m.end() for m in re.finditer(r"\n\s*\n|\n", text[stripped : stripped + LEAD_CHARS * 2])]
    end = breaks[1] if len(breaks) > 1 else (breaks[0] if breaks else LEAD_CHARS)
    return min(stripped + end, stripped + LEAD_CHARS)


def _canonical_name(cluster: _Cluster) -> str:
    label = cluster.label
    forms = Counter(display_name(m.text) for m in cluster.mentions if m.label == label or len(cluster.labels) == 1)
    if not forms:
        forms = Counter(display_name(m.text) for m in cluster.mentions)
    first_seen = {}
    for m in cluster.mentions:
        first_seen.setdefault(display_name(m.text), m.start)

    def rank(name: str):
        is_caps = name.isupper() and len(name) > 4  # prefer "Kim Jong Un" over "KIM JONG UN"
        return (len(entity_key(name).split()), not is_caps, forms[name], len(name), -first_seen.get(name, 0))

    return max(forms, key=rank)


def _entity_id(label: str, key: str) -> str:
    return hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]
