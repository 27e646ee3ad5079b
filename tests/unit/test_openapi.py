"""The OpenAPI document of the API function, built from the app module without AWS: complete, true,
valid, the same at /openapi.json and /swagger, and every operation callable with newsproc.client."""

from __future__ import annotations

import json
from typing import Any

import pytest

import newsproc
from newsproc import client
from newsproc.local.lambda_runtime import LambdaContext, http_api_event

pytestmark = pytest.mark.unit

OPERATION_IDS = {
    "submitDocument", "listDocuments", "getDocument", "deleteDocument", "reprocessDocument", "viewDocument",
    "extract", "createUpload", "entityDocuments", "browseDocuments", "similarDocuments", "entityTimeline", "trends",
}  # fmt: skip
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def _get(api_module: Any, path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    event = http_api_event("GET", path, query=query)
    return api_module.app.resolve(event, LambdaContext(function_name="ApiFunction"))


@pytest.fixture(scope="module")
def document(api_module: Any) -> dict[str, Any]:
    response = _get(api_module, "/openapi.json")
    assert response["statusCode"] == 200
    return json.loads(response["body"])


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in document["paths"].items() for method, op in item.items()]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(document)


def test_one_title_and_version_at_openapi_json_and_swagger(api_module: Any, document: dict[str, Any]) -> None:
    assert document["info"] == {"title": "newsproc API", "version": newsproc.__version__}
    swagger = json.loads(_get(api_module, "/swagger", {"format": "json"})["body"])
    assert swagger["info"] == document["info"]
    assert swagger["paths"] == document["paths"] and swagger["components"] == document["components"]
    page = _get(api_module, "/swagger")
    assert page["statusCode"] == 200 and "newsproc API" in page["body"]
    assert "/openapi.json" not in document["paths"] and "/swagger" not in document["paths"]


def test_named_operations_and_tags(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert {op["operationId"] for _, _, op in operations} == OPERATION_IDS
    assert len(operations) == len(OPERATION_IDS)
    assert {tag["name"] for tag in document["tags"]} == {"documents", "entities", "extraction", "uploads"}
    tags = {op["operationId"]: op["tags"] for _, _, op in operations}
    assert tags["extract"] == ["extraction"] and tags["createUpload"] == ["uploads"]
    assert tags["entityDocuments"] == ["entities"] and tags["getDocument"] == ["documents"]
    assert all(op.get("tags") and op.get("summary") for _, _, op in operations)


def test_the_iam_security_scheme_on_every_route(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"] == {
        "sigv4": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4",
            "description": document["components"]["securitySchemes"]["sigv4"]["description"],
        }
    }
    assert document["security"] == [{"sigv4": []}]
    assert all(op["security"] == [{"sigv4": []}] for _, _, op in _operations(document))


@pytest.mark.parametrize("path", ["/documents", "/extract"])
def test_document_routes_declare_a_body_per_content_type(document: dict[str, Any], path: str) -> None:
    body = document["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    content = body["content"]
    assert set(content) == {"text/plain", "text/html", "application/json"}
    assert content["text/plain"]["schema"]["type"] == content["text/html"]["schema"]["type"] == "string"
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/DocumentJson"}
    schema = document["components"]["schemas"]["DocumentJson"]
    assert set(schema["properties"]) == {"text", "html", "title", "url", "published", "language"}
    assert schema["anyOf"] == [{"required": ["text"]}, {"required": ["html"]}]


def test_submit_takes_a_title_a_filename_and_a_language(document: dict[str, Any]) -> None:
    names = {p["name"] for p in document["paths"]["/documents"]["post"]["parameters"]}
    assert names == {"sync", "title", "filename", "language"}
    assert {p["name"] for p in document["paths"]["/extract"]["post"]["parameters"]} == {"language"}


def test_errors_are_the_real_error_body_and_nothing_else(document: dict[str, Any]) -> None:
    for method, path, op in _operations(document):
        errors = {status: r for status, r in op["responses"].items() if int(status) >= 400}
        assert "500" in errors and "422" in errors, (method, path)
        for status, response in errors.items():
            assert response["content"] == {"application/json": {"schema": ERROR_BODY}}, (method, path, status)
    text = json.dumps(document)
    assert "HTTPValidationError" not in text and "ResponseValidationError" not in text
    assert '"#/components/schemas/ValidationError"' not in text
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]


def test_every_component_is_referenced(document: dict[str, Any]) -> None:
    text = json.dumps(document["paths"]) + json.dumps(document["components"]["schemas"])
    for name in document["components"]["schemas"]:
        assert f'"#/components/schemas/{name}"' in text, name


def test_the_success_bodies_are_true(document: dict[str, Any]) -> None:
    submit = document["paths"]["/documents"]["post"]["responses"]
    assert submit["202"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SubmittedDocument"}
    assert submit["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ResultDocument"}
    view = document["paths"]["/documents/{document_id}/view"]["get"]["responses"]
    assert set(view["200"]["content"]) == {"text/html"}
    assert "Location" in document["paths"]["/documents/{document_id}"]["get"]["responses"]["303"]["headers"]


def test_the_client_calls_every_operation(document: dict[str, Any]) -> None:
    declared = {op["operationId"]: (method, path) for method, path, op in _operations(document)}
    assert set(client.OPERATIONS) == set(declared)
    for operation_id, (method, path, function) in client.OPERATIONS.items():
        assert (method, path) == declared[operation_id], operation_id
        assert callable(getattr(client.NewsprocClient, function)), function


def test_the_timeline_and_trends_parameters_are_documented_whole(document: dict[str, Any]) -> None:
    timeline = document["paths"]["/entities/{label}/{name}/timeline"]["get"]
    parameters = {p["name"]: p for p in timeline["parameters"]}
    assert set(parameters) == {"label", "name", "from", "to", "granularity", "limit", "next"}
    assert parameters["granularity"]["schema"]["enum"] == ["day", "week"]
    assert parameters["limit"]["schema"]["maximum"] == 1000
    assert "pattern" in json.dumps(parameters["from"]["schema"])
    trends = {p["name"]: p for p in document["paths"]["/trends"]["get"]["parameters"]}
    assert trends["label"]["required"] is True and "PERSON" in trends["label"]["schema"]["enum"]
    assert "DATE" not in trends["label"]["schema"]["enum"]
    body = document["components"]["schemas"]["Trends"]["properties"]
    assert {"from", "to", "previous_from", "previous_to", "entities", "complete"} <= set(body)
