"""The process function's use case: S3 events in, one stored result per object version (docs/reliability.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from newsproc.ingest.events import MalformedEventError, ObjectRef, object_refs_from_message
from newsproc.media import DocumentInput, document_id_for
from newsproc.models import ErrorCode, ResultDocument, Source
from newsproc.store.documents import DocumentRepository, error_message, is_permanent_storage_error
from newsproc.store.duplicates import with_duplicates
from newsproc.store.ordering import StoredMeta, WriteOrder, modified_token, normalize_sequencer
from newsproc.store.raw import RawObjectStore

if TYPE_CHECKING:
    from newsproc.pipeline.run import DocumentPipeline

logger = Logger(child=True)


class DeadlineDeferred(Exception):
    """The invocation is close to its timeout: the message was not started and goes back to SQS."""


@dataclass
class MessageOutcome:
    """What became of one SQS message: its results, or the error that makes SQS retry it."""

    message_id: str
    results: list[ResultDocument] = field(default_factory=list)  # stored by this message
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # document ids: duplicate, superseded or gone
    error: Exception | None = None

    @property
    def deferred(self) -> bool:
        return isinstance(self.error, DeadlineDeferred)


@dataclass(frozen=True)
class _Work:
    message_id: str
    position: int
    ref: ObjectRef
    document_id: str


@dataclass(frozen=True)
class _Planned:
    message_id: str
    document_id: str
    order: WriteOrder
    document: DocumentInput | None = None  # to run through the pipeline
    result: ResultDocument | None = None  # decided without the pipeline (too_large)

    @property
    def size(self) -> int:
        return len(self.document.data) if self.document is not None else 0


class IngestService:
    """S3 events -> results, once per object version, newest version wins (docs/reliability.md).

    Per record: read the stored item's order attributes (one GetItem); skip a duplicate (same
    version and pipeline version) or an event older than what is stored; HEAD (size limit before
    the body is read); GET; pipeline; conditional write. Records are run in groups (NER batched
    inside a group); before each group the remaining time is checked and, when it is low, every
    record not started yet is handed back to SQS instead of letting the invocation time out.
    """

    def __init__(
        self,
        pipeline: DocumentPipeline,
        raw_store: RawObjectStore,
        repository: DocumentRepository,
        *,
        max_input_bytes: int,
        raw_bucket: str | None = None,
        reserve_ms: int = 15_000,
        group_size: int = 10,
        group_bytes: int = 1_000_000,
    ) -> None:
        self.pipeline = pipeline
        self.raw_store = raw_store
        self.repository = repository
        self.max_input_bytes = max_input_bytes
        self.raw_bucket = raw_bucket  # None: any bucket (the CLI and tests)
        self.reserve_ms = reserve_ms
        self.group_size = group_size
        self.group_bytes = group_bytes
        self.pipeline_version = str(pipeline.pipeline_info.get("version"))

    def handle_messages(
        self, messages: Sequence[tuple[str, str]], *, remaining_ms: Callable[[], int] | None = None
    ) -> dict[str, MessageOutcome]:
        """Process every S3 event of a batch of (message_id, body).

        A permanent input problem becomes a FAILED result that is stored; any other exception is
        kept on that message's outcome so only that message is retried. `remaining_ms` is the
        Lambda context's get_remaining_time_in_millis: messages not started when it runs low
        get a DeadlineDeferred error (returned to SQS as batch item failures).
        """
        outcomes = {message_id: MessageOutcome(message_id) for message_id, _ in messages}
        work = self._latest_per_document(self._parse(messages, outcomes), outcomes)
        group: list[_Planned] = []
        group_started = 0.0
        slowest_group_ms = 0.0
        for index, item in enumerate(work):
            outcome = outcomes[item.message_id]
            if outcome.error is not None:
                continue
            if not group:
                if self._out_of_time(remaining_ms, slowest_group_ms):
                    self._defer(work[index:], outcomes, remaining_ms)
                    break
                group_started = time.perf_counter()
            try:
                planned = self._plan(item, outcome)
            except Exception as exc:  # transient (throttling, 5xx, network): SQS retries this message
                logger.exception("loading failed", extra={"message_id": item.message_id})
                outcome.error = exc
                continue
            if planned is not None:
                group.append(planned)
            if group and (len(group) >= self.group_size or sum(p.size for p in group) >= self.group_bytes):
                self._run_group(group, outcomes)
                slowest_group_ms = max(slowest_group_ms, (time.perf_counter() - group_started) * 1000)
                group = []
        if group:
            self._run_group(group, outcomes)
        return outcomes

    # ------------------------------------------------------------------------------------ batch

    def _parse(self, messages: Sequence[tuple[str, str]], outcomes: dict[str, MessageOutcome]) -> list[_Work]:
        work: list[_Work] = []
        for message_id, body in messages:
            try:
                refs = object_refs_from_message(body)
            except MalformedEventError as exc:
                # Retried, then parked in the DLQ where an operator sees it (nothing to store).
                logger.warning("not an S3 event", extra={"message_id": message_id, "reason": str(exc)[:200]})
                outcomes[message_id].error = exc
                continue
            for ref in refs:
                work.append(_Work(message_id, len(work), ref, document_id_for(ref.bucket, ref.key)))
        return work

    def _latest_per_document(self, work: list[_Work], outcomes: dict[str, MessageOutcome]) -> list[_Work]:
        """One record per document in a batch: the highest sequencer, else the last one.

        Any single record converges to the key's current state (see _plan), so the others of the
        same key are acknowledged without work: duplicates delivered together cost nothing.
        """
        latest: dict[str, _Work] = {}
        for item in work:
            kept = latest.get(item.document_id)
            if kept is None or _later(item, kept):
                latest[item.document_id] = item
        chosen = {id(item) for item in latest.values()}
        for item in work:
            if id(item) not in chosen:
                outcomes[item.message_id].skipped.append(item.document_id)
        return [item for item in work if id(item) in chosen]

    def _out_of_time(self, remaining_ms: Callable[[], int] | None, slowest_group_ms: float) -> bool:
        if remaining_ms is None:
            return False
        return remaining_ms() < self.reserve_ms + 2 * slowest_group_ms

    def _defer(
        self, work: list[_Work], outcomes: dict[str, MessageOutcome], remaining_ms: Callable[[], int] | None
    ) -> None:
        deferred = {item.message_id for item in work if outcomes[item.message_id].error is None}
        for message_id in deferred:
            outcomes[message_id].error = DeadlineDeferred("not started: the invocation is close to its timeout")
        logger.warning(
            "handing back unstarted messages",
            extra={"messages": len(deferred), "remaining_ms": remaining_ms() if remaining_ms else None},
        )

    def _run_group(self, group: list[_Planned], outcomes: dict[str, MessageOutcome]) -> None:
        documents = [p.document for p in group if p.document is not None]
        try:
            processed = self.pipeline.process_batch(documents)
        except Exception:
            # One document broke the batched pipeline: run them one by one so only its message fails.
            logger.exception("batch processing failed; processing one by one", extra={"documents": len(documents)})
            processed = None
        results = iter(processed or [])
        for planned in group:
            outcome = outcomes[planned.message_id]
            result = planned.result
            if result is None and planned.document is not None:
                if processed is not None:
                    result = next(results)
                else:
                    try:
                        result = self.pipeline.process(planned.document)
                    except Exception as exc:  # a bug or a resource limit: retried, then the DLQ
                        logger.exception("processing failed", extra={"document_id": planned.document_id})
                        outcome.error = exc
                        continue
            assert result is not None
            try:
                # Stored near-duplicates, before the save; the save indexes the signature they were looked up with.
                result, own = with_duplicates(result, self.repository.duplicates)
                try:
                    stored = self.repository.save(result, planned.order, signature=own)
                except Exception as exc:
                    if not is_permanent_storage_error(exc):
                        raise
                    # A limit no retry changes: the reason is stored instead of looping to the DLQ.
                    logger.warning("result not storable", extra={"document_id": result.document_id})
                    message = f"the result could not be stored: {error_message(exc)}"
                    result = self.pipeline.failed(result.document_id, result.source, ErrorCode.NOT_STORABLE, message)
                    stored = self.repository.save(result, planned.order)
            except Exception as exc:
                logger.exception("storing failed", extra={"message_id": planned.message_id})
                outcome.error = exc
                continue
            if not stored:
                outcome.skipped.append(result.document_id)
                logger.info("newer version already stored", extra={"document_id": result.document_id})
                continue
            outcome.results.append(result)
            # Ids, status and sizes only: article text never goes to the logs.
            logger.info(
                "document stored",
                extra={
                    "document_id": result.document_id,
                    "status": result.status.value,
                    "error_code": result.error.code.value if result.error else None,
                    "entities": len(result.entities),
                    "bytes": result.source.size,
                    "chars": len(result.clean_text),
                },
            )

    # ------------------------------------------------------------------------------ per record

    def _plan(self, item: _Work, outcome: MessageOutcome) -> _Planned | None:
        ref = item.ref
        if self.raw_bucket is not None and ref.bucket != self.raw_bucket:
            return self._plan_foreign(item, outcome)
        stored = self.repository.get_meta(item.document_id)
        if ref.removed:
            return self._plan_removal(item, stored, outcome)
        return self._plan_create(
            item, stored, outcome, version_id=ref.version_id, etag=ref.etag, sequencer=ref.sequencer, force=ref.force
        )

    def _plan_foreign(self, item: _Work, outcome: MessageOutcome) -> _Planned | None:
        """A forged or misrouted event: the other bucket is never read; a create gets a stored refusal."""
        ref = item.ref
        logger.warning("event for another bucket", extra={"document_id": item.document_id})
        if ref.removed:
            return self._skip(outcome, item.document_id, "foreign bucket")
        message = f"the event names bucket {ref.bucket!r}; this function reads only {self.raw_bucket!r}"
        source = Source(bucket=ref.bucket, key=ref.key, version_id=ref.version_id, etag=ref.etag)
        failed = self.pipeline.failed(item.document_id, source, ErrorCode.FOREIGN_BUCKET, message)
        return _Planned(item.message_id, item.document_id, WriteOrder(self.pipeline_version), result=failed)

    def _plan_create(
        self,
        item: _Work,
        stored: StoredMeta | None,
        outcome: MessageOutcome,
        *,
        version_id: str | None,
        etag: str | None,
        sequencer: str | None,
        force: bool = False,
    ) -> _Planned | None:
        ref, document_id = item.ref, item.document_id
        sequencer = normalize_sequencer(sequencer)
        if stored is not None and not force:
            if (version_id or etag) and stored.holds(version_id, etag) and self._same_pipeline(stored):
                return self._skip(outcome, document_id, "duplicate")
            if sequencer and stored.newer_than(WriteOrder(self.pipeline_version, sequencer=sequencer)):
                return self._skip(outcome, document_id, "superseded")
        head = self.raw_store.head(ref.bucket, ref.key, version_id)
        if head is None:
            if version_id is None and stored is not None and not stored.deleted:
                # The key has no object any more: the result follows (its removal event may be lost).
                self._remove(item, outcome, WriteOrder(self.pipeline_version, source_modified=_now()))
            return self._skip(outcome, document_id, "gone")
        head_version, head_etag = head.version_id, head.etag
        # The event's sequencer belongs to the version it names; HEAD of the current object may be newer.
        same_object = (version_id and head_version == version_id) or (not version_id and etag and etag == head_etag)
        order = WriteOrder(
            self.pipeline_version,
            sequencer=sequencer if same_object else None,
            source_modified=modified_token(head.last_modified),
            version_id=head_version,
            etag=head_etag,
            force=force,
        )
        if stored is not None and not force:
            if stored.holds(head_version, head_etag) and self._same_pipeline(stored):
                return self._skip(outcome, document_id, "duplicate")
            if stored.newer_than(order):
                return self._skip(outcome, document_id, "superseded")
        source = Source(
            bucket=ref.bucket,
            key=ref.key,
            version_id=head_version or version_id,
            etag=head_etag or etag,
            content_type=head.content_type,
            size=head.size,
        )
        if source.size > self.max_input_bytes:
            message = f"the object has {source.size} bytes; the limit is {self.max_input_bytes}"
            failed = self.pipeline.failed(document_id, source, ErrorCode.TOO_LARGE, message)
            return _Planned(item.message_id, document_id, order, result=failed)
        body = self.raw_store.get(ref.bucket, ref.key, head_version or version_id)
        if body is None:
            return self._skip(outcome, document_id, "gone")
        document = DocumentInput(document_id=document_id, data=body.data, source=source)
        return _Planned(item.message_id, document_id, order, document=document)

    def _plan_removal(self, item: _Work, stored: StoredMeta | None, outcome: MessageOutcome) -> _Planned | None:
        ref, document_id = item.ref, item.document_id
        if ref.purge:
            # One version was deleted for good: only matters if it is the one the result holds.
            if stored is None or not stored.holds(ref.version_id, None):
                if stored is not None and stored.deleted and self.raw_store.head(ref.bucket, ref.key) is not None:
                    # A delete marker was deleted (S3 sends ObjectRemoved:Delete with the marker's version):
                    # the key has an object again, older than the tombstone, and the result follows it.
                    return self._plan_create(
                        item, None, outcome, version_id=None, etag=None, sequencer=None, force=True
                    )
                return self._skip(outcome, document_id, "purged version not stored")
            if self.repository.delete(document_id, purge_version=ref.version_id):
                outcome.removed.append(document_id)
                logger.info("document removed", extra={"document_id": document_id, "reason": "version purged"})
            # An older version may be current now: the result follows it.
            return self._plan_create(item, None, outcome, version_id=None, etag=None, sequencer=None)
        order = WriteOrder(
            self.pipeline_version,
            sequencer=normalize_sequencer(ref.sequencer),
            # An event time from a message is trusted up to the clock: a forged future time would make a
            # tombstone that refuses every later create.
            source_modified=min(modified_token(ref.event_time) or _now(), _now()),
        )
        if stored is not None and stored.newer_than(order):
            return self._skip(outcome, document_id, "superseded")
        if self.raw_store.head(ref.bucket, ref.key) is not None:
            # Created again after this removal: the result follows the current object.
            return self._plan_create(item, stored, outcome, version_id=None, etag=None, sequencer=None)
        self._remove(item, outcome, order)
        return None

    def _remove(self, item: _Work, outcome: MessageOutcome, order: WriteOrder) -> None:
        if self.repository.delete(item.document_id, order):
            outcome.removed.append(item.document_id)
            logger.info("document removed", extra={"document_id": item.document_id})
        else:
            outcome.skipped.append(item.document_id)

    def _same_pipeline(self, stored: StoredMeta) -> bool:
        return stored.pipeline_version == self.pipeline_version

    def _skip(self, outcome: MessageOutcome, document_id: str, reason: str) -> None:
        outcome.skipped.append(document_id)
        logger.info("record skipped", extra={"document_id": document_id, "reason": reason})
        return None


def _later(item: _Work, kept: _Work) -> bool:
    a, b = normalize_sequencer(item.ref.sequencer), normalize_sequencer(kept.ref.sequencer)
    if a and b and a != b:
        return a > b
    return item.position > kept.position


def _now() -> str:
    return modified_token(datetime.now(UTC)) or ""
