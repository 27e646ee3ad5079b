"""Run each built Lambda function (.aws-sam/build) in its own python3.12 worker process, as Lambda would.

Everything else local runs both handlers in one dev-venv process, where a module the layers lack goes
unseen. A `BuiltFunction` starts `newsproc/local/lambda_worker.py` under python3.12 with only the
function's built code, its layers' python/ folders (template order) and the runtime's boto3 on sys.path,
and the environment the template gives it (Globals + the function's variables, with `!Ref`/`!GetAtt`/
`!Sub` resolved to local values) plus Lambda's reserved variables, fake credentials and the endpoint:

    from newsproc.local.harness import moto_server
    from newsproc.local.built import BuiltFunction

    with moto_server() as stack, BuiltFunction.from_stack("ApiFunction", stack) as api:
        payload, function_error = api.invoke(http_api_event("GET", "/documents"))
        print(api.cold_start_s, api.init_s)

The worker imports the handler once (the init phase) and then serves one invocation at a time. Handler
exceptions, init errors and crashes come back as Lambda reports them (payload + function error
"Unhandled"); an invocation over the template's Timeout kills the worker and answers `Task timed out after
N seconds`; the next invoke starts a fresh worker (a cold start again).

Differences from Lambda: no memory limit is enforced (the worker reports its peak RSS in
`last_invocation.max_memory_used_mb`), a failed init is not retried on the next invoke (`restart()` does),
init may take `init_timeout_s` (Lambda: 10 s, then once more within the invoke timeout), and layers are
separate sys.path entries instead of one merged /opt (a file shipped by two layers resolves to the first).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from newsproc.local.lambda_env import (
    ACCOUNT_ID,
    DEFAULT_BUILD_DIR,
    FAKE_CREDENTIALS,
    ResolveContext,
    find_python312,
    function_environment,
    local_refs,
    runtime_sdk,
    setting,
)
from newsproc.local.template import Template
from newsproc.local.worker_process import Invocation, Worker

WORKER = Path(__file__).with_name("lambda_worker.py")

# Lambda's limit for synchronous request payloads.
MAX_REQUEST_BYTES = 6_291_456
FUNCTION_ERROR = "Unhandled"


class BuildMissingError(FileNotFoundError):
    """No `sam build` output for the function (run `make build`)."""


class PayloadTooLargeError(ValueError):
    """The event is over Lambda's 6 MB synchronous request limit (Lambda refuses it before the function)."""


