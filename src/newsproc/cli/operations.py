"""Operator tools, against AWS or the local stack (AWS_ENDPOINT_URL): redrive and backfill.

    newsproc redrive  [--queue-url URL] [--dlq-url URL] [--max N] [--region R] [--local]
    newsproc backfill --prefix P [--bucket B] [--queue-url URL] [--force] [--start-after KEY] [--region R] [--local]
    newsproc backfill --inventory s3://BUCKET/.../manifest.json [--prefix P] [--start-after KEY] [--senders N]

AWS errors (no region, no credentials, endpoint unreachable, a refused call) are reported by
`newsproc.cli.main` as one line that says what to do.

Both are safe to rerun: processing is idempotent per object version (docs/reliability.md), so a
message redriven or backfilled twice costs one GetItem, not a second set of writes.

`backfill --prefix` lists the bucket (list_objects_v2, 1,000 keys a call): fine for thousands to a few
million objects. `backfill --inventory` reads an S3 Inventory report instead (CSV, gzip, the keys
URL-encoded), streaming one data file at a time, so an archive of 100 million objects is enqueued
without listing it or holding its keys in memory (docs/scale.md).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlparse

from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.media import unquote_etag


def redrive(sqs: Any, *, dlq_url: str, queue_url: str, max_messages: int | None = None) -> int:
    """Move messages from the DLQ back to the queue (send first, then delete); the count moved."""
    moved = 0
    while max_messages is None or moved < max_messages:
        want = 10 if max_messages is None else min(10, max_messages - moved)
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=want, WaitTimeSeconds=1, VisibilityTimeout=120
        ).get("Messages", [])
        if not messages:
            break
        sent = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(messages)],
        )
        ok = {int(entry["Id"]) for entry in sent.get("Successful", [])}
        done = [m for i, m in enumerate(messages) if i in ok]
        if done:
            sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        moved += len(done)
        if len(done) < len(messages):  # the rest become visible again in the DLQ: stop, report
            break
    return moved


def _send_batch(sqs: Any, queue_url: str, bodies: list[str]) -> int:
    """One SendMessageBatch (at most 10 bodies); raises if the queue refused any of them."""
    response = sqs.send_message_batch(
        QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)]
    )
    failed = response.get("Failed", [])
    if failed:
        raise RuntimeError(f"{len(failed)} messages were not accepted by the queue: {failed[0]}")
    return len(bodies)


def backfill(
    s3: Any,
    sqs: Any,
    *,
    bucket: str,
    prefix: str,
    queue_url: str,
    force: bool = False,
    start_after: str | None = None,
) -> int:
    """Enqueue one S3-event message per object under `prefix` (current versions); the count sent.

    Messages name the key and ETag but no version: the consumer processes the object's current
    version, skips it when that version is already stored by this pipeline version, and, with
    `force`, reprocesses it anyway (ObjectCreated:Reprocess). `start_after` resumes after that key
    (list_objects_v2 lists in key order).
    """
    sent = 0
    batch: list[str] = []

    def flush() -> None:
        nonlocal sent
        if batch:
            sent += _send_batch(sqs, queue_url, batch)
            batch.clear()

    listing: dict[str, str] = {"Bucket": bucket, "Prefix": prefix}
    if start_after:
        listing["StartAfter"] = start_after
    for page in s3.get_paginator("list_objects_v2").paginate(**listing):
        for obj in page.get("Contents", []):
            ref = ObjectRef(
                bucket=bucket,
                key=obj["Key"],
                etag=unquote_etag(obj.get("ETag")),
                size=obj.get("Size"),
                force=force,
            )
            batch.append(s3_event_message(ref))
            if len(batch) == 10:
                flush()
    flush()
    return sent


# ----------------------------------------------------------------------------- inventory mode


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
            self._done(_send_batch(self._sqs, self._queue_url, bodies), last_key)
            return
        self._pending.append((self._pool.submit(_send_batch, self._sqs, self._queue_url, list(bodies)), last_key))
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


def _clients() -> tuple[Any, Any]:
    from newsproc import aws

    return aws.s3_client(), aws.sqs_client()


def _required(value: str | None, name: str, option: str | None = None) -> str:
    if not value:
        from newsproc.cli import UsageError

        raise UsageError(f"pass {option or '--' + name.lower().replace('_', '-')} or set {name}")
    return value


def _run_redrive(args: argparse.Namespace) -> int:
    _, sqs = _clients()
    dlq_url, queue_url = _required(args.dlq_url, "DLQ_URL"), _required(args.queue_url, "QUEUE_URL")
    moved = redrive(sqs, dlq_url=dlq_url, queue_url=queue_url, max_messages=args.max)
    print(f"redrive: moved {moved} messages from the DLQ to the queue")
    return 0


def _run_backfill(args: argparse.Namespace) -> int:
    if args.inventory:
        return _run_backfill_inventory(args)
    if args.prefix is None:
        from newsproc.cli import UsageError

        raise UsageError("pass --prefix ('' for the whole bucket) or --inventory MANIFEST_S3_URI")
    s3, sqs = _clients()
    bucket = _required(args.bucket, "RAW_BUCKET", "--bucket")
    queue_url = _required(args.queue_url, "QUEUE_URL")
    sent = backfill(
        s3,
        sqs,
        bucket=bucket,
        prefix=args.prefix,
        queue_url=queue_url,
        force=args.force,
        start_after=args.start_after,
    )
    print(f"backfill: enqueued {sent} messages for s3://{args.bucket}/{args.prefix}")
    return 0


def _resume_hint(report: InventoryBackfill) -> str:
    if report.resume_after is None:
        return "nothing enqueued yet"
    hint = f"resume with --start-after {report.resume_after!r}"
    return hint if report.in_key_order else hint + " (the report was not in key order: rerun without it)"


def _run_backfill_inventory(args: argparse.Namespace) -> int:
    s3, sqs = _clients()
    queue_url = _required(args.queue_url, "QUEUE_URL")

    def progress(report: InventoryBackfill) -> None:
        print(f"backfill: {report.sent} messages enqueued, {report.rows} rows read; {_resume_hint(report)}",
              file=sys.stderr, flush=True)  # fmt: skip

    try:
        report = backfill_inventory(
            s3,
            sqs,
            manifest_uri=args.inventory,
            queue_url=queue_url,
            prefix=args.prefix or "",
            start_after=args.start_after,
            force=args.force,
            bucket=args.bucket,
            senders=args.senders,
            progress=progress,
        )
    except InventoryError as exc:
        print(f"newsproc backfill: {exc}", file=sys.stderr)
        return 2
    except BackfillInterrupted as exc:
        cause = exc.__cause__
        if cause is not None and type(cause).__module__.startswith("botocore"):
            from newsproc.cli import describe_error

            reason = f"stopped after {exc.report.sent} messages: {describe_error(cause)}"
        else:
            reason = str(exc)
        print(f"newsproc backfill: {reason}; {_resume_hint(exc.report)}", file=sys.stderr)
        return 1
    print(f"backfill: enqueued {report.sent} messages from {report.rows} inventory rows of {args.inventory}"
          f" (prefix {args.prefix or ''!r}); last key {report.resume_after!r}")  # fmt: skip
    return 0


_REGION_HELP = "AWS region (default: $AWS_DEFAULT_REGION, else the profile's region)"


def register(subparsers: Any) -> None:
    """Add `redrive` and `backfill` to the CLI; each sets `func(args) -> exit code`."""
    from newsproc.cli import add_command, positive_int

    env = os.environ.get
    parser = add_command(subparsers, "redrive", help="move DLQ messages back to the ingest queue")
    parser.add_argument("--queue-url", default=env("QUEUE_URL"), help="(default: $QUEUE_URL)")
    parser.add_argument("--dlq-url", default=env("DLQ_URL"), help="(default: $DLQ_URL)")
    parser.add_argument("--max", type=positive_int, default=None,
                        help="move at most this many messages (default: all)")  # fmt: skip
    parser.add_argument("--region", default=None, help=_REGION_HELP)
    parser.set_defaults(func=_run_redrive)

    parser = add_command(subparsers, "backfill", help="enqueue S3 events for objects already in the bucket")
    parser.add_argument("--prefix", default=None,
                        help="key prefix ('' for the whole bucket); without --inventory required")  # fmt: skip
    parser.add_argument("--bucket", default=env("RAW_BUCKET"), help="(default: $RAW_BUCKET)")
    parser.add_argument("--queue-url", default=env("QUEUE_URL"), help="(default: $QUEUE_URL)")
    parser.add_argument("--region", default=None, help=_REGION_HELP)
    parser.add_argument("--force", action="store_true", help="reprocess even versions already stored")
    parser.add_argument("--inventory", metavar="MANIFEST_S3_URI", default=None,
                        help="read the keys from this S3 Inventory manifest.json (CSV) instead of listing")  # fmt: skip
    parser.add_argument("--start-after", metavar="KEY", default=None,
                        help="skip keys up to and including KEY (resume a stopped backfill)")  # fmt: skip
    parser.add_argument("--senders", type=positive_int, default=4,
                        help="with --inventory: concurrent SendMessageBatch calls")  # fmt: skip
    parser.set_defaults(func=_run_backfill)


__all__ = [
    "BackfillInterrupted",
    "InventoryBackfill",
    "InventoryError",
    "backfill",
    "backfill_inventory",
    "inventory_rows",
    "read_manifest",
    "redrive",
    "register",
]
