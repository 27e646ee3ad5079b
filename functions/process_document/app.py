"""ProcessDocumentFunction: SQS batch of S3 events -> clean, entities, store. Partial batch response."""

from __future__ import annotations

import gc
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsproc import aws, store
from newsproc.ingest.events import MalformedEventError
from newsproc.ingest.requeue import park, requeue
from newsproc.ingest.service import IngestService, MessageOutcome
from newsproc.models import Status
from newsproc.pipeline.run import DocumentPipeline
from newsproc.settings import Settings

# What is imported here, and the model below, lives as long as the container. Frozen objects are
# skipped by later garbage collections: the full collections over them during init cost ~0.05 s of
# cold start (python -m scripts.bench --only cold_start), and request-time collections would walk them again.
gc.freeze()
logger = Logger()
# Only botocore is patched: every outside call goes through it, and patching all the libraries the
# X-Ray SDK knows cost 0.13 s of cold start in a Lambda environment (python -m scripts.bench --only cold_start).
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()

# Init phase, once per container: settings validated, spaCy loaded (ner + entity_ruler only).
settings = Settings.from_env()
pipeline = DocumentPipeline.from_settings(settings)
processor = BatchProcessor(event_type=EventType.SQS)
gc.freeze()


def build_service() -> IngestService:
    return IngestService(
        pipeline,
        store.raw_store(),
        store.document_repository(settings),
        max_input_bytes=settings.max_input_bytes,
        raw_bucket=settings.raw_bucket,
    )


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "action" in event and "Records" not in event:  # synchronous call from the API (extract, sync, view)
        from newsproc.api.direct import handle_direct  # only the API's direct calls need it: not at init

        return handle_direct(
            event,
            pipeline,
            store.raw_store(),
            store.document_repository(settings),
            max_response_bytes=settings.max_response_bytes,
        )
    service = build_service()
    records = event.get("Records", [])
    # Records not started when the remaining time runs low are handed back (batch item failures).
    outcomes = service.handle_messages(
        [(r["messageId"], r["body"]) for r in records], remaining_ms=context.get_remaining_time_in_millis
    )
    malformed = [
        (r, str(outcomes[r["messageId"]].error)) for r in records
        if isinstance(outcomes[r["messageId"]].error, MalformedEventError)
    ]  # fmt: skip
    if malformed:
        # Not an S3 event: no retry can help, so it goes to the DLQ now rather than after maxReceiveCount.
        parked = park(aws.sqs_client(), malformed)
        for message_id in parked:
            outcomes[message_id].error = None
        metrics.add_metric(name="RecordsParked", unit=MetricUnit.Count, value=len(parked))
    _record_metrics(outcomes.values())
    deferred = [r for r in records if outcomes[r["messageId"]].deferred]
    if deferred:
        # Fresh copies on the queue now, instead of waiting out the visibility timeout (newsproc.ingest.requeue).
        requeued = requeue(aws.sqs_client(), deferred)
        for message_id in requeued:
            outcomes[message_id].error = None
        metrics.add_metric(name="RecordsRequeued", unit=MetricUnit.Count, value=len(requeued))
    if records and all(outcomes[r["messageId"]].deferred for r in records):
        # Nothing started and no copy sent: hand every record back, without a function error.
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}

    def record_handler(record: SQSRecord) -> None:
        error = outcomes[record.message_id].error
        if error is not None:
            raise error

    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)


def _record_metrics(outcomes: Any) -> None:
    for outcome in outcomes:
        if outcome.error is not None:  # handed back to the queue for a retry (and the DLQ after maxReceiveCount)
            metrics.add_metric(name="RecordsRetried", unit=MetricUnit.Count, value=1)
        for name, ids in (("DocumentsRemoved", outcome.removed), ("DocumentsSkipped", outcome.skipped)):
            if ids:  # removals, and repeats of versions already stored (no work, but seen)
                metrics.add_metric(name=name, unit=MetricUnit.Count, value=len(ids))
        for result in outcome.results:
            processed = result.status is Status.PROCESSED
            metrics.add_metric(
                name="DocumentsProcessed" if processed else "DocumentsFailed", unit=MetricUnit.Count, value=1
            )
            if processed:
                metrics.add_metric(name="EntitiesExtracted", unit=MetricUnit.Count, value=len(result.entities))
                metrics.add_metric(
                    name="ProcessingLatency",
                    unit=MetricUnit.Milliseconds,
                    value=result.pipeline.timings_ms.get("total", 0.0),
                )


__all__ = ["MessageOutcome", "lambda_handler"]


# SnapStart (issue 7): the snapshot is taken after the init above. After a restore, drop the AWS clients
# (their connections and credentials belong to the snapshotted environment) and reseed `random`
# (every restored environment would otherwise draw the same numbers).
try:
    from snapshot_restore_py import register_after_restore  # provided by the Lambda python runtime
except ImportError:  # local runs, tests
    register_after_restore = None

if register_after_restore is not None:

    @register_after_restore
    def _after_restore() -> None:
        import os
        import random

        aws.reset_clients()
        random.seed(os.urandom(16))
