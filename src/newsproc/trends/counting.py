"""DynamoDB Streams records of entity items -> changes of per-day entity counters, applied once per record.

The documents table streams NEW_AND_OLD_IMAGES. An entity item (newsproc.store.documents) is one entity of
one document: `SK = ENT#<LABEL>#<key>`, `GSI1SK = <published or ->#<document_id>`, `count` = its mentions in
the document. The counter of (day, label, key) holds how many documents of that day mention the entity
(`documents`) and how often (`mentions`), so:

    INSERT  new item                       +1 document, +count mentions on the new item's day
    REMOVE  old item (document reprocessed without it, or deleted)   -1, -count on the old item's day
    MODIFY  old and new item               the REMOVE of the old plus the INSERT of the new, netted: a
                                           changed count moves mentions only, a changed published date
                                           moves the document from the old day's counter to the new one's

Only the labels of `COUNTED_LABELS` are counted (names, not DATE or MONEY: "Monday" is not a trend); the
template's stream filter drops the others before Lambda is invoked, and this module ignores them too, so
a wider filter costs invocations, never wrong counts. Items without a day (see periods.py) count nowhere.

Idempotency: Lambda delivers a stream record at least once (a retried batch re-sends records already
done). `CounterStore.apply` writes the record's marker (keyed by its eventID) and the counter changes in
one transaction, so a redelivered record finds its marker and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from newsproc.names import NAME_LABELS
from newsproc.trends.periods import published_day

COUNTED_LABELS = NAME_LABELS
Slot = tuple[date, str, str]  # (day, label, entity key): one counter
Outcome = Literal["counted", "duplicate", "ignored"]


class MissingImageError(ValueError):
    """A record without the image its event needs: the stream is not NEW_AND_OLD_IMAGES. Never skipped
    silently: the record fails, is retried and ends at the on-failure destination."""


class EntityImage(BaseModel):
    """An entity item as a stream image (deserialized: numbers are Decimals)."""

    model_config = ConfigDict(extra="ignore")

    SK: str
    GSI1SK: str = "-"
    name: str = ""
    count: int = 0


@dataclass(frozen=True)
class CounterDelta:
    """A change of one counter: documents and mentions of `key` (display `name`) under `label` on `day`."""

    day: date
    label: str
    key: str
    name: str
    documents: int
    mentions: int


class CounterStore(Protocol):
    def apply(self, event_id: str, deltas: Sequence[CounterDelta]) -> bool:
        """Apply the deltas unless `event_id` was applied before (then False), atomically."""
        ...


def counted(image: Mapping[str, Any] | None) -> tuple[Slot, str, int] | None:
    """((day, label, key), name, mentions) of a counted entity item, else None."""
    if not image or not str(image.get("SK", "")).startswith("ENT#"):
        return None
    item = EntityImage.model_validate(image)
    _, label, key = (item.SK.split("#", 2) + ["", ""])[:3]
    day = published_day(item.GSI1SK.rsplit("#", 1)[0])
    if label not in COUNTED_LABELS or not key or day is None:
        return None
    return (day, label, key), item.name, item.count


def deltas_for(event_name: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[CounterDelta]:
    """The counter changes of one stream record (empty when nothing counted changed)."""
    needs = {"INSERT": (False, True), "REMOVE": (True, False), "MODIFY": (True, True)}.get(event_name)
    if needs is None:
        raise ValueError(f"unknown stream event {event_name!r}")
    if (needs[0] and not old) or (needs[1] and not new):
        raise MissingImageError(f"a {event_name} record without its image: the stream must be NEW_AND_OLD_IMAGES")
    changes: dict[Slot, list[Any]] = {}
    before, after = counted(old), counted(new)
    if before is not None:
        slot, name, mentions = before
        changes[slot] = [-1, -mentions, name]
    if after is not None:
        slot, name, mentions = after
        documents, mentions_before, _ = changes.get(slot, [0, 0, name])
        changes[slot] = [documents + 1, mentions_before + mentions, name]
    return [
        CounterDelta(day, label, key, name, documents, mentions)
        for (day, label, key), (documents, mentions, name) in sorted(changes.items())
        if documents or mentions
    ]


def count_record(
    store: CounterStore, event_id: str, event_name: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> Outcome:
    """Count one stream record: "counted", "duplicate" (its marker exists: applied before) or "ignored"
    (nothing counted changed: another label, no day, an unchanged item). Ignored records write nothing."""
    deltas = deltas_for(event_name, old, new)
    if not deltas:
        return "ignored"
    return "counted" if store.apply(event_id, deltas) else "duplicate"
