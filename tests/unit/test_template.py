"""template.yaml: linted by sam and cfn-lint, and holding the properties the service relies on."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from newsproc.local.template import Template
from tests.conftest import ROOT

TEMPLATE = Template.load()


def _tool(name: str) -> str:
    local = ROOT / ".tools" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make tools`")
    return found


@pytest.mark.template
def test_template_sam_validate_lint() -> None:
    env = os.environ | {"SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    done = subprocess.run(
        [_tool("sam"), "validate", "--lint", "--template-file", str(ROOT / "template.yaml")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.template
def test_template_cfn_lint_reports_nothing() -> None:
    done = subprocess.run([_tool("cfn-lint"), str(ROOT / "template.yaml")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


pytestmark = pytest.mark.unit


def test_template_queue_redrive_and_visibility() -> None:
    queue = TEMPLATE.properties("IngestQueue")
    assert 3 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 5
    timeout = TEMPLATE.properties("ProcessDocumentFunction")["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout


def test_template_process_function_event_source() -> None:
    sqs = TEMPLATE.sqs_event("ProcessDocumentFunction")
    assert sqs["BatchSize"] > 1
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    layers = [layer["Ref"] for layer in TEMPLATE.properties("ProcessDocumentFunction")["Layers"]]
    assert "NlpLayer" in layers
    assert "NlpLayer" not in [layer["Ref"] for layer in TEMPLATE.properties("ApiFunction")["Layers"]]


def test_template_process_event_source_caps_concurrency() -> None:
    scaling = TEMPLATE.sqs_event("ProcessDocumentFunction")["ScalingConfig"]
    assert scaling["MaximumConcurrency"] == {"Ref": "MaxProcessConcurrency"}
    parameter = TEMPLATE.body["Parameters"]["MaxProcessConcurrency"]
    assert parameter["Type"] == "Number"
    assert 2 <= parameter["MinValue"] <= parameter["Default"] <= parameter["MaxValue"] <= 1000
    assert "docs/scale.md" in parameter["Description"]


def test_template_http_api_stage_is_throttled() -> None:
    settings = TEMPLATE.properties("HttpApi")["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    assert TEMPLATE.parameter_default("ApiThrottleRate") == 50
    assert TEMPLATE.parameter_default("ApiThrottleBurst") == 100


def test_template_function_log_groups_have_retention() -> None:
    groups = TEMPLATE.of_type("AWS::Logs::LogGroup").values()
    named = {g["Properties"].get("LogGroupName", {}).get("Fn::Sub"): g["Properties"] for g in groups}
    for function_id in TEMPLATE.of_type("AWS::Serverless::Function"):
        properties = named[f"/aws/lambda/${{{function_id}}}"]
        assert properties["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    retention = TEMPLATE.body["Parameters"]["LogRetentionDays"]
    assert retention["Default"] in retention["AllowedValues"]
    assert all(isinstance(group["Properties"].get("RetentionInDays"), (int, dict)) for group in groups)


def test_template_documents_failed_alarm() -> None:
    alarms = [
        a["Properties"] for a in TEMPLATE.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == "DocumentsFailed"
    ]  # fmt: skip
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm["Namespace"] == "newsproc"
    service = TEMPLATE.properties("ProcessDocumentFunction")["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"]["Fn::If"][0] == "HasAlarmTopic"


def test_template_operations_dashboard() -> None:
    dashboards = TEMPLATE.of_type("AWS::CloudWatch::Dashboard")
    assert len(dashboards) == 1
    body = next(iter(dashboards.values()))["Properties"]["DashboardBody"]["Fn::Sub"]
    # !Sub placeholders resolve to resource names; the body must be JSON around them.
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "X", body))["widgets"]
    metrics = {tuple(m[:2]) for w in widgets for m in w["properties"]["metrics"]}
    service = TEMPLATE.properties("ProcessDocumentFunction")["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    assert f'"service", "{service}"' in body
    assert {("newsproc", "DocumentsProcessed"), ("newsproc", "DocumentsFailed"), ("newsproc", "ProcessingLatency"),
            ("AWS/SQS", "ApproximateAgeOfOldestMessage"), ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles")} <= metrics  # fmt: skip
    for name in ("IngestQueue.QueueName", "IngestDeadLetterQueue.QueueName", "ProcessDocumentFunction", "ApiFunction"):
        assert "${" + name + "}" in body, name
    for name in ("ProcessDocumentFunction", "ApiFunction"):
        assert body.count('"FunctionName", "${' + name + '}"') == 2, name  # errors and throttles


def _api_statements() -> list[dict]:
    return [
        statement
        for policy in TEMPLATE.properties("ApiFunction")["Policies"] if "Statement" in policy
        for statement in policy["Statement"]
    ]  # fmt: skip


def _actions(statement: dict) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


def test_template_api_writes_raw_objects_only_under_uploads() -> None:
    statements = _api_statements()
    puts = [s for s in statements if "s3:PutObject" in _actions(s)]
    assert puts and all(s["Resource"]["Fn::Sub"].endswith(":s3:::newsproc-raw-${Stage}-${AWS::AccountId}"
                                                          "-${AWS::Region}/uploads/*") for s in puts)  # fmt: skip
    deletes = [s for s in statements if "s3:DeleteObjectVersion" in _actions(s)]
    assert len(deletes) == 1 and "s3:DeleteObject" in _actions(deletes[0])
    assert deletes[0]["Resource"]["Fn::Sub"].endswith("newsproc-raw-${Stage}-${AWS::AccountId}-${AWS::Region}/*")
    lists = [s for s in statements if "s3:ListBucketVersions" in _actions(s)]
    assert len(lists) == 1
    assert lists[0]["Resource"]["Fn::Sub"].endswith("newsproc-raw-${Stage}-${AWS::AccountId}-${AWS::Region}")


def test_template_runtime_and_architecture() -> None:
    globals_ = TEMPLATE.function_globals()
    assert globals_["Runtime"] == "python3.12" and globals_["Architectures"] == ["x86_64"]


def test_template_storage_is_encrypted_and_private() -> None:
    for bucket in ("RawBucket", "ResultsBucket"):
        properties = TEMPLATE.properties(bucket)
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert all(properties["PublicAccessBlockConfiguration"].values())
    for policy in ("RawBucketPolicy", "ResultsBucketPolicy"):
        statements = TEMPLATE.properties(policy)["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
                   for s in statements)  # fmt: skip
    for queue in ("IngestQueue", "IngestDeadLetterQueue"):
        assert TEMPLATE.properties(queue)["SqsManagedSseEnabled"] is True
    table = TEMPLATE.properties("DocumentsTable")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["EntityIndex", "CatalogIndex"]


def test_template_notifications_reach_the_queue_scoped_to_the_bucket() -> None:
    notifications = TEMPLATE.properties("RawBucket")["NotificationConfiguration"]["QueueConfigurations"]
    assert {n["Event"] for n in notifications} >= {"s3:ObjectCreated:*"}
    assert all(n["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]} for n in notifications)
    statement = TEMPLATE.properties("IngestQueuePolicy")["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert "newsproc-raw-" in json.dumps(statement["Condition"]["ArnEquals"])


def test_template_no_wildcard_data_permissions() -> None:
    body = json.dumps(TEMPLATE.body)
    assert '"Resource": "*"' not in body
    assert not re.search(r'"(s3|dynamodb):\*"', json.dumps(
        [f["Properties"].get("Policies") for f in TEMPLATE.of_type("AWS::Serverless::Function").values()]
    ))  # fmt: skip


def test_template_outputs_and_parameters() -> None:
    outputs = set(TEMPLATE.body["Outputs"])
    assert {"RawBucketName", "DocumentsTableName", "IngestQueueUrl", "IngestDeadLetterQueueUrl", "ApiUrl"} <= outputs
    assert {"Stage", "LogLevel"} <= set(TEMPLATE.body["Parameters"])


def test_template_samconfig_has_default_deploy() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert config["default"]["global"]["parameters"]["stack_name"]
    assert config["default"]["deploy"]["parameters"]["resolve_s3"] is True


def test_template_api_routes_match_the_openapi_operations(api_module) -> None:
    documentation = {("GET", "/openapi.json"), ("GET", "/swagger")}  # serve the spec itself
    declared = set(TEMPLATE.http_routes("ApiFunction")) - documentation
    schema = json.loads(api_module.app.get_openapi_json_schema())
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert declared == operations


def test_template_layers_build_without_docker() -> None:
    for layer in TEMPLATE.of_type("AWS::Serverless::LayerVersion").values():
        assert layer["Metadata"]["BuildMethod"] == "makefile"
        assert Path(ROOT, layer["Properties"]["ContentUri"], "Makefile").exists()


def test_template_trend_counters_stream_consumer() -> None:
    """The documents table streams both images into CountEntitiesFunction: partial batch responses, bisection,
    bounded retries, then an SQS on-failure destination that is alarmed (docs/trends.md)."""
    assert TEMPLATE.properties("DocumentsTable")["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    stream = TEMPLATE.stream_event("CountEntitiesFunction")
    assert stream["Stream"] == {"Fn::GetAtt": ["DocumentsTable", "StreamArn"]}
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True and 0 < stream["MaximumRetryAttempts"] <= 10
    destination = stream["DestinationConfig"]["OnFailure"]
    assert destination == {"Type": "SQS", "Destination": {"Fn::GetAtt": ["EntityCountsDeadLetterQueue", "Arn"]}}
    assert TEMPLATE.properties("EntityCountsDeadLetterQueue")["SqsManagedSseEnabled"] is True
    alarmed = [a["Properties"]["Dimensions"][0]["Value"] for a in TEMPLATE.of_type("AWS::CloudWatch::Alarm").values()]
    assert {"Fn::GetAtt": ["EntityCountsDeadLetterQueue", "QueueName"]} in alarmed
    assert {"Ref": "CountEntitiesFunction"} in alarmed  # IteratorAge: the consumer falling behind
    trends = TEMPLATE.properties("TrendsTable")
    assert trends["BillingMode"] == "PAY_PER_REQUEST" and trends["SSESpecification"]["SSEEnabled"] is True
    assert trends["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert [g["IndexName"] for g in trends["GlobalSecondaryIndexes"]] == ["TopIndex"]
    consumer = TEMPLATE.properties("CountEntitiesFunction")
    assert [layer["Ref"] for layer in consumer["Layers"]] == ["CoreLayer"]
    writes = [s for p in consumer["Policies"] for s in p.get("Statement", [])]
    assert writes == [{"Sid": "TrendCountersWrite", "Effect": "Allow",
                       "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                       "Resource": {"Fn::GetAtt": ["TrendsTable", "Arn"]}}]  # fmt: skip
    reads = [s for s in _api_statements() if "TrendsTable" in json.dumps(s["Resource"])]
    assert reads == [{"Sid": "TrendCountersRead", "Effect": "Allow", "Action": "dynamodb:Query",
                      "Resource": {"Fn::Sub": "${TrendsTable.Arn}/index/TopIndex"}}]  # fmt: skip
