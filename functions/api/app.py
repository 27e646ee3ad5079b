"""ApiFunction: HTTP API (payload v2), OpenAPI-described. Never imports spaCy: what needs it
(extract, ?sync=true, the HTML view) is a direct invocation of the process function."""

from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsproc import models
from newsproc.api import direct, errors, requests, schemas, service, view
from newsproc.api.openapi import create_app, operation
from newsproc.media import SUFFIXES
from newsproc.settings import Settings

logger = Logger()
# Only botocore is patched: every outside call goes through it, and patching all the libraries the
# X-Ray SDK knows cost 0.13 s of cold start in a Lambda environment (python -m scripts.bench --only cold_start).
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()
app = create_app()  # OpenAPI: title, version, tags, IAM scheme, request bodies, /swagger, /openapi.json
errors.register_error_handlers(app, logger)
settings = Settings.from_env()
_invoke = partial(direct.call_process_function, settings.process_function_name)
_service = partial(service.DocumentService.from_settings, settings)
DocumentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]
DeclaredLanguage = Annotated[
    str | None,
    Query(max_length=16, description="the text's language (ISO 639-1, e.g. en) instead of detecting it"),
]
Collapse = Annotated[Literal["duplicates"] | None, Query(description="drop later near-duplicates (docs/duplicates.md)")]


@app.post("/documents", **operation("submitDocument"))
def submit_document(
    sync: Annotated[bool, Query(description="process inline and return the result")] = False,
    title: Annotated[str | None, Query(max_length=500, description="the document's title")] = None,
    filename: Annotated[str | None, Query(max_length=255, description="its file name: the title if none")] = None,
    language: DeclaredLanguage = None,
) -> Response[schemas.SubmittedDocument | models.ResultDocument]:
    data, kind = requests.document_body(app.current_event, settings.max_input_bytes)
    charset = requests.declared_charset(app.current_event)
    data, kind, charset = requests.with_metadata(data, kind, charset, title, filename, language)
    submission = _service().submit(data, kind, charset)
    logger.info("document submitted", extra={"document_id": submission.document_id, "bytes": len(data)})
    if sync and len(data) <= settings.sync_max_bytes:
        answer = _invoke({"action": "process_object", "bucket": submission.bucket, "key": submission.key})
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer["result"])
    queued = schemas.SubmittedDocument(**submission.__dict__)
    if sync:
        queued.message = (
            f"queued, not processed inline: the body has {len(data)} bytes and sync=true takes at most "
            f"{settings.sync_max_bytes} (SYNC_MAX_BYTES); poll GET /documents/{submission.document_id}"
        )
    return Response(202, content_types.APPLICATION_JSON, queued)


