"""The API's OpenAPI document, made in one place and served the same by `/openapi.json` and `/swagger`.

Powertools generates it from the routes; what it cannot know is added here: the request bodies of
the document routes (they read the raw body, so nothing is inferred), the IAM security scheme of
deploys (`DefaultAuthorizer: AWS_IAM`), one title and version. What it adds but the API never
answers goes: the `HTTPValidationError` body (validation errors answer the `ErrorBody` of
newsproc.api.errors) and any component no operation refers to.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI, Tag
from pydantic import BaseModel

from newsproc import __version__, models
from newsproc.api.browser import OPENAPI_PARAMETERS
from newsproc.api.schemas import SubmittedDocument, TimelineQuery, TrendsQuery, responses
from newsproc.pipeline.decode import LANGUAGE_PATTERN

TITLE = "newsproc API"
VERSION = __version__
REF = "#/components/schemas/"

# Deploys sign every route with IAM: API Gateway's own extension names it; clients send SigV4 headers.
SECURITY_SCHEMES: dict[str, Any] = {
    "sigv4": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "AWS Signature Version 4 (service execute-api) on deploys; the local stack takes none",
        "x-amazon-apigateway-authtype": "awsSigv4",
    }
}
SECURITY = [{"sigv4": []}]
TAGS = [
    Tag(name="documents", description="submit, read, list, delete and reprocess documents"),
    Tag(name="entities", description="documents by the entities they mention"),
    Tag(name="extraction", description="stateless extraction: nothing stored"),
    Tag(name="uploads", description="presigned S3 uploads for files over the API payload limit"),
]

DOCUMENT_JSON: dict[str, Any] = {
    "title": "DocumentJson",
    "type": "object",
    "description": 'A document as JSON: a non-blank "text" or "html" string ("text" wins when both are) '
    "and optional metadata; other keys are ignored.",
    "properties": {
        "text": {"type": "string", "pattern": r"\S", "description": "plain text"},
        "html": {"type": "string", "pattern": r"\S", "description": "an HTML page"},
        "title": {"type": "string"},
        "url": {"type": "string"},
        "published": {"type": "string", "description": "publication date as given, e.g. 2024-03-18"},
        "language": {
            "type": "string",
            "pattern": f"^{LANGUAGE_PATTERN}$",
            "description": "the text's language (ISO 639-1, e.g. en; a region such as pt-BR is dropped), "
            "used instead of detecting it: short texts are often too short to identify",
        },
    },
    "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
}
_EXAMPLE = "President Cyril Ramaphosa met Kenya's William Ruto in Pretoria on Tuesday."
DOCUMENT_BODY: dict[str, Any] = {
    "required": True,
    "description": "text/plain, text/html (charset from the Content-Type, else detected) or the JSON document form",
    "content": {
        "text/plain": {"schema": {"type": "string", "pattern": r"\S"}, "example": _EXAMPLE},
        "text/html": {"schema": {"type": "string", "pattern": r"\S"}, "example": f"<html><p>{_EXAMPLE}</p></html>"},
        "application/json": {
            "schema": {"$ref": REF + "DocumentJson"},
            "example": {"text": _EXAMPLE, "title": "Ramaphosa meets Ruto", "published": "2024-03-18"},
        },
    },
}
REQUEST_BODIES = {"submitDocument": DOCUMENT_BODY, "extract": DOCUMENT_BODY}
# Routes that read their query string themselves (the HTML browser: empty form fields are "not given").
QUERY_PARAMETERS = {"browseDocuments": OPENAPI_PARAMETERS}
# Routes whose query parameters are one model: Powertools documents each field's type only; the model has the rest.
QUERY_MODELS: dict[str, type[BaseModel]] = {"entityTimeline": TimelineQuery, "trends": TrendsQuery}
_RESULT = {"application/json": {"model": models.ResultDocument}}
_HTML = {"text/html": {"schema": {"type": "string"}}}

# Route keyword arguments by operation id: app.py decorates each route with `**operation(id)`.
OPERATIONS: dict[str, dict[str, Any]] = {
    "submitDocument": {
        "tags": ["documents"],
        "summary": "Submit a document (queued; ?sync=true processes small ones inline)",
        "responses": responses(
            (202, 200),
            *(400, 413, 415, 422, 502),
            bodies={202: {"application/json": {"model": SubmittedDocument}}, 200: _RESULT},
        ),
    },
    "listDocuments": {
        "tags": ["documents"],
        "summary": "List documents, or those mentioning an entity (`entity` needs `label`)",
        "responses": responses(200, 400, 422),
    },
    "getDocument": {
        "tags": ["documents"],
        "summary": "The result document",
        "responses": responses((200, 303), 404, 422),
    },
    "deleteDocument": {
        "tags": ["documents"],
        "summary": "Delete the result, its entity items and the raw object",
        "responses": responses(204, 404, 422),
    },
    "reprocessDocument": {
        "tags": ["documents"],
        "summary": "Queue the stored object for processing again",
        "responses": responses(202, 404, 422),
    },
    "similarDocuments": {
        "tags": ["documents"],
        "summary": "Near-duplicates of the document among those stored now (MinHash LSH, docs/duplicates.md)",
        "responses": responses(200, 404, 422),
    },
    "viewDocument": {
        "tags": ["documents"],
        "summary": "HTML view: highlighted entities, table, metadata, chart; a FAILED document's error",
        "responses": responses((200, 303), 404, 422, 502, bodies={200: _HTML}),
    },
    "browseDocuments": {
        "tags": ["documents"],
        "summary": "HTML browser: documents, filtered by an entity, with its timeline (docs/browser.md)",
        "responses": responses(200, 400, 422, bodies={200: _HTML}),
    },
    "extract": {
        "tags": ["extraction"],
        "summary": "Stateless: text, HTML or JSON in, result out, nothing stored",
        "responses": responses(200, 400, 413, 415, 422, 502),
    },
    "createUpload": {
        "tags": ["uploads"],
        "summary": "A presigned S3 POST (size-limited) for files larger than the API payload limit",
        "responses": responses(200, 400, 415, 422),
    },
    "entityDocuments": {
        "tags": ["entities"],
        "summary": "Documents mentioning an entity (any merged form)",
        "responses": responses(200, 400, 422),
    },
    "entityTimeline": {
        "tags": ["entities"],
        "summary": "Documents and mentions of an entity per day or ISO week, by published date (docs/trends.md)",
        "description": "From the entity index; documents without a published date (YYYY-MM-DD...) are not "
        "counted. At most `limit` (1,000) documents are read per call: `next` continues, and a period is split "
        "over two pages only when it alone holds more than `limit` documents (then add its counts).",
        "responses": responses(200, 400, 422),
    },
    "trends": {
        "tags": ["entities"],
        "summary": "Entities of a label with the most documents in a window, and in the window before it",
        "description": "From per-day counters kept by a DynamoDB Streams consumer (docs/trends.md): at most 31 "
        "days (and the 31 before), the top 500 counters of each day; `complete` is false when a day had more.",
        "responses": responses(200, 422),
    },
}


def operation(operation_id: str) -> dict[str, Any]:
    """The keyword arguments of a route decorator: operation id, tags, summary, responses, security."""
    return {"operation_id": operation_id, "security": SECURITY, **OPERATIONS[operation_id]}


class OpenApiResolver(APIGatewayHttpResolver):
    """Powertools' HTTP API resolver whose OpenAPI document is completed by `complete`: what
    `get_openapi_json_schema` (GET /openapi.json) and `enable_swagger` (GET /swagger) both use."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        generated = super().get_openapi_schema(**kwargs)
        return OpenAPI.model_validate(complete(generated.model_dump(mode="json", by_alias=True, exclude_none=True)))


