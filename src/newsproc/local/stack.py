"""`newsproc local`: the whole service on a laptop, no AWS account and no Docker.

moto in server mode plays S3, SQS and DynamoDB on 127.0.0.1; the resources come from template.yaml.
Three workers run the real handlers: an SQS poller (the event source mapping: batch size from the
template, failed records left on the queue so visibility timeout and DLQ redrive work as in AWS), a
DynamoDB Streams poller (the documents table's stream into CountEntitiesFunction, with the template's
filter, retries and on-failure queue: newsproc.local.poller) and an HTTP server that turns requests into
HTTP API payload v2 events, routed by the template's routes (what `sam local start-api` does with Docker).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import boto3
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from newsproc import aws
from newsproc.local.env import use_local_environment
from newsproc.local.harness import check_port_free, moto_server
from newsproc.local.lambda_runtime import LambdaContext, function_timeout, http_api_event, load_handler
from newsproc.local.template import Template

CONFIG_FILE = ".newsproc-local.json"
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-www-form-urlencoded")


INVOKE_ENDPOINT = "Lambda:Invoke"  # the endpoint name of Lambda's Invoke route in the url map


def url_map(routes: list[tuple[str, str]]) -> Map:
    """The template's routes (`/documents/{document_id}`) as a Werkzeug map, plus Lambda's Invoke route.

    Matched against the raw (still percent-encoded) path, so an encoded `/` stays inside one parameter
    as in API Gateway; the endpoint of each rule is its route key ("GET /documents/{document_id}").
    Werkzeug prefers static rules over parameterised ones, as API Gateway prefers the most specific route.
    """
    rules = [
        Rule(path.replace("{", "<").replace("}", ">"), methods=[method], endpoint=f"{method} {path}")
        for method, path in routes
    ]
    rules.append(Rule("/2015-03-31/functions/<name>/invocations", methods=["POST"], endpoint=INVOKE_ENDPOINT))
    return Map(rules, merge_slashes=False, redirect_defaults=False)


class LocalStack:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 5000,
        api_port: int = 3000,
        config_path: Path | str = CONFIG_FILE,
        template: Template | None = None,
        quiet: bool = False,
        built: bool = False,
    ) -> None:
        self.host, self.port, self.api_port = host, port, api_port
        self.config_path = Path(config_path)
        self.template = template or Template.load()
        self.quiet = quiet
        self.built = built  # each function in its own python3.12 worker on .aws-sam/build (newsproc.local.built)
        self._workers: list[Any] = []
        self._stop = threading.Event()
        self._handler_lock = threading.Lock()  # one "container" per function: invocations never overlap
        self._threads: list[threading.Thread] = []
        self._resources = contextlib.ExitStack()  # the moto server
        self.processed = 0

    def log(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def start(self) -> dict[str, str]:
        use_local_environment(
            POWERTOOLS_LOG_LEVEL=os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"), POWERTOOLS_METRICS_DISABLED="true"
        )
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request access log
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        check_port_free(self.host, self.api_port)
        stack = self._resources.enter_context(moto_server(self.host, self.port, self.template))
        endpoint = stack.endpoint_url
        # botocore's standard variable: every client of the functions, run in this process, uses it
        os.environ.update(stack.environment)
        aws.reset_clients()
        self.sqs = stack.sqs
        self._dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=os.environ["AWS_DEFAULT_REGION"])
        self._before: dict[str, str | None] = {}
        self._test_events = 0
        resources = self.resources = stack.resources

        self.process_timeout = function_timeout("ProcessDocumentFunction", self.template)
        if self.built:
            self._start_built(stack)
        else:
            self.log("mode: in-process (both handlers in this Python, the development environment)")
            self.log("loading ProcessDocumentFunction (spaCy) and ApiFunction ...")
            self.process_handler, _ = load_handler("ProcessDocumentFunction", self.template)
            self.api_handler, _ = load_handler("ApiFunction", self.template)
            self.count_handler, _ = load_handler("CountEntitiesFunction", self.template)
            aws.use_local_invoker(self._invoke_processor)

        config = {
            "endpoint_url": endpoint,
            "api_url": f"http://{self.host}:{self.api_port}",
            "raw_bucket": resources.raw_bucket,
            "results_bucket": resources.results_bucket,
            "table": resources.table,
            "trends_table": resources.trends_table,
            "queue_url": resources.queue_url,
            "dlq_url": resources.dlq_url,
            "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        }
        self._http = make_server(self.host, self.api_port, _make_wsgi_app(self), threaded=True)
        self._spawn(self._http.serve_forever, "api")
        self._spawn(self._poll_forever, "sqs-poller")
        self._streams = stack.streams
        self._spawn(self._poll_stream_forever, "stream-poller")
        # Written whole, then renamed: scripts and tests poll for the file and must never read it half-written.
        partial = self.config_path.with_name(f".{self.config_path.name}.partial")
        partial.write_text(json.dumps(config, indent=2))
        os.replace(partial, self.config_path)
        for name, value in config.items():
            self.log(f"  {name:14} {value}")
        self.log(f"wrote {self.config_path}; drop files with: aws --endpoint-url {endpoint} s3 cp FILE "
                 f"s3://{resources.raw_bucket}/  (Ctrl-C stops)")  # fmt: skip
        return config

    def _start_built(self, stack: Any) -> None:
        """Each function in its own python3.12 worker on the built artifacts, as Lambda runs it."""
        from newsproc.local.built import DEFAULT_BUILD_DIR, BuiltFunction

        self.log(f"mode: built ({DEFAULT_BUILD_DIR}: each function in its own python3.12 worker; rebuild after edits)")
        # The worker's environment is the template's, not this process's: a deployment's own patterns file
        # (`newsproc local --patterns FILE` or ENTITY_PATTERNS) and NER_CONFIDENCE are passed on when set.
        passed = {name: os.environ[name] for name in ("ENTITY_PATTERNS", "NER_CONFIDENCE") if os.environ.get(name)}
        process = BuiltFunction.from_stack("ProcessDocumentFunction", stack, environment=passed)
        # The API's direct calls reach the process worker through this server's Lambda Invoke route.
        lambda_endpoint = {"AWS_ENDPOINT_URL_LAMBDA": f"http://{self.host}:{self.api_port}"}
        api = BuiltFunction.from_stack("ApiFunction", stack, environment=lambda_endpoint)
        count = BuiltFunction.from_stack("CountEntitiesFunction", stack)
        self._workers = [process.start(), api.start(), count.start()]
        self.process_handler = _raising(process)
        self.api_handler = _raising(api)
        self.count_handler = _raising(count)
        self.process_worker = process

    def invoke_lambda(self, function_name: str, payload: Any) -> tuple[Any, str | None]:
        """Lambda's Invoke API for the API function's direct calls (only the process function is invoked)."""
        if not self.built:
            return self._invoke_processor(payload), None
        return self.process_worker.invoke(payload)

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _locked_process_handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        with self._handler_lock:
            return self.process_handler(event, context)

    def _invoke_processor(self, payload: dict[str, Any]) -> dict[str, Any]:
        context = LambdaContext("ProcessDocumentFunction", timeout_s=self.process_timeout)
        return self._locked_process_handler(payload, context)

    def _poll_forever(self) -> None:
        from newsproc.local.poller import poll_once

        batch = self.template.sqs_event("ProcessDocumentFunction")
        while not self._stop.is_set():
            self._test_events = 0
            try:
                outcome = poll_once(
                    self.sqs, self.resources.queue_url, self.resources.queue_arn, self._observed_process_handler,
                    batch_size=int(batch.get("BatchSize", 10)), wait_seconds=1, timeout_s=self.process_timeout,
                    on_message=self._report,
                )  # fmt: skip
            except Exception as exc:  # the server is going away, or a transient error: keep polling
                if self._stop.is_set():
                    return
                self.log(f"poller: {exc!r}")
                continue
            if outcome.received and outcome.received == self._test_events:
                continue  # only S3's s3:TestEvent (sent when the bucket notification is configured): nothing to say
            if outcome.received:
                note = f" (+{self._test_events} s3:TestEvent)" if self._test_events else ""
                self.log(f"batch: messages={outcome.received} ok={outcome.succeeded} retry={outcome.failed}{note}")

    def _poll_stream_forever(self) -> None:
        """The documents table's stream into CountEntitiesFunction, as its event source mapping would."""
        from newsproc.local.poller import StreamCursor, StreamMapping, poll_stream_once

        events = self.template.stream_event("CountEntitiesFunction")
        mapping = StreamMapping.from_event(events, self.resources.counts_dlq_url)
        cursor, timeout = StreamCursor(), function_timeout("CountEntitiesFunction", self.template)
        while not self._stop.is_set():
            try:
                outcome = poll_stream_once(
                    self._streams, self.resources.stream_arn, self.count_handler, cursor, mapping,
                    sqs=self.sqs, timeout_s=timeout,
                )  # fmt: skip
            except Exception as exc:  # the server is going away, or a transient error: keep polling
                if self._stop.is_set():
                    return
                self.log(f"stream poller: {exc!r}")
                outcome = None
            if outcome is not None and outcome.received:
                self.log(f"stream: records={outcome.received} ok={outcome.succeeded} retry={outcome.failed}")
            if outcome is None or not cursor.read:
                self._stop.wait(1.0)  # at the end of the stream: poll again in a second, as Lambda does

    def _observed_process_handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The process handler on a polled batch; notes each document's `updated_at` first, for `_report`."""
        self._before = {}
        for record in event.get("Records", []):
            for document_id in self._document_ids(record.get("body", "")):
                self._before[document_id] = self._stored(document_id)[0]
        return self._locked_process_handler(event, context)

    @staticmethod
    def _document_ids(body: str) -> list[str]:
        from newsproc.ingest.events import MalformedEventError, object_refs_from_message
        from newsproc.media import document_id_for

        try:
            return [document_id_for(ref.bucket, ref.key) for ref in object_refs_from_message(body)]
        except MalformedEventError:
            return []

    def _stored(self, document_id: str) -> tuple[str | None, str | None]:
        """The stored document item's `updated_at` (None when there is none: it changes on every write) and,
        when it FAILED, its error code."""
        try:
            item = self._dynamodb.get_item(
                TableName=self.resources.table, Key={"PK": {"S": f"DOC#{document_id}"}, "SK": {"S": "DOC"}},
                ProjectionExpression="updated_at, #status, error_code", ExpressionAttributeNames={"#status": "status"},
                ConsistentRead=True,
            ).get("Item", {})  # fmt: skip
        except Exception:  # only for the log line: never in the way of processing
            return "unknown", None
        failed = item.get("status", {}).get("S") == "FAILED"
        return item.get("updated_at", {}).get("S"), (item.get("error_code", {}).get("S") or "?") if failed else None

    def _report(self, body: str, succeeded: bool) -> None:
        from newsproc.ingest.events import MalformedEventError, object_refs_from_message
        from newsproc.media import document_id_for

        try:
            refs = object_refs_from_message(body)
        except MalformedEventError:
            self.log(f"  {'parked in the DLQ' if succeeded else 'RETRY'} (not an S3 event)")
            return
        if not refs:  # s3:TestEvent
            self._test_events += 1
            return
        for ref in refs:
            document_id = document_id_for(ref.bucket, ref.key)
            if not succeeded:
                action = "will retry"
            elif ref.removed:
                action = "removed"
            elif (stored := self._stored(document_id))[0] == self._before.get(document_id, "unknown"):
                action = "skipped (already stored)"  # the handler wrote nothing: this version was done
            elif stored[1] is not None:
                action = f"failed ({stored[1]})"
            else:
                action = "processed"
                self.processed += 1
            self.log(f"  {action:10} s3://{ref.bucket}/{ref.key} -> {document_id}")

    def serve_forever(self) -> None:
        try:
            while not self._stop.wait(0.5):  # wakes up: a signal's Python handler runs even if another thread got it
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        self._stop.set()
        self.log("stopping ...")
        for worker in self._workers:  # a document in progress is abandoned; its message stays on the queue
            worker.stop()
        if hasattr(self, "_http"):
            self._http.shutdown()
            self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._resources.close()
        aws.use_local_invoker(None)
        self.config_path.unlink(missing_ok=True)
        self.log("stopped")


