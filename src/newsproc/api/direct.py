"""Direct (synchronous) invocations of the process function, used by the API for the requests that
need spaCy: stateless extraction, `?sync=true` submissions and the HTML view.

Payloads:
    {"action": "extract", "body": str, "kind": "text"|"html"|"json"}            -> {"result": {...}}
    {"action": "process_object", "bucket": str, "key": str}                    -> {"result": {...}}
    {"action": "render_view", "document_id": str}                              -> {"html": str}
Errors come back as {"error": {"code", "message"}}: the caller maps them to HTTP statuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from newsproc import aws
from newsproc.errors import DocumentNotFoundError
from newsproc.media import DocumentInput, MediaType, document_id_for
from newsproc.models import Source
from newsproc.store.documents import DocumentRepository
from newsproc.store.duplicates import with_duplicates
from newsproc.store.raw import RawObjectStore

if TYPE_CHECKING:  # runs in the process function, which passes its loaded pipeline in
    from newsproc.pipeline.run import DocumentPipeline


class ExtractRequest(BaseModel):
    action: Literal["extract"]
    body: str
    kind: Literal["text", "html", "json"] = "text"


class ProcessObjectRequest(BaseModel):
    action: Literal["process_object"]
    bucket: str
    key: str


class RenderViewRequest(BaseModel):
    action: Literal["render_view"]
    document_id: str


DirectRequest = TypeAdapter(
    Annotated[ExtractRequest | ProcessObjectRequest | RenderViewRequest, Field(discriminator="action")]
)


def handle_direct(
    event: dict[str, Any],
    pipeline: DocumentPipeline,
    raw_store: RawObjectStore,
    repository: DocumentRepository,
    *,
    max_response_bytes: int = 5_000_000,
) -> dict[str, Any]:
    try:
        request = DirectRequest.validate_python(event)
    except ValidationError as exc:
        return {"error": {"code": "validation_error", "message": str(exc.errors()[0]["msg"])}}
    if isinstance(request, ExtractRequest):
        data = request.body.encode()
        document = DocumentInput(
            document_id=document_id_for("extract", request.body),
            data=data,
            source=Source(content_type=request.kind, size=len(data)),
            media_type=MediaType(request.kind),
        )
        return {"result": pipeline.process(document).model_dump(mode="json")}
    if isinstance(request, ProcessObjectRequest):
        stored = raw_store.get(request.bucket, request.key)
        if stored is None:
            return {"error": {"code": "object_not_found", "message": f"no object {request.key!r}"}}
        source = Source(
            bucket=request.bucket,
            key=request.key,
            version_id=stored.version_id,
            etag=stored.etag,
            content_type=stored.content_type,
            size=stored.size,
        )
        result = pipeline.process(
            DocumentInput(document_id=document_id_for(request.bucket, request.key), data=stored.data, source=source)
        )
        # As the ingest path (its S3 event is then a duplicate); the save indexes the signature looked up with.
        result, own = with_duplicates(result, repository.duplicates)
        repository.save(result, signature=own)
        return {"result": result.model_dump(mode="json")}
    from newsproc.api.view import render_view  # displaCy: only the process function renders

    try:
        html = render_view(repository.get(request.document_id))
        if len(html.encode()) > max_response_bytes:  # over what Lambda may answer: fetched from S3
            return {"url": repository.store_view(request.document_id, html, expires_in=LINK_SECONDS)}
        return {"html": html}
    except DocumentNotFoundError:
        return {"error": {"code": "document_not_found", "message": f"no result for {request.document_id!r}"}}


# Lifetime of the S3 URLs given for results and views too large for a Lambda response.
LINK_SECONDS = 300

# The HTTP status of each error code the process function answers; any other code is its own failure.
ERROR_STATUSES = {"document_not_found": 404, "object_not_found": 404, "validation_error": 422}


def call_process_function(function_name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The API's side: invoke the process function with a direct payload; its answer, or ApiError."""
    # Here, not at the top: it loads Powertools' event handler, which the process function (it imports
    # this module for handle_direct) never needs.
    from newsproc.api.errors import ApiError

    answer = aws.invoke_processor(function_name, payload)
    if "error" in answer:
        code = answer["error"].get("code", "processing_error")
        raise ApiError(ERROR_STATUSES.get(code, 502), code, answer["error"].get("message", "processing failed"))
    return answer
