"""Enqueueing S3-event messages in bulk, and `backfill --inventory`: an S3 Inventory report read as a
stream (manifest, CSV.gz data files checked against their MD5, URL-encoded keys), sent by a few threads,
resumable with --start-after. Used by newsproc.cli.operations."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlparse

from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.media import unquote_etag


def send_batch(sqs: Any, queue_url: str, bodies: list[str]) -> int:
    """One SendMessageBatch (at most 10 bodies); raises if the queue refused any of them."""
    response = sqs.send_message_batch(
        QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)]
    )
    failed = response.get("Failed", [])
    if failed:
        raise RuntimeError(f"{len(failed)} messages were not accepted by the queue: {failed[0]}")
    return len(bodies)


class InventoryError(ValueError):
    """The manifest or a data file is not an S3 Inventory report this command can read."""


@dataclass
class InventoryBackfill:
    """What `backfill_inventory` did: messages sent, and the key to pass as --start-after to resume."""

    sent: int = 0
    rows: int = 0  # data rows read (before the prefix, start-after and version filters)
    resume_after: str | None = None  # every selected key up to this one (in report order) is enqueued
    in_key_order: bool = True  # False: the report was not sorted, so resuming by key is not exact


def parse_s3_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.strip("/"):
        raise InventoryError(f"not an s3://bucket/key URI: {uri!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def read_manifest(s3: Any, manifest_uri: str) -> dict[str, Any]:
    """The manifest.json of an inventory report, checked for what the CSV reader needs."""
    bucket, key = parse_s3_uri(manifest_uri)
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise InventoryError(f"{manifest_uri}: not an S3 Inventory manifest (no 'files' list)")
    if str(manifest.get("fileFormat", "")).upper() != "CSV":
        raise InventoryError(
            f"{manifest_uri}: fileFormat {manifest.get('fileFormat')!r}; only CSV inventories are supported "
            "(configure the inventory report with CSV output)"
        )
    columns = [c.strip() for c in str(manifest.get("fileSchema", "")).split(",")]
    if "Bucket" not in columns or "Key" not in columns:
        raise InventoryError(f"{manifest_uri}: fileSchema {manifest.get('fileSchema')!r} lacks Bucket and Key")
    destination = str(manifest.get("destinationBucket") or bucket)
    manifest["_columns"] = columns
    manifest["_files_bucket"] = destination.removeprefix("arn:aws:s3:::")
    return manifest


class _HashingReader(io.RawIOBase):
    """Reads a streaming body through, keeping the MD5 of the bytes read (the manifest's MD5checksum)."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self.md5 = hashlib.md5(usedforsecurity=False)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._body.read(len(buffer))
        self.md5.update(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def inventory_rows(s3: Any, manifest: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Every data row of the report, file by file, as {column: value} with the key URL-decoded.

    One data file is open at a time and read as a stream (gzip over the S3 body): memory does not
    grow with the report. A file whose MD5 differs from the manifest's MD5checksum is an error.
    """
    columns: list[str] = manifest["_columns"]
    for entry in manifest["files"]:
        body = s3.get_object(Bucket=manifest["_files_bucket"], Key=entry["key"])["Body"]
        raw = _HashingReader(body)
        with gzip.GzipFile(fileobj=io.BufferedReader(raw, buffer_size=1 << 20)) as unzipped:
            text = io.TextIOWrapper(unzipped, encoding="utf-8", newline="")
            for values in csv.reader(text):
                if not values:
                    continue
                row = dict(zip(columns, values, strict=False))
                row["Key"] = unquote_plus(row.get("Key", ""))
                yield row
        expected = entry.get("MD5checksum")
        if expected and raw.md5.hexdigest() != expected:
            raise InventoryError(f"{entry['key']}: MD5 {raw.md5.hexdigest()} differs from the manifest's {expected}")


def _is_current_object(row: dict[str, str]) -> bool:
    """Current versions only: an all-versions report also lists older versions and delete markers."""
    if row.get("IsLatest", "true").lower() == "false":
        return False
    return row.get("IsDeleteMarker", "false").lower() != "true"


class _Senders:
    """SendMessageBatch calls on a few threads, retired in submission order (for an exact resume point)."""

    def __init__(self, sqs: Any, queue_url: str, senders: int, report: InventoryBackfill) -> None:
        self._sqs, self._queue_url, self._report = sqs, queue_url, report
        self._pool = ThreadPoolExecutor(max_workers=senders, thread_name_prefix="backfill") if senders > 1 else None
        self._window = 2 * senders
        self._pending: deque[tuple[Future[int], str]] = deque()

    def submit(self, bodies: list[str], last_key: str) -> None:
        if self._pool is None:
            self._done(send_batch(self._sqs, self._queue_url, bodies), last_key)
            return
        self._pending.append((self._pool.submit(send_batch, self._sqs, self._queue_url, list(bodies)), last_key))
        while len(self._pending) > self._window:
            self._retire()

    def _retire(self) -> None:
        future, last_key = self._pending[0]
        count = future.result()  # a failed batch stays first in line: nothing after it counts
        self._pending.popleft()
        self._done(count, last_key)

    def _done(self, count: int, last_key: str) -> None:
        self._report.sent += count
        self._report.resume_after = last_key

    def close(self, *, wait: bool = True) -> None:
        """Wait for every batch (raising the first failure); or, after an error, count what was sent."""
        try:
            while wait and self._pending:
                self._retire()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
        # After an error: the batches that went through, up to the first that did not, still count.
        while self._pending:
            future, last_key = self._pending.popleft()
            if future.cancelled() or future.exception() is not None:
                break
            self._done(future.result(), last_key)
        self._pending.clear()


class BackfillInterrupted(RuntimeError):
    def __init__(self, report: InventoryBackfill, cause: BaseException) -> None:
        super().__init__(f"stopped after {report.sent} messages ({type(cause).__name__}: {cause})")
        self.report = report


def backfill_inventory(
    s3: Any,
    sqs: Any,
    *,
    manifest_uri: str,
    queue_url: str,
    prefix: str = "",
    start_after: str | None = None,
    force: bool = False,
    bucket: str | None = None,
    senders: int = 4,
    progress: Callable[[InventoryBackfill], None] | None = None,
    progress_every: int = 100_000,
) -> InventoryBackfill:
    """Enqueue one S3-event message per current object an S3 Inventory report lists, in batches of 10.

    `prefix` keeps the keys that start with it; `start_after` skips every key <= it, like
    list_objects_v2's StartAfter. When the report lists keys in key order (`in_key_order`, checked as
    it streams), the `resume_after` of an interrupted run resumes it exactly; a key sent twice costs
    the consumer one GetItem. `bucket`, when given, must be the report's source bucket.
    Messages are the same as the list mode's: key, ETag and size, no version (the current version).
    On any error, BackfillInterrupted carries the report so far (its `resume_after` included).
    """
    manifest = read_manifest(s3, manifest_uri)
    source = manifest.get("sourceBucket")
    if bucket and source and source != bucket:
        raise InventoryError(f"the inventory lists bucket {source!r}, not {bucket!r}")
    report = InventoryBackfill()
    sender = _Senders(sqs, queue_url, max(1, senders), report)
    batch: list[str] = []
    previous = last_selected = ""
    next_progress = progress_every
    try:
        for row in inventory_rows(s3, manifest):
            report.rows += 1
            key = row["Key"]
            if key < previous:
                report.in_key_order = False
            previous = key
            if not key.startswith(prefix) or (start_after is not None and key <= start_after):
                continue
            if not _is_current_object(row):
                continue
            size = row.get("Size", "")
            ref = ObjectRef(
                bucket=row.get("Bucket") or str(source),
                key=key,
                etag=unquote_etag(row.get("ETag")),
                size=int(size) if size.isdigit() else None,
                force=force,
            )
            batch.append(s3_event_message(ref))
            last_selected = key
            if len(batch) == 10:
                sender.submit(batch, key)
                batch = []
                if progress is not None and report.sent >= next_progress:
                    progress(report)
                    next_progress += progress_every
        if batch:
            sender.submit(batch, last_selected)
        sender.close()
    except BaseException as exc:
        sender.close(wait=False)
        raise BackfillInterrupted(report, exc) from exc
    return report
