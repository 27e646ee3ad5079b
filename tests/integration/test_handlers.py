"""The real handlers (loaded as template.yaml declares them) against moto, with the events in events/."""

import copy
import json
from urllib.parse import quote

import pytest

from newsproc.local.lambda_runtime import LambdaContext, http_api_event, load_handler, response_json
from newsproc.local.poller import drain
from newsproc.local.template import Template
from newsproc.media import document_id_for
from tests.conftest import EVENTS

pytestmark = [pytest.mark.integration, pytest.mark.model]


def _upload_articles(aws) -> dict[str, str]:
    ids = {}
    for path in sorted((EVENTS / "articles").iterdir()):
        key = f"articles/{path.name}"
        aws.s3.put_object(Bucket=aws.resources.raw_bucket, Key=key, Body=path.read_bytes())
        ids[key] = document_id_for(aws.resources.raw_bucket, key)
    return ids


def _sqs_batch_event() -> dict:
    return json.loads((EVENTS / "sqs_batch.json").read_text())


def _call_api(api_module, event: dict) -> tuple[int, object]:
    response = api_module.lambda_handler(event, LambdaContext("ApiFunction"))
    return response["statusCode"], response_json(response)


def test_process_handler_sample_sqs_batch(aws, process_module, api_module) -> None:
    ids = _upload_articles(aws)
    response = process_module.lambda_handler(_sqs_batch_event(), LambdaContext("ProcessDocumentFunction"))
    assert response == {"batchItemFailures": []}
    statuses = {}
    for key, document_id in ids.items():
        event = json.loads((EVENTS / "http_get_document.json").read_text().replace("DOCUMENT_ID", document_id))
        status, body = _call_api(api_module, event)
        assert status == 200, body
        statuses[key] = (body["status"], body["error"]["code"] if body["error"] else None)
    assert statuses == {
        "articles/berlin-marathon.json": ("PROCESSED", None),
        "articles/harbour-bridge.txt": ("PROCESSED", None),
        "articles/scanned-letter.pdf": ("FAILED", "unsupported_media_type"),
        "articles/wind-farm.html": ("PROCESSED", None),
    }


def test_process_handler_one_failing_record_does_not_fail_the_batch(aws, process_module, monkeypatch) -> None:
    ids = _upload_articles(aws)
    real_get = process_module.store.raw_store().__class__.get

    def flaky_get(self, bucket, key, version_id=None):
        if key.endswith("wind-farm.html"):
            raise ConnectionError("simulated network failure")
        return real_get(self, bucket, key, version_id)

    monkeypatch.setattr("newsproc.store.raw.RawObjectStore.get", flaky_get)
    event = _sqs_batch_event()
    response = process_module.lambda_handler(event, LambdaContext("ProcessDocumentFunction"))
    failed_message = next(r["messageId"] for r in event["Records"] if "wind-farm" in r["body"])
    assert response == {"batchItemFailures": [{"itemIdentifier": failed_message}]}
    table = aws.dynamodb.Table(aws.resources.table)
    stored = {k for k, i in ids.items() if "Item" in table.get_item(Key={"PK": f"DOC#{i}", "SK": "DOC"})}
    assert stored == set(ids) - {"articles/wind-farm.html"}


def test_a_message_that_is_not_an_s3_event_goes_to_the_dlq_at_once(aws, process_module) -> None:
    ids = _upload_articles(aws)
    event = _sqs_batch_event()
    poison = copy.deepcopy(event["Records"][0]) | {"messageId": "poison-1", "body": '{"Records": [{"eventName": 1}]}'}
    event["Records"].append(poison)
    response = process_module.lambda_handler(event, LambdaContext("ProcessDocumentFunction"))
    assert response == {"batchItemFailures": []}, "acknowledged: its copy is in the DLQ"
    parked = aws.sqs.receive_message(QueueUrl=aws.resources.dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in parked] == [poison["body"]]
    assert parked[0]["MessageAttributes"]["newsproc-error"]["StringValue"].startswith("not an S3 event")
    table = aws.dynamodb.Table(aws.resources.table)
    assert all("Item" in table.get_item(Key={"PK": f"DOC#{i}", "SK": "DOC"}) for i in ids.values())


