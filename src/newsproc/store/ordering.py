"""Which write wins: the order of object versions and events within one key (docs/reliability.md).

The document item records which object version it holds (`source_version_id`, `source_etag`,
`sequencer`, `source_modified`, `pipeline_version`). A write that carries a `WriteOrder` is
conditional: it only lands if it is newer than what is stored, so a late, older event can never
overwrite a newer version. `StoredMeta.newer_than` (read side) and `newer_condition` (the DynamoDB
condition) state the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase


def normalize_sequencer(sequencer: str | None) -> str | None:
    """S3 sequencers compare as hex strings once left-padded to one length (S3 docs)."""
    if not sequencer:
        return None
    return sequencer.strip().upper().rjust(32, "0")


def modified_token(value: datetime | str | None) -> str | None:
    """A timestamp as a sortable UTC string at second precision (what S3's Last-Modified carries)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class WriteOrder:
    """Where a write stands in the history of its object: used for the conditional document write.

    `sequencer` (from the S3 event) orders events of one key exactly. Without one (backfill
    messages, moto, an event whose version is no longer current) `source_modified` is used:
    the Last-Modified of the version read, or the event time of a removal, at second precision.
    `force` (an operator's reprocess or `backfill --force`, which read the object's current
    version) lands over whatever is stored, so a key can always be brought back.
    """

    pipeline_version: str
    sequencer: str | None = None
    source_modified: str | None = None
    version_id: str | None = None
    etag: str | None = None
    force: bool = False


@dataclass(frozen=True)
class StoredMeta:
    """The ordering attributes of a stored document item (or tombstone)."""

    deleted: bool
    sequencer: str | None
    source_modified: str | None
    version_id: str | None
    etag: str | None
    pipeline_version: str | None

    def holds(self, version_id: str | None, etag: str | None) -> bool:
        """The item holds this object version (version id when both have one, else the ETag)."""
        if self.deleted:
            return False
        if version_id and self.version_id:
            return version_id == self.version_id
        return bool(etag) and etag == self.etag

    def newer_than(self, order: WriteOrder) -> bool:
        """What is stored comes after `order` (so `order` must not overwrite it)."""
        if order.force:
            return False
        if order.sequencer and self.sequencer:
            return self.sequencer > order.sequencer
        if order.source_modified and self.source_modified:
            return self.source_modified > order.source_modified
        return False


def order_attributes(order: WriteOrder) -> dict[str, Any]:
    attributes: dict[str, Any] = {"pipeline_version": order.pipeline_version}
    for name, value in (
        ("sequencer", order.sequencer),
        ("source_modified", order.source_modified),
        ("source_version_id", order.version_id),
        ("source_etag", order.etag),
    ):
        if value:
            attributes[name] = value
    return attributes


def newer_condition(order: WriteOrder) -> ConditionBase:
    """The write lands on a new item, or over one that `order` comes after (mirrors StoredMeta.newer_than).

    With a sequencer on both sides the sequencer decides (equal: the same event, allowed again only
    for another pipeline version, e.g. a backfill after an upgrade). Otherwise Last-Modified decides,
    ties allowed: a write without a sequencer has read the object's current version.
    """
    if order.force:
        return Attr("PK").not_exists() | Attr("PK").exists()
    if order.source_modified:
        by_time = Attr("source_modified").not_exists() | Attr("source_modified").lte(order.source_modified)
    else:
        by_time = Attr("PK").exists()  # no time to compare: nothing to refuse on
    if not order.sequencer:
        return Attr("PK").not_exists() | by_time
    return (
        Attr("PK").not_exists()
        | Attr("sequencer").lt(order.sequencer)
        | (Attr("sequencer").eq(order.sequencer) & Attr("pipeline_version").ne(order.pipeline_version))
        | (Attr("sequencer").not_exists() & by_time)
    )
