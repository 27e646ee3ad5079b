"""Use cases that join the pipeline to storage: ingest S3 events, submit and read documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from aws_lambda_powertools import Logger

from newsproc.errors import DocumentNotFoundError
from newsproc.events import MalformedEventError, ObjectRef, object_refs_from_message
from newsproc.models import ErrorCode, ResultDocument, Source
from newsproc.pipeline import DocumentInput, DocumentPipeline, document_id_for
from newsproc.settings import Settings
from newsproc.storage import DocumentRepository, RawObjectStore

logger = Logger(child=True)


@dataclass
class MessageOutcome:
    """What became of one SQS message: its results, or the error that makes SQS retry it."""

    message_id: str
    results: list[ResultDocument] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    error: Exception | None = None


class IngestService:
    def __init__(
        self,
        pipeline: DocumentPipeline,
        raw_store: RawObjectStore,
        repository: DocumentRepository,
        *,
        max_input_bytes: int,
    ) -> None:
        self.pipeline = pipeline
        self.raw_store = raw_store
        self.repository = repository
        self.max_input_bytes = max_input_bytes

    def handle_messages(self, messages: Sequence[tuple[str, str]]) -> dict[str, MessageOutcome]:
        """Process every S3 event of a batch of (message_id, body), NER batched over all documents.

        A permanent input problem becomes a FAILED result that is stored; any other exception is
        kept on that message's outcome so only that message is retried.
        """
        outcomes = {message_id: MessageOutcome(message_id) for message_id, _ in messages}
        inputs: list[tuple[str, DocumentInput]] = []
        for message_id, body in messages:
            outcome = outcomes[message_id]
            try:
                for ref in object_refs_from_message(body):
                    if ref.removed:
                        self._forget(ref, outcome)
                        continue
                    loaded = self._load(ref)
                    if isinstance(loaded, ResultDocument):
                        outcome.results.append(loaded)
                    elif loaded is not None:
                        inputs.append((message_id, loaded))
            except MalformedEventError as exc:
                logger.warning("not an S3 event", extra={"message_id": message_id, "reason": str(exc)})
                outcome.error = exc
            except Exception as exc:  # transient (throttling, 5xx): SQS retries this message
                logger.exception("loading failed", extra={"message_id": message_id})
                outcome.error = exc

        pending = [(mid, doc) for mid, doc in inputs if outcomes[mid].error is None]
        results = self.pipeline.process_batch([doc for _, doc in pending])
        for (message_id, _), result in zip(pending, results, strict=True):
            outcomes[message_id].results.append(result)

        for outcome in outcomes.values():
            if outcome.error is not None:
                continue
            try:
                for result in outcome.results:
                    self.repository.save(result)
                    logger.info(
                        "document stored",
                        extra={
                            "document_id": result.document_id,
                            "status": result.status.value,
                            "error_code": result.error.code.value if result.error else None,
                            "entities": len(result.entities),
                            "chars": len(result.clean_text),
                        },
                    )
            except Exception as exc:
                logger.exception("storing failed", extra={"message_id": outcome.message_id})
                outcome.error = exc
        return outcomes

    def _load(self, ref: ObjectRef) -> DocumentInput | ResultDocument | None:
        document_id = document_id_for(ref.bucket, ref.key)
        head = self.raw_store.head(ref.bucket, ref.key, ref.version_id)
        if head is None:
            # Deleted since the event was sent: its ObjectRemoved event cleans up; nothing to do.
            logger.info("object gone before processing", extra={"document_id": document_id})
            return None
        source = Source(
            bucket=ref.bucket,
            key=ref.key,
            version_id=head.get("VersionId") or ref.version_id,
            etag=(head.get("ETag") or "").strip('"') or ref.etag,
            content_type=head.get("ContentType"),
            size=int(head.get("ContentLength", 0)),
        )
        if source.size > self.max_input_bytes:
            return self.pipeline.failed(
                document_id,
                source,
                ErrorCode.TOO_LARGE,
                f"the object has {source.size} bytes; the limit is {self.max_input_bytes}",
            )
        stored = self.raw_store.get(ref.bucket, ref.key, ref.version_id)
        if stored is None:
            return None
        return DocumentInput(document_id=document_id, data=stored.data, source=source)

    def _forget(self, ref: ObjectRef, outcome: MessageOutcome) -> None:
        document_id = document_id_for(ref.bucket, ref.key)
        self.repository.delete(document_id)
        outcome.removed.append(document_id)
        logger.info("document removed", extra={"document_id": document_id})


SubmitKind = Literal["text", "html", "json"]
SUBMIT_SUFFIXES: dict[str, str] = {"text": ".txt", "html": ".html", "json": ".json"}
SUBMIT_CONTENT_TYPES = {
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
}
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

    def __init__(self, raw_store: RawObjectStore, repository: DocumentRepository, *, settings: Settings) -> None:
        self.raw_store = raw_store
        self.repository = repository
        self.settings = settings

    def _new_key(self, suffix: str) -> str:
        return f"{self.settings.upload_prefix}{uuid.uuid4().hex}{suffix}"

    def submit(self, data: bytes, kind: SubmitKind) -> Submission:
        """Write the body to the raw bucket; the bucket notification runs it through the pipeline."""
        suffix = SUBMIT_SUFFIXES[kind]
        key = self._new_key(suffix)
        bucket = self.settings.raw_bucket
        self.raw_store.put(bucket, key, data, SUBMIT_CONTENT_TYPES[suffix])
        return Submission(document_id=document_id_for(bucket, key), bucket=bucket, key=key)

    def presigned_upload(self, filename: str) -> dict[str, object] | None:
        """A presigned PUT for a large file; only the filename's suffix is kept."""
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix not in SUBMIT_CONTENT_TYPES:
            return None
        key, bucket = self._new_key(suffix), self.settings.raw_bucket
        content_type = SUBMIT_CONTENT_TYPES[suffix]
        url = self.raw_store.presigned_put(bucket, key, content_type, PRESIGNED_URL_SECONDS)
        return {
            "document_id": document_id_for(bucket, key),
            "bucket": bucket,
            "key": key,
            "url": url,
            "headers": {"Content-Type": content_type},
            "expires_in": PRESIGNED_URL_SECONDS,
        }

    def get(self, document_id: str) -> ResultDocument:
        return self.repository.get(document_id)

    def list_documents(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        from newsproc.catalog import DocumentCatalog
        from newsproc.runtime import dynamodb_resource

        return DocumentCatalog(dynamodb_resource(), table_name=self.settings.table_name).list(
            limit=limit, next_token=next_token
        )

    def delete(self, document_id: str) -> None:
        """Remove the raw object, the result and its entity items (404 when unknown)."""
        result = self.repository.get(document_id)
        if result.source.bucket and result.source.key:
            self.raw_store.delete(result.source.bucket, result.source.key)
        self.repository.delete(document_id)

    def reprocess(self, document_id: str) -> Submission:
        """Queue the stored object again, as if S3 had re-sent its event (forced past idempotency)."""
        from newsproc.events import ObjectRef, s3_event_message
        from newsproc.runtime import sqs_client

        result = self.repository.get(document_id)
        bucket, key = result.source.bucket, result.source.key
        if not bucket or not key or not self.settings.queue_url:
            raise DocumentNotFoundError(document_id)
        message = s3_event_message(ObjectRef(bucket=bucket, key=key), event_name="ObjectCreated:Reprocess")
        sqs_client().send_message(QueueUrl=self.settings.queue_url, MessageBody=message)
        return Submission(document_id=document_id, bucket=bucket, key=key)

    def documents_mentioning(
        self, label: str, name: str, *, limit: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        from newsproc.entities import entity_key

        return self.repository.documents_mentioning(label.upper(), entity_key(name), limit=limit, next_token=next_token)
