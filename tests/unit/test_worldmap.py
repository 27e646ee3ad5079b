"""The world map SVG: self-contained, escaped, coordinates mapped like the outline, no NLP imports."""

from __future__ import annotations

import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from newsproc.api.worldmap import DATA_PATH, project, render_map

pytestmark = pytest.mark.unit
SVG = "{http://www.w3.org/2000/svg}"


def test_outline_data_is_small() -> None:
    assert DATA_PATH.stat().st_size < 150_000


def test_empty_map_is_valid_accessible_svg() -> None:
    svg = render_map([])
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-label") == root.find(f"{SVG}title").text == "Places mentioned: none with coordinates"
    assert root.findall(f".//{SVG}circle") == []
    assert len(root.findall(f"{SVG}path")) == 2


def test_places_become_dots_with_escaped_titles() -> None:
    hostile = '<script>alert("x")</script> & "Paris"'
    svg = render_map([(hostile, 48.85, 2.35), ("Tokyo", 35.69, 139.69)])
    assert "<script" not in svg and "javascript:" not in svg.lower()
    root = ElementTree.fromstring(svg)  # well-formed: every name was escaped
    circles = root.findall(f".//{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == [hostile, "Tokyo"]
    assert hostile in root.get("aria-label")
    assert not re.search(r"\b(href|src)=", svg), "no external assets"


def test_coordinates_map_equirectangularly() -> None:
    width, height = (float(v) for v in ElementTree.fromstring(render_map([])).get("viewBox").split()[2:])
    assert project(0, -180) == (0, project(0, 0)[1])
    assert project(0, 180)[0] == width
    x0, y0 = project(0, 0)
    assert x0 == width / 2
    x, y = project(10, 20)
    assert x > x0 and y < y0, "east is right, north is up"
    assert project(-89, 0)[1] == height, "beyond the map's latitude range: its edge"
    circle = ElementTree.fromstring(render_map([("Quito", -0.22, -78.5)])).find(f".//{SVG}circle")
    assert (float(circle.get("cx")), float(circle.get("cy"))) == project(-0.22, -78.5)


def test_bad_coordinates_and_duplicates_are_left_out() -> None:
    svg = render_map([("A", float("nan"), 1.0), ("B", 1.0, float("inf")), ("C", 1.0, 2.0), ("C", 1.0, 2.0)])
    assert len(ElementTree.fromstring(svg).findall(f".//{SVG}circle")) == 1


def test_long_lists_are_summarised_in_the_label() -> None:
    svg = render_map([(f"Place {i}", i, i) for i in range(20)])
    assert "(20)" in svg and "and 8 more" in svg


def test_worldmap_imports_no_nlp_package() -> None:
    code = "import sys, newsproc.api.worldmap as w; w.render_map([('x', 1, 2)]); print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