def test_a_malformed_message_is_handed_back_when_the_dlq_cannot_take_it(aws, process_module) -> None:
    _upload_articles(aws)
    event = _sqs_batch_event()
    poison = copy.deepcopy(event["Records"][0]) | {"messageId": "poison-2", "body": "not json"}
    event["Records"].append(poison)
    aws.sqs.set_queue_attributes(QueueUrl=aws.resources.queue_url, Attributes={"RedrivePolicy": ""})
    response = process_module.lambda_handler(event, LambdaContext("ProcessDocumentFunction"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison-2"}]}, "never lost: retried as before"


def test_bucket_notification_to_queue_to_handler(aws, process_module) -> None:
    ids = _upload_articles(aws)
    outcome = drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, process_module.lambda_handler)
    assert outcome.failed == 0 and outcome.succeeded >= len(ids)
    table = aws.dynamodb.Table(aws.resources.table)
    for document_id in ids.values():
        assert "Item" in table.get_item(Key={"PK": f"DOC#{document_id}", "SK": "DOC"})


def test_api_submit_then_read_and_query_entity(aws, process_module, api_module) -> None:
    status, submitted = _call_api(api_module, json.loads((EVENTS / "http_post_document.json").read_text()))
    assert status == 202 and submitted["status"] == "QUEUED"
    get_event = json.loads(
        (EVENTS / "http_get_document.json").read_text().replace("DOCUMENT_ID", submitted["document_id"])
    )
    status, body = _call_api(api_module, get_event)
    assert status == 404 and body["error"]["code"] == "document_not_found"

    drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, process_module.lambda_handler)
    status, body = _call_api(api_module, get_event)
    assert status == 200 and body["status"] == "PROCESSED"
    person = next(e for e in body["entities"] if e["label"] == "PERSON")

    name = person["name"].upper()  # any case and form the canonicalizer folds
    path = f"/entities/PERSON/{quote(name)}/documents"
    event = copy.deepcopy(json.loads((EVENTS / "http_entity_documents.json").read_text()))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"label": "PERSON", "name": name}
    status, found = _call_api(api_module, event)
    assert status == 200
    assert [d["document_id"] for d in found["documents"]] == [submitted["document_id"]]


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({"content-type": "application/pdf"}, "x", 415, "unsupported_media_type"),
        ({"content-type": "text/plain"}, "   ", 400, "empty_body"),
        ({"content-type": "application/json"}, "{oops", 400, "invalid_json"),
        ({"content-type": "application/json"}, '{"title": "no text"}', 422, "validation_error"),
        ({"content-type": "application/json"}, '{"text": "Hi.", "language": "English"}', 422, "validation_error"),
    ],
)
def test_api_rejects_bad_submissions(aws, api_module, headers, body, status, code) -> None:
    event = http_api_event("POST", "/documents", route_key="POST /documents", headers=headers, body=body)
    got_status, got = _call_api(api_module, event)
    assert (got_status, got["error"]["code"]) == (status, code)


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ("{oops", 400, "invalid_json", "the body is not valid JSON"),  # as POST /documents answers it
        ('{"filename": "scan.pdf"}', 415, "unsupported_media_type", ".htm, .html, .json, .text, .txt"),
        ("{}", 422, "validation_error", "filename"),
    ],
)
def test_api_rejects_bad_upload_requests(aws, api_module, body, status, code, message) -> None:
    headers = {"content-type": "application/json"}
    event = http_api_event("POST", "/uploads", route_key="POST /uploads", headers=headers, body=body)
    got_status, got = _call_api(api_module, event)
    assert (got_status, got["error"]["code"]) == (status, code)
    assert message in got["error"]["message"]


def test_api_sync_submission_over_the_inline_limit_is_queued_and_says_so(aws, api_module) -> None:
    body = "Carlos Moedas spoke in Lisbon on Monday about the new bridge. " * 3300  # over 200,000 bytes
    event = http_api_event("POST", "/documents", route_key="POST /documents", query={"sync": "true"},
                           headers={"content-type": "text/plain"}, body=body)  # fmt: skip
    status, got = _call_api(api_module, event)
    assert status == 202 and got["status"] == "QUEUED"
    assert got["message"].startswith(f"queued, not processed inline: the body has {len(body)} bytes"), got
    event = http_api_event("POST", "/documents", route_key="POST /documents",
                           headers={"content-type": "text/plain"}, body=body)  # fmt: skip
    assert _call_api(api_module, event)[1]["message"] is None, "asked for no inline run: nothing to explain"


def test_api_bad_query_parameter_is_422(aws, api_module) -> None:
    event = http_api_event(
        "GET", "/entities/PERSON/x/documents", route_key="GET /entities/{label}/{name}/documents",
        path_parameters={"label": "PERSON", "name": "x"}, query={"limit": "0"},
    )  # fmt: skip
    status, _ = _call_api(api_module, event)
    assert status == 422


def test_handlers_declared_in_template_exist() -> None:
    template = Template.load()
    for function_id in template.of_type("AWS::Serverless::Function"):
        if function_id == "ApiFunction":
            handler, _ = load_handler(function_id, template)
            assert callable(handler)
