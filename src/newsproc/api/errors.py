"""The HTTP API's errors: `ApiError` and the exception handlers that turn every failure into the
`{"error": {"code", "message"}}` body (schemas.ErrorBody) with its status."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from newsproc.errors import DocumentNotFoundError
from newsproc.store.pagination import InvalidTokenError

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class SeeOther(Exception):  # noqa: N818 - named after the HTTP status it answers
    """Answered 303 with Location: the answer is larger than a Lambda response may be. Raised, not
    returned, so Powertools does not validate an empty body against the route's response model."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def see_other(exc: SeeOther) -> Response:
    return Response(status_code=303, headers={"Location": exc.url}, body=None)


def error_response(status: int, code: str, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": {"code": code, "message": message}}),
    )


def api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message)


def document_not_found(exc: DocumentNotFoundError) -> Response:
    return error_response(
        404, "document_not_found", f"no result for document {exc.args[0]!r} (unknown or not processed yet)"
    )


def invalid_token(exc: InvalidTokenError) -> Response:
    return error_response(400, "invalid_token", str(exc))


def validation_error(exc: RequestValidationError) -> Response:
    if unparseable := [e for e in exc.errors() if e.get("type") == "json_invalid"]:
        # as POST /documents answers a body that is not JSON at all
        reason = (unparseable[0].get("ctx") or {}).get("error") or unparseable[0].get("msg")
        return error_response(400, "invalid_json", f"the body is not valid JSON: {reason}")
    details = "; ".join(f"{'.'.join(_location(e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors())
    return error_response(422, "validation_error", details or "invalid request")


def _location(loc: Sequence[object]) -> list[str]:
    """`query.label`, not `query.q.label`: the route's parameter that groups its query fields is not the API's."""
    parts = [str(p) for p in loc]
    return [parts[0], *parts[2:]] if len(parts) >= 3 and parts[0] == "query" else parts


def unsupported_content_type(exc: RequestUnsupportedContentType) -> Response:
    return error_response(415, "unsupported_media_type", "this route takes an application/json body")


def unparseable_request(exc: ValueError) -> Response:
    # Powertools raises ValueError for bodies it cannot parse at all (e.g. multipart without boundary);
    # its message is a library's, not the API's.
    return error_response(400, "bad_request", "the request body cannot be parsed for this route")


def undecodable_body(exc: UnicodeDecodeError) -> Response:
    return error_response(400, "undecodable", "the body is not text in its declared charset (UTF-8 by default)")


HANDLERS: dict[type[Exception], Callable[..., Response]] = {
    ApiError: api_error,
    DocumentNotFoundError: document_not_found,
    InvalidTokenError: invalid_token,
    RequestValidationError: validation_error,
    RequestUnsupportedContentType: unsupported_content_type,
    ValueError: unparseable_request,
    UnicodeDecodeError: undecodable_body,
    SeeOther: see_other,
}


def register_error_handlers(app: ApiGatewayResolver, logger: Logger) -> None:
    """Every error the routes or Powertools raise answers with an error body; the most specific
    handler (in the exception's MRO) wins, so `Exception` only catches what nothing else does."""

    def route_not_found(exc: NotFoundError) -> Response:
        event = app.current_event
        return error_response(404, "route_not_found", f"no route for {event.http_method} {event.path}")

    def internal_error(exc: Exception) -> Response:
        logger.exception("unhandled error")  # the trace goes to the logs, never to the client
        return error_response(500, "internal_error", "the request failed; see the logs with its request id")

    for exc_type, handler in HANDLERS.items():
        app.exception_handler(exc_type)(handler)
    app.not_found(route_not_found)
    app.exception_handler(Exception)(internal_error)
