"""The built functions (.aws-sam/build) in their own python3.12 workers, as Lambda runs them, against moto.

Only the function code, its layers and the runtime's boto3 are on the worker's sys.path: a module the
layers lack fails here as it would on Lambda. Needs `make build` and a python3.12 (skipped otherwise).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from newsproc.local.built import DEFAULT_BUILD_DIR, BuiltFunction, find_python312, measure_cold_starts, runtime_sdk
from newsproc.local.lambda_runtime import http_api_event, response_json, sqs_event
from newsproc.media import document_id_for
from tests.conftest import EVENTS

pytestmark = [pytest.mark.e2e, pytest.mark.build]

FUNCTIONS = ("ApiFunction", "ProcessDocumentFunction")
ENTITY_ROUTE = "GET /entities/{label}/{name}/documents"


def _missing_build() -> str | None:
    if not (DEFAULT_BUILD_DIR / "template.yaml").exists():
        return f"no sam build output in {DEFAULT_BUILD_DIR} (run `make build`)"
    missing = [name for name in (*FUNCTIONS, "CoreLayer", "NlpLayer") if not (DEFAULT_BUILD_DIR / name).is_dir()]
    return f"built artifacts missing: {missing} (run `make build`)" if missing else None


@pytest.fixture(scope="module")
def python312() -> str:
    reason = _missing_build()
    if reason:
        pytest.skip(reason)
    python = find_python312()
    if python is None:
        pytest.skip("python3.12 not found (pyenv 3.12.x or python3.12 on PATH): the Lambda runtime's version")
    return python


@pytest.fixture(scope="module")
def sdk(python312: str) -> Path:
    try:
        return runtime_sdk(python312)
    except Exception as exc:  # noqa: BLE001 - no network for pip: skip, do not fail
        pytest.skip(f"the runtime's boto3 could not be installed for python3.12: {exc}")


@pytest.fixture(scope="module")
def stack(sdk: Path) -> Iterator[Any]:
    from newsproc.local.harness import moto_server

    with moto_server() as moto:
        yield moto


@pytest.fixture(scope="module")
def api(stack: Any, python312: str, sdk: Path) -> Iterator[BuiltFunction]:
    with BuiltFunction.from_stack("ApiFunction", stack, python=python312, sdk_dir=sdk) as function:
        yield function


@pytest.fixture(scope="module")
def processor(stack: Any, python312: str, sdk: Path) -> Iterator[BuiltFunction]:
    with BuiltFunction.from_stack("ProcessDocumentFunction", stack, python=python312, sdk_dir=sdk) as function:
        yield function


def _get(api: BuiltFunction, path: str, route_key: str | None = None, **path_parameters: str) -> tuple[int, Any]:
    payload, function_error = api.invoke(
        http_api_event("GET", path, route_key=route_key, path_parameters=path_parameters or None)
    )
    assert function_error is None, json.dumps(payload)[:3000] + "\n" + api.logs()[-3000:]
    return payload["statusCode"], response_json(payload)


def _entity_path(label: str, name: str) -> tuple[str, dict[str, str]]:
    encoded = quote(name, safe="")
    return f"/entities/{label}/{encoded}/documents", {"label": label, "name": encoded}


def test_worker_environment_is_the_built_artifacts_only(api: BuiltFunction, sdk: Path) -> None:
    env = api.environment
    paths = env["PYTHONPATH"].split(":")
    assert paths == [str(DEFAULT_BUILD_DIR / "ApiFunction"), str(DEFAULT_BUILD_DIR / "CoreLayer" / "python"), str(sdk)]
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512" and env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "29"
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and env["AWS_ENDPOINT_URL"] == api.endpoint_url
    assert env["POWERTOOLS_SERVICE_NAME"] == "newsproc-api"  # the function's own variables over Globals
    assert env["TABLE_NAME"] == "newsproc-local-documents" and env["RAW_BUCKET"] == "newsproc-local-raw"
    assert env["QUEUE_URL"].endswith("/newsproc-local-ingest")
    assert "-I" not in api.argv and "-s" in api.argv


def test_api_lists_documents(api: BuiltFunction) -> None:
    status, body = _get(api, "/documents")
    assert status == 200, body
    assert body["documents"] == [] or isinstance(body["documents"], list)
    first = api.invocations[0]
    assert first.cold and api.cold_start_s is not None and api.cold_start_s >= first.duration_s - 0.01
    assert api.init_s is not None and 0 < api.init_s < api.cold_start_s


def test_api_entity_route_runs_on_the_core_layer(api: BuiltFunction) -> None:
    """The route that failed on Lambda for lack of rapidfuzz (an NlpLayer module) in the API's CoreLayer."""
    path, parameters = _entity_path("PERSON", "Carlos Moedas")
    status, body = _get(api, path, ENTITY_ROUTE, **parameters)
    assert status == 200, body
    assert body["name"] == "Carlos Moedas" and body["label"] == "PERSON"
    assert not api.last_invocation.cold


