"""spaCy's CLI stays out of the init, and still works when something asks for it (fresh processes).

All but the last test are unit tests (spaCy, no model); the last one loads the model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_ONLY_MODULES = ["typer", "click", "weasel", "jinja2", "spacy.cli.download"]
PRELUDE = "import sys\nfrom newsproc.pipeline.extract.deferred_cli import import_spacy_without_cli\n"


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", PRELUDE + code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.unit
def test_import_leaves_the_cli_out() -> None:
    out = run(f"spacy = import_spacy_without_cli(); print([m for m in {CLI_ONLY_MODULES!r} if m in sys.modules])")
    assert out.strip() == "[]"


@pytest.mark.unit
@pytest.mark.parametrize(
    "use",
    [
        "from spacy.cli import download; assert callable(download)",
        "import spacy.cli.download as d; assert callable(d.download)",
        "spacy.cli.info(silent=True)",
        "assert spacy.info(silent=True)['spacy_version'] == spacy.__version__",
        "from spacy.cli.info import info; assert info(silent=True)",
        "import spacy.cli; assert hasattr(spacy.cli, 'setup_cli')",
    ],
)
def test_first_use_imports_the_real_cli(use: str) -> None:
    out = run(
        "spacy = import_spacy_without_cli()\n"
        f"{use}\n"
        "import spacy.cli, spacy.cli.info as info_attr\n"
        "print(type(sys.modules['spacy.cli']).__name__, type(spacy.cli).__name__, 'typer' in sys.modules)"
    )
    assert out.split() == ["module", "module", "True"]


@pytest.mark.unit
def test_no_placeholder_once_spacy_is_imported() -> None:
    out = run("import spacy\nimport_spacy_without_cli()\nprint(type(sys.modules['spacy.cli']).__name__)")
    assert out.strip() == "module"


@pytest.mark.model  # not unit: it loads the real model
def test_load_nlp_keeps_the_cli_out() -> None:
    out = run(
        "from newsproc.pipeline.extract import load_nlp\n"
        "nlp = load_nlp()\n"
        "assert [e.text for e in nlp('Joe Biden visited Seoul.').ents] == ['Joe Biden', 'Seoul']\n"
        f"print([m for m in {CLI_ONLY_MODULES!r} if m in sys.modules])"
    )
    assert out.strip() == "[]"
