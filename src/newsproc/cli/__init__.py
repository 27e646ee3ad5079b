"""The `newsproc` command: run the pipeline on local files (no AWS), and local-stack/operator tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from newsproc.media import MediaType
from newsproc.models import Source

FORMATS: dict[str, MediaType | None] = {"auto": None} | {media_type.value: media_type for media_type in MediaType}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsproc", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    process = commands.add_parser(
        "process", help="clean and extract entities from files; one result JSON per line on stdout"
    )
    process.add_argument("files", nargs="+", type=Path, metavar="FILE", help="'-' reads stdin")
    process.add_argument("--format", choices=sorted(FORMATS), default="auto",
                         help="input format (auto: from the file suffix)")  # fmt: skip
    process.add_argument("--skip-cleaning", action="store_true",
                         help="extract entities from the text exactly as given (offsets into it)")  # fmt: skip
    process.add_argument("--batch-size", type=int, default=16, help="documents per nlp.pipe batch")
    local = commands.add_parser("local", help="run the whole service locally: moto server, SQS poller, HTTP API")
    local.add_argument("--host", default="127.0.0.1", help="address of both servers (loopback by default)")
    local.add_argument("--port", type=int, default=5000, help="moto server port (S3, SQS, DynamoDB)")
    local.add_argument("--api-port", type=int, default=3000, help="HTTP API port")
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
    local.add_argument("--config", type=Path, default=Path(".newsproc-local.json"),
                       help="where to write the endpoints and resource names")  # fmt: skip
    from newsproc.cli.operations import register

    register(commands)
    for name in ("redrive", "backfill"):
        commands.choices[name].add_argument(
            "--local", action="store_true", help="target the running local stack (reads .newsproc-local.json)"
        )
    return parser


def _use_local_stack(config_path: Path = Path(".newsproc-local.json")) -> dict[str, str]:
    """Point boto3 at the local stack and fill in its queue, DLQ and bucket names."""
    import json
    import os

    from newsproc.local.env import use_local_environment

    if not config_path.exists():
        raise SystemExit(f"newsproc: {config_path} not found: start the local stack first (make local)")
    config = json.loads(config_path.read_text())
    use_local_environment()
    os.environ["AWS_ENDPOINT_URL"] = config["endpoint_url"]
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "process":
        return _process(args)
    if args.command == "local":
        return _local(args)
    if getattr(args, "local", False):
        config = _use_local_stack()
        for attribute, key in (("queue_url", "queue_url"), ("dlq_url", "dlq_url"), ("bucket", "raw_bucket")):
            if hasattr(args, attribute) and not getattr(args, attribute):
                setattr(args, attribute, config[key])
    if hasattr(args, "func"):
        return int(args.func(args))
    return 2  # pragma: no cover - argparse rejects unknown commands


def _process(args: argparse.Namespace) -> int:
    from newsproc.media import DocumentInput, document_id_for
    from newsproc.pipeline.extract import load_nlp
    from newsproc.pipeline.run import DocumentPipeline

    missing = [str(p) for p in args.files if str(p) != "-" and not p.is_file()]
    if missing:
        print(f"newsproc: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    pipeline = DocumentPipeline(load_nlp())
    media_type = FORMATS[args.format]
    for start in range(0, len(args.files), args.batch_size):
        inputs = []
        for path in args.files[start : start + args.batch_size]:
            data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
            key = "stdin.txt" if str(path) == "-" else str(path)
            inputs.append(
                DocumentInput(
                    document_id=document_id_for("local", str(Path(key).resolve()) if key != "stdin.txt" else key),
                    data=data,
                    source=Source(key=key, size=len(data)),
                    media_type=media_type,
                )
            )
        for result in pipeline.process_batch(inputs, skip_cleaning=args.skip_cleaning):
            sys.stdout.write(result.model_dump_json() + "\n")
    sys.stdout.flush()
    return 0


def _local(args: argparse.Namespace) -> int:
    import signal

    from newsproc.local.built import DEFAULT_BUILD_DIR
    from newsproc.local.harness import PortInUseError
    from newsproc.local.stack import LocalStack

    built = args.built if args.built is not None else (DEFAULT_BUILD_DIR / "template.yaml").exists()
    stack = LocalStack(host=args.host, port=args.port, api_port=args.api_port, config_path=args.config, built=built)
    signal.signal(signal.SIGTERM, lambda *_: stack._stop.set())
    try:
        stack.start()
    except PortInUseError as exc:
        print(f"newsproc local: {exc}; choose another with --port / --api-port", file=sys.stderr)
        stack.stop()
        return 1
    stack.serve_forever()
    return 0
