"""Document bodies of the HTTP API (POST /documents, POST /extract): content type, size and, for
JSON, the shape the pipeline accepts, checked before anything is stored or invoked; a title given
and a declared language beside the body; the label an entity query needs."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import PureWindowsPath
from typing import Protocol

from newsproc.api.errors import ApiError
from newsproc.errors import DocumentError
from newsproc.media import CONTENT_TYPES, MediaType, base_content_type, charset_of
from newsproc.models import ErrorCode
from newsproc.names import NAME_LABELS
from newsproc.pipeline.decode import bytes_to_text, decode, language_code


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
    data = _raw_body(event)
    if not data.strip():
        raise ApiError(400, "empty_body", "the request body is empty")
    if len(data) > max_bytes:
        raise ApiError(413, "too_large", f"the body has {len(data)} bytes; the limit here is {max_bytes}")
    if kind is MediaType.JSON:
        check_json_document(data, declared_charset(event))
    return data, kind


def declared_charset(event: HttpRequest) -> str | None:
    """The charset parameter of the request's Content-Type (None: undeclared, detected from the bytes)."""
    return charset_of(event.headers.get("content-type"))


def body_text(data: bytes, charset: str | None) -> str:
    """The body as text in `charset` (the declared one; None: detected), or 400 undecodable."""
    try:
        return bytes_to_text(data, repair=False, charset=charset)
    except DocumentError as exc:
        raise ApiError(400, exc.code.value, exc.message) from None


def with_metadata(
    data: bytes,
    kind: MediaType,
    charset: str | None,
    title: str | None,
    filename: str | None = None,
    language: str | None = None,
) -> tuple[bytes, MediaType, str | None]:
    """The body, its media type and charset, with `title` (else the filename's last part) and the
    declared `language` (an ISO 639-1 code) carried as the pipeline reads them: the JSON document form
    `{"text"|"html": body, "title": ..., "language": ...}` (UTF-8). Unchanged without either; a JSON
    body's own title and language win."""
    given = {
        "title": (title or "").strip() or PureWindowsPath((filename or "").strip()).name.strip(),
        "language": _language(language),
    }
    given = {name: value for name, value in given.items() if value}
    if not given:
        return data, kind, charset
    try:
        text = bytes_to_text(data, repair=False, charset=charset)
    except DocumentError as exc:
        raise ApiError(400, exc.code.value, exc.message) from None
    if kind is MediaType.JSON:
        payload = json.loads(text)  # checked by document_body: an object with a text or html string
        missing = {k: v for k, v in given.items() if not (isinstance(payload.get(k), str) and payload[k].strip())}
        if not missing:
            return data, kind, charset
        payload |= missing
    else:
        payload = {"text" if kind is MediaType.TEXT else "html": text, **given}
    return json.dumps(payload, ensure_ascii=False).encode(), MediaType.JSON, None


def _language(declared: str | None) -> str | None:
    """The `language` query parameter as its code, or 422."""
    if declared is None or not declared.strip():
        return None
    try:
        return language_code(declared)
    except ValueError as exc:
        raise ApiError(422, "validation_error", f"language {exc}") from None


def entity_label(label: str | None) -> str:
    """The label of an entity query. Without one, 422: a query per label with one continuation token
    across them all is not offered; GET /entities/{label}/{name}/documents names it in the path."""
    if label is None:
        raise ApiError(
            422,
            "label_required",
            f"label is required with entity: one of {', '.join(sorted(NAME_LABELS))} (or DATE, MONEY)",
        )
    return label


def _raw_body(event: HttpRequest) -> bytes:
    """The bytes as sent: a binary body arrives base64-encoded (Powertools' decoded_body assumes UTF-8)."""
    body = getattr(event, "body", None)
    if body is not None and getattr(event, "is_base64_encoded", False):
        return base64.b64decode(body)
    text = body if body is not None else event.decoded_body
    return text.encode() if isinstance(text, str) else (text or b"")


def check_json_document(data: bytes, charset: str | None = None) -> None:
    """Refuse what the pipeline would store as FAILED invalid_json: 400 unparseable, 422 wrong shape."""
    try:
        decode(data, MediaType.JSON, repair=False, charset=charset)  # the pipeline's own check, parsed once
    except DocumentError as exc:
        if exc.code is not ErrorCode.INVALID_JSON:  # not text at all: empty, undecodable
            raise ApiError(400, exc.code.value, exc.message) from None
        try:  # refused: tell an unparseable body from a parseable one of the wrong shape
            json.loads(data)
        except (ValueError, RecursionError) as parse_error:
            raise ApiError(400, "invalid_json", f"the body is not valid JSON: {parse_error}") from None
        raise ApiError(422, "validation_error", exc.message) from None