def test_article_from_s3_through_the_queue_to_the_api(stack: Any, api: BuiltFunction, processor: BuiltFunction) -> None:
    resources = stack.resources
    key = "articles/harbour-bridge.txt"
    body = (EVENTS / "articles" / "harbour-bridge.txt").read_bytes()
    stack.s3.put_object(Bucket=resources.raw_bucket, Key=key, Body=body, ContentType="text/plain")
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    notified = "harbour-bridge.txt"  # the event's key is URL-encoded
    while not any(notified in m["Body"] for m in messages) and time.monotonic() < deadline:
        answer = stack.sqs.receive_message(
            QueueUrl=resources.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
        )
        messages += answer.get("Messages", [])
    assert any(notified in m["Body"] for m in messages), f"no S3 notification for {key}: {messages}"

    payload, function_error = processor.invoke(sqs_event(messages, resources.queue_arn))
    assert function_error is None, json.dumps(payload)[:3000] + "\n" + processor.logs()[-3000:]
    assert payload == {"batchItemFailures": []}
    assert processor.cold_start_s is not None and processor.last_invocation.cold

    document_id = document_id_for(resources.raw_bucket, key)
    status, document = _get(api, f"/documents/{document_id}", "GET /documents/{document_id}", document_id=document_id)
    assert status == 200, document
    assert document["status"] == "PROCESSED"
    names = {(e["name"], e["label"]) for e in document["entities"]}
    assert ("Carlos Moedas", "PERSON") in names, names

    path, parameters = _entity_path("PERSON", "Carlos Moedas")
    status, found = _get(api, path, ENTITY_ROUTE, **parameters)
    assert status == 200 and document_id in {d["document_id"] for d in found["documents"]}, found


def test_handler_exception_is_reported_like_lambda(processor: BuiltFunction) -> None:
    processor.start()
    pid = processor.pid
    payload, function_error = processor.invoke({"Records": [{}]})  # an SQS record without messageId
    assert function_error == "Unhandled"
    assert payload["errorType"] == "KeyError" and payload["errorMessage"] == "'messageId'"
    assert payload["requestId"] == processor.last_invocation.request_id
    assert any("app.py" in frame for frame in payload["stackTrace"])
    assert not any("lambda_worker.py" in frame for frame in payload["stackTrace"])
    assert processor.pid == pid, "a handler exception keeps the execution environment"


def test_timeout_kills_the_worker_and_the_next_invoke_starts_a_new_one(processor: BuiltFunction) -> None:
    processor.start()
    old_pid, cold_starts = processor.pid, len(processor.cold_starts)
    # ~400 KB of distinct sentences: seconds of cleaning and NER, far over the 1 s override
    text = "\n\n".join(
        f"Report {i}: Mayor Carlos Moedas met minister Ana Jara {i} in Lisbon about bridge number {i}."
        for i in range(5000)
    )
    started = time.monotonic()
    payload, function_error = processor.invoke({"action": "extract", "body": text, "kind": "text"}, timeout_s=1.0)
    assert time.monotonic() - started < 10
    assert function_error == "Unhandled", str(payload)[:500]
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    assert not processor.running

    payload, function_error = processor.invoke(
        {"action": "extract", "body": "Carlos Moedas visited Lisbon.", "kind": "text"}
    )
    assert function_error is None, payload
    assert payload["result"]["status"] == "PROCESSED"
    assert processor.pid not in (None, old_pid) and processor.last_invocation.cold
    assert len(processor.cold_starts) == cold_starts + 1


