"""A deployment's own entities: a spaCy EntityRuler patterns file (JSONL) named by ENTITY_PATTERNS.

Each line is one spaCy pattern, e.g. `{"label": "TICKER", "pattern": "AAPL"}` or
`{"label": "PERSON", "pattern": [{"LOWER": "jane"}, {"LOWER": "doe"}], "id": "jane-doe"}`. The file is a
local path or `s3://bucket/key`. It is applied after the statistical model (and after the built-in
English ruler) by an `entity_ruler` named `custom_entities` with `overwrite_ents=True`: a custom match
wins over every overlapping model entity. Its spans then go through the same boundary, harmonize and
canonicalize steps as the model's.

`EntityPatterns.current()` checks the source at most once every `check_seconds` (60): the file's
mtime and size, or the S3 object's ETag (HeadObject); only a changed file is read again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

RULER_NAME = "custom_entities"
CHECK_SECONDS = 60.0


@dataclass(frozen=True)
class PatternSet:
    version: str  # mtime+size of a file, ETag of an S3 object
    patterns: tuple[dict[str, Any], ...]


def parse_patterns(text: str, source: str = "<patterns>") -> tuple[dict[str, Any], ...]:
    patterns = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            pattern = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(pattern, dict) or not isinstance(pattern.get("label"), str) or "pattern" not in pattern:
            raise ValueError(f'{source}:{number}: a pattern is {{"label": "...", "pattern": ...}}')
        patterns.append(pattern)
    return tuple(patterns)


class EntityPatterns:
    """The patterns file, re-read when it changes (checked at most once every `check_seconds`)."""

    def __init__(
        self,
        source: str,
        *,
        check_seconds: float = CHECK_SECONDS,
        s3_client: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.check_seconds = check_seconds
        self._s3 = s3_client
        self._clock = clock
        self._checked_at: float | None = None
        self._current: PatternSet | None = None

    def current(self) -> PatternSet:
        now = self._clock()
        if self._current is None or self._checked_at is None or now - self._checked_at >= self.check_seconds:
            try:
                version = self._version()
                if self._current is None or version != self._current.version:
                    self._current = PatternSet(version, parse_patterns(self._read(), self.source))
            except Exception:
                if self._current is None:
                    raise  # never loaded: the caller (init) fails
                # A file being rewritten, S3 unavailable: keep the patterns in use, check again later.
            self._checked_at = now
        return self._current

    # -- sources
    def _s3_location(self) -> tuple[str, str] | None:
        if not self.source.startswith("s3://"):
            return None
        bucket, _, key = self.source[5:].partition("/")
        return bucket, key

    def _client(self) -> Any:
        if self._s3 is None:
            from newsproc import aws

            self._s3 = aws.s3_client()
        return self._s3

    def _version(self) -> str:
        location = self._s3_location()
        if location is None:
            stat = os.stat(self.source)
            return f"{stat.st_mtime_ns}-{stat.st_size}"
        bucket, key = location
        return str(self._client().head_object(Bucket=bucket, Key=key)["ETag"])

    def _read(self) -> str:
        location = self._s3_location()
        if location is None:
            return Path(self.source).read_text(encoding="utf-8")
        bucket, key = location
        return self._client().get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def apply_patterns(nlp: Language, pattern_set: PatternSet) -> None:
    """Put `pattern_set` into nlp's `custom_entities` ruler (added last) unless it holds that version already."""
    if RULER_NAME in nlp.pipe_names:
        ruler = nlp.get_pipe(RULER_NAME)
        if getattr(ruler, "_newsproc_version", None) == pattern_set.version:
            return
        ruler.clear()
    else:
        ruler = nlp.add_pipe("entity_ruler", name=RULER_NAME, last=True, config={"overwrite_ents": True})
    with nlp.select_pipes(enable=[]):  # tokenizer only, to build phrase patterns
        ruler.add_patterns(list(pattern_set.patterns))
    ruler._newsproc_version = pattern_set.version  # type: ignore[attr-defined]
