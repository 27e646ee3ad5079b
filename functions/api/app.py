"""ApiFunction: HTTP API (payload v2). Never imports spaCy: processing happens behind the bucket."""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from newsproc import runtime
from newsproc.errors import DocumentNotFoundError
from newsproc.models import ResultDocument
from newsproc.service import DocumentService
from newsproc.settings import Settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver(enable_validation=True)

settings = Settings()


class SubmittedDocument(BaseModel):
    document_id: str
    bucket: str
    key: str
    status: str = "QUEUED"


class EntityDocumentRef(BaseModel):
    document_id: str
    name: str | None = None
    label: str | None = None
    count: int = 0
    salience: float = 0.0
    title: str | None = None


class EntityDocuments(BaseModel):
    label: str
    name: str
    documents: list[EntityDocumentRef]
    next: str | None = None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _service() -> DocumentService:
    return DocumentService(
        runtime.raw_store(),
        runtime.document_repository(settings),
        raw_bucket=settings.raw_bucket,
        upload_prefix=settings.upload_prefix,
    )


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": {"code": code, "message": message}}),
    )


@app.exception_handler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return _error(exc.status, exc.code, exc.message)


@app.exception_handler(DocumentNotFoundError)
def _not_found(exc: DocumentNotFoundError) -> Response:
    return _error(
        404, "document_not_found", f"no result for document {exc.args[0]!r} (unknown or not processed yet)"
    )


@app.post("/documents")
def submit_document() -> Response[SubmittedDocument]:
    event = app.current_event
    content_type = (event.headers.get("content-type") or "text/plain").split(";", 1)[0].strip().lower()
    kind = {"text/plain": "text", "text/html": "html", "application/json": "json"}.get(content_type)
    if kind is None:
        raise ApiError(415, "unsupported_media_type", f"content type {content_type!r} is not accepted")
    data = event.decoded_body.encode() if isinstance(event.decoded_body, str) else event.decoded_body or b""
    if not data.strip():
        raise ApiError(400, "empty_body", "the request body is empty")
    if len(data) > settings.max_input_bytes:
        raise ApiError(413, "too_large", f"the body has {len(data)} bytes; limit {settings.max_input_bytes}")
    if kind == "json":
        _check_json_document(data)
    submission = _service().submit(data, kind)
    logger.info("document submitted", extra={"document_id": submission.document_id, "bytes": len(data)})
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=SubmittedDocument(**submission.__dict__),
    )


def _check_json_document(data: bytes) -> None:
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict) or not any(
        isinstance(payload.get(field), str) and payload[field].strip() for field in ("text", "html")
    ):
        raise ApiError(422, "validation_error", 'the JSON body needs a non-empty "text" or "html" string')


@app.get("/documents/<document_id>")
def get_document(document_id: Annotated[str, Path(min_length=1, max_length=128)]) -> ResultDocument:
    return _service().get(document_id)


@app.get("/entities/<label>/<name>/documents")
def entity_documents(
    label: Annotated[str, Path(min_length=1, max_length=32)],
    name: Annotated[str, Path(min_length=1, max_length=300)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    next: Annotated[str | None, Query(max_length=2048)] = None,  # noqa: A002 - the API's parameter name
) -> EntityDocuments:
    from urllib.parse import unquote

    decoded_name = unquote(name)
    try:
        documents, next_token = _service().documents_mentioning(
            label, decoded_name, limit=limit, next_token=next
        )
    except ValueError as exc:
        raise ApiError(400, "invalid_token", str(exc)) from None
    return EntityDocuments(
        label=label.upper(),
        name=decoded_name,
        documents=[EntityDocumentRef(**d) for d in documents],
        next=next_token,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
