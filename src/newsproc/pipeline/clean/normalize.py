"""Whitespace and quote normalization. Characters change, words never do.

Conventions (documented in docs/cleaning.md):
* every Unicode space (NBSP, thin space, ideographic space, ...) becomes a plain space, runs of spaces
  collapse to one, lines are stripped; zero-width characters and BOMs are dropped;
* the apostrophe is the typographic U+2019 (’). A left single quote, backtick, acute accent, modifier
  letter apostrophe or prime used *inside a word* (``Un‘s``, ``don`t``, ``Kim´s``) becomes ’; an ASCII
  apostrophe inside a word also becomes ’ so one convention holds for the whole text;
* quotation marks are left as the page wrote them (their forms are language conventions: „…“, «…»).
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
# an apostrophe-like mark between two letters (or after a letter before s/t/d/ll/re/ve/m at a word end)
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['‘`´ʼ′](?=[^\W\d_])")


def normalize_line(line: str) -> str:
    line = _INVISIBLE.sub("", line)
    line = _SPACES.sub(" ", line).strip()
    if any(c in line for c in "'‘`´ʼ′"):
        line = _APOSTROPHE.sub("’", line)
    return line


def split_lines(text: str) -> list[str]:
    """Split on any line break and normalize each line; empty lines are kept as ''."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return [normalize_line(line) for line in text.split("\n")]
