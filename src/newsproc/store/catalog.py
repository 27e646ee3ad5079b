"""Listing documents (the "all documents" page of the API and the collection browser, GET /), apart
from the per-document repository.

The listing reads the CatalogIndex, a sparse GSI of the documents table: its key, `catalog_id`, is set
only on live document items (by `catalog_attributes`, when a result is saved), never on tombstones,
entity, band or signature items. A page of `limit` documents reads `limit` index entries and never the
result JSON: what a list row shows (title, published date, language, top entities) is copied onto the
document item, bounded like every other field copied into an item, and projected into the index.
Document items saved before the index existed get their `catalog_id` from `index_unlisted`
(`newsproc backfill-catalog`); items saved before the row attributes list without them.
"""

from __future__ import annotations

import re
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from newsproc.models import ResultDocument
from newsproc.store.pagination import decode_token, encode_token, scan_all

_DOCUMENT_PK = re.compile(r"DOC#[0-9a-f]{1,64}")
# A list row names a document's most salient entities; five keep the item small (each name bounded too).
TOP_ENTITIES = 5
LABEL_CHARS = 32  # the API's own bound on a label (GET /documents?label=)
LANGUAGE_CHARS = 16
_PROJECTION = "document_id, #s, source_key, updated_at, error_code, entity_count, title, published, #l, top_entities"
CATALOG_KEY = "catalog_id"  # the CatalogIndex's partition key (template.yaml): the document id, live items only


def catalog_attributes(result: ResultDocument, *, text_chars: int, published_chars: int) -> dict[str, Any]:
    """The document item's attributes that the listing shows, bounded; absent values are left out.

    The bounds are the repository's (passed in: documents.py imports this module). Entities come in
    the result's order (salience first), so the first ones are the most salient; counts are ints
    (DynamoDB takes no floats).
    """
    meta = result.metadata
    attributes: dict[str, Any] = {
        CATALOG_KEY: result.document_id,
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
    """A Scan of the CatalogIndex: live document items only, in no particular order; entity queries use
    the EntityIndex GSI."""

    def __init__(self, dynamodb_resource: Any, *, table_name: str, index_name: str = "CatalogIndex") -> None:
        self._table = dynamodb_resource.Table(table_name)
        self._index = index_name

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        kwargs: dict[str, Any] = {
            "IndexName": self._index,
            "ProjectionExpression": _PROJECTION,
            "ExpressionAttributeNames": {"#s": "status", "#l": "language"},
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = decode_token(
                next_token, fields={"PK", "SK", CATALOG_KEY}, valid=_is_catalog_key
            )
        # One entry more than asked for says whether a next page exists, so the last page has no token.
        # The loop only continues where a page stopped at DynamoDB's 1 MB before reaching the Limit.
        items: list[dict[str, Any]] = []
        while True:
            kwargs["Limit"] = limit + 1 - len(items)
            page = self._table.scan(**kwargs)
            items.extend(page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if not last or len(items) > limit:
                break
            kwargs["ExclusiveStartKey"] = last
        if len(items) <= limit:
            return [summary(i) for i in items], None
        kept = items[:limit]
        document_id = kept[-1]["document_id"]
        return [summary(i) for i in kept], encode_token(
            {"PK": f"DOC#{document_id}", "SK": "DOC", CATALOG_KEY: document_id}
        )

    def index_unlisted(self) -> int:
        """Add the CatalogIndex key to live document items saved before it existed; how many were added.

        One filtered Scan of the whole table (an operator's migration, `newsproc backfill-catalog`, not a
        Lambda path) and one conditional UpdateItem per item: a tombstone or a newer save written meanwhile
        is left as it is. Safe to rerun.
        """
        unlisted = scan_all(
            self._table,
            FilterExpression=Attr("SK").eq("DOC") & Attr("deleted").not_exists() & Attr(CATALOG_KEY).not_exists(),
            ProjectionExpression="PK, SK, document_id",
        )
        return sum(self._add_catalog_key(item) for item in unlisted)

    def _add_catalog_key(self, item: dict[str, Any]) -> int:
        try:
            self._table.update_item(
                Key={"PK": item["PK"], "SK": "DOC"},
                UpdateExpression="SET #k = :id",
                ConditionExpression=Attr("PK").exists() & Attr("deleted").not_exists() & Attr(CATALOG_KEY).not_exists(),
                ExpressionAttributeNames={"#k": CATALOG_KEY},
                ExpressionAttributeValues={":id": item["document_id"]},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return 0
        return 1


def _is_catalog_key(key: dict[str, str]) -> bool:
    return (
        key["SK"] == "DOC"
        and _DOCUMENT_PK.fullmatch(key["PK"]) is not None
        and key[CATALOG_KEY] == key["PK"].removeprefix("DOC#")
    )


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
