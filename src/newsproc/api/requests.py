"""Document bodies of the HTTP API (POST /documents, POST /extract): content type, size and, for
JSON, the shape the pipeline accepts, checked before anything is stored or invoked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Protocol

from newsproc.api.errors import ApiError
from newsproc.errors import DocumentError
from newsproc.media import CONTENT_TYPES, MediaType, base_content_type
from newsproc.pipeline.decode import decode


class HttpRequest(Protocol):
    """What is read of the request: Powertools' APIGatewayProxyEventV2 (headers case-insensitive)."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def decoded_body(self) -> str | None: ...


def document_body(event: HttpRequest, max_bytes: int) -> tuple[bytes, MediaType]:
    """The body and its media type, or ApiError: 415 content type, 400 empty, 413 too large, and for
    JSON 400 unparseable or 422 of the wrong shape."""
    content_type = base_content_type(event.headers.get("content-type") or "text/plain")
    kind = CONTENT_TYPES.get(content_type)
    if kind is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"content type {content_type!r} is not one of {sorted(CONTENT_TYPES)}",
        )
    body = event.decoded_body
    data = body.encode() if isinstance(body, str) else (body or b"")
    if not data.strip():
        raise ApiError(400, "empty_body", "the request body is empty")
    if len(data) > max_bytes:
        raise ApiError(413, "too_large", f"the body has {len(data)} bytes; the limit here is {max_bytes}")
    if kind is MediaType.JSON:
        check_json_document(data)
    return data, kind


def check_json_document(data: bytes) -> None:
    """Refuse what the pipeline would store as FAILED invalid_json: 400 unparseable, 422 wrong shape."""
    try:
        decode(data, MediaType.JSON, repair=False)  # the pipeline's own check; a good body is parsed once
    except DocumentError as exc:
        try:  # refused: tell an unparseable body from a parseable one of the wrong shape
            json.loads(data)
        except (ValueError, RecursionError) as parse_error:
            raise ApiError(400, "invalid_json", f"the body is not valid JSON: {parse_error}") from None
        raise ApiError(422, "validation_error", exc.message) from None
