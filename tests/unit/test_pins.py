"""One source of version pins: pyproject.toml; the layer requirement files (read by sam build) follow it.

layers/core/requirements.txt is pyproject's [project] dependencies less boto3 (the Lambda runtime
provides it), layers/nlp/requirements.txt is the `nlp` extra; each may add layer-only pins, and every
one of those says why it is there in a comment.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT

pytestmark = pytest.mark.unit

LAYERS = ROOT / "layers"
RUNTIME_PROVIDED = {"boto3"}  # in pyproject's dependencies, never in the CoreLayer


@dataclass(frozen=True)
class Pin:
    requirement: Requirement
    why: str  # the comment on the line or the comment lines right above it ("" when there is none)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _key(requirement: Requirement) -> tuple[str, tuple[str, ...], str, str]:
    """What must be identical wherever a package is pinned: extras, version specifier and marker."""
    marker = str(requirement.marker) if requirement.marker else ""
    return _canonical(requirement.name), tuple(sorted(requirement.extras)), str(requirement.specifier), marker


def _pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]


def _by_name(requirements: list[Requirement]) -> dict[str, Requirement]:
    named = {_canonical(r.name): r for r in requirements}
    assert len(named) == len(requirements), f"a package is listed twice: {requirements}"
    return named


def _layer_pins(path: Path) -> dict[str, Pin]:
    """The requirements of a layer file with their why-comments (the file's header comment is not one)."""
    pins: list[Pin] = []
    comment: list[str] = []
    header = True  # the comment lines the file starts with
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if not header:
                comment.append(line.lstrip("# "))
            continue
        header = False
        if line:
            spec, _, inline = line.partition("#")
            pins.append(Pin(Requirement(spec.strip()), " ".join([*comment, inline.strip()]).strip()))
        comment = []
    named = {_canonical(p.requirement.name): p for p in pins}
    assert len(named) == len(pins), f"{path}: a package is listed twice"
    return named


def _layers() -> list[tuple[Path, dict[str, Requirement]]]:
    """Each layer file with the pyproject requirements it must list."""
    project = _pyproject()
    core = _by_name([Requirement(s) for s in project["dependencies"]])
    for name in RUNTIME_PROVIDED:
        core.pop(name)
    nlp = _by_name([Requirement(s) for s in project["optional-dependencies"]["nlp"]])
    return [(LAYERS / "core" / "requirements.txt", core), (LAYERS / "nlp" / "requirements.txt", nlp)]


def _all_pyproject() -> dict[str, Requirement]:
    project = _pyproject()
    specs = [*project["dependencies"], *(s for group in project["optional-dependencies"].values() for s in group)]
    return {_canonical(r.name): r for r in map(Requirement, specs)}


def test_runtime_provided_packages_are_pyproject_dependencies() -> None:
    dependencies = _by_name([Requirement(s) for s in _pyproject()["dependencies"]])
    assert dependencies.keys() >= RUNTIME_PROVIDED


@pytest.mark.parametrize("layer", ["core", "nlp"])
def test_a_package_pyproject_names_has_the_same_pin_in_the_layer(layer: str) -> None:
    pinned = _all_pyproject()
    for name, pin in _layer_pins(LAYERS / layer / "requirements.txt").items():
        if name in pinned:
            assert _key(pin.requirement) == _key(pinned[name]), (
                f"layers/{layer}/requirements.txt pins {pin.requirement}, pyproject.toml {pinned[name]}: "
                "change pyproject.toml and copy its pin"
            )


@pytest.mark.parametrize("index", [0, 1], ids=["core", "nlp"])
def test_each_layer_lists_its_pyproject_group_and_only_explained_extras(index: int) -> None:
    path, expected = _layers()[index]
    pins = _layer_pins(path)
    missing = sorted(expected.keys() - pins.keys())
    assert not missing, f"{path.relative_to(ROOT)} lacks {missing} (pinned in pyproject.toml)"
    others = _all_pyproject()
    for name in sorted(pins.keys() - expected.keys()):
        assert name not in RUNTIME_PROVIDED, f"{path.relative_to(ROOT)}: {name} comes with the Lambda runtime"
        assert name not in others, f"{path.relative_to(ROOT)}: {name} belongs to another pyproject group"
        assert pins[name].why, f"{path.relative_to(ROOT)}: layer-only pin {pins[name].requirement} needs a why-comment"


def test_every_requirement_is_an_exact_pin() -> None:
    requirements = list(_all_pyproject().values())
    requirements += [
        p.requirement for layer in ("core", "nlp") for p in _layer_pins(LAYERS / layer / "requirements.txt").values()
    ]
    loose = [str(r) for r in requirements if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    assert not loose, f"not pinned with ==: {loose}"
