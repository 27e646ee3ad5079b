"""The `newsproc` command: run the pipeline on local files (no AWS), and local-stack/operator tools.

Every error is one line on stderr that says what to do: usage errors exit 2, failures exit 1, and no
traceback is printed unless NEWSPROC_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, get_args

from newsproc import __version__
from newsproc.cli.args import STDIN, existing_file, input_paths, language, output_directory, port, positive_int
from newsproc.media import SUFFIXES, MediaType
from newsproc.models import HtmlExtractor, Source

FORMATS: dict[str, MediaType | None] = {"auto": None} | {media_type.value: media_type for media_type in MediaType}
LOCAL_CONFIG = Path(".newsproc-local.json")


# ------------------------------------------------------------------------------ argparse plumbing


class CliError(Exception):
    """A failure the user can act on: printed as one line `newsproc <command>: <message>`, exit `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=2)


class Parser(argparse.ArgumentParser):
    """Usage errors as one line (what was wrong, where the help is), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, argparse.SUPPRESS) or action.nargs == 0 or "default" in text:
            return text
        return super()._get_help_string(action)


def add_command(commands: Any, name: str, **options: Any) -> argparse.ArgumentParser:
    """A subcommand with the CLI's help formatter (subparsers do not inherit it)."""
    return commands.add_parser(name, formatter_class=HelpFormatter, **options)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="newsproc", description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    process = add_command(
        commands,
        "process",
        help="clean and extract entities from files; one result JSON per line on stdout",
        description="Clean and extract entities from files, directories (recursively: "
        f"{', '.join(SUFFIXES)}), glob patterns (quoted: 'events/**/*.txt') or stdin ('-'). "
        "Results go to stdout as JSON lines (or --out DIR); a progress bar (on a terminal) and a "
        "one-line summary go to stderr. The process function's settings apply (MAX_INPUT_BYTES, "
        "HTML_EXTRACTOR, NER_MODELS, ENTITY_PATTERNS).",
    )
    process.add_argument("files", nargs="+", type=input_paths, metavar="FILE",
                         help="file, directory, glob, or '-' for stdin")  # fmt: skip
    process.add_argument("--format", choices=sorted(FORMATS), default="auto",
                         help="input format (auto: from the file suffix; stdin: JSON if it is a JSON "
                         "object with \"text\" or \"html\", else text)")  # fmt: skip
    process.add_argument("--skip-cleaning", action="store_true",
                         help="extract entities from the text exactly as given (offsets into it)")  # fmt: skip
    process.add_argument("--batch-size", type=positive_int, default=16, help="documents per nlp.pipe batch")
    process.add_argument("--language", type=language, metavar="CODE", default=None,
                         help="the inputs' language (ISO 639-1, e.g. en) instead of detecting it; a JSON "
                         "input's own \"language\" wins")  # fmt: skip
    process.add_argument("--html-extractor", choices=get_args(HtmlExtractor), default=None,
                         help="HTML main-text extractor (default: $HTML_EXTRACTOR, else markup)")  # fmt: skip
    process.add_argument(
        "--patterns",
        type=existing_file,
        metavar="FILE",
        default=None,
        help="EntityRuler patterns (JSONL) applied after the model (default: $ENTITY_PATTERNS)",
    )
    process.add_argument("--out", type=output_directory, metavar="DIR", default=None,
                         help="write one <document_id>.json per document into DIR instead of stdout")  # fmt: skip

    local = add_command(
        commands,
        "local",
        help="run the whole service locally: moto server, SQS poller, HTTP API",
        description="Run the whole service locally, no AWS account: moto in server mode (S3, SQS, DynamoDB, "
        "DynamoDB Streams) with the resources of template.yaml, an SQS poller and a stream poller that call "
        "the real handlers, and the HTTP API. Endpoints and names go to --config; Ctrl-C stops everything.",
    )
    local.add_argument(
        "--host", default="127.0.0.1", help="address of both servers (keep loopback unless you mean to expose them)"
    )
    local.add_argument("--port", type=port, default=5000, help="moto server port (S3, SQS, DynamoDB)")
    local.add_argument("--api-port", type=port, default=3000, help="HTTP API port")
    mode = local.add_mutually_exclusive_group()
    mode.add_argument("--built", dest="built", action="store_true", default=None,
                      help="run the built functions (.aws-sam/build) in python3.12 workers, as Lambda does "
                      "(the default when a build exists)")  # fmt: skip
    mode.add_argument(
        "--in-process",
        dest="built",
        action="store_false",
        help="run both handlers in this Python with the development environment (no build needed)",
    )
    local.add_argument("--config", type=Path, default=LOCAL_CONFIG,
                       help="where to write the endpoints and resource names")  # fmt: skip
    local.add_argument(
        "--patterns",
        metavar="FILE",
        default=None,
        help="EntityRuler patterns (JSONL) for the process function (sets ENTITY_PATTERNS; default: $ENTITY_PATTERNS)",
    )
    from newsproc.cli.operations import register

    register(commands)
    for name in ("redrive", "backfill", "backfill-catalog", "recount-trends"):
        commands.choices[name].add_argument(
            "--local", action="store_true", help=f"target the running local stack (reads {LOCAL_CONFIG})"
        )
    return parser


# ------------------------------------------------------------------------------ running a command


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    prog = f"newsproc {args.command}"
    try:
        return _run(args)
    except CliError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `newsproc process ... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if os.environ.get("NEWSPROC_DEBUG") == "1":
            raise
        print(f"{prog}: {describe_error(exc)}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "process":
        return _process(args)
    if args.command == "local":
        return _local(args)
    if getattr(args, "local", False):
        config = _use_local_stack()
        for attribute, key in (("queue_url", "queue_url"), ("dlq_url", "dlq_url"), ("bucket", "raw_bucket"),
                               ("table", "table"), ("trends_table", "trends_table")):  # fmt: skip
            if hasattr(args, attribute) and not getattr(args, attribute):
                setattr(args, attribute, config.get(key))  # a stack of an older version may lack one
    if getattr(args, "region", None):
        from newsproc import aws

        os.environ["AWS_DEFAULT_REGION"] = args.region
        aws.reset_clients()
    if hasattr(args, "func"):
        return int(args.func(args))
    return 2  # pragma: no cover - argparse rejects unknown commands


def describe_error(exc: BaseException) -> str:
    """One line for an error: what happened and what to do (AWS errors by kind, the rest by type)."""
    from botocore import exceptions as boto

    if isinstance(exc, boto.NoRegionError):
        return "no AWS region: set AWS_DEFAULT_REGION or pass --region"
    if isinstance(exc, boto.NoCredentialsError):
        return (
            "no AWS credentials: set AWS_PROFILE (aws configure) or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY; for the local stack pass --local"
        )
    if isinstance(exc, boto.EndpointConnectionError):
        return (
            f"cannot reach {exc.kwargs.get('endpoint_url')}: check the network, --region and AWS_ENDPOINT_URL "
            "(for the local stack: is `make local` running?)"
        )
    if isinstance(exc, boto.ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Unknown"), error.get("Message", "")
        return f"{exc.operation_name} failed: {code}: {message}{_client_error_hint(code)}"
    if isinstance(exc, boto.BotoCoreError):
        return f"{exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc} (rerun with NEWSPROC_DEBUG=1 for the traceback)"


def _client_error_hint(code: str) -> str:
    if "NonExistentQueue" in code or code in {"QueueDoesNotExist", "NoSuchBucket", "NoSuchKey"}:
        return " (check --queue-url, --dlq-url, --bucket and --region)"
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
        return " (check the IAM permissions of these credentials)"
    if code in {"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException"}:
        return " (refresh the credentials: aws configure, or aws sso login)"
    return ""


def _use_local_stack(config_path: Path = LOCAL_CONFIG) -> dict[str, str]:
    """Point boto3 at the local stack and fill in its queue, DLQ and bucket names."""
    import json

    from newsproc.local.env import use_local_environment

    if not config_path.exists():
        raise CliError(f"{config_path} not found: start the local stack first (make local)")
    config = json.loads(config_path.read_text())
    use_local_environment()
    os.environ["AWS_ENDPOINT_URL"] = config["endpoint_url"]
    return config


# ------------------------------------------------------------------------------ process


def _process(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from pydantic import ValidationError

    from newsproc.settings import Settings

    try:
        settings = Settings.from_env()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"bad setting {name}={first['input']!r}: {first['msg']}; fix or unset it") from None
    # Flattened, each file once (`dir` and `'dir/*.txt'` may name the same file).
    unique: dict[str, str] = {}
    for path in (path for group in args.files for path in group):
        unique.setdefault(path if path == STDIN else os.path.realpath(path), path)
    paths = list(unique.values())
    bar = _progress_bar(len(paths))
    if args.html_extractor:
        settings = settings.model_copy(update={"html_extractor": args.html_extractor})
    if args.patterns:
        settings = settings.model_copy(update={"entity_patterns": str(args.patterns)})
    try:
        from newsproc.pipeline.run import DocumentPipeline

        pipeline = DocumentPipeline.from_settings(settings)  # as the process function builds it
        if bar is not None:
            bar.set_description("processing", refresh=False)
            bar.reset()  # the rate counts documents, not the model's loading
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
        statuses: Counter[str] = Counter()
        failures: Counter[str] = Counter()
        for start in range(0, len(paths), args.batch_size):
            batch = paths[start : start + args.batch_size]
            results = pipeline.process_batch([_read_input(p, args.format, args.language) for p in batch],
                                             skip_cleaning=args.skip_cleaning)  # fmt: skip
            for result in results:
                statuses[result.status.value] += 1
                if result.error is not None:
                    failures[result.error.code.value] += 1
            _write_results(results, args.out, bar)
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    sys.stdout.flush()
    codes = f" ({', '.join(f'{code} {n}' for code, n in sorted(failures.items()))})" if failures else ""
    written = f"; results in {args.out}/" if args.out is not None else ""
    print(f"newsproc process: processed {statuses['PROCESSED']}, failed {statuses['FAILED']}{codes}, "
          f"in {time.perf_counter() - started:.1f} s{written}", file=sys.stderr)  # fmt: skip
    return 0


def _progress_bar(total: int) -> Any:
    """tqdm on stderr when stderr is a terminal (tqdm comes with spaCy; imported only here)."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - installed with spaCy
        return None
    return tqdm(total=total, desc="loading model", unit="doc", file=sys.stderr, dynamic_ncols=True)


def _read_input(path: str, format_name: str, language: str | None = None) -> Any:
    from newsproc.media import DocumentInput, document_id_for

    media_type = FORMATS[format_name]
    if path == STDIN:
        data = sys.stdin.buffer.read()
        if media_type is None and _is_json_document(data):
            media_type = MediaType.JSON
        key = "stdin.json" if media_type is MediaType.JSON else "stdin.txt"
        document_id = document_id_for("local", key)
    else:
        data = Path(path).read_bytes()
        key = path
        document_id = document_id_for("local", str(Path(path).resolve()))
    return DocumentInput(document_id=document_id, data=data, source=Source(key=key, size=len(data)),
                         media_type=media_type, language=language)  # fmt: skip


def _is_json_document(data: bytes) -> bool:
    """The JSON input format: an object with "text" or "html" (the first non-space byte is `{`)."""
    import json

    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] != b"{":
        return False
    try:
        payload = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(payload, dict) and ("text" in payload or "html" in payload)


def _write_results(results: Sequence[Any], out: Path | None, bar: Any) -> None:
    if out is not None:
        for result in results:
            (out / f"{result.document_id}.json").write_text(result.model_dump_json(indent=2) + "\n")
        return
    lines = "".join(result.model_dump_json() + "\n" for result in results)
    if bar is None or not sys.stdout.isatty():
        sys.stdout.write(lines)
        return
    with bar.external_write_mode():  # the bar steps aside when stdout is the same terminal
        sys.stdout.write(lines)
        sys.stdout.flush()


# ------------------------------------------------------------------------------ local


def _local(args: argparse.Namespace) -> int:
    import signal

    from newsproc.local.built import DEFAULT_BUILD_DIR
    from newsproc.local.harness import PortInUseError
    from newsproc.local.stack import LocalStack

    built = args.built if args.built is not None else (DEFAULT_BUILD_DIR / "template.yaml").exists()
    if args.patterns:
        patterns = Path(args.patterns).expanduser().resolve()
        if not patterns.is_file():
            print(f"newsproc local: --patterns {args.patterns}: no such file", file=sys.stderr)
            return 2
        # read by the process function's init: in process from this environment, built via _start_built
        os.environ["ENTITY_PATTERNS"] = str(patterns)
    stack = LocalStack(host=args.host, port=args.port, api_port=args.api_port, config_path=args.config, built=built)
    signal.signal(signal.SIGTERM, lambda *_: stack._stop.set())
    try:
        stack.start()
    except PortInUseError as exc:
        print(f"newsproc local: {exc}; choose another with --port / --api-port", file=sys.stderr)
        stack.stop()
        return 1
    stack.serve_forever()
    if not built:
        # In process, the poller thread may still be inside spaCy's C code (a long document): interpreter
        # finalization under it aborts (libblis). Everything is stopped and flushed; its message stays queued.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
