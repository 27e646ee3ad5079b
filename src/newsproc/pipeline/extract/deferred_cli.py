"""Keep spaCy's command-line interface out of the cold start.

`import spacy` runs `from .cli.info import info`, and `spacy.cli` imports every command: typer, click,
weasel, jinja2, requests and more. That is 0.13-0.2 s of a 1.1 s cold start (python -m scripts.bench), and
the service never runs a spaCy command. `import_spacy_without_cli()` puts two placeholder modules in
`sys.modules` before spaCy is first imported. The first real use of `spacy.cli` (an attribute, a
submodule import, a call to `spacy.info()`) drops the placeholders and imports the real package, so
nothing else changes (tests/unit/test_deferred_cli.py).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_CLI = "spacy.cli"
_INFO = "spacy.cli.info"


class _DeferredModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        # The import system probes dunders (`__path__` to tell a package, `__file__`, ...). Only a
        # submodule import needs the real `spacy.cli.__path__`; the others must not import the CLI.
        if name.startswith("__") and not (name == "__path__" and self.__name__ == _CLI):
            raise AttributeError(name)
        real_cli = _import_real_cli()
        return getattr(real_cli if self.__name__ == _CLI else sys.modules[self.__name__], name)


def _import_real_cli() -> types.ModuleType:
    for name in (_INFO, _CLI):
        if isinstance(sys.modules.get(name), _DeferredModule):
            del sys.modules[name]
    real_cli = importlib.import_module(_CLI)
    spacy = sys.modules["spacy"]
    if isinstance(getattr(spacy, "cli", None), _DeferredModule):
        spacy.cli = real_cli  # type: ignore[attr-defined]
    return real_cli


def info(*args: Any, **kwargs: Any) -> Any:
    """Stands for `spacy.info` until it is called."""
    return _import_real_cli().info(*args, **kwargs)


def import_spacy_without_cli() -> types.ModuleType:
    """`import spacy` with the placeholders in place, unless spaCy is imported already."""
    if "spacy" not in sys.modules and _CLI not in sys.modules:
        info_module = _DeferredModule(_INFO)
        info_module.info = info  # type: ignore[attr-defined]
        sys.modules[_CLI] = _DeferredModule(_CLI)
        sys.modules[_INFO] = info_module
    spacy = importlib.import_module("spacy")
    placeholder = sys.modules.get(_CLI)
    if isinstance(placeholder, _DeferredModule) and "cli" not in vars(spacy):
        spacy.cli = placeholder  # type: ignore[attr-defined]  # found in sys.modules, so never set by import
    return spacy
