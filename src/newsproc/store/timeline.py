"""An entity's dated documents, read from the EntityIndex for its timeline (newsproc.trends.reads).

The index's sort key is `<published or ->#<document_id>`, so a date range is a key condition: one Query,
`GSI1PK = ENT#<LABEL>#<key> AND GSI1SK BETWEEN low AND high`, oldest first. It asks only for the sort key
and `count` (ProjectionExpression: a smaller answer; DynamoDB still bills the read units of the whole
index entries read, at most ~430 bytes each) and stops after `limit` items.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key


class EntityTimelineRepository:
    def __init__(self, dynamodb_resource: Any, *, table_name: str, entity_index_name: str = "EntityIndex") -> None:
        self._table = dynamodb_resource.Table(table_name)
        self._index = entity_index_name

    def dated_items(
        self, label: str, key: str, *, low: str, high: str, after: str | None, limit: int
    ) -> tuple[list[tuple[str, int]], bool]:
        """(GSI1SK, count) of the entity's items with low <= GSI1SK <= high, after `after` (an item's GSI1SK,
        exclusive) when given, in order, at most `limit`; and whether more may follow (DynamoDB's
        LastEvaluatedKey: a page that stops exactly at the end still says so, and the next one is empty)."""
        pk = f"ENT#{label}#{key}"
        kwargs: dict[str, Any] = {
            "IndexName": self._index,
            "KeyConditionExpression": Key("GSI1PK").eq(pk) & Key("GSI1SK").between(low, high),
            "ProjectionExpression": "GSI1SK, #c",
            "ExpressionAttributeNames": {"#c": "count"},  # COUNT is a reserved word
            "ScanIndexForward": True,
        }
        if after is not None:
            # The whole key of the item the last page ended on: its index key and its table key, all
            # derived from the sort key (the entity item of that document is PK = DOC#<id>, SK = GSI1PK).
            kwargs["ExclusiveStartKey"] = {
                "GSI1PK": pk,
                "GSI1SK": after,
                "PK": f"DOC#{after.rsplit('#', 1)[1]}",
                "SK": pk,
            }
        rows: list[tuple[str, int]] = []
        while True:
            page = self._table.query(Limit=limit - len(rows), **kwargs)
            rows += [(item["GSI1SK"], int(item.get("count", 0))) for item in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if last is None or len(rows) >= limit:
                return rows, last is not None
            kwargs["ExclusiveStartKey"] = last  # a page stopped at 1 MB before `limit` items

    def latest_sort_key(self, label: str, key: str, *, high: str) -> str | None:
        # Dated sort keys start with a digit; undated ones with "-", which sorts before them.
        page = self._table.query(
            IndexName=self._index,
            KeyConditionExpression=Key("GSI1PK").eq(f"ENT#{label}#{key}") & Key("GSI1SK").between("0", high),
            ProjectionExpression="GSI1SK",
            ScanIndexForward=False,
            Limit=1,
        )
        items = page.get("Items", [])
        return items[0]["GSI1SK"] if items else None
