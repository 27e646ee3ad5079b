"""`newsproc backfill --inventory`: an S3 Inventory report (manifest.json + gzip CSV files) into queue messages.

The report is written the way S3 Inventory writes one (docs: "Locating your inventory list", "Amazon S3
inventory list"): a manifest naming its data files, each a gzip CSV in the manifest's fileSchema, keys
URL-encoded, in key order. Small (25 objects in two files) but complete: versions and delete markers too.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections import Counter
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import pytest

from newsproc.cli.operations import (
    BackfillInterrupted,
    InventoryError,
    backfill,
    backfill_inventory,
)
from newsproc.ingest.events import object_refs_from_message

pytestmark = pytest.mark.integration

INVENTORY_BUCKET = "newsproc-inventory-destination"
SCHEMA = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag"
# Keys a scraper archive really has: spaces, plus signs, ampersands, accents, a percent sign.
KEYS = sorted(
    [f"archive/2024/{i:02d} story.txt" for i in range(12)]
    + [
        "archive/2024/a+b & c.html",
        "archive/2024/café crème.txt",
        "archive/2024/100% fact.json",
        "archive/2025/z.txt",
    ]
    + [f"other/{i}.txt" for i in range(9)]
)


def _row(bucket: str, key: str, *, latest: bool = True, marker: bool = False, n: int = 0) -> list[str]:
    return [bucket, quote_plus(key, safe="/"), f"v{n}", str(latest).lower(), str(marker).lower(),
            "" if marker else str(100 + n), "2024-05-01T00:00:00.000Z", "" if marker else f"etag{n:04d}"]  # fmt: skip


def _gzip_csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return gzip.compress(text.getvalue().encode())


def write_inventory(aws: Any, *, bad_md5: bool = False) -> str:
    """A two-file CSV inventory of KEYS in the raw bucket, plus an old version and a delete marker."""
    source = aws.resources.raw_bucket
    aws.s3.create_bucket(Bucket=INVENTORY_BUCKET)
    rows = [_row(source, key, n=n) for n, key in enumerate(KEYS)]
    rows.insert(3, _row(source, KEYS[3], latest=False, n=999))  # an older version of a listed key
    rows.insert(20, _row(source, "archive/2024/deleted.txt", marker=True, n=998))  # a delete marker
    rows.sort(key=lambda r: (unquote_plus(r[1]), r[3] != "true"))  # key order, as S3 writes it
    prefix = f"inventory/{source}/all"
    files = []
    for name, part in (("part-1", rows[:14]), ("part-2", rows[14:])):
        data = _gzip_csv(part)
        key = f"{prefix}/data/{name}.csv.gz"
        aws.s3.put_object(Bucket=INVENTORY_BUCKET, Key=key, Body=data)
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        files.append({"key": key, "size": len(data), "MD5checksum": "0" * 32 if bad_md5 else md5})
    manifest = {
        "sourceBucket": source,
        "destinationBucket": f"arn:aws:s3:::{INVENTORY_BUCKET}",
        "version": "2016-11-30",
        "creationTimestamp": "1714521600000",
        "fileFormat": "CSV",
        "fileSchema": SCHEMA,
        "files": files,
    }
    manifest_key = f"{prefix}/2024-05-01T00-00Z/manifest.json"
    aws.s3.put_object(Bucket=INVENTORY_BUCKET, Key=manifest_key, Body=json.dumps(manifest).encode())
    return f"s3://{INVENTORY_BUCKET}/{manifest_key}"


def queued(aws: Any) -> list[Any]:
    """Every message on the ingest queue, as ObjectRefs (received once, never deleted)."""
    refs = []
    while True:
        messages = aws.sqs.receive_message(
            QueueUrl=aws.resources.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return refs
        for message in messages:
            refs += object_refs_from_message(message["Body"])


def _clear_queue(aws: Any) -> None:
    """Receive and delete whatever is queued (PurgeQueue is allowed once a minute)."""
    queue = aws.resources.queue_url
    while messages := aws.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
        "Messages", []
    ):
        aws.sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def test_inventory_enqueues_one_message_per_current_object(aws) -> None:
    uri = write_inventory(aws)
    _clear_queue(aws)

    report = backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=aws.resources.queue_url,
                                bucket=aws.resources.raw_bucket, senders=4)  # fmt: skip

    refs = queued(aws)
    assert report.sent == len(refs) == len(KEYS) == 25
    assert Counter(r.key for r in refs) == Counter(KEYS)  # decoded keys, each exactly once
    assert report.rows == 27 and report.in_key_order and report.resume_after == KEYS[-1]
    by_key = {r.key: r for r in refs}
    assert by_key["archive/2024/a+b & c.html"].etag == f"etag{KEYS.index('archive/2024/a+b & c.html'):04d}"
    assert by_key["archive/2024/café crème.txt"].size == 100 + KEYS.index("archive/2024/café crème.txt")
    assert all(r.bucket == aws.resources.raw_bucket and r.version_id is None and not r.force for r in refs)


def test_inventory_prefix_filters_and_start_after_resumes(aws) -> None:
    uri = write_inventory(aws)
    _clear_queue(aws)
    queue = aws.resources.queue_url

    report = backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=queue, prefix="archive/2024/")
    assert sorted(r.key for r in queued(aws)) == [k for k in KEYS if k.startswith("archive/2024/")]
    assert report.sent == 15

    _clear_queue(aws)
    report = backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=queue, start_after=KEYS[11], force=True)
    refs = queued(aws)
    assert sorted(r.key for r in refs) == KEYS[12:] and report.sent == 13
    assert all(r.force for r in refs)


class _FailingSQS:
    """The real client, refusing the `fail_at`-th SendMessageBatch (a network error mid-run)."""

    def __init__(self, sqs: Any, fail_at: int) -> None:
        self._sqs, self._fail_at, self.calls = sqs, fail_at, 0
        self.failed_first_key: str | None = None

    def send_message_batch(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self._fail_at:
            self.failed_first_key = object_refs_from_message(kwargs["Entries"][0]["MessageBody"])[0].key
            raise ConnectionError("connection reset")
        return self._sqs.send_message_batch(**kwargs)


def test_interrupted_run_resumes_from_its_resume_point(aws) -> None:
    uri = write_inventory(aws)
    _clear_queue(aws)
    queue = aws.resources.queue_url

    with pytest.raises(BackfillInterrupted) as stopped:
        backfill_inventory(aws.s3, _FailingSQS(aws.sqs, fail_at=3), manifest_uri=uri, queue_url=queue, senders=1)
    partial = stopped.value.report
    assert partial.sent == 20 and partial.resume_after == KEYS[19]

    backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=queue, start_after=partial.resume_after)
    assert Counter(r.key for r in queued(aws)) == Counter(KEYS)  # nothing lost, nothing twice


def test_cli_inventory_mode_prints_the_count(aws, capsys) -> None:
    from newsproc.cli import main

    uri = write_inventory(aws)
    _clear_queue(aws)
    code = main(["backfill", "--inventory", uri, "--prefix", "other/", "--queue-url", aws.resources.queue_url,
                 "--bucket", aws.resources.raw_bucket])  # fmt: skip
    assert code == 0
    assert "enqueued 9 messages from 27 inventory rows" in capsys.readouterr().out
    assert len(queued(aws)) == 9

    code = main(["backfill", "--inventory", uri, "--queue-url", aws.resources.queue_url, "--bucket", "someone-else"])
    assert code == 2 and "not 'someone-else'" in capsys.readouterr().err


def test_inventory_checks_the_manifest_and_the_data_files(aws) -> None:
    uri = write_inventory(aws, bad_md5=True)
    with pytest.raises(BackfillInterrupted) as stopped:
        backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=aws.resources.queue_url)
    assert isinstance(stopped.value.__cause__, InventoryError) and "MD5" in str(stopped.value)

    bucket, key = uri.removeprefix("s3://").split("/", 1)
    manifest = json.loads(aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    aws.s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(manifest | {"fileFormat": "Parquet"}).encode())
    with pytest.raises(InventoryError, match="only CSV"):
        backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=aws.resources.queue_url)


def test_list_mode_still_works_with_start_after(aws) -> None:
    bucket = aws.resources.raw_bucket
    for key in ("list/a.txt", "list/b c.txt", "list/c.txt"):
        aws.s3.put_object(Bucket=bucket, Key=key, Body=b"Amina Diallo met Carlos Moedas in Lisbon.")
    _clear_queue(aws)  # the bucket's own notifications
    queue = aws.resources.queue_url
    assert backfill(aws.s3, aws.sqs, bucket=bucket, prefix="list/", queue_url=queue) == 3
    assert sorted(r.key for r in queued(aws)) == ["list/a.txt", "list/b c.txt", "list/c.txt"]
    _clear_queue(aws)
    assert backfill(aws.s3, aws.sqs, bucket=bucket, prefix="list/", queue_url=queue, start_after="list/a.txt") == 2


def test_interrupted_threaded_run_never_skips_the_failed_batch(aws) -> None:
    uri = write_inventory(aws)
    _clear_queue(aws)
    queue = aws.resources.queue_url

    failing = _FailingSQS(aws.sqs, fail_at=2)
    with pytest.raises(BackfillInterrupted) as stopped:
        backfill_inventory(aws.s3, failing, manifest_uri=uri, queue_url=queue, senders=4)
    partial = stopped.value.report
    # the resume point is before the failed batch, whichever thread sent it second
    assert failing.failed_first_key is not None
    assert partial.resume_after is None or partial.resume_after < failing.failed_first_key
    backfill_inventory(aws.s3, aws.sqs, manifest_uri=uri, queue_url=queue, start_after=partial.resume_after)
    assert set(r.key for r in queued(aws)) == set(KEYS)  # nothing lost (a resent batch is harmless)
