"""Truecasing of all-capitals lines (headlines, datelines) in a same-length copy shown to the model."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_][\w'’.&-]*")


def _is_caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.85 * len(letters) and len(line.split()) >= 3


def restore_case(text: str) -> str:
    """Same-length copy of `text` in which all-capitals lines (headlines, datelines) are truecased.

    Each word of such a line takes the form the rest of the document uses: kept in capitals if it also
    appears in capitals in normal lines (acronyms: UN, DPRK), title-cased if it appears title-cased there
    ("Kim", "Seoul"), lower-cased otherwise (the first word of the line is capitalised). Characters whose
    lower case has another length (rare) are left alone, so offsets never move.
    """
    if not any(c.isupper() for c in text):
        return text
    lines = text.split("\n")
    caps = [_is_caps_line(line) for line in lines]
    if not any(caps):
        return text
    vocab: Counter = Counter()
    for line, is_caps in zip(lines, caps, strict=True):
        if not is_caps:
            vocab.update(_WORD.findall(line))
    out = []
    for line, is_caps in zip(lines, caps, strict=True):
        if is_caps:
            line = _WORD.sub(lambda m: _recase(m.group(0), vocab, m.start() == 0), line)
        out.append(line)
    restored = "\n".join(out)
    return restored if len(restored) == len(text) else text


def _lower_same_len(s: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _recase(word: str, vocab: Counter, first: bool) -> str:
    low = _lower_same_len(word)
    title = word[0] + low[1:]
    if len(word) > 1 and vocab[word] > 0:
        return word
    if vocab[title] > vocab[low] or (first and vocab[low] == 0):
        return title
    return title if first else low
