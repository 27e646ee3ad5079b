"""Operator tools, against AWS or the local stack (AWS_ENDPOINT_URL): redrive and backfill.

    newsproc redrive  [--queue-url URL] [--dlq-url URL] [--max N]
    newsproc backfill --prefix P [--bucket B] [--queue-url URL] [--force]

Both are safe to rerun: processing is idempotent per object version (docs/reliability.md), so a
message redriven or backfilled twice costs one GetItem, not a second set of writes.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

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


def backfill(s3: Any, sqs: Any, *, bucket: str, prefix: str, queue_url: str, force: bool = False) -> int:
    """Enqueue one S3-event message per object under `prefix` (current versions); the count sent.

    Messages name the key and ETag but no version: the consumer processes the object's current
    version, skips it when that version is already stored by this pipeline version, and, with
    `force`, reprocesses it anyway (ObjectCreated:Reprocess).
    """
    sent = 0
    batch: list[str] = []

    def flush() -> None:
        nonlocal sent
        if not batch:
            return
        response = sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(batch)]
        )
        failed = response.get("Failed", [])
        if failed:
            raise RuntimeError(f"{len(failed)} messages were not accepted by the queue: {failed[0]}")
        sent += len(batch)
        batch.clear()

    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
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


def _clients() -> tuple[Any, Any]:
    from newsproc import aws

    return aws.s3_client(), aws.sqs_client()


def _required(value: str | None, name: str) -> str:
    if not value:
        raise SystemExit(f"error: pass --{name.lower().replace('_', '-')} or set {name}")
    return value


def _run_redrive(args: argparse.Namespace) -> int:
    _, sqs = _clients()
    moved = redrive(
        sqs,
        dlq_url=_required(args.dlq_url, "DLQ_URL"),
        queue_url=_required(args.queue_url, "QUEUE_URL"),
        max_messages=args.max,
    )
    print(f"redrive: moved {moved} messages from the DLQ to the queue")
    return 0


def _run_backfill(args: argparse.Namespace) -> int:
    s3, sqs = _clients()
    sent = backfill(
        s3,
        sqs,
        bucket=_required(args.bucket, "RAW_BUCKET"),
        prefix=args.prefix,
        queue_url=_required(args.queue_url, "QUEUE_URL"),
        force=args.force,
    )
    print(f"backfill: enqueued {sent} messages for s3://{args.bucket}/{args.prefix}")
    return 0


def register(subparsers: Any) -> None:
    """Add `redrive` and `backfill` to the CLI; each sets `func(args) -> exit code`."""
    env = os.environ.get
    parser = subparsers.add_parser("redrive", help="move DLQ messages back to the ingest queue")
    parser.add_argument("--queue-url", default=env("QUEUE_URL"), help="default: $QUEUE_URL")
    parser.add_argument("--dlq-url", default=env("DLQ_URL"), help="default: $DLQ_URL")
    parser.add_argument("--max", type=int, default=None, help="move at most this many messages")
    parser.set_defaults(func=_run_redrive)

    parser = subparsers.add_parser("backfill", help="enqueue S3 events for objects already in the bucket")
    parser.add_argument("--prefix", required=True, help="key prefix ('' for the whole bucket)")
    parser.add_argument("--bucket", default=env("RAW_BUCKET"), help="default: $RAW_BUCKET")
    parser.add_argument("--queue-url", default=env("QUEUE_URL"), help="default: $QUEUE_URL")
    parser.add_argument("--force", action="store_true", help="reprocess even versions already stored")
    parser.set_defaults(func=_run_backfill)


__all__ = ["backfill", "redrive", "register"]