def test_missing_layer_module_is_an_init_error_on_every_invoke(
    stack: Any, python312: str, sdk: Path, tmp_path: Path
) -> None:
    """A function whose code needs what its layers do not ship: Lambda's Runtime.ImportModuleError."""
    (tmp_path / "app.py").write_text(
        "import rapidfuzz  # NlpLayer only\n\ndef lambda_handler(event, context):\n    return 1\n"
    )
    with BuiltFunction.from_stack("ApiFunction", stack, python=python312, sdk_dir=sdk, code_dir=tmp_path) as function:
        for _ in range(2):
            payload, function_error = function.invoke({})
            assert function_error == "Unhandled"
            assert payload["errorType"] == "Runtime.ImportModuleError"
            assert payload["errorMessage"] == "Unable to import module 'app': No module named 'rapidfuzz'"


def test_prints_cannot_corrupt_the_protocol_and_stop_is_prompt(
    stack: Any, python312: str, sdk: Path, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(
        "import os, sys, time\n"
        "print('init noise')\n"
        "def lambda_handler(event, context):\n"
        '    print(\'{"type": "response"}\')\n'
        "    os.write(1, b'raw fd 1 noise\\n')\n"
        "    sys.__stdout__.write('dunder noise\\n')\n"
        "    if event.get('sleep'):\n"
        "        time.sleep(event['sleep'])\n"
        "    return {'remaining_ms': context.get_remaining_time_in_millis(), 'name': context.function_name,\n"
        "            'arn': context.invoked_function_arn, 'memory': context.memory_limit_in_mb,\n"
        "            'cwd': os.getcwd(), 'path': sys.path, 'text': 'caf\\u00e9'}\n"
    )
    function = BuiltFunction.from_stack("ApiFunction", stack, python=python312, sdk_dir=sdk, code_dir=tmp_path)
    with function:
        payload, function_error = function.invoke({}, timeout_s=5)
        assert function_error is None, payload
        assert 0 < payload["remaining_ms"] <= 5000 and payload["name"] == "ApiFunction"
        assert payload["memory"] == "512" and payload["arn"].endswith(":function:ApiFunction")
        assert payload["cwd"] == str(tmp_path) and payload["text"] == "café"
        assert not any(p.endswith("site-packages") or "newsproc/local" in p for p in payload["path"]), payload["path"]
        assert "init noise" in function.logs() and "raw fd 1 noise" in function.logs()
        function.invoke({"sleep": 0.1})  # still in step after the noise
        assert function.last_invocation.function_error is None
        with ThreadPoolExecutor(4) as pool:  # one invocation at a time per worker
            answers = list(pool.map(lambda _: function.invoke({"sleep": 0.05}), range(8)))
        assert all(error is None and payload["name"] == "ApiFunction" for payload, error in answers)
        cold = measure_cold_starts(function, {}, runs=2)
        assert len(cold) == 2 and all(c.total_s > 0 and c.function_error is None for c in cold)
    started = time.monotonic()
    function.start()
    function.stop()
    assert time.monotonic() - started < 5 and not function.running


def test_template_references_resolve_to_the_local_resources(stack: Any) -> None:
    from newsproc.local.built import ResolveContext, function_environment, local_refs
    from newsproc.local.template import Template

    template = Template.load(DEFAULT_BUILD_DIR / "template.yaml")
    context = ResolveContext(template, local_refs(stack.resources), {"LogLevel": "DEBUG"})
    env = function_environment(template, "ApiFunction", context)
    assert env["RAW_BUCKET"] == stack.resources.raw_bucket  # the !Sub of RawBucket's BucketName
    assert env["RESULTS_BUCKET"] == stack.resources.results_bucket and env["QUEUE_URL"] == stack.resources.queue_url
    assert env["POWERTOOLS_LOG_LEVEL"] == "DEBUG" and env["MAX_INPUT_BYTES"] == "10485760"
    assert env["PROCESS_FUNCTION_NAME"] == "ProcessDocumentFunction"  # !Ref X.Alias without a local value
    assert context.resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::${RawBucket}/*"}) == (
        f"arn:aws:s3:::{stack.resources.raw_bucket}/*"
    )
