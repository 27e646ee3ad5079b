"""Domain errors. A `DocumentError` is permanent: it is stored as a FAILED result and never retried."""

from __future__ import annotations

from newsproc.models import ErrorCode, RemovedSegment


class DocumentError(Exception):
    def __init__(self, code: ErrorCode, message: str, removed: list[RemovedSegment] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # what the cleaner dropped, kept in the FAILED result for audit (empty_after_cleaning)
        self.removed = removed or []


class DocumentNotFoundError(Exception):
    """No result is stored for the requested document id."""
