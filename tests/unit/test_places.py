"""Gazetteer linking of places and the gazetteer as label evidence: the shipped data, the disambiguation rules on
made-up candidates, and the stage in DocumentPipeline with a blank spaCy pipeline (entity ruler, no model)."""

from __future__ import annotations

import gzip
import json
import tomllib
from pathlib import Path

import pytest
import spacy

from newsproc.media import DocumentInput, document_id_for
from newsproc.models import Entity, Source
from newsproc.names import entity_key
from newsproc.pipeline.places import DATA_PATH, Place, choose, evidence, gazetteer, link_places, relabel_places
from newsproc.pipeline.run import DocumentPipeline

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


def _place(kind: str, country: str | None, population: int = 0, *, alias=False, capital=False, row=0) -> Place:
    return Place(row=row, kind=kind, name=f"{kind}-{country}-{row}", geonames=row or None, iso3166=None,
                 country=country, lat=None, lon=None, population=population, capital=capital, alias=alias)  # fmt: skip


def _entity(name: str, label: str = "GPE") -> Entity:
    key = entity_key(name)
    return Entity(id=f"{label}:{key}", key=key, name=name, label=label, count=1, first_start=0)


# ----------------------------------------------------------------------------------------- shipped data


def test_data_file_is_small_and_shipped_as_package_data() -> None:
    assert DATA_PATH.is_file()
    assert DATA_PATH.stat().st_size < 2_000_000, "the layer budget: keep the gazetteer well under 2 MB"
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "pipeline/data/*.json.gz" in package_data["newsproc"]
    payload = json.loads(gzip.decompress(DATA_PATH.read_bytes()))
    assert "GeoNames" in payload["sources"]["attribution"]


def test_index_keys_are_entity_keys() -> None:
    """The build script keyed names with newsproc.names.entity_key: if that function changes, rebuild the data."""
    g = gazetteer()
    for row in range(0, len(g), 97):
        place = g.place(row)
        key = entity_key(place.name)
        if len(key.replace(" ", "")) >= 4:  # shorter names are left out of the index
            assert row in g.rows(key), (place.name, key)


@pytest.mark.parametrize(
    ("name", "iso"),
    [("Russia", "RU"), ("North Korea", "KP"), ("South Korea", "KR"), ("Britain", "GB"), ("UK", "GB"),
     ("U.S.", "US"), ("United States", "US"), ("America", "US"), ("China", "CN"), ("Japan", "JP"),
     ("Ukraine", "UA"), ("the Netherlands", "NL"), ("Ivory Coast", "CI"), ("Democratic Republic of Congo", "CD"),
     ("Russie", "RU"), ("Corée du Nord", "KP"), ("Allemagne", "DE")],
)  # fmt: skip
def test_countries_get_iso_codes_geonames_ids_and_capital_coordinates(name: str, iso: str) -> None:
    place = gazetteer().resolve(entity_key(name))
    assert place is not None and place.kind == "country" and place.iso3166 == iso
    assert place.geonames and place.lat is not None and place.lon is not None


def test_cities_regions_and_continents() -> None:
    g = gazetteer()
    vladivostok = g.resolve("vladivostok")
    assert vladivostok.kind == "city" and vladivostok.country == "RU" and vladivostok.geonames
    assert 43 < vladivostok.lat < 44 and 131 < vladivostok.lon < 133
    assert g.resolve("kiev").name == "Kyiv", "a large city by its alternate name"
    assert g.resolve("new york").name == "New York City", "the city before the state of its name"
    assert g.resolve("washington").country == "US", "a capital weighs more than smaller namesakes"
    assert g.resolve("scotland").iso3166 == "GB-SCT"
    assert g.resolve("lagos state").kind == "region", "'X State' is the region, never the city"
    assert g.resolve("africa").kind == "continent"
    assert g.resolve("birmingham").country == "GB" and g.resolve("birmingham", frozenset({"US"})).country == "US"


def test_ambiguous_or_unknown_names_stay_unlinked() -> None:
    g = gazetteer()
    assert g.resolve("cambridge") is None, "two similar Cambridges and no context"
    assert g.resolve("korea") is None, "North or South"
    assert g.resolve("far east") is None and g.resolve("") is None
    assert g.resolve("khasan") is None, "only another city's alternate name, outside the document's countries"
    assert g.resolve("delta") is None, "a generic word outside the document's countries"


# ---------------------------------------------------------------------------------------------- rules


def test_document_countries_come_first() -> None:
    big, small = _place("city", "GB", 1_000_000, row=1), _place("city", "US", 200_000, row=2)
    assert choose([big, small], "x", frozenset()) is big
    assert choose([big, small], "x", frozenset({"US"})) is small


def test_dominance_or_nothing() -> None:
    a, b = _place("city", "GB", 150_000, row=1), _place("city", "US", 110_000, row=2)
    assert choose([a, b], "x", frozenset()) is None
    capital = _place("city", "GY", 120_000, capital=True, row=3)
    assert choose([capital, b], "x", frozenset()) is capital, "capitals weigh ten times their population"


def test_out_of_context_needs_a_large_city() -> None:
    city = _place("city", "US", 800_000, row=1)
    assert choose([city], "x", frozenset()) is city, "no country named: over 100,000 will do"
    assert choose([city], "x", frozenset({"PA"})) is None, "the document names other countries: over 1M only"
    assert choose([_place("city", "AR", 50_000)], "x", frozenset()) is None


