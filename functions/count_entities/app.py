"""CountEntitiesFunction: DynamoDB Streams batches of entity items -> per-day entity counters (GET /trends).

Partial batch response: a record that fails is reported (ReportBatchItemFailures) and Lambda retries from
it; records already counted are not counted twice (newsproc.trends.counting: one marker per eventID).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsproc import store
from newsproc.settings import Settings
from newsproc.trends.counting import count_record

logger = Logger()
tracer = Tracer(patch_modules=["botocore"])  # every outside call goes through botocore (see functions/api)
metrics = Metrics()

# Init phase, once per container.
settings = Settings.from_env()
counters = store.trend_counters(settings)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
# counted: applied; duplicate: a redelivery, its marker found; ignored: nothing counted changed (no day, a label
# not counted, an unchanged item)
METRIC_NAMES = {"counted": "RecordsCounted", "duplicate": "RecordsDuplicate", "ignored": "RecordsIgnored"}


def record_handler(record: DynamoDBRecord) -> None:
    stream = record.dynamodb
    if stream is None or record.event_name is None or record.event_id is None:
        raise ValueError("not a DynamoDB Streams record")
    outcome = count_record(
        counters, record.event_id, record.event_name.name, stream.old_image or None, stream.new_image or None
    )
    metrics.add_metric(name=METRIC_NAMES[outcome], unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
