"""Listing documents (the "all documents" page of the API), apart from the per-document repository."""

from __future__ import annotations

import re
from typing import Any

from boto3.dynamodb.conditions import Attr

from newsproc.store.pagination import decode_token, encode_token

_DOCUMENT_PK = re.compile(r"DOC#[0-9a-f]{1,64}")


class DocumentCatalog:
    """A filtered Scan over document items: fine for browsing; entity queries use the EntityIndex GSI."""

    def __init__(self, dynamodb_resource: Any, *, table_name: str) -> None:
        self._table = dynamodb_resource.Table(table_name)

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            # Tombstones (removed objects) are document items without a result: not listed.
            "FilterExpression": Attr("SK").eq("DOC") & Attr("deleted").not_exists(),
            "ProjectionExpression": "document_id, #s, source_key, updated_at, error_code, entity_count",
            "ExpressionAttributeNames": {"#s": "status"},
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
                    return [_summary(i) for i in items], None
                break  # the last page held more than asked for: the rest is the next page
            kwargs["ExclusiveStartKey"] = last
        # Resume after the last document returned, not after the last item read.
        kept = items[:limit]
        last_kept = {"PK": f"DOC#{kept[-1]['document_id']}", "SK": "DOC"}
        return [_summary(i) for i in kept], encode_token(last_kept)


def _is_document_key(key: dict[str, str]) -> bool:
    return key["SK"] == "DOC" and _DOCUMENT_PK.fullmatch(key["PK"]) is not None


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "document_id": item["document_id"],
        "status": item.get("status"),
        "key": item.get("source_key") or None,
        "updated_at": item.get("updated_at"),
        "error_code": item.get("error_code"),
        "entity_count": int(item.get("entity_count", 0)),
    }
