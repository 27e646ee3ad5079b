"""The API function's use cases: submit into the raw bucket, read, list, delete, reprocess, query entities.

CoreLayer only (tests/integration/test_api_layer_boundary.py): entity names are keyed with
`newsproc.names`, never with the pipeline's modules.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsproc.errors import DocumentNotFoundError
from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.media import CANONICAL_SUFFIX, SUFFIXES, MediaType, base_content_type, document_id_for, suffix_of
from newsproc.models import Duplicate, ResultDocument
from newsproc.names import entity_key
from newsproc.settings import Settings
from newsproc.store.catalog import DocumentCatalog
from newsproc.store.documents import DocumentRepository
from newsproc.store.raw import RawObjectStore
from newsproc.trends import reads
from newsproc.trends.periods import RequestError
from newsproc.trends.reads import DayCounters, TimelineStore

PRESIGNED_URL_SECONDS = 900


@dataclass(frozen=True)
class Submission:
    document_id: str
    bucket: str
    key: str


class DocumentService:
    """What the HTTP API does: submit into the raw bucket, read, list, delete, reprocess, query entities.

    Keys the service writes are built from a random id and a fixed suffix only: user input never
    becomes part of an S3 key or a path.
    """

    def __init__(
        self,
        raw_store: RawObjectStore,
        repository: DocumentRepository,
        catalog: DocumentCatalog,
        sqs_client: Any,
        *,
        settings: Settings,
        timelines: TimelineStore | None = None,
        counters: DayCounters | None = None,
    ) -> None:
        self.raw_store = raw_store
        self.repository = repository
        self.catalog = catalog
        self.sqs = sqs_client
        self.settings = settings
        self.timelines = timelines  # an entity's dated documents (EntityIndex), for timeline()
        self.counters = counters  # the per-day entity counters (trends table), for trends()

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentService:
        """Wired to the clients of newsproc.aws (created once per container)."""
        from newsproc import aws, store

        repository, catalog = store.document_repository(settings), store.document_catalog(settings)
        stores = {"timelines": store.entity_timeline(settings), "counters": store.trend_counters(settings)}
        return cls(store.raw_store(), repository, catalog, aws.sqs_client(), settings=settings, **stores)

    def _new_key(self, suffix: str) -> str:
        return f"{self.settings.upload_prefix}{uuid.uuid4().hex}{suffix}"

    def submit(self, data: bytes, media_type: MediaType, charset: str | None = None) -> Submission:
        """Write the body to the raw bucket as sent; the bucket notification runs it through the pipeline.

        The object's content type carries the charset the client declared (none: detected when decoded).
        """
        suffix = CANONICAL_SUFFIX[media_type]
        key = self._new_key(suffix)
        bucket = self.settings.raw_bucket
        content_type = base_content_type(SUFFIXES[suffix][1])
        self.raw_store.put(bucket, key, data, f"{content_type}; charset={charset}" if charset else content_type)
        return Submission(document_id=document_id_for(bucket, key), bucket=bucket, key=key)

    def presigned_upload(self, filename: str) -> dict[str, object] | None:
        """A presigned POST for a large file, limited to MAX_INPUT_BYTES; only the filename's suffix is kept."""
        suffix = suffix_of(filename)
        if suffix is None:
            return None
        key, bucket = self._new_key(suffix), self.settings.raw_bucket
        content_type = SUFFIXES[suffix][1]
        url, fields = self.raw_store.presigned_post(
            bucket, key, content_type, self.settings.max_input_bytes, PRESIGNED_URL_SECONDS
        )
        return {
            "document_id": document_id_for(bucket, key),
            "bucket": bucket,
            "key": key,
            "url": url,
            "fields": fields,
            "max_bytes": self.settings.max_input_bytes,
            "expires_in": PRESIGNED_URL_SECONDS,
        }

    def get_or_link(self, document_id: str) -> ResultDocument | str:
        """The result, or a short-lived S3 URL when it is too large for a Lambda response (404 when unknown)."""
        from newsproc.api.direct import LINK_SECONDS

        return self.repository.get_or_link(
            document_id, larger_than=self.settings.max_response_bytes, expires_in=LINK_SECONDS
        )

    def get(self, document_id: str) -> ResultDocument:
        return self.repository.get(document_id)

    def list_documents(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        return self.catalog.list(limit=limit, next_token=next_token)

    def delete(self, document_id: str) -> None:
        """Erasure: every version of the raw object, the result and its entity items (404 when unknown).

        Only the raw bucket is touched: a result stored for an event naming another bucket is refused
        data, and the API never deletes outside its own bucket.
        """
        result = self.repository.get(document_id)
        if result.source.bucket == self.settings.raw_bucket and result.source.key:
            self.raw_store.erase(result.source.bucket, result.source.key)
        self.repository.delete(document_id)

    def reprocess(self, document_id: str) -> Submission:
        """Queue the stored object again, as if S3 had re-sent its event (forced past idempotency)."""
        result = self.repository.get(document_id)
        bucket, key = result.source.bucket, result.source.key
        if not bucket or not key or not self.settings.queue_url:
            raise DocumentNotFoundError(document_id)
        message = s3_event_message(ObjectRef(bucket=bucket, key=key, force=True))
        self.sqs.send_message(QueueUrl=self.settings.queue_url, MessageBody=message)
        return Submission(document_id=document_id, bucket=bucket, key=key)

    def documents_mentioning(
        self, label: str, name: str, *, limit: int, next_token: str | None, collapse: bool = False
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the entity's documents; with `collapse`, less the later stored near-duplicates of
        documents that mention it too (docs/duplicates.md): a page may then hold fewer than `limit`."""
        label, key = label.upper(), entity_key(name)
        documents, token = self.repository.documents_mentioning(label, key, limit=limit, next_token=next_token)
        if collapse and documents:
            documents = self.repository.duplicates.collapse(documents, label, key)
        return documents, token

    def similar(self, document_id: str) -> list[Duplicate]:
        """The near-duplicates of a stored document among the documents stored now (404 when unknown)."""
        matches = self.repository.duplicates.similar_to(document_id)
        return [Duplicate(document_id=m.document_id, similarity=m.similarity) for m in matches]

    def timeline(
        self,
        label: str,
        name: str,
        *,
        start: str | None,
        end: str | None,
        granularity: str,
        limit: int,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The entity's documents and mentions per day or ISO week (`period`: the day, or the week's Monday),
        oldest first, from one bounded EntityIndex Query (at most `limit` <= 1,000 items); documents without
        a published date are not counted. Bad windows and values answer 422 (newsproc.trends.reads)."""
        assert self.timelines is not None, "from_settings wires the timeline store"
        with _unprocessable():
            return reads.timeline(
                self.timelines, label.upper(), entity_key(name), start=start, end=end, granularity=granularity,
                limit=limit, next_token=next_token, today=datetime.now(UTC).date(),
            )  # fmt: skip

    def trends(self, label: str, *, start: str | None, end: str | None, limit: int) -> dict[str, Any]:
        """The label's entities with the most documents from `start` to `end` (at most 31 days; default the
        last 7 ending today, UTC) and their documents in the window before (newsproc.trends.reads)."""
        assert self.counters is not None, "from_settings wires the trend counters"
        with _unprocessable():
            return reads.trends(
                self.counters, label.upper(), start=start, end=end, limit=limit, today=datetime.now(UTC).date()
            )


@contextmanager
def _unprocessable() -> Iterator[None]:
    """A read's RequestError (a window or value it does not take) as the API's 422 with the rule's code."""
    from newsproc.api.errors import ApiError

    try:
        yield
    except RequestError as exc:
        raise ApiError(422, exc.code, exc.message) from None