@app.get("/documents", **operation("listDocuments"))
def list_documents(
    entity: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    label: Annotated[
        str | None, Query(min_length=1, max_length=32, pattern=r"^[A-Za-z_]+$", description="required with entity")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    next: Annotated[str | None, Query(max_length=4096)] = None,  # noqa: A002 - the API's parameter name
    collapse: Collapse = None,
) -> schemas.DocumentList:
    if entity is not None:
        documents, token = _service().documents_mentioning(
            requests.entity_label(label), entity, limit=limit, next_token=next, collapse=collapse == "duplicates"
        )
        return schemas.DocumentList(documents=[schemas.EntityDocumentRef(**d) for d in documents], next=token)
    summaries, token = _service().list_documents(limit=limit, next_token=next)
    return schemas.DocumentList(documents=[schemas.DocumentSummary(**s) for s in summaries], next=token)


@app.get("/documents/<document_id>", **operation("getDocument"))
def get_document(document_id: DocumentId) -> models.ResultDocument:
    result = _service().get_or_link(document_id)
    if isinstance(result, str):  # larger than a Lambda response may be: the client fetches it from S3
        raise errors.SeeOther(result)
    return result


@app.delete("/documents/<document_id>", **operation("deleteDocument"))
def delete_document(document_id: DocumentId) -> Response[None]:
    _service().delete(document_id)
    return Response(status_code=204, body=None)


@app.post("/documents/<document_id>/reprocess", **operation("reprocessDocument"))
def reprocess_document(document_id: DocumentId) -> Response[schemas.SubmittedDocument]:
    submission = _service().reprocess(document_id)
    return Response(202, content_types.APPLICATION_JSON, schemas.SubmittedDocument(**submission.__dict__))


@app.get("/documents/<document_id>/similar", **operation("similarDocuments"))
def similar_documents(document_id: DocumentId) -> schemas.SimilarDocuments:
    return schemas.SimilarDocuments(document_id=document_id, duplicates=_service().similar(document_id))


@app.get("/documents/<document_id>/view", **operation("viewDocument"))
def view_document(document_id: DocumentId) -> Response[str]:
    answer = _invoke({"action": "render_view", "document_id": document_id})
    if "url" in answer:
        raise errors.SeeOther(answer["url"])
    return Response(200, content_types.TEXT_HTML, answer["html"], headers=dict(view.SECURITY_HEADERS))


@app.get("/", **operation("browseDocuments"))
def browse_documents() -> Response[str]:
    from newsproc.api import browser  # Jinja2 itself is imported on the first render, not at every cold start

    event = app.current_event
    page = browser.page(_service(), event.query_string_parameters or {}, stage=event.request_context.stage)
    return Response(200, content_types.TEXT_HTML, page, headers=dict(browser.SECURITY_HEADERS))


@app.post("/extract", **operation("extract"))
def extract(language: DeclaredLanguage = None) -> models.ResultDocument:
    data, kind = requests.document_body(app.current_event, settings.sync_max_bytes)
    charset = requests.declared_charset(app.current_event)
    data, kind, charset = requests.with_metadata(data, kind, charset, None, None, language)
    answer = _invoke({"action": "extract", "body": requests.body_text(data, charset), "kind": kind.value})
    return models.ResultDocument.model_validate(answer["result"])


@app.post("/uploads", **operation("createUpload"))
def create_upload(request: schemas.UploadRequest) -> schemas.UploadTicket:
    if (ticket := _service().presigned_upload(request.filename)) is None:
        suffixes = ", ".join(sorted(SUFFIXES))
        raise errors.ApiError(415, "unsupported_media_type", f"the filename must end in one of {suffixes}")
    return schemas.UploadTicket(**ticket)


@app.get("/entities/<label>/<name>/documents", **operation("entityDocuments"))
def entity_documents(
    label: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z_]+$")],
    name: Annotated[str, Path(min_length=1, max_length=300)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    next: Annotated[str | None, Query(max_length=4096)] = None,  # noqa: A002 - the API's parameter name
    collapse: Collapse = None,
) -> schemas.EntityDocuments:
    documents, token = _service().documents_mentioning(
        label, unquote(name), limit=limit, next_token=next, collapse=collapse == "duplicates"
    )
    refs = [schemas.EntityDocumentRef(**d) for d in documents]
    return schemas.EntityDocuments(label=label.upper(), name=unquote(name), documents=refs, next=token)


@app.get("/entities/<label>/<name>/timeline", **operation("entityTimeline"))
def entity_timeline(
    label: schemas.LabelPath, name: schemas.NamePath, q: schemas.TimelineParams
) -> schemas.EntityTimeline:
    periods, token = _service().timeline(label, unquote(name), **q.arguments())
    return schemas.EntityTimeline(
        label=label.upper(), name=unquote(name), granularity=q.granularity, periods=periods, next=token
    )


@app.get("/trends", **operation("trends"))
def trends(q: schemas.TrendsParams) -> schemas.Trends:
    return schemas.Trends(**_service().trends(q.label, start=q.start, end=q.end, limit=q.limit))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
