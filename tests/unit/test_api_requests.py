"""The API's document bodies (newsproc.api.requests): each refusal's status and code, without the resolver."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from newsproc.api.errors import ApiError
from newsproc.api.requests import document_body
from newsproc.media import MediaType

pytestmark = pytest.mark.unit

LIMIT = 64


@dataclass
class FakeEvent:
    """The two attributes read of Powertools' APIGatewayProxyEventV2 (its headers are lower-cased)."""

    decoded_body: str | None
    headers: dict[str, str] = field(default_factory=dict)


def _event(body: str | None, content_type: str | None = "text/plain") -> FakeEvent:
    return FakeEvent(body, {"content-type": content_type} if content_type else {})


def _refusal(event: FakeEvent) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        document_body(event, LIMIT)
    return caught.value.status, caught.value.code


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        (_event("hello", "application/pdf"), 415, "unsupported_media_type"),
        (_event("hello", "multipart/form-data; boundary=x"), 415, "unsupported_media_type"),
        (_event(None), 400, "empty_body"),
        (_event(" \n\t"), 400, "empty_body"),
        (_event("x" * (LIMIT + 1)), 413, "too_large"),
        (_event('{"text": "unclosed', "application/json"), 400, "invalid_json"),
        (_event("[1, 2]", "application/json"), 422, "validation_error"),
        (_event('{"title": "no text or html"}', "application/json"), 422, "validation_error"),
    ],
    ids=["wrong-type", "multipart", "no-body", "blank-body", "over-limit", "unparseable", "array", "no-text"],
)
def test_refused(event: FakeEvent, status: int, code: str) -> None:
    assert _refusal(event) == (status, code)


def test_the_limit_itself_is_accepted() -> None:
    assert document_body(_event("x" * LIMIT), LIMIT) == (b"x" * LIMIT, MediaType.TEXT)


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        (None, "plain words", MediaType.TEXT),  # no header: text/plain
        ("text/plain; charset=utf-8", "plain words", MediaType.TEXT),
        ("TEXT/HTML", "<p>markup</p>", MediaType.HTML),
        ("application/xhtml+xml", "<p>markup</p>", MediaType.HTML),
        ("application/json", json.dumps({"text": "a story"}), MediaType.JSON),
    ],
)
def test_accepted_with_its_media_type(content_type: str | None, body: str, kind: MediaType) -> None:
    assert document_body(_event(body, content_type), LIMIT) == (body.encode(), kind)