def create_app() -> OpenApiResolver:
    """The resolver with validation, the document's title, version, tags and security, `/swagger`
    and `/openapi.json` (neither is in the document itself)."""
    app = OpenApiResolver(enable_validation=True)
    app.configure_openapi(title=TITLE, version=VERSION, tags=TAGS, security_schemes=SECURITY_SCHEMES, security=SECURITY)
    app.enable_swagger(path="/swagger", title=TITLE, version=VERSION)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> Response[str]:
        return Response(200, content_types.APPLICATION_JSON, app.get_openapi_json_schema())

    return app


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """The generated document with the request bodies, security on every operation, the error body
    in place of Powertools' validation bodies, and no component that nothing refers to."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["DocumentJson"] = DOCUMENT_JSON
    for item in document.get("paths", {}).values():
        for op in item.values():
            if body := REQUEST_BODIES.get(op.get("operationId")):
                op["requestBody"] = body
            if parameters := QUERY_PARAMETERS.get(op.get("operationId")):
                op["parameters"] = parameters
            if model := QUERY_MODELS.get(op.get("operationId")):
                fields = model.model_json_schema(by_alias=True)["properties"]
                for parameter in op.get("parameters", []):
                    if parameter["in"] == "query" and parameter["name"] in fields:
                        parameter["schema"] = fields[parameter["name"]]
            op.setdefault("security", SECURITY)
    text = json.dumps(document)
    for unused in ("HTTPValidationError", "ResponseValidationError"):  # answered as ErrorBody
        text = text.replace(f'"{REF}{unused}"', f'"{REF}ErrorBody"')
    document = json.loads(text)
    document["components"]["schemas"] = _referenced(document)
    return document


def _referenced(document: dict[str, Any]) -> dict[str, Any]:
    """The component schemas reachable from the paths (transitively)."""
    schemas = document["components"]["schemas"]
    seen: set[str] = set()
    pending = [document["paths"]]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF) and (name := ref[len(REF) :]) not in seen:
                seen.add(name)
                pending.append(schemas.get(name, {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return {name: schema for name, schema in schemas.items() if name in seen}
