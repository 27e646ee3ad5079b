"""The built Lambda layers work under python3.12: import newsproc, load the model, extract entities.

Needs `make build` (.aws-sam/build) and a python3.12 (pyenv 3.12.1); skipped otherwise. The child
interpreter sees only the CoreLayer and NlpLayer build directories (as /opt/python on Lambda). boto3 is
not on that path: the process path (decode, clean, NER, canonicalize) does no I/O and never imports it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"

pytestmark = pytest.mark.build


def _smoke():
    spec = importlib.util.spec_from_file_location("layer_smoke", ROOT / "scripts" / "layer_smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_built_layers_extract_entities_under_python312() -> None:
    if not all((BUILD / layer / "python").is_dir() for layer in ("CoreLayer", "NlpLayer")):
        pytest.skip("no built layers under .aws-sam/build (run `make build`)")
    smoke = _smoke()
    python = smoke.find_python312()
    if python is None:
        pytest.skip("python3.12 not found (pyenv 3.12.1 or python3.12 on PATH)")
    result = smoke.run(BUILD, python)
    assert result["python"].startswith("3.12")
    assert smoke.check(result, BUILD.resolve()) == []
    assert result["model_version"] == "3.8.0"
    assert result["language"][0] == "en"
