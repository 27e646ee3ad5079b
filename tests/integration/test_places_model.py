"""Places with the real en_core_web_sm model: the sample article in ../shared/samples gets its countries' ISO codes
and its cities' GeoNames ids and coordinates (issue 17, "Must show"); the map draws them."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsproc.api.worldmap import render_map
from newsproc.media import DocumentInput, MediaType
from newsproc.models import Source
from newsproc.pipeline.extract import load_nlp
from newsproc.pipeline.run import DocumentPipeline

pytestmark = pytest.mark.model
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "article-kim-putin.txt"


@pytest.fixture(scope="module")
def result():
    if not SAMPLE.is_file():
        pytest.skip(f"sample article not found: {SAMPLE}")
    data = SAMPLE.read_bytes()
    source = Source(key=SAMPLE.name, size=len(data))
    document = DocumentInput(document_id="kim-putin", data=data, source=source, media_type=MediaType.TEXT)
    return DocumentPipeline(load_nlp()).process(document)


def _place(result, name: str):
    found = [e for e in result.entities if e.name == name and e.label in ("GPE", "LOC")]
    assert found, f"{name} is not a place entity: {[(e.name, e.label) for e in result.entities]}"
    return found[0]


@pytest.mark.parametrize(
    ("name", "iso"), [("Russia", "RU"), ("North Korea", "KP"), ("China", "CN"), ("Japan", "JP"), ("Ukraine", "UA")]
)
def test_countries_have_iso_codes(result, name: str, iso: str) -> None:
    links = _place(result, name).links
    assert links is not None and links.iso3166 == iso and links.geonames


# (latitude, longitude) of each city, to within a degree
CITIES = {"Vladivostok": (43.1, 131.9), "Pyongyang": (39.0, 125.8), "Tokyo": (35.7, 139.7), "Moscow": (55.8, 37.6)}


@pytest.mark.parametrize("name", sorted(CITIES))
def test_cities_have_geonames_ids_and_coordinates(result, name: str) -> None:
    links = _place(result, name).links
    assert links is not None and links.geonames and links.iso3166 is None
    lat, lon = CITIES[name]
    assert links.lat == pytest.approx(lat, abs=1) and links.lon == pytest.approx(lon, abs=1)


def test_places_stage_is_timed_and_cheap(result) -> None:
    timings = result.pipeline.timings_ms
    assert "places" in timings and timings["places"] < timings["ner"]


def test_unplaceable_names_stay_unlinked(result) -> None:
    assert all(e.links is None for e in result.entities if e.label not in ("GPE", "LOC"))
    far_east = [e for e in result.entities if e.name == "Far East"]
    assert all(e.links is None for e in far_east)


def test_linked_places_on_the_map(result) -> None:
    places = [(e.name, e.links.lat, e.links.lon) for e in result.entities if e.links and e.links.lat is not None]
    svg = render_map(places)
    assert svg.count("<circle") == len({(n, round(a, 1), round(b, 1)) for n, a, b in places}) >= 9
    assert "<title>Vladivostok</title>" in svg
