"""Results and views larger than a Lambda response (6 MB) are served by a short-lived S3 URL (303)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from newsproc import aws as aws_clients
from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.local.lambda_runtime import LambdaContext, http_api_event, sqs_event
from newsproc.media import document_id_for

pytestmark = [pytest.mark.integration, pytest.mark.model]

PARAGRAPH = (
    "On Monday Carlos Moedas, the mayor of Lisbon, met officials of the European Investment Bank in Lisbon "
    "to discuss bridge number {n} over the Tagus, which Portugal expects to cost {n} million euros. "
    "Ana Gomes of the Socialist Party said project {n} would be reviewed by the Court of Auditors in Porto.\n\n"
)


def _article(size: int) -> bytes:
    """Distinct paragraphs (the cleaner drops repeated ones) up to `size` bytes."""
    paragraphs, total = [], 0
    while total < size:
        paragraphs.append(PARAGRAPH.format(n=len(paragraphs) + 1))
        total += len(paragraphs[-1])
    return "".join(paragraphs).encode()


def _s3_object(aws, url: str) -> bytes:
    parts = urlsplit(url)
    assert "Signature=" in parts.query  # presigned (botocore signs S3 URLs with SigV2 or SigV4)
    bucket, key = aws.resources.results_bucket, parts.path.lstrip("/").removeprefix(aws.resources.results_bucket + "/")
    return aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_a_2mb_article_is_served_by_redirects(aws, process_module, api_module) -> None:
    article = _article(2_000_000)
    bucket, key = aws.resources.raw_bucket, "big/article.txt"
    aws.s3.put_object(Bucket=bucket, Key=key, Body=article)
    event = sqs_event([{"MessageId": "m", "ReceiptHandle": "r", "Body": s3_event_message(ObjectRef(bucket=bucket,
                                                                                                    key=key))}],
                      aws.resources.queue_arn)  # fmt: skip
    assert process_module.lambda_handler(event, LambdaContext("ProcessDocumentFunction")) == {"batchItemFailures": []}
    document_id = document_id_for(bucket, key)

    def get(path: str, route_key: str) -> dict:
        request = http_api_event("GET", path, route_key=route_key, path_parameters={"document_id": document_id})
        return api_module.lambda_handler(request, LambdaContext("ApiFunction"))

    response = get(f"/documents/{document_id}", "GET /documents/{document_id}")
    assert response["statusCode"] == 303 and not response.get("body")
    result = json.loads(_s3_object(aws, response["headers"]["Location"]))
    assert result["document_id"] == document_id and len(json.dumps(result)) > 6_000_000

    aws_clients.use_local_invoker(
        lambda payload: process_module.lambda_handler(payload, LambdaContext("ProcessDocumentFunction"))
    )
    try:
        response = get(f"/documents/{document_id}/view", "GET /documents/{document_id}/view")
    finally:
        aws_clients.use_local_invoker(None)
    assert response["statusCode"] == 303
    page = _s3_object(aws, response["headers"]["Location"])
    assert len(page) > 6_000_000 and b"Carlos Moedas" in page

    small = b"Carlos Moedas spoke in Lisbon on Monday."
    aws.s3.put_object(Bucket=bucket, Key="small.txt", Body=small)
    event["Records"][0]["body"] = s3_event_message(ObjectRef(bucket=bucket, key="small.txt"))
    process_module.lambda_handler(event, LambdaContext("ProcessDocumentFunction"))
    document_id = document_id_for(bucket, "small.txt")
    assert get(f"/documents/{document_id}", "GET /documents/{document_id}")["statusCode"] == 200
