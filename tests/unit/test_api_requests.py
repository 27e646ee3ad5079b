"""The API's document bodies (newsproc.api.requests): each refusal's status and code, without the resolver."""

from __future__ import annotations

import base64
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


def test_a_body_in_a_declared_charset_is_read_in_it() -> None:
    from newsproc.api.requests import body_text, declared_charset

    raw = "Caf\u00e9 owners in Z\u00fcrich met Ada Obi.".encode("latin-1")
    event = BinaryEvent(base64.b64encode(raw).decode(), {"content-type": "text/plain; charset=iso-8859-1"})
    data, kind = document_body(event, 1000)
    assert data == raw and kind is MediaType.TEXT
    assert body_text(data, declared_charset(event)) == "Caf\u00e9 owners in Z\u00fcrich met Ada Obi."


def test_utf16_without_a_byte_order_mark_is_text_and_binary_is_refused_with_our_message() -> None:
    from newsproc.api.requests import body_text

    text = "Ada Obi spoke in Lagos on Monday."
    event = BinaryEvent(base64.b64encode(text.encode("utf-16-le")).decode(), {"content-type": "text/plain"})
    assert body_text(document_body(event, 1000)[0], None) == text
    binary = bytes(range(256)) * 4
    with pytest.raises(ApiError) as caught:
        body_text(binary, None)
    assert (caught.value.status, caught.value.code) == (400, "undecodable")
    assert "codec" not in caught.value.message


@dataclass
class BinaryEvent:
    """A base64-encoded body, as API Gateway passes bytes that are not UTF-8."""

    body: str
    headers: dict[str, str]
    is_base64_encoded: bool = True
    decoded_body: str | None = None


@pytest.mark.parametrize(
    ("data", "kind", "charset", "title", "filename", "expected"),
    [
        (b"Ada Obi spoke.", MediaType.TEXT, None, "Lagos talks", None,
         {"text": "Ada Obi spoke.", "title": "Lagos talks"}),
        (b"<p>Ada</p>", MediaType.HTML, None, None, "C:\\news\\lagos.html",
         {"html": "<p>Ada</p>", "title": "lagos.html"}),
        ("Caf\u00e9".encode("latin-1"), MediaType.TEXT, "iso-8859-1", "Z\u00fcrich", None,
         {"text": "Caf\u00e9", "title": "Z\u00fcrich"}),
        (b'{"text": "Ada", "url": "u"}', MediaType.JSON, None, "Given", None,
         {"text": "Ada", "url": "u", "title": "Given"}),
    ],
    ids=["text-title", "html-filename", "charset", "json-without-title"],
)  # fmt: skip
def test_a_title_wraps_the_body_in_the_json_document_form(data, kind, charset, title, filename, expected) -> None:
    from newsproc.api.requests import with_metadata

    body, new_kind, new_charset = with_metadata(data, kind, charset, title, filename)
    assert (json.loads(body), new_kind, new_charset) == (expected, MediaType.JSON, None)


def test_a_declared_language_joins_the_title_and_a_json_body_keeps_its_own() -> None:
    from newsproc.api.requests import with_metadata

    body, kind, _ = with_metadata(b"Ada Obi spoke.", MediaType.TEXT, None, "Talk", None, "pt-BR")
    assert (json.loads(body), kind) == ({"text": "Ada Obi spoke.", "title": "Talk", "language": "pt"}, MediaType.JSON)
    own = b'{"text": "Ada", "language": "de"}'
    body, _, _ = with_metadata(own, MediaType.JSON, None, "Talk", None, "en")
    assert json.loads(body) == {"text": "Ada", "language": "de", "title": "Talk"}
    with pytest.raises(ApiError) as caught:
        with_metadata(b"Ada", MediaType.TEXT, None, None, None, "english")
    assert (caught.value.status, caught.value.code) == (422, "validation_error")


def test_without_a_title_or_with_a_json_title_the_body_is_unchanged() -> None:
    from newsproc.api.requests import with_metadata

    assert with_metadata(b"words", MediaType.TEXT, "utf-8", None, None) == (b"words", MediaType.TEXT, "utf-8")
    assert with_metadata(b"words", MediaType.TEXT, None, "  ", "/") == (b"words", MediaType.TEXT, None)
    own = b'{"text": "Ada", "title": "Own"}'
    assert with_metadata(own, MediaType.JSON, None, "Other", None) == (own, MediaType.JSON, None)


def test_an_entity_query_needs_a_label() -> None:
    from newsproc.api.requests import entity_label

    assert entity_label("GPE") == "GPE"
    with pytest.raises(ApiError) as caught:
        entity_label(None)
    assert (caught.value.status, caught.value.code) == (422, "label_required")
    assert "label is required with entity" in caught.value.message and "PERSON" in caught.value.message
