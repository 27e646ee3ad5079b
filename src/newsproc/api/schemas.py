"""The HTTP API's request and response bodies, and the OpenAPI responses of its routes.

Their class names are the OpenAPI component names: renaming one changes the published schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from newsproc.models import Duplicate
from newsproc.pipeline.similarity import SCHEME  # plain Python: numpy only when a signature is computed

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
    # Added: why a `sync=true` request was queued instead of processed inline (null otherwise).
    message: str | None = None


class TopEntity(BaseModel):
    name: str
    label: str
    count: int = 0


class DocumentSummary(BaseModel):
    document_id: str
    status: str | None = None
    key: str | None = None
    updated_at: str | None = None
    error_code: str | None = None
    entity_count: int = 0
    # Added for the browser (GET /); null or empty for documents stored before they were recorded.
    title: str | None = None
    published: str | None = None
    language: str | None = None
    top_entities: list[TopEntity] = Field(default_factory=list, description="the most salient (at most 5)")


class EntityDocumentRef(BaseModel):
    document_id: str
    name: str | None = None
    label: str | None = None
    count: int = 0
    salience: float = 0.0
    title: str | None = None
    published: str | None = Field(default=None, description="the document's published date, as stored")


class EntityDocuments(BaseModel):
    label: str
    name: str
    documents: list[EntityDocumentRef]
    next: str | None = None


class DocumentList(BaseModel):
    documents: list[DocumentSummary] | list[EntityDocumentRef]
    next: str | None = None


class SimilarDocuments(BaseModel):
    document_id: str
    threshold: float = Field(SCHEME.threshold, description="estimated Jaccard similarity (word 3-grams) to be listed")
    duplicates: list[Duplicate] = Field(description="near-duplicates stored now, most similar first (at most 50)")


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


# Timelines and trends (newsproc.trends.reads). The query parameters are models, so a route takes them as one
# argument (`Annotated[Model, Query()]`); openapi.py documents each field with the model's own schema.
DAY = r"^\d{4}-\d{2}-\d{2}$"
LabelPath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z_]+$")]
NamePath = Annotated[str, Path(min_length=1, max_length=300)]
TrendLabel = Literal["EVENT", "FAC", "GPE", "LAW", "LOC", "NORP", "ORG", "PERSON", "PRODUCT", "WORK_OF_ART"]


class TimelineQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: str | None = Field(
        None, alias="from", pattern=DAY, description="first day (default: 366 days, 1,827 for weeks, ending on `to`)"
    )
    end: str | None = Field(
        None,
        alias="to",
        pattern=DAY,
        description="last day, included (default: today, UTC; with neither from nor to, the day of the entity's "
        "latest dated document, up to today)",
    )
    granularity: Literal["day", "week"] = Field("day", description="per day, or per ISO week (its Monday)")
    limit: int = Field(1000, ge=1, le=1000, description="entity-index items this call reads, at most")
    next: str | None = Field(None, max_length=4096, description="the previous page's token (same entity and window)")

    def arguments(self) -> dict[str, Any]:
        """DocumentService.timeline's keyword arguments."""
        return {"start": self.start, "end": self.end, "granularity": self.granularity, "limit": self.limit,
                "next_token": self.next}  # fmt: skip


class TrendsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    label: TrendLabel = Field(description="the counted labels: names, not values such as DATE or MONEY")
    start: str | None = Field(None, alias="from", pattern=DAY, description="first day (default: 6 days before `to`)")
    end: str | None = Field(None, alias="to", pattern=DAY, description="last day, included (default: today, UTC)")
    limit: int = Field(20, ge=1, le=100, description="entities returned")


TimelineParams = Annotated[TimelineQuery, Query()]
TrendsParams = Annotated[TrendsQuery, Query()]


class TimelinePeriod(BaseModel):
    period: str = Field(description="the day, or the Monday of the ISO week (YYYY-MM-DD)")
    documents: int = Field(description="documents published in the period that mention the entity")
    mentions: int = Field(description="their mentions of it")


class EntityTimeline(BaseModel):
    label: str
    name: str
    granularity: Literal["day", "week"]
    periods: list[TimelinePeriod] = Field(description="oldest first; periods without documents are left out")
    next: str | None = None


class TrendingEntity(BaseModel):
    label: str
    name: str
    key: str
    documents: int = Field(description="documents of the window that mention it")
    mentions: int
    previous_documents: int = Field(description="the same in the window of equal length just before")
    change: int = Field(description="documents - previous_documents")


class Trends(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    label: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    previous_from: str
    previous_to: str
    entities: list[TrendingEntity] = Field(description="most documents first; ties: the larger change")
    complete: bool = Field(description="false when a day had more counters than are read (500): lower bounds")