class FunctionError(RuntimeError):
    """A built function answered with Lambda's error object (crash, timeout, init error)."""


def _raising(function: Any) -> Any:
    """A built function as a handler callable: its payload, or FunctionError as the poller expects."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        payload, function_error = function.invoke(event)
        if function_error:
            raise FunctionError(f"{function.function_id}: {payload.get('errorType')}: {payload.get('errorMessage')}")
        return payload

    return handler


class _Response(Response):
    default_mimetype = None  # only the headers the handler set, as API Gateway passes them


def _make_wsgi_app(stack: LocalStack) -> Any:
    """The HTTP API as a WSGI app on Werkzeug's threaded server.

    Werkzeug dechunks chunked request bodies and sends no body for HEAD, 204 and 304; every method
    reaches the app, so one without a route gets API Gateway's 404, never a 405 or 501.
    """
    urls = url_map(stack.template.http_routes("ApiFunction"))

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        raw_path = raw_uri.split("?", 1)[0]
        response = _respond(request, raw_path)
        stack.log(f"api: {request.method} {raw_uri} -> {response.status_code}")
        return response(environ, start_response)

    def _respond(request: Request, raw_path: str) -> Response:
        method = request.method
        try:
            # matched on the raw path: parameters are decoded below, once, as API Gateway does
            endpoint, params = urls.bind("local", path_info=raw_path).match(raw_path, method=method)
        except HTTPException:
            endpoint, params = None, {}
        if endpoint is not None and method == "HEAD" and not endpoint.startswith("HEAD "):
            endpoint = None  # Werkzeug lets HEAD match GET rules; API Gateway routes HEAD only if declared
        if endpoint is None:
            error = {"error": {"code": "route_not_found", "message": f"no route for {method} {raw_path}"}}
            return _Response(json.dumps(error), 404, content_type="application/json")
        body = request.get_data() or None
        if endpoint == INVOKE_ENDPOINT:  # Lambda's Invoke API, for the built ApiFunction's direct calls
            payload, function_error = stack.invoke_lambda(unquote(params["name"]), json.loads(body or b"{}"))
            headers = {"x-amz-function-error": function_error} if function_error else {}
            return _Response(json.dumps(payload), 200, headers, content_type="application/json")
        query_string = request.query_string.decode("latin-1")
        query: dict[str, str] = {}
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value  # as API Gateway joins them
        content_type = request.headers.get("content-type", "")
        text_body: bytes | str | None = body
        if body is not None and (content_type.startswith(TEXT_TYPES) or not content_type):
            try:
                text_body = body.decode()
            except UnicodeDecodeError:
                text_body = body  # binary: the event carries it base64-encoded
        event = http_api_event(
            method, raw_path, route_key=endpoint, path_parameters={k: unquote(v) for k, v in params.items()} or None,
            query=query or None, headers=dict(request.headers.items()), body=text_body,
        )  # fmt: skip
        event["rawQueryString"] = query_string
        try:
            response = stack.api_handler(event, LambdaContext("ApiFunction", timeout_s=29))
        except Exception as exc:  # what API Gateway answers when the integration fails
            stack.log(f"api: handler raised {exc!r}")
            return _Response(b'{"message":"Internal Server Error"}', 500, content_type="application/json")
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        headers = {k: v for k, v in headers.items() if k not in ("content-length", "connection", "transfer-encoding")}
        return _Response(data, int(response.get("statusCode", 200)), headers)

    return app
