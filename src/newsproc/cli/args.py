"""Argument types of the `newsproc` command: each bad value is argparse's one-line usage error."""

from __future__ import annotations

import argparse
import glob
import os
from pathlib import Path
from typing import NoReturn

from newsproc.media import SUFFIXES, suffix_of

STDIN = "-"


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def language(text: str) -> str:
    """argparse type: an ISO 639-1 code (`pt-BR` -> `pt`)."""
    from newsproc.pipeline.decode import language_code

    try:
        return language_code(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def port(text: str) -> int:
    """argparse type: a TCP port, 1-65535."""
    value = _integer(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, got {value}")
    return value


def input_paths(text: str) -> list[str]:
    """argparse type for `process`: a file, a directory (its known-suffix files, recursively), a glob, or '-'.

    Returns the paths as given or as found (the result's source.key), in a stable order.
    """
    if text == STDIN:
        return [STDIN]
    path = Path(text)
    if path.is_file():
        if not os.access(path, os.R_OK):
            raise argparse.ArgumentTypeError(f"cannot read {text}: permission denied")
        return [text]
    if path.is_dir():
        return _directory_files(text)
    if glob.has_magic(text):
        matched = sorted(p for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not matched:
            raise argparse.ArgumentTypeError(f"no file matches {text!r}")
        return matched
    raise argparse.ArgumentTypeError(f"no such file or directory: {text}")


def _directory_files(top: str) -> list[str]:
    def fail(exc: OSError) -> NoReturn:
        raise argparse.ArgumentTypeError(f"cannot read directory {exc.filename or top}: {exc.strerror or exc}")

    found = []
    for directory, subdirectories, names in os.walk(top, onerror=fail):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        found += [os.path.join(directory, n) for n in sorted(names) if not n.startswith(".") and suffix_of(n)]
    if not found:
        raise argparse.ArgumentTypeError(f"no {'/'.join(SUFFIXES)} files under {top}")
    return found


def existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {value}")
    return path


def output_directory(text: str) -> Path:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a directory")
    return path


# ------------------------------------------------------------------------------ the parser
