"""Create the template's bucket, queues and table in moto (or any endpoint), from their properties."""

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

    def environment(self) -> dict[str, str]:
        """The environment variables the functions read (see Globals in template.yaml)."""
        return {
            "RAW_BUCKET": self.raw_bucket,
            "RESULTS_BUCKET": self.results_bucket,
            "TABLE_NAME": self.table,
            "ENTITY_INDEX_NAME": self.entity_index,
        }

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
    }


def _queue_attributes(properties: dict[str, Any]) -> dict[str, str]:
    names = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds")
    return {name: str(properties[name]) for name in names if name in properties}


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
    table_kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": table_props["AttributeDefinitions"],
        "KeySchema": table_props["KeySchema"],
        "BillingMode": table_props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in table_props:
        table_kwargs["GlobalSecondaryIndexes"] = table_props["GlobalSecondaryIndexes"]
    dynamodb.create_table(**table_kwargs)
    gsi = table_props.get("GlobalSecondaryIndexes", [{}])[0].get("IndexName", "EntityIndex")

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
        entity_index=gsi,
    )
