"""Listing documents (the "all documents" page of the API and the collection browser, GET /), apart
from the per-document repository: newest published first (then the most recently stored; undated last).

The listing reads the CatalogIndex, a sparse GSI of the documents table. Only live document items carry
its keys (`catalog_keys`, set when a result is saved), never tombstones, entity, band or signature items:
`catalog_shard`, one of CATALOG_SHARDS partitions picked by the document id, and `catalog_sort`,
`<published day>#<stored at>#<document id>`. A page Queries each shard newest first for `limit + 1`
entries and merges them: it reads at most CATALOG_SHARDS x (limit + 1) index entries and never the result
JSON. What a list row shows (title, published date, language, top entities) is copied onto the document
item by `catalog_attributes`, bounded like every other field copied into an item, and projected into the
index. The shards spread the index writes: one partition takes 1,000 writes a second, and a stored
document moves in the index (its stored-at time changes), which costs two.

Document items saved before the index existed get its keys from `index_unlisted` (`newsproc
backfill-catalog`); items saved before the row attributes list without them.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from newsproc.models import ResultDocument
from newsproc.store.pagination import decode_token, encode_token, scan_all
from newsproc.trends.periods import published_day

# A list row names a document's most salient entities; five keep the item small (each name bounded too).
TOP_ENTITIES = 5
LABEL_CHARS = 32  # the API's own bound on a label (GET /documents?label=)
LANGUAGE_CHARS = 16
CATALOG_SHARDS = 4
SHARD_KEY, SORT_KEY = "catalog_shard", "catalog_sort"  # the CatalogIndex's keys (template.yaml)
UNDATED = "0000-00-00"  # sorts after every published day when newest comes first
_PROJECTION = (
    "document_id, #s, source_key, updated_at, error_code, entity_count, title, published, #l, top_entities, " + SORT_KEY
)
_SORT_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}#[^#]{1,64}#[^#]{1,64}")
# A token holds, per shard, where its next page starts: below this sort key, from the top, or nothing left.
_FROM_TOP, _DONE = "-", "."


def catalog_keys(document_id: str, published: str | None, stored_at: str) -> dict[str, str]:
    """The CatalogIndex keys of a live document item: its shard and its place in the listing."""
    day = published_day(published)
    return {
        SHARD_KEY: str(zlib.crc32(document_id.encode()) % CATALOG_SHARDS),
        SORT_KEY: f"{day.isoformat() if day else UNDATED}#{stored_at}#{document_id}",
    }


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
    """The CatalogIndex, newest published first; entity queries use the EntityIndex GSI."""

    def __init__(self, dynamodb_resource: Any, *, table_name: str, index_name: str = "CatalogIndex") -> None:
        self._table = dynamodb_resource.Table(table_name)
        self._index = index_name

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        positions = _positions(next_token)
        fetched: list[tuple[str, dict[str, Any]]] = []
        more: set[str] = set()  # shards that hold entries beyond what was read
        for shard, position in positions.items():
            if position == _DONE:
                continue
            page = self._query(shard, position, limit + 1)
            fetched += [(shard, item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" in page:
                more.add(shard)
        fetched.sort(key=lambda entry: entry[1][SORT_KEY], reverse=True)
        kept, left = fetched[:limit], {shard for shard, _ in fetched[limit:]}
        for shard, item in kept:
            positions[shard] = item[SORT_KEY]
        for shard in positions:
            if shard not in more and shard not in left:
                positions[shard] = _DONE  # all it holds below its position was read and kept
        rows = [summary(item) for _, item in kept]
        return rows, None if set(positions.values()) == {_DONE} else encode_token(positions)

    def _query(self, shard: str, position: str, limit: int) -> dict[str, Any]:
        condition = Key(SHARD_KEY).eq(shard)
        if position != _FROM_TOP:
            condition = condition & Key(SORT_KEY).lt(position)
        return self._table.query(
            IndexName=self._index,
            KeyConditionExpression=condition,
            ScanIndexForward=False,
            Limit=limit,
            ProjectionExpression=_PROJECTION,
            ExpressionAttributeNames={"#s": "status", "#l": "language"},
        )

    def index_unlisted(self) -> int:
        """Add the CatalogIndex keys to live document items saved before it existed; how many were added.

        One filtered Scan of the whole table (an operator's migration, `newsproc backfill-catalog`, not a
        Lambda path) and one conditional UpdateItem per item: a tombstone or a newer save written meanwhile
        is left as it is. Safe to rerun.
        """
        unlisted = scan_all(
            self._table,
            FilterExpression=Attr("SK").eq("DOC") & Attr("deleted").not_exists() & Attr(SHARD_KEY).not_exists(),
            ProjectionExpression="PK, document_id, published, updated_at",
        )
        return sum(self._add_catalog_keys(item) for item in unlisted)

    def _add_catalog_keys(self, item: dict[str, Any]) -> int:
        keys = catalog_keys(item["document_id"], item.get("published"), item.get("updated_at") or "-")
        try:
            self._table.update_item(
                Key={"PK": item["PK"], "SK": "DOC"},
                UpdateExpression="SET #h = :h, #r = :r",
                ConditionExpression=Attr("PK").exists() & Attr("deleted").not_exists() & Attr(SHARD_KEY).not_exists(),
                ExpressionAttributeNames={"#h": SHARD_KEY, "#r": SORT_KEY},
                ExpressionAttributeValues={":h": keys[SHARD_KEY], ":r": keys[SORT_KEY]},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return 0
        return 1


def _positions(next_token: str | None) -> dict[str, str]:
    shards = {str(n) for n in range(CATALOG_SHARDS)}
    if not next_token:
        return dict.fromkeys(sorted(shards), _FROM_TOP)
    token = decode_token(next_token, fields=shards, valid=_is_position)
    return {shard: token[shard] for shard in sorted(shards)}


def _is_position(token: dict[str, str]) -> bool:
    return all(v in (_FROM_TOP, _DONE) or _SORT_VALUE.fullmatch(v) for v in token.values())


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