class BuiltFunction:
    """One built Lambda function in its own python3.12 worker process (see the module docstring).

    `invoke(event, timeout_s=None) -> (payload, function_error)`: function_error is None or "Unhandled"
    (handler exception, init error, timeout, crash), the payload then being Lambda's error object
    `{"errorMessage", "errorType", "requestId", "stackTrace"}`. One invocation runs at a time (a lock).

    Cold starts: `cold_start_s` is the time from spawning the worker to the end of its first invoke (the
    latest worker's; every one is in `cold_starts`), `init_s` the init phase as the worker measured it.
    """

    def __init__(
        self,
        function_id: str,
        *,
        build_dir: Path | str = DEFAULT_BUILD_DIR,
        python: str | None = None,
        refs: Mapping[str, str] | None = None,
        parameters: Mapping[str, str] | None = None,
        environment: Mapping[str, str] | None = None,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        function_name: str | None = None,
        timeout_s: float | None = None,
        init_timeout_s: float = 120.0,
        sdk_dir: Path | None = None,
        code_dir: Path | str | None = None,
        handler: str | None = None,
        log_sink: TextIO | None = None,
        log_tail: int = 400,
    ) -> None:
        self.function_id = function_id
        self.build_dir = Path(build_dir).resolve()
        template_path = self.build_dir / "template.yaml"
        if not template_path.exists():
            raise BuildMissingError(f"no built template at {template_path} (run `make build`)")
        self.template = Template.load(template_path)
        if function_id not in self.template.resources:
            raise KeyError(f"{function_id} is not a resource of {template_path}")
        properties = self.template.properties(function_id)
        self.code_dir = Path(code_dir).resolve() if code_dir else self.build_dir / properties["CodeUri"]
        self.handler = handler or properties["Handler"]
        self.layer_ids = [self._layer_id(layer) for layer in properties.get("Layers", [])]
        missing = [p for p in [self.code_dir, *(self.build_dir / layer for layer in self.layer_ids)] if not p.is_dir()]
        if missing:
            raise BuildMissingError(f"built artifacts missing: {[str(p) for p in missing]} (run `make build`)")
        self.python = python
        self.sdk_dir = sdk_dir
        self.region = region
        self.endpoint_url = endpoint_url
        self.function_name = function_name or function_id
        self.memory_mb = int(setting(self.template, function_id, "MemorySize", 128))
        self.timeout_s = float(
            timeout_s if timeout_s is not None else setting(self.template, function_id, "Timeout", 3)
        )
        self.init_timeout_s = init_timeout_s
        self.resolver = ResolveContext(self.template, dict(refs or {}), dict(parameters or {}), region)
        self.overrides = dict(environment or {})
        self.log_sink = log_sink
        self.log_tail = log_tail
        self.cold_starts: list[float] = []
        self.init_s: float | None = None
        self.invocations: list[Invocation] = []
        self._worker: Worker | None = None
        self._invoke_lock = threading.Lock()
        self._state_lock = threading.Lock()

    @classmethod
    def from_stack(cls, function_id: str, stack: Any, **kwargs: Any) -> BuiltFunction:
        """For a harness stack (newsproc.local.harness.moto_server): its resources, endpoint and variables."""
        region = kwargs.pop("region", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
        refs = local_refs(stack.resources, region) | dict(kwargs.pop("refs", {}) or {})
        environment = dict(stack.environment) | dict(kwargs.pop("environment", {}) or {})
        return cls(
            function_id, refs=refs, environment=environment, endpoint_url=stack.endpoint_url, region=region, **kwargs
        )

    @staticmethod
    def _layer_id(layer: Any) -> str:
        if isinstance(layer, dict) and "Ref" in layer:
            return str(layer["Ref"])
        raise ValueError(f"only layers of this template (!Ref) can run locally, not {layer!r}")

    # ------------------------------------------------------------------------------------- configuration

    @property
    def pythonpath(self) -> list[Path]:
        """Function code, each layer's python/ (and python/lib/python3.12/site-packages), the runtime SDK."""
        paths = [self.code_dir]
        for layer in self.layer_ids:
            content = self.build_dir / layer
            for sub in ("python", "python/lib/python3.12/site-packages"):
                if (content / sub).is_dir():
                    paths.append(content / sub)
        paths.append(self._sdk())
        return paths

    def _python(self) -> str:
        if self.python is None:
            found = find_python312()
            if found is None:
                raise FileNotFoundError("python3.12 not found (pyenv 3.12.x or python3.12 on PATH)")
            self.python = found
        return self.python

    def _sdk(self) -> Path:
        if self.sdk_dir is None:
            self.sdk_dir = runtime_sdk(self._python())
        return self.sdk_dir

    @property
    def environment(self) -> dict[str, str]:
        """The worker's complete environment (nothing is inherited from this process but PATH)."""
        name = self.function_name
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "HOME": tempfile.gettempdir(),
            # never the developer's ~/.aws files: the credentials and endpoint below are the only ones
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            # what the Lambda runtime sets
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
            "LAMBDA_TASK_ROOT": str(self.code_dir),
            "LAMBDA_RUNTIME_DIR": str(self._sdk()),
            "_HANDLER": self.handler,
            # not a Lambda variable: the template's timeout, for code that wants to know it locally
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(self.timeout_s) if self.timeout_s.is_integer() else self.timeout_s),
        }
        env |= function_environment(self.template, self.function_id, self.resolver)
        env |= FAKE_CREDENTIALS | {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        env |= self.overrides
        env |= {
            "PYTHONPATH": os.pathsep.join(str(p) for p in self.pythonpath),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",  # /var/task and /opt are read-only on Lambda; keep the build clean
            "PYTHONUNBUFFERED": "1",
        }
        return env

    @property
    def argv(self) -> list[str]:
        # -s: no user site; -S: not the interpreter's own site-packages either (Lambda's has only the
        # runtime); -P: not the worker's folder (newsproc/local) on sys.path. Not -I: it ignores PYTHONPATH.
        return [self._python(), "-s", "-S", "-P", str(WORKER)]

    # ------------------------------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        worker = self._worker
        return worker is not None and worker.alive()

    @property
    def pid(self) -> int | None:
        worker = self._worker
        return worker.process.pid if worker is not None and worker.alive() else None

    @property
    def cold_start_s(self) -> float | None:
        """Spawn to the end of the first invoke, of the latest worker that finished one."""
        return self.cold_starts[-1] if self.cold_starts else None

    @property
    def last_invocation(self) -> Invocation | None:
        return self.invocations[-1] if self.invocations else None

    def start(self, wait: bool = False) -> BuiltFunction:
        """Spawn the worker (its init starts at once). wait=True: return after its init (raises on an init
        timeout; an init error is kept and answered by every invoke)."""
        with self._state_lock:
            if self._worker is None or not self._worker.alive():
                self._spawn()
            worker = self._worker
        assert worker is not None
        if wait:
            error = self._await_init(worker)
            if error is not None and error["errorType"] == "Runtime.InitTimeout":
                raise TimeoutError(error["errorMessage"])
        return self

    def _spawn(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        env, argv = self.environment, self.argv
        self._worker = Worker(argv, env, self.code_dir, self.log_sink, self.log_tail)

    def stop(self, grace_s: float = 2.0) -> None:
        """Stop the worker: stdin closed, then SIGTERM, then SIGKILL (within about 2 * grace_s)."""
        with self._state_lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(grace_s)

    def restart(self) -> None:
        self.stop()
        self.start()

    def logs(self) -> str:
        """The worker's recent stderr (handler logs, START/END/REPORT lines)."""
        worker = self._worker
        return "\n".join(worker.logs) if worker is not None else ""

    def __enter__(self) -> BuiltFunction:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --------------------------------------------------------------------------------------------- invoke

    def _exit_error(self, worker: Worker, request_id: str, phase: str) -> dict[str, Any]:
        try:
            code = worker.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        status = f"exit status {code}" if code is not None and code >= 0 else f"signal {-(code or 0)}"
        tail = "\n".join(list(worker.logs)[-20:])
        message = f"RequestId: {request_id} Error: Runtime exited with error: {status} ({phase})"
        return {"errorMessage": message, "errorType": "Runtime.ExitError", "requestId": request_id,
                "stackTrace": [], "logTail": tail}  # fmt: skip

    def _await_init(self, worker: Worker, request_id: str = "") -> dict[str, Any] | None:
        """None when the worker is initialised; else the error an invoke answers."""
        if worker.init is not None:
            return worker.init.get("error")
        try:
            message = worker.next_message(self.init_timeout_s)
        except queue.Empty:
            worker.kill()
            message_text = f"RequestId: {request_id} Error: init did not finish in {self.init_timeout_s:.0f} s"
            return {"errorMessage": message_text, "errorType": "Runtime.InitTimeout", "requestId": request_id,
                    "stackTrace": []}  # fmt: skip
        if message is None:
            worker.init = {"ok": False, "error": self._exit_error(worker, request_id, "init")}
            return worker.init["error"]
        worker.init = message
        self.init_s = round(message.get("init_ms", 0.0) / 1000, 4)
        return message.get("error")

    def invoke(self, event: Any, timeout_s: float | None = None) -> tuple[Any, str | None]:
        """Run the handler on `event` in the worker; (payload, None) or (Lambda's error object, "Unhandled").

        `timeout_s` overrides the template's Timeout for this call. Over it, the worker is killed and the
        answer is Lambda's timeout error; the next invoke starts a new worker.
        """
        body = json.dumps(event, ensure_ascii=False)
        if len(body.encode("utf-8", "surrogatepass")) > MAX_REQUEST_BYTES:
            raise PayloadTooLargeError(f"request payload over {MAX_REQUEST_BYTES} bytes")
        timeout = float(timeout_s if timeout_s is not None else self.timeout_s)
        request_id = str(uuid.uuid4())
        with self._invoke_lock:
            started = time.perf_counter()
            with self._state_lock:
                cold = self._worker is None or not self._worker.alive()
                if cold:
                    self._spawn()
                worker = self._worker
            assert worker is not None
            cold = cold or not worker.first_invoke_done
            payload, function_error, report = self._invoke_on(worker, event, request_id, timeout)
            finished = time.perf_counter()
            if not worker.first_invoke_done:
                worker.first_invoke_done = True
                self.cold_starts.append(round(finished - worker.spawned, 4))
            error_type = payload.get("errorType") if function_error and isinstance(payload, dict) else None
            self.invocations.append(
                Invocation(
                    request_id, function_error, round(finished - started, 4), cold,
                    report.get("duration_ms"), report.get("max_memory_used_mb"), error_type,
                )
            )  # fmt: skip
            return payload, function_error

    def _invoke_on(
        self, worker: Worker, event: Any, request_id: str, timeout: float
    ) -> tuple[Any, str | None, dict[str, Any]]:
        init_error = self._await_init(worker, request_id)
        if init_error is not None and not worker.alive():
            return dict(init_error, requestId=request_id), FUNCTION_ERROR, {}
        deadline_ms = int(time.time() * 1000 + timeout * 1000)
        request = {
            "id": request_id,
            "event": event,
            "deadline_ms": deadline_ms,
            "function_name": self.function_name,
            "function_version": "$LATEST",
            "memory_limit_in_mb": str(self.memory_mb),
            "invoked_function_arn": f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}",
            "log_group_name": f"/aws/lambda/{self.function_name}",
            "log_stream_name": f"local/{worker.process.pid}",
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
        }
        try:
            worker.send(request)
        except (BrokenPipeError, OSError, ValueError):
            return self._exit_error(worker, request_id, "invoke"), FUNCTION_ERROR, {}
        send_time = time.monotonic()
        while True:
            remaining = timeout - (time.monotonic() - send_time)
            try:
                message = worker.next_message(max(0.0, remaining))
            except queue.Empty:
                worker.kill()  # as Lambda does: the environment is reset, the next invoke is a cold start
                error = {
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
                    "errorType": "Sandbox.Timedout",
                    "requestId": request_id,
                    "stackTrace": [],
                }
                return error, FUNCTION_ERROR, {}
            if message is None:
                return self._exit_error(worker, request_id, "invoke"), FUNCTION_ERROR, {}
            if message.get("type") == "response" and message.get("id") == request_id:
                return message.get("payload"), message.get("function_error"), message


def built_functions(build_dir: Path | str = DEFAULT_BUILD_DIR) -> list[str]:
    """The logical ids of the functions in the built template."""
    template = Template.load(Path(build_dir) / "template.yaml")
    return sorted(template.of_type("AWS::Serverless::Function"))


@dataclass(frozen=True)
class ColdStart:
    """One cold start: spawn to the end of the first invoke, the init phase alone, the handler alone."""

    total_s: float
    init_s: float | None
    handler_ms: float | None
    function_error: str | None


def measure_cold_starts(function: BuiltFunction, event: Any, runs: int = 3) -> list[ColdStart]:
    """Cold-start `function` `runs` times (stop, then one invoke of `event`), e.g. for a benchmark to print."""
    results = []
    for _ in range(runs):
        function.stop()
        _, function_error = function.invoke(event)
        last = function.last_invocation
        assert last is not None and last.cold
        results.append(
            ColdStart(function.cold_start_s or last.duration_s, function.init_s, last.handler_ms, function_error)
        )
    return results
