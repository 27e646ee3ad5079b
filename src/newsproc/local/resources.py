"""Create the template's buckets, queues and tables (the documents table with its stream, the trends table)
in moto (or any endpoint), from their properties."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from newsproc.local.template import Template


@dataclass(frozen=True)
class LocalResources:
    raw_bucket: str
    results_bucket: str
    table: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    entity_index: str
    catalog_index: str
    # The trend counters (issue 17): the trends table, the documents table's stream, the consumer's DLQ.
    trends_table: str = ""
    stream_arn: str = ""
    counts_dlq_url: str = ""
    counts_dlq_arn: str = ""

    def environment(self) -> dict[str, str]:
        """The environment variables the functions read (see Globals in template.yaml)."""
        env = {
            "RAW_BUCKET": self.raw_bucket,
            "RESULTS_BUCKET": self.results_bucket,
            "TABLE_NAME": self.table,
            "ENTITY_INDEX_NAME": self.entity_index,
            "CATALOG_INDEX_NAME": self.catalog_index,
        }
        return env | ({"TRENDS_TABLE_NAME": self.trends_table} if self.trends_table else {})

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def local_names(stage: str = "local") -> dict[str, str]:
    """Names of the local resources, fixed per stage so a handler can be configured before they exist."""
    prefix = f"newsproc-{stage}"
    return {
        "RAW_BUCKET": f"{prefix}-raw",
        "RESULTS_BUCKET": f"{prefix}-results",
        "TABLE_NAME": f"{prefix}-documents",
        "QUEUE_NAME": f"{prefix}-ingest",
        "DLQ_NAME": f"{prefix}-ingest-dlq",
        "TRENDS_TABLE_NAME": f"{prefix}-trends",
        "COUNTS_DLQ_NAME": f"{prefix}-entity-counts-dlq",
    }


def _queue_attributes(properties: dict[str, Any]) -> dict[str, str]:
    names = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds")
    return {name: str(properties[name]) for name in names if name in properties}


def _create_table(dynamodb: Any, name: str, properties: dict[str, Any]) -> dict[str, Any]:
    """CreateTable from the template's properties: keys, indexes, the stream, then the TTL; the description."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in properties:
        kwargs["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if view := properties.get("StreamSpecification", {}).get("StreamViewType"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    description = dynamodb.create_table(**kwargs)["TableDescription"]
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        spec = {"Enabled": True, "AttributeName": ttl["AttributeName"]}
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)
    return description


def _create_queue(sqs: Any, name: str, properties: dict[str, Any]) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=_queue_attributes(properties))["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def create_resources(template: Template, *, s3: Any, sqs: Any, dynamodb: Any, stage: str = "local") -> LocalResources:
    names = local_names(stage)
    dlq_props = template.properties("IngestDeadLetterQueue")
    dlq_url = sqs.create_queue(QueueName=names["DLQ_NAME"], Attributes=_queue_attributes(dlq_props))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    queue_props = template.properties("IngestQueue")
    attributes = _queue_attributes(queue_props)
    redrive = queue_props.get("RedrivePolicy")
    if redrive:
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(redrive["maxReceiveCount"])}
        )
    queue_url = sqs.create_queue(QueueName=names["QUEUE_NAME"], Attributes=attributes)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    table_props = template.properties("DocumentsTable")
    table_name = names["TABLE_NAME"]
    stream_arn = _create_table(dynamodb, table_name, table_props).get("LatestStreamArn", "")
    # The functions' index names are the template's (Globals), for indexes the table really has.
    variables = template.function_globals().get("Environment", {}).get("Variables", {})
    indexes = {g["IndexName"] for g in table_props.get("GlobalSecondaryIndexes", [])}
    entity_index, catalog_index = (variables.get(n, "") for n in ("ENTITY_INDEX_NAME", "CATALOG_INDEX_NAME"))
    if not {entity_index, catalog_index} <= indexes:
        raise ValueError(f"template.yaml: ENTITY_INDEX_NAME/CATALOG_INDEX_NAME must name indexes of {sorted(indexes)}")
    trends: dict[str, str] = {}
    if "TrendsTable" in template.resources:
        _create_table(dynamodb, names["TRENDS_TABLE_NAME"], template.properties("TrendsTable"))
        counts_dlq = template.properties("EntityCountsDeadLetterQueue")
        counts_dlq_url, counts_dlq_arn = _create_queue(sqs, names["COUNTS_DLQ_NAME"], counts_dlq)
        trends = {"trends_table": names["TRENDS_TABLE_NAME"], "stream_arn": stream_arn,
                  "counts_dlq_url": counts_dlq_url, "counts_dlq_arn": counts_dlq_arn}  # fmt: skip

    raw_bucket, results_bucket = names["RAW_BUCKET"], names["RESULTS_BUCKET"]
    raw_props = template.properties("RawBucket")
    for bucket in (raw_bucket, results_bucket):
        s3.create_bucket(Bucket=bucket)
    if raw_props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=raw_bucket, VersioningConfiguration={"Status": "Enabled"})
    queue_configs = []
    for config in raw_props.get("NotificationConfiguration", {}).get("QueueConfigurations", []):
        entry: dict[str, Any] = {"QueueArn": queue_arn, "Events": [config["Event"]]}
        rules = config.get("Filter", {}).get("S3Key", {}).get("Rules")
        if rules:
            entry["Filter"] = {"Key": {"FilterRules": rules}}
        queue_configs.append(entry)
    s3.put_bucket_notification_configuration(
        Bucket=raw_bucket, NotificationConfiguration={"QueueConfigurations": queue_configs}
    )
    return LocalResources(
        raw_bucket=raw_bucket,
        results_bucket=results_bucket,
        table=table_name,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        entity_index=entity_index,
        catalog_index=catalog_index,
        **trends,
    )
