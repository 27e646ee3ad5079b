"""Step 1, decode: bytes in, text out (charset detection, Unicode repair, the JSON envelope)."""

from __future__ import annotations

import codecs
import json
import re
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
    # the language the sender declares (ISO 639-1, e.g. "en"): used instead of detecting it
    language: str | None = None


# a declared language: an ISO 639-1 code, optionally with a region ("en", "pt-BR"); the region is dropped.
# The API's JSON schema states the same pattern (api/openapi.py).
LANGUAGE_PATTERN = r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]{2,8})?"
_LANGUAGE = re.compile(LANGUAGE_PATTERN, re.ASCII)


def bytes_to_text(data: bytes, *, repair: bool = True, charset: str | None = None) -> str:
    """Decode bytes of any common charset and repair mojibake; BOMs and NULs are dropped.

    Tried in order, the first that decodes to text wins: the declared `charset` (from the content
    type), UTF-16 without a byte-order mark (NUL bytes on every other position), UTF-8, then
    charset-normalizer's detection. Repair fixes encoding damage only; quote style is the cleaner's
    business, and with `repair=False` (entity extraction on the text exactly as given) the text is
    left untouched.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise DocumentError(ErrorCode.EMPTY_DOCUMENT, "the object is empty")
    text = _declared(data, charset) or _utf16_without_bom(data) or _as_text(data, "utf-8-sig")
    if text is None:
        best = from_bytes(data).best()
        text = str(best) if best is not None else None
        if text is None:
            raise DocumentError(ErrorCode.UNDECODABLE, "no text encoding fits these bytes")
    if _looks_binary(text):
        raise DocumentError(ErrorCode.UNDECODABLE, "the object looks like binary data, not text")
    if not repair:
        return text
    return _repair(text.replace("\x00", ""))


def _as_text(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return None if _looks_binary(text) else text


def _declared(data: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
    except LookupError:  # an unknown charset name: detect instead
        return None
    return _as_text(data, "utf-8-sig" if name == "utf-8" else name)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: mostly-Latin text has a NUL in every other byte."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2 or sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return _as_text(data, "utf-16-le")
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return _as_text(data, "utf-16-be")
    return None


def _repair(text: str) -> str:
    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls > max(8, len(sample) // 20)


def decode(data: bytes, media_type: MediaType, *, repair: bool = True, charset: str | None = None) -> DecodedInput:
    text = bytes_to_text(data, repair=repair, charset=charset)
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

    language = optional_str("language")
    if language is not None:
        try:
            language = language_code(language)
        except ValueError as exc:
            raise DocumentError(ErrorCode.INVALID_JSON, f'"language" {exc}') from None
    return DecodedInput(
        media_type=media_type,
        body=_repair(body) if repair else body,
        title=optional_str("title"),
        url=optional_str("url"),
        published=optional_str("published"),
        language=language,
    )


def language_code(declared: str) -> str:
    """A declared language as its ISO 639-1 code (`pt-BR` -> `pt`); ValueError if it is not one."""
    code = _LANGUAGE.fullmatch(declared.strip())
    if code is None:
        raise ValueError(f'must be an ISO 639-1 code such as "en" or "de", not {declared!r}')
    return code.group(1).lower()
