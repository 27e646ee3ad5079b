"""Domain errors. A `DocumentError` is permanent: it is stored as a FAILED result and never retried."""

from __future__ import annotations

from newsproc.models import ErrorCode


class DocumentError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class DocumentNotFoundError(Exception):
    """No result is stored for the requested document id."""