def test_alternate_names_and_many_countries() -> None:
    alias = _place("city", "IN", 155_000, alias=True, row=1)
    assert choose([alias], "x", frozenset({"RU"})) is None
    assert choose([alias], "x", frozenset({"IN"})) is alias
    many = [_place("city", cc, 400_000 if cc == "PR" else 50_000, row=i) for i, cc in enumerate(["PR", "AR", "PH"])]
    many.append(_place("city", "PE", 60_000, row=9))
    assert choose(many, "san juan", frozenset()) is None


def test_country_and_region_rules() -> None:
    country, region = _place("country", "GE", 3_700_000, row=1), _place("region", "US", row=2)
    assert choose([country, region], "georgia", frozenset()) is country
    assert choose([country, region], "georgia", frozenset({"US"})) is region
    translated = _place("country", "GD", 100_000, alias=True, row=3)
    city = _place("city", "NI", 120_000, row=4)
    assert choose([translated, city], "granada", frozenset({"NI"})) is city, "Spanish 'Granada' is Grenada too"
    small_city, state = _place("city", "US", 20_000, row=5), _place("region", "US", row=6)
    assert choose([small_city, state], "oregon", frozenset({"US"})) is None


def test_evidence_of_countries() -> None:
    assert evidence([_place("country", "MX", 1), _place("city", "PH", 40_000)]) == "MX"
    assert evidence([_place("city", "RU", 600_000)]) == "RU"
    assert evidence([_place("city", "RU", 10_000_000), _place("city", "US", 25_000)]) is None
    assert evidence([_place("city", "AR", 16_000)]) is None, "a small city's unique name is weak evidence"


# ------------------------------------------------------------------------------------------- linking


def test_link_places_sets_links_of_places_only() -> None:
    entities = [_entity("Russia"), _entity("Vladivostok"), _entity("Far East", "LOC"), _entity("Vladimir Putin",
                "PERSON"), _entity("Moscow")]  # fmt: skip
    link_places(entities)
    links = {e.name: e.links for e in entities}
    assert links["Russia"].iso3166 == "RU" and links["Russia"].geonames
    assert links["Vladivostok"].geonames and links["Vladivostok"].iso3166 is None
    assert links["Moscow"].lat == pytest.approx(55.75, abs=0.1)
    assert links["Far East"] is None and links["Vladimir Putin"] is None


def test_link_uses_the_documents_countries() -> None:
    us = [_entity("United States"), _entity("Texas"), _entity("Birmingham")]
    uk = [_entity("England"), _entity("Birmingham")]
    link_places(us)
    link_places(uk)
    assert us[2].links.geonames != uk[1].links.geonames
    assert us[2].links.lat < 40 < uk[1].links.lat


# -------------------------------------------------------------------------------------------- labels


def test_relabel_org_countries_and_places_of_the_documents_countries() -> None:
    text = "Paraguay said that Dushanbe hosts talks. Tajikistan and Reuters agreed."
    spans = [(0, 8, "ORG"), (19, 27, "ORG"), (41, 51, "GPE"), (56, 63, "ORG")]
    assert relabel_places(text, spans) == [(0, 8, "GPE"), (19, 27, "GPE"), (41, 51, "GPE"), (56, 63, "ORG")]


def test_relabel_needs_the_country_context_and_spares_surnames() -> None:
    text = "Dushanbe said it. Scott Walker met Walker in Wisconsin."
    spans = [(0, 8, "ORG"), (18, 30, "PERSON"), (35, 41, "ORG"), (45, 54, "GPE")]
    relabelled = relabel_places(text, spans)
    assert relabelled[0] == (0, 8, "ORG"), "Tajikistan is not among the document's countries"
    assert relabelled[2] == (35, 41, "ORG"), "a surname of the document is not a place"


def test_relabel_uses_loc_for_models_without_gpe() -> None:
    text = "La Russie et Vladivostok."
    assert relabel_places(text, [(3, 9, "ORG"), (13, 24, "LOC")])[0] == (3, 9, "LOC")


# -------------------------------------------------------------------------------------------- pipeline


@pytest.fixture(scope="module")
def pipeline() -> DocumentPipeline:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [{"label": "GPE", "pattern": p} for p in ("Russia", "North Korea", "Vladivostok", "Pyongyang", "Japan")]
        + [{"label": "ORG", "pattern": "China"}, {"label": "PERSON", "pattern": "Kim"}]
    )
    return DocumentPipeline(nlp)


def test_pipeline_has_a_places_stage(pipeline: DocumentPipeline) -> None:
    text = "Kim went from Pyongyang to Vladivostok in Russia. North Korea, China and Japan watched.\n"
    data = text.encode()
    result = pipeline.process(DocumentInput(document_id=document_id_for("b", "k.txt"), data=data,
                                            source=Source(key="k.txt", size=len(data))))  # fmt: skip
    assert "places" in result.pipeline.timings_ms and result.pipeline.timings_ms["places"] >= 0
    by_name = {e.name: e for e in result.entities}
    assert by_name["China"].label == "GPE" and by_name["China"].links.iso3166 == "CN", "ORG relabelled, linked"
    assert {by_name[n].links.iso3166 for n in ("Russia", "North Korea", "Japan")} == {"RU", "KP", "JP"}
    assert by_name["Vladivostok"].links.geonames and by_name["Pyongyang"].links.geonames
    assert by_name["Kim"].links is None


def test_gazetteer_is_loaded_once() -> None:
    before = gazetteer.cache_info().misses
    assert gazetteer() is gazetteer()
    assert gazetteer.cache_info().misses == before, "read once per process (here: by the pipeline fixture)"
