"""Per-day entity counters in the trends table, written by the stream consumer, read by GET /trends.

Table design (its own table, on-demand; docs/trends.md says why not the documents table):
    counter   PK = DAY#<YYYY-MM-DD>#<LABEL>   SK = <entity key>   documents, mentions, name
    marker    PK = EVT#<stream eventID>       SK = EVT            expires_at (TTL)
              (a recount's deltas: PK = EVT#recount#<run>#<n>)
    TopIndex  PK, documents (number): a day's counters of a label, most documents first

`apply` is one TransactWriteItems: the marker, put only if absent, and one ADD update per counter. A
redelivered stream record fails the marker's condition, so the whole transaction (its counters too) is
cancelled: each record counts once. Markers expire after MARKER_TTL_SECONDS, well past the 24 hours a
stream keeps a record (after that Lambda cannot redeliver it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from newsproc.store.pagination import scan_all
from newsproc.trends.counting import CounterDelta, Slot
from newsproc.trends.periods import published_day
from newsproc.trends.recount import Tally

MARKER_TTL_SECONDS = 2 * 24 * 3600
# A transaction that meets another one on the same counter (a popular entity, several shards at once) is
# cancelled with TransactionConflict and is safe to repeat: tried this many times, then the record fails
# and Lambda retries it.
CONFLICT_ATTEMPTS = 4
TRANSACTION_ITEMS = 100  # TransactWriteItems' limit: a marker and 99 counters


def counter_pk(day: date, label: str) -> str:
    return f"DAY#{day.isoformat()}#{label}"


class TrendCounterRepository:
    def __init__(
        self,
        dynamodb_resource: Any,
        *,
        table_name: str,
        top_index_name: str = "TopIndex",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = dynamodb_resource.meta.client  # a resource's client: Python values, no type descriptors
        self._table = dynamodb_resource.Table(table_name)
        self._table_name = table_name
        self._index = top_index_name
        self._clock, self._sleep = clock, sleep

    def _actions(self, event_id: str, deltas: Sequence[CounterDelta]) -> list[dict[str, Any]]:
        marker = {"PK": f"EVT#{event_id}", "SK": "EVT", "expires_at": int(self._clock()) + MARKER_TTL_SECONDS}
        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table_name, "Item": marker, "ConditionExpression": "attribute_not_exists(PK)"}}
        ]
        for delta in deltas:
            update = "ADD documents :d, mentions :m"
            values: dict[str, Any] = {":d": delta.documents, ":m": delta.mentions}
            names: dict[str, str] = {}
            if delta.documents >= 0 and delta.name:  # the display name of the latest document that has it
                update += " SET #n = :n"
                values[":n"], names["#n"] = delta.name, "name"
            action = {"TableName": self._table_name, "Key": {"PK": counter_pk(delta.day, delta.label), "SK": delta.key},
                      "UpdateExpression": update, "ExpressionAttributeValues": values}  # fmt: skip
            if names:
                action["ExpressionAttributeNames"] = names
            actions.append({"Update": action})
        return actions

    def apply(self, event_id: str, deltas: Sequence[CounterDelta]) -> bool:
        """The deltas and the record's marker in one transaction; False when the marker exists (applied before)."""
        actions = self._actions(event_id, deltas)
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                self._client.transact_write_items(TransactItems=actions)
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return False  # the marker is there: this record was counted before
                if "TransactionConflict" not in reasons or attempt == CONFLICT_ATTEMPTS:
                    raise
                self._sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not security
        raise AssertionError("unreachable")

    def stored_counters(self) -> dict[Slot, Tally]:
        """Every counter of the table (one Scan, markers filtered out): the recount's starting point."""
        items = scan_all(
            self._table,
            FilterExpression=Attr("PK").begins_with("DAY#"),
            ProjectionExpression="PK, SK, documents, mentions, #n",
            ExpressionAttributeNames={"#n": "name"},
        )
        counters: dict[Slot, Tally] = {}
        for item in items:
            _, day, label = (item["PK"].split("#", 2) + ["", ""])[:3]
            parsed = published_day(day)
            if parsed is not None:
                tally = Tally(int(item.get("documents", 0)), int(item.get("mentions", 0)), str(item.get("name", "")))
                counters[(parsed, label, item["SK"])] = tally
        return counters

    def apply_recount(self, run_id: str, deltas: Sequence[CounterDelta]) -> int:
        """Apply a recount's deltas, 99 counters a transaction, each under a marker of its own (`run_id` must
        be new: a marker already there means that part was applied); how many transactions."""
        size = TRANSACTION_ITEMS - 1
        chunks = [deltas[i : i + size] for i in range(0, len(deltas), size)]
        for n, chunk in enumerate(chunks):
            self.apply(f"recount#{run_id}#{n}", chunk)
        return len(chunks)

    def top_for_day(self, day: date, label: str, *, cap: int) -> tuple[list[dict[str, Any]], bool]:
        """The day's counters of the label with documents > 0, most documents first, at most `cap` (one
        Query of the TopIndex; eventually consistent, as every GSI read); and whether there may be more."""
        rows: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "IndexName": self._index,
            "KeyConditionExpression": Key("PK").eq(counter_pk(day, label)) & Key("documents").gt(0),
            "ProjectionExpression": "SK, #n, documents, mentions",
            "ExpressionAttributeNames": {"#n": "name"},
            "ScanIndexForward": False,
        }
        while True:
            page = self._table.query(Limit=cap - len(rows), **kwargs)
            rows += [
                {"key": i["SK"], "name": i.get("name") or i["SK"], "documents": int(i["documents"]),
                 "mentions": int(i.get("mentions", 0))}
                for i in page.get("Items", [])
            ]  # fmt: skip
            last = page.get("LastEvaluatedKey")
            if last is None or len(rows) >= cap:
                return rows, last is not None
            kwargs["ExclusiveStartKey"] = last
