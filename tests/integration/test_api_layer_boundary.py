"""The layer boundary: the ApiFunction (CoreLayer only) never imports an NlpLayer package, on any route.

Every route of the template is called in a child process whose import system refuses every module that
only the NlpLayer ships (the distributions of layers/nlp/requirements.txt and their dependencies, less
what the CoreLayer and the Lambda runtime's boto3 bring). moto runs in this process, as a server.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def _requirements(path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(requirements: list[Requirement]) -> set[str]:
    """The distributions these requirements install, as resolved in this environment (extras and markers applied)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(_canonical(r.name), frozenset(r.extras)) for r in requirements]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        seen.add((name, extras))
        for spec in requires:
            requirement = Requirement(spec)
            marker: Marker | None = requirement.marker
            if marker is not None and not any(marker.evaluate({"extra": e}) for e in (extras or {""})):
                continue
            todo.append((_canonical(requirement.name), frozenset(requirement.extras)))
    return {name for name, _ in seen}


def nlp_layer_modules() -> list[str]:
    """Top-level modules whose every distribution only the NlpLayer ships."""
    nlp = _closure(_requirements(ROOT / "layers" / "nlp" / "requirements.txt"))
    elsewhere = _closure(_requirements(ROOT / "layers" / "core" / "requirements.txt") + [Requirement("boto3")])
    nlp_only = nlp - elsewhere
    modules = {
        module
        for module, distributions in metadata.packages_distributions().items()
        if distributions and all(_canonical(d) in nlp_only for d in distributions)
    }
    return sorted(modules)


def test_nlp_layer_modules_are_found() -> None:
    modules = set(nlp_layer_modules())
    assert {"spacy", "rapidfuzz", "py3langid", "numpy", "thinc"} <= modules
    assert not modules & {"pydantic", "boto3", "botocore", "aws_lambda_powertools", "lxml", "trafilatura"}


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[dict[str, str]]:
    from newsproc.local.harness import moto_server

    with moto_server() as stack:
        yield stack.environment


def test_every_api_route_runs_without_the_nlp_layer(moto_endpoint: dict[str, Any]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | moto_endpoint
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + str(ROOT)
    child = ROOT / "tests" / "integration" / "api_on_core_layer.py"
    proc = subprocess.run(
        [sys.executable, str(child), json.dumps(nlp_layer_modules())],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    from newsproc.local.template import Template

    routes = {f"{method} {path}" for method, path in Template.load().http_routes("ApiFunction")}
    called = {name.split("?")[0] for name in report["statuses"]}
    assert routes <= called, f"routes not exercised: {routes - called}"
    failing = {name: status for name, status in report["statuses"].items() if status >= 500}
    assert report["refused"] == [] and failing == {}, f"{report['refused']}: {failing}\n{proc.stderr[-3000:]}"
