"""Operator tools, against AWS or the local stack (AWS_ENDPOINT_URL): redrive, backfill, backfill-catalog,
recount-trends.

    newsproc redrive  [--queue-url URL] [--dlq-url URL] [--max N] [--region R] [--local]
    newsproc backfill --prefix P [--bucket B] [--queue-url URL] [--force] [--start-after KEY] [--region R] [--local]
    newsproc backfill --inventory s3://BUCKET/.../manifest.json [--prefix P] [--start-after KEY] [--senders N]
    newsproc backfill-catalog [--table T] [--region R] [--local]
    newsproc recount-trends [--table T] [--trends-table T] [--region R] [--local]

AWS errors (no region, no credentials, endpoint unreachable, a refused call) are reported by
`newsproc.cli.main` as one line that says what to do.

Both are safe to rerun: processing is idempotent per object version (docs/reliability.md), so a
message redriven or backfilled twice costs one GetItem, not a second set of writes.

`backfill --prefix` lists the bucket (list_objects_v2, 1,000 keys a call): fine for thousands to a few
million objects. `backfill --inventory` reads an S3 Inventory report instead (CSV, gzip, the keys
URL-encoded), streaming one data file at a time, so an archive of 100 million objects is enqueued
without listing it or holding its keys in memory (docs/scale.md).

`backfill-catalog` is the one-off migration for tables written before the CatalogIndex: it gives their
live document items the index keys, so GET /documents lists them again (store/catalog.py). Rerunnable.
`recount-trends` recounts the per-day entity counters from the entity items (newsproc.trends.recount): for
documents stored before the stream, or stream records lost after 24 hours. Exact when nothing is written
during the run; a second run corrects what was.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from newsproc.cli.inventory import (
    BackfillInterrupted,
    InventoryBackfill,
    InventoryError,
    backfill_inventory,
    send_batch,
)
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
            sent += send_batch(sqs, queue_url, batch)
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
    print(f"redrive: moved {moved} message{'' if moved == 1 else 's'} from the DLQ to the queue")
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
    print(f"backfill: enqueued {sent} message{'' if sent == 1 else 's'} for s3://{args.bucket}/{args.prefix}")
    return 0


def _run_backfill_catalog(args: argparse.Namespace) -> int:
    from newsproc import aws
    from newsproc.store.catalog import DocumentCatalog

    table = _required(args.table, "TABLE_NAME", "--table")
    added = DocumentCatalog(aws.dynamodb_resource(), table_name=table).index_unlisted()
    print(f"backfill-catalog: {added} document items of {table} added to the catalog index")
    return 0


def _run_recount_trends(args: argparse.Namespace) -> int:
    import time

    from newsproc import store
    from newsproc.settings import Settings
    from newsproc.trends.recount import differences, recount

    tables = {
        "TABLE_NAME": _required(args.table, "TABLE_NAME", "--table"),
        "TRENDS_TABLE_NAME": _required(args.trends_table, "TRENDS_TABLE_NAME", "--trends-table"),
    }
    settings = Settings.from_env(os.environ | tables)
    counters = store.trend_counters(settings)
    items = 0

    def entity_items():  # counts what it hands on, for the summary line
        nonlocal items
        for item in store.document_repository(settings).all_entity_items():
            items += 1
            yield item

    should = recount(entity_items())
    deltas = differences(should, counters.stored_counters())
    transactions = counters.apply_recount(f"{time.time_ns():x}", deltas)
    documents = sum(d.documents for d in deltas)
    print(f"recount-trends: {items} entity items read, {len(should)} counters; {len(deltas)} corrected "
          f"({documents:+d} documents) in {transactions} transactions")  # fmt: skip
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
    """Add the operator commands to the CLI; each sets `func(args) -> exit code`."""
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

    parser = add_command(
        subparsers, "backfill-catalog", help="list document items stored before the catalog index (one table Scan)"
    )
    parser.add_argument("--table", default=env("TABLE_NAME"), help="documents table (default: $TABLE_NAME)")
    parser.add_argument("--region", default=None, help=_REGION_HELP)
    parser.set_defaults(func=_run_backfill_catalog)

    parser = add_command(
        subparsers, "recount-trends", help="recount the trend counters from the entity items (Scans of both tables)"
    )
    parser.add_argument("--table", default=env("TABLE_NAME"), help="documents table (default: $TABLE_NAME)")
    parser.add_argument("--trends-table", default=env("TRENDS_TABLE_NAME"),
                        help="trend counters table (default: $TRENDS_TABLE_NAME)")  # fmt: skip
    parser.add_argument("--region", default=None, help=_REGION_HELP)
    parser.set_defaults(func=_run_recount_trends)


__all__ = [
    "BackfillInterrupted",
    "InventoryBackfill",
    "InventoryError",
    "backfill",
    "backfill_inventory",
    "redrive",
    "register",
]
