"""The versioned result document and its parts: one shape for CLI, DynamoDB/S3 and the API."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# v1: the pipeline issue's shape. v2 adds `removed` (audit of dropped boilerplate),
# `entities[].key` (the normalized index key) and `entities[].salience`. v3 adds `warnings` (machine-readable
# notes on a PROCESSED document, e.g. language_not_supported: no entities were extracted for its language).
# v4 adds `mentions[].confidence` and `entities[].confidence` (0..1, null unless NER_CONFIDENCE is on;
# v3 documents load with null). v5 adds `entities[].links` (gazetteer links of places: GeoNames id, ISO 3166
# code, coordinates; null when unlinked) and `duplicates` (already stored near-duplicates of the clean text).
SCHEMA_VERSION = "5"


# How HTML is turned into article text (settings.html_extractor, cleaning.clean_html).
HtmlExtractor = Literal["markup", "trafilatura"]


class Status(StrEnum):
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"


class ErrorCode(StrEnum):
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UNDECODABLE = "undecodable"
    INVALID_JSON = "invalid_json"
    EMPTY_DOCUMENT = "empty_document"
    EMPTY_AFTER_CLEANING = "empty_after_cleaning"
    TOO_LARGE = "too_large"
    OBJECT_NOT_FOUND = "object_not_found"
    # The event names a bucket other than the raw bucket: never read.
    FOREIGN_BUCKET = "foreign_bucket"
    # DynamoDB refused the result's items for good (a limit no retry can change).
    NOT_STORABLE = "not_storable"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WarningCode(StrEnum):
    # The identified language has no NER pipeline (NER_MODELS): no mentions, no entities.
    LANGUAGE_NOT_SUPPORTED = "language_not_supported"
    # The language could not be identified and the text is not plausibly English: no mentions, no entities.
    LANGUAGE_UNKNOWN = "language_unknown"


class ResultWarning(_Model):
    code: WarningCode
    message: str


class ErrorInfo(_Model):
    code: ErrorCode
    message: str


class Source(_Model):
    bucket: str | None = None
    key: str | None = None
    version_id: str | None = None
    etag: str | None = None
    content_type: str | None = None
    size: int = 0


class Metadata(_Model):
    title: str | None = None
    published: str | None = None
    byline: str | None = None
    url: str | None = None
    language: str | None = None
    word_count: int = 0


class Mention(_Model):
    start: int
    end: int
    text: str
    label: str
    entity_id: str
    # 0..1 (docs/entities.md, "Confidence"); None when NER_CONFIDENCE is off and in documents before v4.
    confidence: float | None = None


class PlaceLink(_Model):
    """Where a GPE/LOC entity is: a GeoNames id (cities, regions, countries) and/or an ISO 3166 code."""

    geonames: int | None = None
    iso3166: str | None = None
    lat: float | None = None
    lon: float | None = None


class Entity(_Model):
    id: str
    key: str
    name: str
    label: str
    count: int
    variants: list[str] = Field(default_factory=list)
    first_start: int
    salience: float = 0.0
    # The highest confidence of its mentions; None when they have none.
    confidence: float | None = None
    # Places only (v5): None when the entity is not a place or no gazetteer entry is sure enough.
    links: PlaceLink | None = None


class RemovedSegment(_Model):
    text: str
    reason: str


class Duplicate(_Model):
    """An already stored document whose clean text is a near-duplicate of this one (MinHash estimate)."""

    document_id: str
    similarity: float


class Pipeline(_Model):
    version: str
    model: str | None = None
    model_version: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ResultDocument(_Model):
    schema_version: str = SCHEMA_VERSION
    document_id: str
    status: Status
    error: ErrorInfo | None = None
    source: Source = Field(default_factory=Source)
    metadata: Metadata = Field(default_factory=Metadata)
    clean_text: str = ""
    mentions: list[Mention] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    removed: list[RemovedSegment] = Field(default_factory=list)
    warnings: list[ResultWarning] = Field(default_factory=list)
    duplicates: list[Duplicate] = Field(default_factory=list)
    pipeline: Pipeline

    @classmethod
    def failed(
        cls,
        document_id: str,
        source: Source,
        code: ErrorCode,
        message: str,
        pipeline: Pipeline,
        removed: list[RemovedSegment] | None = None,
    ) -> ResultDocument:
        """The stored answer for an input no retry can fix: its error, its source, no text (and, when the
        cleaner left nothing, what it removed)."""
        error = ErrorInfo(code=code, message=message)
        return cls(
            document_id=document_id,
            status=Status.FAILED,
            error=error,
            source=source,
            pipeline=pipeline,
            removed=list(removed or []),
        )
