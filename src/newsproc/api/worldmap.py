"""A small world map of places as one self-contained inline SVG (no tiles, no scripts, no external assets).

The outline is Natural Earth 1:110m from world-atlas (``data/world-110m.json``, built by
scripts/build_world_map.py), projected equirectangularly; each place is a dot with its name as a tooltip
(``<title>``). Names are user data: everything written into the SVG is escaped. Standard library only, so
the API function can draw it without the NlpLayer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from html import escape
from pathlib import Path

DATA_PATH = Path(__file__).with_name("data") / "world-110m.json"
# Names listed in the accessible label before it says "and N more".
_LABEL_NAMES = 12


@cache
def _outline() -> dict:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def project(lat: float, lon: float) -> tuple[float, float]:
    """SVG coordinates of a point: equirectangular, as the outline; latitudes outside the map go to its edge."""
    projection = _outline()["projection"]
    scale, top, bottom = projection["scale"], projection["max_lat"], projection["min_lat"]
    lat = max(bottom, min(top, lat))
    lon = ((lon + 180.0) % 360.0) - 180.0 if not -180.0 <= lon <= 180.0 else lon
    return round((lon + 180.0) * scale, 1), round((top - lat) * scale, 1)


def render_map(places: Sequence[tuple[str, float, float]], *, title: str = "Places mentioned") -> str:
    """An inline ``<svg>`` of the world with a dot per (name, lat, lon); places without finite coordinates
    are left out, and the same name at the same point is drawn once."""
    outline = _outline()
    seen: set[tuple[str, float, float]] = set()
    dots: list[tuple[str, float, float]] = []
    for name, lat, lon in places:
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        x, y = project(lat, lon)
        if (name, x, y) not in seen:
            seen.add((name, x, y))
            dots.append((name, x, y))
    names = list(dict.fromkeys(name for name, _, _ in dots))
    if not names:
        label = f"{title}: none with coordinates"
    else:
        shown = ", ".join(names[:_LABEL_NAMES])
        more = f" and {len(names) - _LABEL_NAMES} more" if len(names) > _LABEL_NAMES else ""
        label = f"{title} ({len(names)}): {shown}{more}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(outline["viewBox"])}" class="worldmap" '
        f'role="img" aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(label)}</title>",
        f'<path d="{escape(outline["land"])}" fill="#d9dee5" stroke="none"/>',
        f'<path d="{escape(outline["borders"])}" fill="none" stroke="#ffffff" stroke-width="0.4"/>',
        '<g class="worldmap-places" fill="#c0392b" stroke="#ffffff" stroke-width="0.8">',
    ]
    for name, x, y in dots:
        parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="3.5"><title>{escape(name)}</title></circle>')
    parts.append("</g></svg>")
    return "".join(parts)


__all__ = ["DATA_PATH", "project", "render_map"]
