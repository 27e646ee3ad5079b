"""The local stack's S3 notifications match S3's for a versioned bucket (newsproc.local.moto_s3_events)."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest

from newsproc.media import document_id_for

pytestmark = pytest.mark.integration


def _records(aws) -> list[dict]:
    records = []
    while messages := aws.sqs.receive_message(QueueUrl=aws.resources.queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in messages:
            records += json.loads(message["Body"]).get("Records", [])
            aws.sqs.delete_message(QueueUrl=aws.resources.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return records


def test_created_records_carry_version_and_increasing_sequencer(aws) -> None:
    bucket = aws.resources.raw_bucket
    first = aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"one")["VersionId"]
    second = aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"two")["VersionId"]
    records = [r for r in _records(aws) if r["eventName"].startswith("ObjectCreated")]
    assert [r["s3"]["object"]["versionId"] for r in records] == [first, second]
    sequencers = [r["s3"]["object"]["sequencer"] for r in records]
    assert sequencers == sorted(sequencers) and len(set(sequencers)) == 2


def test_delete_without_version_sends_delete_marker_created(aws) -> None:
    bucket = aws.resources.raw_bucket
    aws.s3.put_object(Bucket=bucket, Key="news/a b.txt", Body=b"text")
    _records(aws)
    marker = aws.s3.delete_object(Bucket=bucket, Key="news/a b.txt")["VersionId"]
    [record] = _records(aws)
    assert record["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert unquote_plus(record["s3"]["object"]["key"]) == "news/a b.txt"
    assert record["s3"]["object"]["versionId"] == marker
    assert "eTag" not in record["s3"]["object"]


def test_permanent_delete_of_any_version_is_notified(aws) -> None:
    bucket = aws.resources.raw_bucket
    old = aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"one")["VersionId"]
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"two")
    _records(aws)
    aws.s3.delete_object(Bucket=bucket, Key="a.txt", VersionId=old)  # not the last version: moto sends nothing
    [record] = _records(aws)
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert record["s3"]["object"]["versionId"] == old


@pytest.mark.model
def test_deleting_the_object_removes_its_result_and_entity_items(aws, process_module) -> None:
    from newsproc.local.poller import drain

    bucket = aws.resources.raw_bucket
    aws.s3.put_object(Bucket=bucket, Key="news/a.txt", Body=b"Carlos Moedas, the mayor of Lisbon, spoke on Monday.")
    handler = process_module.lambda_handler
    drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, handler)
    document_id = document_id_for(bucket, "news/a.txt")
    items = aws.table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"DOC#{document_id}"})
    assert any(i["SK"].startswith("ENT#") for i in items["Items"])

    aws.s3.delete_object(Bucket=bucket, Key="news/a.txt")  # what `aws s3 rm` does: a delete marker
    drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, handler)
    items = aws.table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"DOC#{document_id}"})
    assert [i for i in items["Items"] if i["SK"].startswith("ENT#")] == []
    assert all(i.get("deleted") for i in items["Items"])  # at most the tombstone that orders later events
