"""Listing documents (the "all documents" page of the API and the collection browser, GET /), apart
from the per-document repository.

The listing reads only the document items, never the result JSON: what a list row shows (title,
published date, language, top entities) is copied onto the document item when it is saved, by
`catalog_attributes`, bounded like every other field copied into an item. Items saved before these
attributes existed still list, without them.
"""

from __future__ import annotations

import re
from typing import Any

from boto3.dynamodb.conditions import Attr

from newsproc.models import ResultDocument
from newsproc.store.pagination import decode_token, encode_token

_DOCUMENT_PK = re.compile(r"DOC#[0-9a-f]{1,64}")
# A list row names a document's most salient entities; five keep the item small (each name bounded too).
TOP_ENTITIES = 5
LABEL_CHARS = 32  # the API's own bound on a label (GET /documents?label=)
LANGUAGE_CHARS = 16
_PROJECTION = "document_id, #s, source_key, updated_at, error_code, entity_count, title, published, #l, top_entities"


def catalog_attributes(result: ResultDocument, *, text_chars: int, published_chars: int) -> dict[str, Any]:
    """The document item's attributes that the listing shows, bounded; absent values are left out.

    The bounds are the repository's (passed in: documents.py imports this module). Entities come in
    the result's order (salience first), so the first ones are the most salient; counts are ints
    (DynamoDB takes no floats).
    """
    meta = result.metadata
    attributes: dict[str, Any] = {
        "title": (meta.title or "")[:text_chars],
        "published": (meta.published or "")[:published_chars],
        "language": (meta.language or "")[:LANGUAGE_CHARS],
    }
    attributes = {name: value for name, value in attributes.items() if value}
    top = [
        {"name": e.name[:text_chars], "label": e.label[:LABEL_CHARS], "count": int(e.count)}
        for e in result.entities[:TOP_ENTITIES]
    ]
    if top:
        attributes["top_entities"] = top
    return attributes


class DocumentCatalog:
    """A filtered Scan over document items: fine for browsing; entity queries use the EntityIndex GSI."""

    def __init__(self, dynamodb_resource: Any, *, table_name: str) -> None:
        self._table = dynamodb_resource.Table(table_name)

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            # Tombstones (removed objects) are document items without a result: not listed.
            "FilterExpression": Attr("SK").eq("DOC") & Attr("deleted").not_exists(),
            "ProjectionExpression": _PROJECTION,
            "ExpressionAttributeNames": {"#s": "status", "#l": "language"},
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = decode_token(next_token, fields={"PK", "SK"}, valid=_is_document_key)
        # A Scan page is filtered after reading, so keep reading until `limit` documents are found. Kept over
        # boto3's scan paginator (MaxItems/StartingToken): it needs the low-level client (typed values) and
        # its token (ExclusiveStartKey + boto_truncate_amount) would re-read a page and need its own checks.
        while len(items) < limit:
            kwargs["Limit"] = max(limit * 4, 25)
            page = self._table.scan(**kwargs)
            items.extend(page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if not last:
                if len(items) <= limit:
                    return [summary(i) for i in items], None
                break  # the last page held more than asked for: the rest is the next page
            kwargs["ExclusiveStartKey"] = last
        # Resume after the last document returned, not after the last item read.
        kept = items[:limit]
        last_kept = {"PK": f"DOC#{kept[-1]['document_id']}", "SK": "DOC"}
        return [summary(i) for i in kept], encode_token(last_kept)


def _is_document_key(key: dict[str, str]) -> bool:
    return key["SK"] == "DOC" and _DOCUMENT_PK.fullmatch(key["PK"]) is not None


def summary(item: dict[str, Any]) -> dict[str, Any]:
    """A list row (schemas.DocumentSummary) from a document item, or from the same attributes in the
    in-memory fake; an item saved before the browser's attributes has no title, date or entities."""
    return {
        "document_id": item["document_id"],
        "status": item.get("status"),
        "key": item.get("source_key") or None,
        "updated_at": item.get("updated_at"),
        "error_code": item.get("error_code"),
        "entity_count": int(item.get("entity_count", 0)),
        "title": item.get("title") or None,
        "published": item.get("published") or None,
        "language": item.get("language") or None,
        "top_entities": [
            {"name": str(e.get("name", "")), "label": str(e.get("label", "")), "count": int(e.get("count", 0))}
            for e in item.get("top_entities") or []
            if isinstance(e, dict)
        ],
    }
