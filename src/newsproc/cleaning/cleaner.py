"""First-level cleaner: line rules for obvious boilerplate plus a leading date line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import trafilatura

from newsproc.models import RemovedSegment


@dataclass
class CleanedText:
    text: str
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    removed: list[RemovedSegment] = field(default_factory=list)


BOILERPLATE_PATTERNS: dict[str, re.Pattern[str]] = {
    "newsletter": re.compile(
        r"\b(sign up|signing up|subscribe|newsletter|inbox|enter a valid email|email address)\b", re.I
    ),
    "privacy": re.compile(r"\b(privacy (notice|policy)|cookie|terms of (use|service))\b", re.I),
    "share": re.compile(r"^(share|follow|tweet|email|print|copy link)\b.{0,60}$", re.I),
}
LEADING_DATE = re.compile(r"^\s*(?:date\s+)?(\d{4}-\d{2}-\d{2})\b\s*", re.I)


def clean_text(raw: str) -> CleanedText:
    lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n")]
    removed: list[RemovedSegment] = []
    published = None
    if lines:
        first_index = next((i for i, line in enumerate(lines) if line), None)
        if first_index is not None and (match := LEADING_DATE.match(lines[first_index])):
            published = match.group(1)
            rest = lines[first_index][match.end() :]
            removed.append(RemovedSegment(text=lines[first_index][: match.end()].strip(), reason="date_line"))
            if rest:
                removed.append(RemovedSegment(text=rest, reason="prompt_on_date_line"))
            lines[first_index] = ""
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if not line:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        reason = _boilerplate_reason(line, seen)
        if reason:
            removed.append(RemovedSegment(text=line, reason=reason))
            continue
        seen.add(line)
        kept.append(line)
    text = "\n\n".join(_paragraphs(kept))
    return CleanedText(text=text, published=published, removed=removed)


def _boilerplate_reason(line: str, seen: set[str]) -> str | None:
    if line in seen:
        return "repeated_line"
    words = line.split()
    for reason, pattern in BOILERPLATE_PATTERNS.items():
        if pattern.search(line) and len(words) < 40:
            return reason
    return None


def _paragraphs(lines: list[str]) -> list[str]:
    # A scraper writes one block per line, so every kept line is a paragraph of its own.
    return [line for line in lines if line]


def clean_html(html: str) -> CleanedText:
    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None:
        return CleanedText(text="")
    body = extracted.text or ""
    cleaned = clean_text(body)
    cleaned.title = extracted.title or cleaned.title
    cleaned.published = extracted.date or cleaned.published
    cleaned.byline = extracted.author or cleaned.byline
    return cleaned
