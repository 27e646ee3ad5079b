"""Records not started before the timeout go back to the queue at once, without using up their receives."""

from __future__ import annotations

import json

import pytest

from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.local.lambda_runtime import LambdaContext, sqs_event

pytestmark = [pytest.mark.integration, pytest.mark.model]


def _received(aws) -> list[dict]:
    return aws.sqs.receive_message(
        QueueUrl=aws.resources.queue_url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
    ).get("Messages", [])


def test_deferred_records_are_requeued_as_fresh_messages(aws, process_module) -> None:
    bucket = aws.resources.raw_bucket
    bodies = []
    for i in range(2):
        aws.s3.put_object(Bucket=bucket, Key=f"d/{i}.txt", Body=b"Carlos Moedas spoke in Lisbon on Monday.")
        bodies.append(s3_event_message(ObjectRef(bucket=bucket, key=f"d/{i}.txt")))
    while _received(aws):  # the bucket's own notifications: not part of this test
        pass
    # The originals have been received 3 times already (one more and the redrive policy would move them).
    messages = [{"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": b,
                 "Attributes": {"ApproximateReceiveCount": "3"}} for i, b in enumerate(bodies)]  # fmt: skip
    context = LambdaContext("ProcessDocumentFunction", timeout_s=10)  # below the 15 s reserve: nothing starts
    response = process_module.lambda_handler(sqs_event(messages, aws.resources.queue_arn), context)

    assert response == {"batchItemFailures": []}  # acknowledged: their copies carry them on
    aws.sqs.set_queue_attributes(QueueUrl=aws.resources.queue_url, Attributes={"VisibilityTimeout": "0"})
    copies = _received(aws)
    assert sorted(m["Body"] for m in copies) == sorted(bodies)
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in copies)
    assert all(json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"].startswith("d/") for m in copies)
