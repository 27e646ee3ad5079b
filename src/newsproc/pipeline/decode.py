"""Step 1, decode: bytes in, text out (charset detection, Unicode repair, the JSON envelope)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import ftfy
from charset_normalizer import from_bytes

from newsproc.errors import DocumentError
from newsproc.media import MediaType
from newsproc.models import ErrorCode


@dataclass(frozen=True)
class DecodedInput:
    """What the cleaner needs: the text (or HTML) and any metadata the input carried itself."""

    media_type: MediaType
    body: str
    title: str | None = None
    url: str | None = None
    published: str | None = None


def bytes_to_text(data: bytes, *, repair: bool = True) -> str:
    """Decode bytes of any common charset and repair mojibake; BOMs and NULs are dropped.

    Repair fixes encoding damage only; quote style is the cleaner's business, and with
    `repair=False` (entity extraction on the text exactly as given) the text is left untouched.
    """
    if not data.strip():
        raise DocumentError(ErrorCode.EMPTY_DOCUMENT, "the object is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise DocumentError(ErrorCode.UNDECODABLE, "no text encoding fits these bytes") from None
        text = str(best)
    if _looks_binary(text):
        raise DocumentError(ErrorCode.UNDECODABLE, "the object looks like binary data, not text")
    if not repair:
        return text
    return _repair(text.replace("\x00", ""))


def _repair(text: str) -> str:
    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls > max(8, len(sample) // 20)


def decode(data: bytes, media_type: MediaType, *, repair: bool = True) -> DecodedInput:
    text = bytes_to_text(data, repair=repair)
    if media_type is not MediaType.JSON:
        return DecodedInput(media_type=media_type, body=text)
    return _decode_json(text, repair=repair)


def _decode_json(text: str, *, repair: bool) -> DecodedInput:
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DocumentError(ErrorCode.INVALID_JSON, f"the JSON document does not parse: {exc}") from None
    if not isinstance(payload, dict):
        raise DocumentError(ErrorCode.INVALID_JSON, "the JSON document must be an object")
    body, media_type = payload.get("text"), MediaType.TEXT
    if not isinstance(body, str) or not body.strip():
        body, media_type = payload.get("html"), MediaType.HTML
    if not isinstance(body, str) or not body.strip():
        raise DocumentError(ErrorCode.INVALID_JSON, 'the JSON object needs a non-empty "text" or "html" string')

    def optional_str(name: str) -> str | None:
        value = payload.get(name)
        return value.strip() or None if isinstance(value, str) else None

    return DecodedInput(
        media_type=media_type,
        body=_repair(body) if repair else body,
        title=optional_str("title"),
        url=optional_str("url"),
        published=optional_str("published"),
    )
