"""One Lambda execution environment in a process: init once, then invoke the handler once per request line.

Started by newsproc.local.built (never imported by it): it runs under the Lambda runtime's python3.12 with
only the built artifacts on sys.path (function code, layers, the runtime's boto3), so this file uses the
standard library only.

    python3.12 -s -S -P lambda_worker.py      (environment: _HANDLER=app.lambda_handler, LAMBDA_TASK_ROOT, ...)

Protocol, one JSON object per line:
  worker -> parent, once after init:  {"type": "init", "ok": bool, "init_ms": float, "error": {...} | null}
  parent -> worker, per invoke:       {"id": request id, "event": ..., "deadline_ms": epoch ms,
                                       "function_name", "function_version", "memory_limit_in_mb",
                                       "invoked_function_arn", "log_group_name", "log_stream_name", "trace_id"}
  worker -> parent, per invoke:       {"type": "response", "id", "function_error": null | "Unhandled",
                                       "duration_ms", "max_memory_used_mb", "payload": <the JSON payload>}
Errors are payloads shaped as Lambda reports them: {"errorMessage", "errorType", "requestId", "stackTrace"}.
The protocol runs on copies of the original stdin/stdout descriptors; fd 1 and sys.stdout then point at
stderr (and fd 0 at /dev/null), so prints and logs of the handler cannot corrupt it.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

# Lambda refuses response payloads over 6 MB (synchronous invocations).
MAX_RESPONSE_BYTES = 6_291_556

# Without -P the interpreter puts this file's folder first on sys.path: newsproc/local/*.py would be importable.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]


class LambdaContext:
    """The context object of the python3.12 runtime (awslambdaric): what Powertools and handlers read."""

    def __init__(self, request: dict[str, Any]) -> None:
        env = os.environ
        self.aws_request_id: str = request["id"]
        self.function_name: str = request.get("function_name") or env.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_version: str = request.get("function_version") or env.get(
            "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"
        )
        self.memory_limit_in_mb: str = str(
            request.get("memory_limit_in_mb") or env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        )
        self.invoked_function_arn: str = request.get("invoked_function_arn") or (
            f"arn:aws:lambda:{env.get('AWS_REGION', 'us-east-1')}:123456789012:function:{self.function_name}"
        )
        self.log_group_name: str = request.get("log_group_name") or env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name: str = request.get("log_stream_name") or env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = int(request["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message: str) -> None:
        sys.stderr.write(message)
        sys.stderr.flush()

    def __repr__(self) -> str:
        return (
            f"LambdaContext(aws_request_id={self.aws_request_id!r}, function_name={self.function_name!r}, "
            f"remaining_ms={self.get_remaining_time_in_millis()})"
        )


def error_payload(message: str, error_type: str, stack: list[str] | None, request_id: str = "") -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack or []}


def _stack(exc: BaseException) -> list[str]:
    """The traceback without this worker's own frames (as the runtime drops its bootstrap's)."""
    frames = traceback.extract_tb(exc.__traceback__)
    while frames and os.path.abspath(frames[0].filename) == os.path.abspath(__file__):
        del frames[0]
    return traceback.format_list(frames)


def _exception_payload(exc: BaseException, request_id: str = "") -> dict[str, Any]:
    return error_payload(str(exc), type(exc).__name__, _stack(exc), request_id)


def load_handler(handler: str) -> tuple[Any, dict[str, Any] | None]:
    """Import the handler's module as the runtime does; init errors are shaped like Lambda's."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        return None, error_payload(f"Bad handler '{handler}': {exc}", "Runtime.MalformedHandlerName", None)
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            message = f"Cannot use built-in module {module_name} as a handler module"
            return None, error_payload(message, "Runtime.BuiltInModuleConflict", None)
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        return None, error_payload(message, "Runtime.ImportModuleError", _stack(exc))
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        return None, error_payload(
            f"Syntax error in module '{module_name}': {exc}", "Runtime.UserCodeSyntaxError", trace
        )
    except Exception as exc:  # noqa: BLE001 - any init failure is the function's init error
        return None, _exception_payload(exc)
    handler_fn = getattr(module, function_name, None)
    if handler_fn is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, error_payload(message, "Runtime.HandlerNotFound", None)
    return handler_fn, None


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):  # as the runtime's marshaller does (DynamoDB numbers)
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def marshal(result: Any, request_id: str) -> tuple[str, str | None]:
    """The payload JSON (python3.12 returns Unicode unescaped) and the function error flag."""
    try:
        body = json.dumps(result, default=_default, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError) as exc:
        error = error_payload(f"Unable to marshal response: {exc}", "Runtime.MarshalError", None, request_id)
        return json.dumps(error), "Unhandled"
    if len(body.encode("utf-8", "surrogatepass")) > MAX_RESPONSE_BYTES:
        message = (
            f"Response payload size ({len(body.encode('utf-8', 'surrogatepass'))} bytes) exceeded maximum "
            f"allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
        )
        return json.dumps(error_payload(message, "Function.ResponseSizeTooLarge", None, request_id)), "Unhandled"
    return body, None


