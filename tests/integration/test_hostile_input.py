"""Hostile and careless input against the real handlers and moto: nothing stuck, nothing lost, no 500."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.local.lambda_runtime import LambdaContext, http_api_event, response_json, sqs_event
from newsproc.media import document_id_for

pytestmark = [pytest.mark.integration, pytest.mark.model]


def _deliver(aws, process_module, *bodies: str) -> dict:
    messages = [{"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": body} for i, body in enumerate(bodies)]
    event = sqs_event(messages, aws.resources.queue_arn)
    return process_module.lambda_handler(event, LambdaContext("ProcessDocumentFunction"))


def _stored(aws, document_id: str) -> dict | None:
    return aws.table.get_item(Key={"PK": f"DOC#{document_id}", "SK": "DOC"}).get("Item")


def _api(api_module, path: str, query: dict | None = None, route_key: str | None = None, params=None) -> tuple:
    event = http_api_event("GET", path, route_key=route_key or f"GET {path}", query=query, path_parameters=params)
    response = api_module.lambda_handler(event, LambdaContext("ApiFunction"))
    return response["statusCode"], response_json(response)


def test_an_oversized_title_is_bounded_in_every_item(aws, process_module) -> None:
    bucket = aws.resources.raw_bucket
    body = {"title": "Lisbon " * 75_000, "text": "Carlos Moedas, the mayor of Lisbon, spoke on Monday in Lisbon."}
    aws.s3.put_object(Bucket=bucket, Key="big-title.json", Body=json.dumps(body).encode())
    ref = ObjectRef(bucket=bucket, key="big-title.json")
    assert _deliver(aws, process_module, s3_event_message(ref)) == {"batchItemFailures": []}
    document_id = document_id_for(bucket, "big-title.json")
    assert _stored(aws, document_id)["status"] == "PROCESSED"
    items = aws.table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"DOC#{document_id}"})[
        "Items"
    ]
    entity_items = [i for i in items if i["SK"].startswith("ENT#")]
    assert entity_items and all(len(i["title"]) <= 300 for i in entity_items)


def test_a_result_dynamodb_refuses_for_good_is_stored_failed_not_retried(aws, process_module, monkeypatch) -> None:
    from newsproc.store.documents import DocumentRepository

    bucket = aws.resources.raw_bucket
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"Carlos Moedas spoke in Lisbon on Monday.")
    real_save = DocumentRepository.save

    def save(self, result, order=None, **kwargs):
        if result.status.value == "PROCESSED":
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "Item size too large"}}, "Put")
        return real_save(self, result, order, **kwargs)

    monkeypatch.setattr(DocumentRepository, "save", save)
    response = _deliver(aws, process_module, s3_event_message(ObjectRef(bucket=bucket, key="a.txt")))
    assert response == {"batchItemFailures": []}  # not retried: no retry changes a size limit
    item = _stored(aws, document_id_for(bucket, "a.txt"))
    assert (item["status"], item["error_code"]) == ("FAILED", "not_storable")


def test_a_removal_from_the_future_does_not_block_the_key(aws, process_module) -> None:
    bucket = aws.resources.raw_bucket
    removal = ObjectRef(bucket=bucket, key="a.txt", removed=True, event_time="2999-01-01T00:00:00.000Z")
    _deliver(aws, process_module, s3_event_message(removal))
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"Carlos Moedas spoke in Lisbon on Monday.")
    created = ObjectRef(bucket=bucket, key="a.txt")
    assert _deliver(aws, process_module, s3_event_message(created)) == {"batchItemFailures": []}
    assert _stored(aws, document_id_for(bucket, "a.txt"))["status"] == "PROCESSED"


def test_a_forced_reprocess_wins_over_any_stored_tombstone(aws, process_module) -> None:
    bucket = aws.resources.raw_bucket
    document_id = document_id_for(bucket, "a.txt")
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"Carlos Moedas spoke in Lisbon on Monday.")
    # A tombstone written by an older version that trusted a forged event time.
    aws.table.put_item(Item={"PK": f"DOC#{document_id}", "SK": "DOC", "document_id": document_id, "deleted": True,
                             "source_modified": "2999-01-01T00:00:00Z", "pipeline_version": "0"})  # fmt: skip
    _deliver(aws, process_module, s3_event_message(ObjectRef(bucket=bucket, key="a.txt")))
    assert _stored(aws, document_id).get("deleted")  # an ordinary event is refused by the tombstone
    forced = ObjectRef(bucket=bucket, key="a.txt", force=True)  # what reprocess and `backfill --force` send
    _deliver(aws, process_module, s3_event_message(forced))
    assert _stored(aws, document_id)["status"] == "PROCESSED"


def test_an_event_for_another_bucket_is_refused_and_stored(aws, process_module) -> None:
    aws.s3.create_bucket(Bucket="someone-elses-bucket")
    aws.s3.put_object(Bucket="someone-elses-bucket", Key="secret.txt", Body=b"Private text about Carlos Moedas.")
    ref = ObjectRef(bucket="someone-elses-bucket", key="secret.txt")
    assert _deliver(aws, process_module, s3_event_message(ref)) == {"batchItemFailures": []}
    item = _stored(aws, document_id_for("someone-elses-bucket", "secret.txt"))
    assert (item["status"], item["error_code"]) == ("FAILED", "foreign_bucket")
    assert "result" in item and "Carlos" not in item["result"]


def test_tombstones_are_not_listed(aws, process_module, api_module) -> None:
    bucket = aws.resources.raw_bucket
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"Carlos Moedas spoke in Lisbon on Monday.")
    _deliver(aws, process_module, s3_event_message(ObjectRef(bucket=bucket, key="a.txt")))
    aws.s3.delete_object(Bucket=bucket, Key="a.txt")
    _deliver(aws, process_module, s3_event_message(ObjectRef(bucket=bucket, key="a.txt", removed=True)))
    status, body = _api(api_module, "/documents")
    assert status == 200 and body["documents"] == []


def _token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode()[:4000],
        _token({"PK": "DOC#ab", "SK": "DOC"}),  # a page of the document listing, not of the entity index
        _token({"PK": "DOC#ab", "SK": "ENT#ORG#x", "GSI1PK": "ENT#ORG#x", "GSI1SK": "-#ab"}),  # another entity
        _token({"PK": "DOC#ab", "SK": "ENT#PERSON#x", "GSI1PK": "ENT#PERSON#x", "GSI1SK": 1}),
        "not base64 at all!",
    ],
)
def test_forged_continuation_tokens_are_400(aws, api_module, token: str) -> None:
    status, body = _api(
        api_module, "/entities/PERSON/x/documents", query={"next": token},
        route_key="GET /entities/{label}/{name}/documents", params={"label": "PERSON", "name": "x"},
    )  # fmt: skip
    assert (status, body["error"]["code"]) == (400, "invalid_token")


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(b"[" * 3000).decode(),
        _token({"PK": "DOC#ab", "SK": "ENT#PERSON#x"}),
        _token({"PK": "ENT#PERSON#x", "SK": "DOC"}),
        _token({"PK": "DOC#ab", "SK": "DOC", "GSI1PK": "x", "GSI1SK": "y"}),
    ],
)
def test_forged_listing_tokens_are_400(aws, api_module, token: str) -> None:
    status, body = _api(api_module, "/documents", query={"next": token})
    assert (status, body["error"]["code"]) == (400, "invalid_token")


def test_api_delete_erases_every_version_of_the_article(aws, process_module, api_module) -> None:
    bucket = aws.resources.raw_bucket
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"A first draft about Carlos Moedas.")
    aws.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"Carlos Moedas spoke in Lisbon on Monday.")
    _deliver(aws, process_module, s3_event_message(ObjectRef(bucket=bucket, key="a.txt")))
    document_id = document_id_for(bucket, "a.txt")
    event = http_api_event("DELETE", f"/documents/{document_id}", route_key="DELETE /documents/{document_id}",
                           path_parameters={"document_id": document_id})  # fmt: skip
    assert api_module.lambda_handler(event, LambdaContext("ApiFunction"))["statusCode"] == 204
    versions = aws.s3.list_object_versions(Bucket=bucket, Prefix="a.txt")
    assert versions.get("Versions", []) == [] and versions.get("DeleteMarkers", []) == []
    items = aws.table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"DOC#{document_id}"})
    assert items["Items"] == []
