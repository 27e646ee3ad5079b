"""What goes into the pipeline, without the pipeline: the API function imports this (no NLP packages)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from newsproc.decoding import MediaType
from newsproc.models import Source


def document_id_for(bucket: str, key: str) -> str:
    """One id per (bucket, key): a new version of an object replaces the old result."""
    return hashlib.sha256(f"{bucket}\x00{key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DocumentInput:
    document_id: str
    data: bytes
    source: Source
    media_type: MediaType | None = None  # None: decided from the key suffix / content type