def _max_rss_mb() -> float:
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
    except (ImportError, OSError):
        return 0.0


def _log(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def invoke(handler_fn: Any, init_error: dict[str, Any] | None, request: dict[str, Any]) -> tuple[str, str | None]:
    request_id = request["id"]
    if init_error is not None:
        return json.dumps(dict(init_error, requestId=request_id)), "Unhandled"
    if request.get("trace_id"):
        os.environ["_X_AMZN_TRACE_ID"] = request["trace_id"]
    try:
        result = handler_fn(request.get("event"), LambdaContext(request))
    except Exception as exc:  # noqa: BLE001 - reported to the invoker as Lambda does
        payload = _exception_payload(exc, request_id)
        _log("[ERROR] " + json.dumps({k: payload[k] for k in ("errorType", "errorMessage", "requestId", "stackTrace")}))
        return json.dumps(payload), "Unhandled"
    return marshal(result, request_id)


def main() -> int:
    # The protocol keeps private copies of fd 0/1; the handler's stdin is /dev/null and its stdout is stderr.
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="surrogatepass", newline="\n")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr

    def send(message: str) -> None:
        proto_out.write(message + "\n")
        proto_out.flush()

    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root:
        os.chdir(task_root)  # Lambda runs the handler with /var/task as its working directory
    handler = os.environ.get("_HANDLER", "app.lambda_handler")
    started = time.perf_counter()
    handler_fn, init_error = load_handler(handler)
    init_ms = round((time.perf_counter() - started) * 1000, 2)
    if init_error is not None:
        _log("[ERROR] " + json.dumps(init_error))
    _log(f"INIT_REPORT Init Duration: {init_ms:.2f} ms Phase: init Status: {'error' if init_error else 'success'}")
    send(json.dumps({"type": "init", "ok": init_error is None, "init_ms": init_ms, "error": init_error}))

    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "?")
    while True:
        line = proto_in.readline()
        if not line:
            return 0  # the parent closed stdin: shut down
        if not line.strip():
            continue
        request = json.loads(line)
        request_id = request["id"]
        _log(f"START RequestId: {request_id} Version: {version}")
        began = time.perf_counter()
        body, function_error = invoke(handler_fn, init_error, request)
        duration_ms = round((time.perf_counter() - began) * 1000, 2)
        max_mb = _max_rss_mb()
        _log(f"END RequestId: {request_id}")
        _log(
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tMemory Size: {memory} MB\t"
            f"Max Memory Used: {max_mb:.0f} MB"
        )
        header = json.dumps(
            {
                "type": "response",
                "id": request_id,
                "function_error": function_error,
                "duration_ms": duration_ms,
                "max_memory_used_mb": max_mb,
            }
        )
        send(header[:-1] + ', "payload": ' + body + "}")


if __name__ == "__main__":
    sys.exit(main())
