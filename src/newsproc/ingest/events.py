"""S3 event notifications as they arrive in SQS message bodies.

Typed with our own small models rather than Powertools' `S3Model`, because the S3 events that moto
(and the local stack) emit omit fields that model requires. Keys arrive url-encoded (`+` for space).
"""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsproc.media import unquote_etag


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class S3Bucket(_Lenient):
    name: str


class S3Object(_Lenient):
    key: str
    size: int | None = None
    etag: str | None = Field(default=None, alias="eTag")
    version_id: str | None = Field(default=None, alias="versionId")
    sequencer: str | None = None


class S3Entity(_Lenient):
    bucket: S3Bucket
    object: S3Object


class S3EventRecord(_Lenient):
    event_name: str = Field(alias="eventName")
    event_time: str | None = Field(default=None, alias="eventTime")
    s3: S3Entity

    @property
    def is_removal(self) -> bool:
        return self.event_name.startswith("ObjectRemoved")


class ObjectRef(BaseModel):
    """One object version the pipeline must process (or forget, for removals)."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None
    size: int | None = None
    sequencer: str | None = None
    removed: bool = False
    # eventTime: orders a removal when the event has no sequencer (moto, some S3-compatible stores).
    event_time: str | None = None
    # ObjectRemoved:Delete of one version (a permanent delete, not a delete marker).
    purge: bool = False
    # ObjectCreated:Reprocess (API reprocess, `backfill --force`): processed even if already stored.
    force: bool = False


REPROCESS_EVENT = "ObjectCreated:Reprocess"


class MalformedEventError(ValueError):
    """The SQS message is not an S3 event notification."""


def object_refs_from_message(body: str) -> list[ObjectRef]:
    """All object refs in one SQS message body; an `s3:TestEvent` gives none."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise MalformedEventError(f"message body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise MalformedEventError("message body is not a JSON object")
    if payload.get("Event") == "s3:TestEvent":
        return []
    try:
        records = [S3EventRecord.model_validate(r) for r in payload.get("Records", [])]
    except ValidationError as exc:
        raise MalformedEventError(f"not an S3 event notification: {exc.error_count()} errors") from None
    if "Records" not in payload:
        raise MalformedEventError("message has no Records")
    return [
        ObjectRef(
            bucket=r.s3.bucket.name,
            key=unquote_plus(r.s3.object.key),
            version_id=r.s3.object.version_id,
            etag=unquote_etag(r.s3.object.etag),
            size=r.s3.object.size,
            sequencer=r.s3.object.sequencer,
            removed=r.is_removal,
            event_time=r.event_time,
            purge=r.event_name == "ObjectRemoved:Delete" and bool(r.s3.object.version_id),
            force=r.event_name == REPROCESS_EVENT,
        )
        for r in records
    ]


def s3_event_message(ref: ObjectRef, event_name: str | None = None) -> str:
    """An S3 notification body for `ref`, as S3 would send it (used by backfill and tests).

    The event name follows the ref unless given: ObjectCreated:Put, ObjectCreated:Reprocess (force),
    ObjectRemoved:Delete (a purge, or a removal without version) or ObjectRemoved:DeleteMarkerCreated.
    """
    from urllib.parse import quote_plus

    if event_name is None:
        if ref.removed:
            purge = ref.purge or not ref.version_id
            event_name = "ObjectRemoved:Delete" if purge else "ObjectRemoved:DeleteMarkerCreated"
        else:
            event_name = REPROCESS_EVENT if ref.force else "ObjectCreated:Put"

    obj: dict[str, object] = {"key": quote_plus(ref.key, safe="/")}
    if ref.size is not None:
        obj["size"] = ref.size
    if ref.etag:
        obj["eTag"] = ref.etag
    if ref.version_id:
        obj["versionId"] = ref.version_id
    if ref.sequencer:
        obj["sequencer"] = ref.sequencer
    record: dict[str, object] = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": event_name,
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": ref.bucket}, "object": obj},
    }
    if ref.event_time:
        record["eventTime"] = ref.event_time
    return json.dumps({"Records": [record]})
