"""What an input is, decided without reading it: media types, suffixes, content types, ids, ETags.

One table for everything that maps names to media types (the pipeline's decode step, the API's
submissions and presigned uploads, the CLI's --format). Standard library and models only: the API
function imports it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from newsproc.errors import DocumentError
from newsproc.models import ErrorCode, Source


class MediaType(StrEnum):
    TEXT = "text"
    HTML = "html"
    JSON = "json"


# Key suffix -> media type, and the content type written for an object of that suffix.
SUFFIXES: dict[str, tuple[MediaType, str]] = {
    ".txt": (MediaType.TEXT, "text/plain; charset=utf-8"),
    ".text": (MediaType.TEXT, "text/plain; charset=utf-8"),
    ".html": (MediaType.HTML, "text/html; charset=utf-8"),
    ".htm": (MediaType.HTML, "text/html; charset=utf-8"),
    ".json": (MediaType.JSON, "application/json"),
}
# The suffix given to a submitted body of each media type.
CANONICAL_SUFFIX = {MediaType.TEXT: ".txt", MediaType.HTML: ".html", MediaType.JSON: ".json"}
# Content type (without parameters) -> media type: the fallback for keys without a known suffix.
CONTENT_TYPES: dict[str, MediaType] = {
    "text/plain": MediaType.TEXT,
    "text/html": MediaType.HTML,
    "application/xhtml+xml": MediaType.HTML,
    "application/json": MediaType.JSON,
}


def suffix_of(name: str) -> str | None:
    """The known suffix `name` ends with (case folded), or None."""
    lowered = name.rsplit("/", 1)[-1].lower()
    return next((suffix for suffix in SUFFIXES if lowered.endswith(suffix)), None)


def base_content_type(content_type: str | None) -> str:
    """`text/html; charset=utf-8` -> `text/html`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    """`text/plain; charset="UTF-16"` -> `UTF-16` (None when the content type declares none)."""
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"')
    return None


def media_type_for(key: str | None, content_type: str | None = None) -> MediaType:
    """The key's suffix decides; the content type is the fallback for keys without a known suffix."""
    suffix = suffix_of(key) if key else None
    if suffix is not None:
        return SUFFIXES[suffix][0]
    base = base_content_type(content_type)
    if base in CONTENT_TYPES:
        return CONTENT_TYPES[base]
    raise DocumentError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        f"unsupported document type for key {key!r} (content type {content_type!r}); "
        f"accepted suffixes: {', '.join(sorted(SUFFIXES))}",
    )


def unquote_etag(etag: str | None) -> str | None:
    """S3 returns ETags in quotes in some places and not in others; stored and compared bare."""
    return (etag or "").strip('"') or None


def document_id_for(bucket: str, key: str) -> str:
    """One id per (bucket, key): a new version of an object replaces the old result."""
    return hashlib.sha256(f"{bucket}\x00{key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DocumentInput:
    """What goes into the pipeline."""

    document_id: str
    data: bytes
    source: Source
    media_type: MediaType | None = None  # None: decided from the key suffix / content type
    # The language its sender declares for it (the CLI's --language); a JSON document's own "language" wins.
    language: str | None = None
