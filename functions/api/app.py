"""ApiFunction: HTTP API (payload v2), OpenAPI-described. Never imports spaCy: what needs it
(extract, ?sync=true, the HTML view) is a direct invocation of the process function."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from newsproc import aws, store
from newsproc.api.service import DocumentService
from newsproc.errors import DocumentError, DocumentNotFoundError
from newsproc.media import CONTENT_TYPES, MediaType, base_content_type
from newsproc.models import ResultDocument
from newsproc.pipeline.decode import decode
from newsproc.settings import Settings
from newsproc.store.pagination import InvalidTokenError

logger = Logger()
# Only botocore is patched: every outside call goes through it, and patching all the libraries the
# X-Ray SDK knows cost 0.13 s of cold start in a Lambda environment (scripts/bench.py cold_start).
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()
app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(path="/swagger", title="newsproc API", version="2")

settings = Settings.from_env()
DocumentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


ERROR_DESCRIPTIONS = {
    400: "bad request (empty body, invalid JSON or continuation token)",
    404: "unknown document",
    413: "body over the size limit",
    415: "unsupported content type",
    422: "validation error",
    502: "the process function failed",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def _responses(success: int | tuple[int, ...], *errors: int) -> dict[int, dict[str, Any]]:
    """OpenAPI responses of a route: its success status (schema from the return type) and the error
    statuses it can answer, all with the `{"error": {code, message}}` body."""
    error_content = {"application/json": {"model": ErrorBody}}
    entries: dict[int, dict[str, Any]] = {}
    for status in success if isinstance(success, tuple) else (success,):
        entries[status] = {"description": "no content", "content": {}} if status == 204 else {"description": "success"}
    for status in errors:
        entries[status] = {"description": ERROR_DESCRIPTIONS[status], "content": error_content}
    return entries


class SubmittedDocument(BaseModel):
    document_id: str
    bucket: str
    key: str
    status: Literal["QUEUED"] = "QUEUED"


class DocumentSummary(BaseModel):
    document_id: str
    status: str | None = None
    key: str | None = None
    updated_at: str | None = None
    error_code: str | None = None
    entity_count: int = 0


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


class DocumentList(BaseModel):
    documents: list[DocumentSummary] | list[EntityDocumentRef]
    next: str | None = None


class UploadRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=200, description="only its suffix is used")


class UploadTicket(BaseModel):
    document_id: str
    bucket: str
    key: str
    url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expires_in: int


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _service() -> DocumentService:
    return DocumentService(
        store.raw_store(),
        store.document_repository(settings),
        store.document_catalog(settings),
        aws.sqs_client(),
        settings=settings,
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
def _document_not_found(exc: DocumentNotFoundError) -> Response:
    return _error(404, "document_not_found", f"no result for document {exc.args[0]!r} (unknown or not processed yet)")


@app.exception_handler(InvalidTokenError)
def _invalid_token(exc: InvalidTokenError) -> Response:
    return _error(400, "invalid_token", str(exc))


@app.exception_handler(RequestValidationError)
def _validation_error(exc: RequestValidationError) -> Response:
    details = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}" for e in exc.errors())
    return _error(422, "validation_error", details or "invalid request")


@app.exception_handler(RequestUnsupportedContentType)
def _unsupported_content_type(exc: RequestUnsupportedContentType) -> Response:
    return _error(415, "unsupported_media_type", "this route takes an application/json body")


@app.exception_handler(ValueError)
def _unparseable_request(exc: ValueError) -> Response:
    # Powertools raises ValueError for bodies it cannot parse at all (e.g. multipart without boundary).
    return _error(400, "bad_request", str(exc)[:300])


@app.not_found
def _route_not_found(exc: NotFoundError) -> Response:
    return _error(404, "route_not_found", f"no route for {app.current_event.http_method} {app.current_event.path}")


@app.exception_handler(Exception)
def _internal_error(exc: Exception) -> Response:
    logger.exception("unhandled error")  # the trace goes to the logs, never to the client
    return _error(500, "internal_error", "the request failed; see the logs with its request id")


def _body_and_kind(max_bytes: int) -> tuple[bytes, MediaType]:
    event = app.current_event
    content_type = base_content_type(event.headers.get("content-type") or "text/plain")
    kind = CONTENT_TYPES.get(content_type)
    if kind is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"content type {content_type!r} is not one of {sorted(CONTENT_TYPES)}",
        )
    body = event.decoded_body
    data = body.encode() if isinstance(body, str) else (body or b"")
    if not data.strip():
        raise ApiError(400, "empty_body", "the request body is empty")
    if len(data) > max_bytes:
        raise ApiError(413, "too_large", f"the body has {len(data)} bytes; the limit here is {max_bytes}")
    if kind is MediaType.JSON:
        _check_json_document(data)
    return data, kind


def _check_json_document(data: bytes) -> None:
    """Refuse what the pipeline would store as FAILED invalid_json: 400 unparseable, 422 wrong shape."""
    try:
        decode(data, MediaType.JSON, repair=False)  # the pipeline's own check; a good body is parsed once
    except DocumentError as exc:
        try:  # refused: tell an unparseable body from a parseable one of the wrong shape
            json.loads(data)
        except (ValueError, RecursionError) as parse_error:
            raise ApiError(400, "invalid_json", f"the body is not valid JSON: {parse_error}") from None
        raise ApiError(422, "validation_error", exc.message) from None


def _invoke(payload: dict[str, Any]) -> dict[str, Any]:
    answer = aws.invoke_processor(settings.process_function_name, payload)
    if "error" in answer:
        code = answer["error"].get("code", "processing_error")
        status = {"document_not_found": 404, "object_not_found": 404, "validation_error": 422}.get(code, 502)
        raise ApiError(status, code, answer["error"].get("message", "processing failed"))
    return answer


@app.post(
    "/documents",
    summary="Submit a document (queued; ?sync=true processes small ones inline)",
    responses=_responses((202, 200), 400, 413, 415, 422, 502),
)
def submit_document(
    sync: Annotated[bool, Query(description="process inline and return the result")] = False,
) -> Response[SubmittedDocument | ResultDocument]:
    data, kind = _body_and_kind(settings.max_input_bytes)
    submission = _service().submit(data, kind)
    logger.info("document submitted", extra={"document_id": submission.document_id, "bytes": len(data)})
    if sync and len(data) <= settings.sync_max_bytes:
        answer = _invoke({"action": "process_object", "bucket": submission.bucket, "key": submission.key})
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer["result"])
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=SubmittedDocument(**submission.__dict__),
    )


@app.get("/documents", summary="List documents, or those mentioning an entity", responses=_responses(200, 400, 422))
def list_documents(
    entity: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    label: Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[A-Za-z_]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    next: Annotated[str | None, Query(max_length=4096)] = None,  # noqa: A002 - the API's parameter name
) -> DocumentList:
    if entity is not None:
        documents, token = _service().documents_mentioning(label or "PERSON", entity, limit=limit, next_token=next)
        return DocumentList(documents=[EntityDocumentRef(**d) for d in documents], next=token)
    summaries, token = _service().list_documents(limit=limit, next_token=next)
    return DocumentList(documents=[DocumentSummary(**s) for s in summaries], next=token)


@app.get("/documents/<document_id>", summary="The result document", responses=_responses(200, 404, 422))
def get_document(document_id: DocumentId) -> ResultDocument:
    return _service().get(document_id)


@app.delete(
    "/documents/<document_id>",
    summary="Delete the result, its entity items and the raw object",
    responses=_responses(204, 404, 422),
)
def delete_document(document_id: DocumentId) -> Response[None]:
    _service().delete(document_id)
    return Response(status_code=204, body=None)


@app.post(
    "/documents/<document_id>/reprocess",
    summary="Queue the stored object for processing again",
    responses=_responses(202, 404, 422),
)
def reprocess_document(document_id: DocumentId) -> Response[SubmittedDocument]:
    submission = _service().reprocess(document_id)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=SubmittedDocument(**submission.__dict__),
    )


@app.get(
    "/documents/<document_id>/view",
    summary="HTML view: highlighted entities, table, metadata, chart",
    responses=_responses(200, 404, 422, 502),
)
def view_document(document_id: DocumentId) -> Response[str]:
    answer = _invoke({"action": "render_view", "document_id": document_id})
    return Response(status_code=200, content_type=content_types.TEXT_HTML, body=answer["html"])


@app.post(
    "/extract",
    summary="Stateless: text, HTML or JSON in, result out, nothing stored",
    responses=_responses(200, 400, 413, 415, 422, 502),
)
def extract() -> ResultDocument:
    data, kind = _body_and_kind(settings.sync_max_bytes)
    answer = _invoke({"action": "extract", "body": data.decode(), "kind": kind.value})
    return ResultDocument.model_validate(answer["result"])


@app.post(
    "/uploads",
    summary="A presigned S3 PUT URL for files larger than the API payload limit",
    responses=_responses(200, 400, 415, 422),
)
def create_upload(request: UploadRequest) -> UploadTicket:
    ticket = _service().presigned_upload(request.filename)
    if ticket is None:
        raise ApiError(415, "unsupported_media_type", "the filename must end in .txt, .html, .htm or .json")
    return UploadTicket(**ticket)


@app.get(
    "/entities/<label>/<name>/documents",
    summary="Documents mentioning an entity (any merged form)",
    responses=_responses(200, 400, 422),
)
def entity_documents(
    label: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z_]+$")],
    name: Annotated[str, Path(min_length=1, max_length=300)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    next: Annotated[str | None, Query(max_length=4096)] = None,  # noqa: A002 - the API's parameter name
) -> EntityDocuments:
    from urllib.parse import unquote

    decoded_name = unquote(name)
    documents, token = _service().documents_mentioning(label, decoded_name, limit=limit, next_token=next)
    return EntityDocuments(
        label=label.upper(),
        name=decoded_name,
        documents=[EntityDocumentRef(**d) for d in documents],
        next=token,
    )


@app.get("/openapi.json", include_in_schema=False)
def openapi_json() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=app.get_openapi_json_schema())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
