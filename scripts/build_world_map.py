#!/usr/bin/env python3
"""Build the world outline that newsproc.api.worldmap draws (src/newsproc/api/data/world-110m.json).

    npm pack world-atlas@2.0.2            # world-atlas-2.0.2.tgz: Natural Earth 1:110m as TopoJSON (ISC)
    .venv/bin/python scripts/build_world_map.py world-atlas-2.0.2.tgz [--out PATH]

Reads countries-110m.json (from the npm tarball or the file itself), decodes the TopoJSON arcs (quantized,
delta-encoded), projects them equirectangularly (x = longitude + 180, y = MAX_LAT - latitude, times SCALE),
drops Antarctica (the map is cropped at MIN_LAT) and writes one SVG path `d` for land and one for the
borders between countries (each shared arc once), coordinates rounded to 0.1 unit (0.05 degrees).
Plain Python, deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "newsproc" / "api" / "data" / "world-110m.json"
MEMBER = "package/countries-110m.json"
SCALE = 2.0  # SVG units per degree
MAX_LAT, MIN_LAT = 84.0, -58.0  # Greenland's north coast to Tierra del Fuego
DROP = {"Antarctica"}


def read_topology(source: Path) -> tuple[dict, str]:
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if source.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(source) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{source}: no {MEMBER}")
            data = member.read()
    return json.loads(data), digest


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat of every arc: TopoJSON stores quantized positions as deltas from the previous one."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def project(lon: float, lat: float) -> tuple[float, float]:
    lat = max(MIN_LAT, min(MAX_LAT, lat))
    return round((lon + 180.0) * SCALE, 1), round((MAX_LAT - lat) * SCALE, 1)


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring from its arc indices (~i: arc i reversed); consecutive arcs share their end point."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def unwrap(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A line crossing the antimeridian (Russia's Chukotka, Fiji) jumps from 180 to -180 degrees, which would
    draw across the whole map: its longitudes are made continuous (past 180) and a copy shifted by 360 degrees
    is added; the SVG viewport clips both at the map's edges."""
    out = points[:1]
    for lon, lat in points[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        out.append((lon, lat))
    lons = [lon for lon, _ in out]
    if max(lons) > 180:
        return [out, [(lon - 360, lat) for lon, lat in out]]
    if min(lons) < -180:
        return [out, [(lon + 360, lat) for lon, lat in out]]
    return [out]


def path_of(points: list[tuple[float, float]], closed: bool) -> str:
    """Relative SVG path of the points (and of their copy across the antimeridian, see unwrap)."""
    return "".join(_path(part, closed) for part in unwrap(points))


def _path(points: list[tuple[float, float]], closed: bool) -> str:
    projected: list[tuple[float, float]] = []
    for lon, lat in points:
        p = project(lon, lat)
        if not projected or p != projected[-1]:
            projected.append(p)
    if len(projected) < (3 if closed else 2):
        return ""
    parts = [f"M{_num(projected[0][0])} {_num(projected[0][1])}"]
    steps = []
    for (x0, y0), (x1, y1) in zip(projected, projected[1:], strict=False):
        steps.append(f"{_num(x1 - x0)} {_num(y1 - y0)}")
    parts.append("l" + " ".join(steps))
    return "".join(parts) + ("z" if closed else "")


def _num(value: float) -> str:
    """Shortest form of a number rounded to 0.1: 12, 3.5, .5, -.5."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def build(topology: dict) -> dict[str, str]:
    arcs = decode_arcs(topology)
    geometries = [g for g in topology["objects"]["countries"]["geometries"] if g.get("properties", {}).get("name")
                  not in DROP]  # fmt: skip
    land: list[str] = []
    uses: dict[int, int] = {}
    for g in geometries:
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]] if g["type"] == "Polygon" else []
        for polygon in polygons:
            for ring in polygon:
                land.append(path_of(ring_points(ring, arcs), closed=True))
                for index in ring:
                    arc = index if index >= 0 else ~index
                    uses[arc] = uses.get(arc, 0) + 1
    # an arc used by two countries' rings is a border between them; drawn once
    borders = [path_of(arcs[i], closed=False) for i in sorted(uses) if uses[i] > 1]
    width, height = 360 * SCALE, (MAX_LAT - MIN_LAT) * SCALE
    return {
        "viewBox": f"0 0 {_num(width)} {_num(height)}",
        "land": "".join(p for p in land if p),
        "borders": "".join(p for p in borders if p),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="world-atlas-2.x.tgz from `npm pack world-atlas@2.0.2`, or countries-110m.json")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    topology, digest = read_topology(Path(args.source))
    payload = {
        "source": f"world-atlas countries-110m.json (Natural Earth 1:110m, public domain; world-atlas ISC), "
        f"input sha256 {digest}",
        "projection": {"type": "equirectangular", "scale": SCALE, "max_lat": MAX_LAT, "min_lat": MIN_LAT},
        **build(topology),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"world map: {out.relative_to(REPO) if out.is_relative_to(REPO) else out} bytes={out.stat().st_size} "
        f"land_chars={len(payload['land'])} border_chars={len(payload['borders'])} viewBox={payload['viewBox']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
