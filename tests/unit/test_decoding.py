import json

import pytest

from newsproc.errors import DocumentError
from newsproc.media import MediaType, media_type_for
from newsproc.models import ErrorCode
from newsproc.pipeline.decode import bytes_to_text, decode

pytestmark = pytest.mark.unit

TEXT = "Der Bürgermeister von Köln sagte am Montag, die Brücke über den Rhein werde saniert. Straße, Größe, Maße."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "iso-8859-1"])
def test_decoding_common_charsets(encoding: str) -> None:
    assert bytes_to_text(TEXT.encode(encoding)) == TEXT


def test_decoding_repairs_mojibake() -> None:
    mojibake = "The minister’s office said it was â€œdeeply concernedâ€\x9d.".encode()
    # The bytes are valid UTF-8 of text that was once decoded as cp1252: ftfy undoes it.
    assert bytes_to_text("The minister’s office".encode().decode("cp1252").encode()) == "The minister’s office"
    assert "deeply concerned" in bytes_to_text(mojibake)


def test_decoding_rejects_empty_and_binary() -> None:
    with pytest.raises(DocumentError) as empty:
        bytes_to_text(b"  \n ")
    assert empty.value.code is ErrorCode.EMPTY_DOCUMENT
    with pytest.raises(DocumentError) as binary:
        bytes_to_text(bytes(range(256)) * 20)
    assert binary.value.code is ErrorCode.UNDECODABLE


def test_decoding_drops_nul_bytes() -> None:
    assert bytes_to_text(b"Oslo\x00 is the capital.") == "Oslo is the capital."


@pytest.mark.parametrize(
    ("key", "content_type", "expected"),
    [
        ("a/b/story.txt", None, MediaType.TEXT),
        ("story.HTML", None, MediaType.HTML),
        ("story.htm", "text/plain", MediaType.HTML),
        ("story.json", None, MediaType.JSON),
        ("no-suffix", "text/html; charset=utf-8", MediaType.HTML),
    ],
)
def test_media_type_from_key_then_content_type(key: str, content_type: str | None, expected: MediaType) -> None:
    assert media_type_for(key, content_type) is expected


def test_media_type_unsupported() -> None:
    with pytest.raises(DocumentError) as error:
        media_type_for("scan.pdf", "application/pdf")
    assert error.value.code is ErrorCode.UNSUPPORTED_MEDIA_TYPE


def test_decode_json_text_and_metadata() -> None:
    payload = {
        "text": "Body text.",
        "title": " A title ",
        "url": "https://example.org/a",
        "published": "2024-01-02",
    }
    decoded = decode(json.dumps(payload).encode(), MediaType.JSON)
    assert (decoded.media_type, decoded.body, decoded.title, decoded.published) == (
        MediaType.TEXT, "Body text.", "A title", "2024-01-02",
    )  # fmt: skip


def test_decode_json_html_body() -> None:
    decoded = decode(json.dumps({"html": "<p>Hi</p>"}).encode(), MediaType.JSON)
    assert decoded.media_type is MediaType.HTML


@pytest.mark.parametrize(("declared", "language"), [("en", "en"), (" DE ", "de"), ("pt-BR", "pt"), ("", None)])
def test_decode_json_declared_language(declared: str, language: str | None) -> None:
    decoded = decode(json.dumps({"text": "Body text.", "language": declared}).encode(), MediaType.JSON)
    assert decoded.language == language


@pytest.mark.parametrize("declared", ["english", "e", "en-", "../etc", "\u212aa"])  # U+212A folds to "k"
def test_decode_json_refuses_a_language_that_is_not_a_code(declared: str) -> None:
    with pytest.raises(DocumentError) as error:
        decode(json.dumps({"text": "Body text.", "language": declared}).encode(), MediaType.JSON)
    assert error.value.code is ErrorCode.INVALID_JSON and "ISO 639-1" in error.value.message


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b'{"text": 3}', b'{"title": "only"}', b"[" * 5000])
def test_decode_json_invalid(body: bytes) -> None:
    with pytest.raises(DocumentError) as error:
        decode(body, MediaType.JSON)
    assert error.value.code is ErrorCode.INVALID_JSON


ARTICLE = "Café owners in Zürich met Carlos Moedas on Monday.\nThey talked about the bridge."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text(encoding: str) -> None:
    assert bytes_to_text(ARTICLE.encode(encoding)) == ARTICLE


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [("text/plain; charset=iso-8859-1", "latin-1"), ('text/plain; charset="cp1252"', "cp1252"),
     ("text/plain;charset=UTF-16", "utf-16")],
)  # fmt: skip
def test_the_declared_charset_is_honoured(content_type: str, encoding: str) -> None:
    from newsproc.media import charset_of

    assert bytes_to_text(ARTICLE.encode(encoding), charset=charset_of(content_type)) == ARTICLE


def test_a_wrong_or_unknown_declared_charset_falls_back_to_detection() -> None:
    assert bytes_to_text(ARTICLE.encode("utf-16-le"), charset="utf-8") == ARTICLE
    assert bytes_to_text(ARTICLE.encode(), charset="no-such-charset") == ARTICLE
