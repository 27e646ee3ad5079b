"""`newsproc local`: the whole service on a laptop, no AWS account and no Docker.

moto in server mode plays S3, SQS and DynamoDB on 127.0.0.1; the resources come from template.yaml.
Two workers run the real handlers: an SQS poller (the event source mapping: batch size from the
template, failed records left on the queue so visibility timeout and DLQ redrive work as in AWS) and
an HTTP server that turns requests into HTTP API payload v2 events, routed by the template's routes
(what `sam local start-api` does with Docker).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import threading
import warnings
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newsproc import aws
from newsproc.local.env import use_local_environment
from newsproc.local.harness import check_port_free, moto_server
from newsproc.local.lambda_runtime import LambdaContext, function_timeout, http_api_event, load_handler
from newsproc.local.template import Template

CONFIG_FILE = ".newsproc-local.json"
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Route:
    method: str
    template_path: str
    pattern: re.Pattern[str]

    @classmethod
    def from_template(cls, method: str, path: str) -> Route:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        return cls(method, path, re.compile(f"^{regex}$"))

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.template_path}"


class Router:
    def __init__(self, routes: list[tuple[str, str]]) -> None:
        # Literal paths before parameterised ones, as API Gateway prefers the most specific route.
        self.routes = sorted((Route.from_template(m, p) for m, p in routes), key=lambda r: r.template_path.count("{"))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method == method and (found := route.pattern.match(path)):
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None


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
        resources = self.resources = stack.resources

        self.process_timeout = function_timeout("ProcessDocumentFunction", self.template)
        if self.built:
            self._start_built(stack)
        else:
            self.log("mode: in-process (both handlers in this Python, the development environment)")
            self.log("loading ProcessDocumentFunction (spaCy) and ApiFunction ...")
            self.process_handler, _ = load_handler("ProcessDocumentFunction", self.template)
            self.api_handler, _ = load_handler("ApiFunction", self.template)
            aws.use_local_invoker(self._invoke_processor)

        config = {
            "endpoint_url": endpoint,
            "api_url": f"http://{self.host}:{self.api_port}",
            "raw_bucket": resources.raw_bucket,
            "results_bucket": resources.results_bucket,
            "table": resources.table,
            "queue_url": resources.queue_url,
            "dlq_url": resources.dlq_url,
            "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        }
        self._http = ThreadingHTTPServer((self.host, self.api_port), _make_http_handler(self))
        self._spawn(self._http.serve_forever, "api")
        self._spawn(self._poll_forever, "sqs-poller")
        self.config_path.write_text(json.dumps(config, indent=2))
        for name, value in config.items():
            self.log(f"  {name:14} {value}")
        self.log(f"wrote {self.config_path}; drop files with: aws --endpoint-url {endpoint} s3 cp FILE "
                 f"s3://{resources.raw_bucket}/  (Ctrl-C stops)")  # fmt: skip
        return config

    def _start_built(self, stack: Any) -> None:
        """Each function in its own python3.12 worker on the built artifacts, as Lambda runs it."""
        from newsproc.local.built import DEFAULT_BUILD_DIR, BuiltFunction

        self.log(f"mode: built ({DEFAULT_BUILD_DIR}: each function in its own python3.12 worker; rebuild after edits)")
        process = BuiltFunction.from_stack("ProcessDocumentFunction", stack)
        # The API's direct calls reach the process worker through this server's Lambda Invoke route.
        lambda_endpoint = {"AWS_ENDPOINT_URL_LAMBDA": f"http://{self.host}:{self.api_port}"}
        api = BuiltFunction.from_stack("ApiFunction", stack, environment=lambda_endpoint)
        self._workers = [process.start(), api.start()]
        self.process_handler = _raising(process)
        self.api_handler = _raising(api)
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
            try:
                outcome = poll_once(
                    self.sqs, self.resources.queue_url, self.resources.queue_arn, self._locked_process_handler,
                    batch_size=int(batch.get("BatchSize", 10)), wait_seconds=1, timeout_s=self.process_timeout,
                    on_message=self._report,
                )  # fmt: skip
            except Exception as exc:  # the server is going away, or a transient error: keep polling
                if self._stop.is_set():
                    return
                self.log(f"poller: {exc!r}")
                continue
            if outcome.received:
                self.log(f"batch: messages={outcome.received} ok={outcome.succeeded} retry={outcome.failed}")

    def _report(self, body: str, succeeded: bool) -> None:
        from newsproc.ingest.events import MalformedEventError, object_refs_from_message
        from newsproc.media import document_id_for

        try:
            refs = object_refs_from_message(body)
        except MalformedEventError:
            self.log(f"  {'ok' if succeeded else 'RETRY'} (not an S3 event)")
            return
        for ref in refs:
            self.processed += succeeded
            action = "removed" if ref.removed else "processed" if succeeded else "will retry"
            self.log(f"  {action:10} s3://{ref.bucket}/{ref.key} -> {document_id_for(ref.bucket, ref.key)}")

    def serve_forever(self) -> None:
        try:
            self._stop.wait()
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


_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


def _make_http_handler(stack: LocalStack) -> type[BaseHTTPRequestHandler]:
    router = Router(stack.template.http_routes("ApiFunction"))

    class ApiRequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
            stack.log(f"api: {self.command} {self.path} -> {args[1] if len(args) > 1 else ''}")

        def _handle(self) -> None:
            url = urlsplit(self.path)
            body = self._read_body()
            invoke = _INVOKE_PATH.match(url.path) if self.command == "POST" else None
            if invoke is not None:  # Lambda's Invoke API, for the built ApiFunction's direct calls
                payload, function_error = stack.invoke_lambda(unquote(invoke["name"]), json.loads(body or b"{}"))
                headers = {"content-type": "application/json"}
                if function_error:
                    headers["x-amz-function-error"] = function_error
                self._send(200, headers, json.dumps(payload).encode())
                return
            found = router.match(self.command, url.path)
            if found is None:
                error = {"error": {"code": "route_not_found", "message": f"no route for {self.command} {url.path}"}}
                self._send(404, {"content-type": "application/json"}, json.dumps(error).encode())
                return
            route, params = found
            query: dict[str, str] = {}
            for key, value in parse_qsl(url.query, keep_blank_values=True):
                query[key] = f"{query[key]},{value}" if key in query else value  # as API Gateway joins them
            content_type = self.headers.get("content-type", "")
            text_body: bytes | str | None = body
            if body is not None and (content_type.startswith(TEXT_TYPES) or not content_type):
                try:
                    text_body = body.decode()
                except UnicodeDecodeError:
                    text_body = body
            event = http_api_event(
                self.command, url.path, route_key=route.route_key, path_parameters=params or None,
                query=query or None, headers=dict(self.headers.items()), body=text_body,
            )  # fmt: skip
            event["rawQueryString"] = url.query
            try:
                response = stack.api_handler(event, LambdaContext("ApiFunction", timeout_s=29))
            except Exception as exc:  # what API Gateway answers when the integration fails
                stack.log(f"api: handler raised {exc!r}")
                self._send(500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
                return
            payload = response.get("body") or ""
            data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
            headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
            self._send(int(response.get("statusCode", 200)), headers, data)

        def _read_body(self) -> bytes | None:
            if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                chunks = []
                while (size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)) > 0:
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length else None

        def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name not in ("content-length", "connection"):
                    self.send_header(name, value)
            if status in (204, 304):
                data = b""  # no body, whatever the handler returned
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def __getattr__(self, name: str) -> Any:
            # Every method is routed (any `do_<METHOD>`): one without a route gets 404 like API
            # Gateway, never http.server's 501.
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

    return ApiRequestHandler
