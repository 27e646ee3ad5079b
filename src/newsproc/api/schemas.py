"""The HTTP API's request and response bodies, and the OpenAPI responses of its routes.

Their class names are the OpenAPI component names: renaming one changes the published schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

ERROR_DESCRIPTIONS = {
    400: "bad request (empty body, invalid JSON or continuation token)",
    404: "unknown document",
    413: "body over the size limit",
    415: "unsupported content type",
    422: "validation error (a parameter or the body's shape)",
    500: "an unexpected failure (the trace is in the logs, never in the answer)",
    502: "the process function failed",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


SUCCESS_DESCRIPTIONS: dict[int, dict[str, Any]] = {
    204: {"description": "no content", "content": {}},
    303: {
        "description": "larger than a Lambda response may be: Location is a short-lived S3 URL",
        "headers": {"Location": {"description": "the S3 URL (5 minutes)", "schema": {"type": "string"}}},
        "content": {},
    },
}


def responses(
    success: int | tuple[int, ...], *errors: int, bodies: dict[int, dict[str, Any]] | None = None
) -> dict[int, dict[str, Any]]:
    """OpenAPI responses of a route: its success statuses (schema from the return type, or the
    `content` given in `bodies`) and the error statuses it can answer, 500 always, all with the
    `{"error": {code, message}}` body."""
    error_content = {"application/json": {"model": ErrorBody}}
    entries: dict[int, dict[str, Any]] = {}
    for status in success if isinstance(success, tuple) else (success,):
        entries[status] = SUCCESS_DESCRIPTIONS.get(status, {"description": "success"})
        if bodies and status in bodies:
            entries[status] = {"description": entries[status]["description"], "content": bodies[status]}
    for status in (*errors, 500):
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
    method: Literal["POST"] = "POST"
    fields: dict[str, str] = Field(description="form fields to send before the file field (multipart/form-data)")
    max_bytes: int = Field(description="S3 refuses a larger file (content-length-range)")
    expires_in: int
