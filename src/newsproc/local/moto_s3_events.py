"""S3 event notifications that moto leaves out, added for the local stack and the tests.

moto 5.2 differs from S3 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html)
where the pipeline notices:
- a DELETE without a version in a versioned bucket creates a delete marker but sends no event; S3 sends
  `ObjectRemoved:DeleteMarkerCreated` (with the marker's version id);
- a DELETE of one version sends `ObjectRemoved:Delete` only when it was the key's last version; S3
  sends it for every version deleted for good;
- no record carries `versionId` or `sequencer`; S3 puts both in every record of a versioned bucket.

`install()` wraps moto's `S3Backend.delete_object` and `notifications._get_s3_event` to do what S3 does.
The upstream fix is the same change in `moto/s3/models.py` (send the two events from `delete_object`) and
`moto/s3/notifications.py` (`versionId` and a per-bucket increasing `sequencer` in `_get_s3_event`).
"""

from __future__ import annotations

import functools
import itertools
import threading
from typing import Any

_installed = False
_lock = threading.Lock()
_sequence = itertools.count(1)


def _versioned(bucket: Any) -> bool:
    return bool(getattr(bucket, "is_versioned", False))


def _with_version_and_sequencer(build: Any) -> Any:
    from moto.s3.models import FakeDeleteMarker

    @functools.wraps(build)
    def build_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        marker = isinstance(key, FakeDeleteMarker)
        body = build(event_name, bucket, key.key if marker else key, notification_id)
        record = body["Records"][0]["s3"]["object"]
        if marker:  # a delete marker has no body: S3 sends neither size nor ETag
            record.pop("size", None)
            record.pop("eTag", None)
        version = getattr(key, "version_id", None)
        if _versioned(bucket) and version and version != "null":
            record["versionId"] = str(version)
        with _lock:  # S3's sequencer grows with every event of a key; one counter keeps that true
            record["sequencer"] = f"{next(_sequence):016X}"
        return body

    return build_event


def _delete_with_events(delete_object: Any) -> Any:
    from moto.s3 import notifications

    @functools.wraps(delete_object)
    def delete(self: Any, bucket_name: str, key_name: str, version_id: str | None = None, **kwargs: Any) -> Any:
        bucket = self.get_bucket(bucket_name)
        versions = list(bucket.keys.getlist(key_name)) if _versioned(bucket) and key_name in bucket.keys else []
        deleted, meta = delete_object(self, bucket_name, key_name, version_id, **kwargs)
        if not deleted or not _versioned(bucket):
            return deleted, meta
        if version_id is None:
            marker = bucket.keys.get(key_name)
            event = notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT
            notifications.send_event(self.account_id, event, bucket, marker)
        elif key_name in bucket.keys:  # moto notifies only when the last version went
            gone = next((v for v in versions if str(v.version_id) == str(version_id)), None)
            if gone is not None:
                event = notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_EVENT
                notifications.send_event(self.account_id, event, bucket, gone)
        return deleted, meta

    return delete


def install() -> None:
    """Patch moto once per process (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.s3 import models, notifications

        notifications._get_s3_event = _with_version_and_sequencer(notifications._get_s3_event)
        models.S3Backend.delete_object = _delete_with_events(models.S3Backend.delete_object)
        _installed = True
