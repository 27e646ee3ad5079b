"""The `newsproc` command line without the model: parser, usage errors, one-line AWS errors, settings."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from newsproc import __version__, aws
from newsproc.cli import STDIN, _read_input, build_parser, main
from newsproc.media import MediaType
from newsproc.models import ErrorCode, Pipeline, ResultDocument, Status

pytestmark = pytest.mark.unit


def _one_line(text: str) -> str:
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


UNSET = ["AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
         "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "QUEUE_URL", "DLQ_URL", "RAW_BUCKET", "NEWSPROC_DEBUG",
         "TABLE_NAME", "TRENDS_TABLE_NAME"]  # fmt: skip


@pytest.fixture
def no_aws_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """No region, credentials, profile or queue in the environment; the cached clients dropped around the test."""
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    aws.reset_clients()
    yield
    aws.reset_clients()


# ------------------------------------------------------------------------------ parser


def test_version_prints_the_package_version(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"newsproc {__version__}"


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ([], ["process", "local", "redrive", "backfill", "backfill-catalog", "recount-trends"]),
        (["process"], ["(default: 16)", "(default: auto)", "(default: $HTML_EXTRACTOR, else markup)"]),
        (["local"], ["(default: 5000)", "(default: 3000)", "(default: 127.0.0.1)", "(default: .newsproc-local.json)"]),
        (["redrive"], ["(default: $QUEUE_URL)", "(default: $DLQ_URL)", "(default: all)", "(default: $AWS_DEFAULT"]),
        (["backfill"], ["(default: $RAW_BUCKET)", "(default: 4)", "--region"]),
        (["backfill-catalog"], ["(default: $TABLE_NAME)", "--local", "--region"]),
        (["recount-trends"], ["(default: $TABLE_NAME)", "(default: $TRENDS_TABLE_NAME)", "--local", "--region"]),
    ],
)
def test_help_shows_the_defaults(capsys, command: list[str], shown: list[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for expected in shown:
        assert expected in text
    assert "(default: None)" not in text and "(default: False)" not in text


def test_local_keeps_its_arguments() -> None:
    args = build_parser().parse_args(["local", "--host", "0.0.0.0", "--port", "5001", "--api-port", "3001",
                                      "--config", "x.json", "--in-process"])  # fmt: skip
    assert (args.host, args.port, args.api_port, args.config, args.built) == (
        "0.0.0.0",
        5001,
        3001,
        Path("x.json"),
        False,
    )
    assert build_parser().parse_args(["local", "--built"]).built is True
    assert build_parser().parse_args(["local"]).built is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["process", "--batch-size", "0", "a.txt"], "argument --batch-size: must be 1 or more, got 0"),
        (["process", "--batch-size", "-4", "a.txt"], "argument --batch-size: must be 1 or more, got -4"),
        (["process", "--batch-size", "many", "a.txt"], "argument --batch-size: expected an integer, got 'many'"),
        (["process", "no-such-file.txt"], "no such file or directory: no-such-file.txt"),
        (["process", "nowhere/**/*.txt"], "no file matches 'nowhere/**/*.txt'"),
        (["process", "--html-extractor", "regex", "a.txt"], "argument --html-extractor: invalid choice"),
        (["process", "--language", "English", "a.txt"], "argument --language: must be an ISO 639-1 code"),
        (["process", "--out", "a.txt", "a.txt"], "a.txt exists and is not a directory"),
        (["local", "--port", "-1"], "argument --port: a port is 1-65535, got -1"),
        (["local", "--api-port", "70000"], "argument --api-port: a port is 1-65535, got 70000"),
        (["redrive", "--max", "-1"], "argument --max: must be 1 or more, got -1"),
        (["backfill", "--senders", "0"], "argument --senders: must be 1 or more, got 0"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_values_are_one_line_usage_errors(capsys, tmp_path, monkeypatch, argv, message) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Amina Diallo met Carlos Moedas.")
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    line = _one_line(capsys.readouterr().err)
    assert message in line
    assert re.match(r"newsproc( \w+)?: error: .* \(see 'newsproc( \w+)? --help'\)$", line)


def test_an_unreadable_directory_is_a_usage_error(capsys, tmp_path, monkeypatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # chmod 000 does not stop root: refuse like the kernel would
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(SystemExit) as done:
        main(["process", str(locked)])
    assert done.value.code == 2
    assert f"cannot read directory {locked}: Permission denied" in _one_line(capsys.readouterr().err)


def test_directories_are_walked_for_known_suffixes_and_globs_expanded(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a.txt", "sub/b.HTML", "sub/deeper/c.json", "sub/d.pdf", ".git/e.txt", "sub/.f.txt", "g.text"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    args = build_parser().parse_args(["process", ".", "sub/**/*.json", "a.txt", "-"])
    assert args.files == [
        ["./a.txt", "./g.text", "./sub/b.HTML", "./sub/deeper/c.json"],
        ["sub/deeper/c.json"],
        ["a.txt"],
        [STDIN],
    ]
    # a file named on the command line is taken whatever its suffix (it fails as unsupported_media_type)
    assert build_parser().parse_args(["process", "sub/d.pdf"]).files == [["sub/d.pdf"]]


def test_an_empty_directory_says_which_files_it_looks_for(capsys, tmp_path) -> None:
    (tmp_path / "notes.pdf").write_text("x")
    with pytest.raises(SystemExit):
        main(["process", str(tmp_path)])
    assert f"no .txt/.text/.html/.htm/.json files under {tmp_path}" in _one_line(capsys.readouterr().err)


# ------------------------------------------------------------------------------ stdin


@pytest.mark.parametrize(
    ("body", "format_name", "media_type", "key"),
    [
        (b'  \n{"text": "Amina Diallo met Carlos Moedas.", "title": "T"}', "auto", MediaType.JSON, "stdin.json"),
        (b'\xef\xbb\xbf{"html": "<p>Lisbon</p>"}', "auto", MediaType.JSON, "stdin.json"),
        (b'{"title": "no body"}', "auto", None, "stdin.txt"),
        (b"{not json at all", "auto", None, "stdin.txt"),
        (b'["text"]', "auto", None, "stdin.txt"),
        (b"Amina Diallo met Carlos Moedas.", "auto", None, "stdin.txt"),
        (b'{"text": "a JSON body read as text"}', "text", MediaType.TEXT, "stdin.txt"),
    ],
)
def test_a_json_body_on_stdin_is_recognised(monkeypatch, body, format_name, media_type, key) -> None:
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(body)))
    document = _read_input(STDIN, format_name)
    assert (document.media_type, document.source.key, document.data) == (media_type, key, body)


# ------------------------------------------------------------------------------ process, with a fake pipeline


PIPELINE = Pipeline(version="test")


class _FakePipeline:
    built_with: list[Any] = []

    @classmethod
    def from_settings(cls, settings: Any) -> _FakePipeline:
        cls.built_with.append(settings)
        return cls()

    def process_batch(self, documents: Any, *, skip_cleaning: bool = False) -> list[ResultDocument]:
        return [
            ResultDocument(document_id=d.document_id, status=Status.PROCESSED, source=d.source, pipeline=PIPELINE)
            if d.source.key.endswith(".txt")
            else ResultDocument.failed(d.document_id, d.source, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "no", PIPELINE)
            for d in documents
        ]


@pytest.fixture
def fake_pipeline(monkeypatch) -> type[_FakePipeline]:
    import newsproc.pipeline.run

    _FakePipeline.built_with = []
    monkeypatch.setattr(newsproc.pipeline.run, "DocumentPipeline", _FakePipeline)
    return _FakePipeline


def test_process_builds_the_pipeline_from_the_settings_and_the_flag_overrides_them(
    fake_pipeline, monkeypatch, tmp_path, capsys
) -> None:
    (tmp_path / "a.txt").write_text("x")
    monkeypatch.setenv("HTML_EXTRACTOR", "trafilatura")
    monkeypatch.setenv("MAX_INPUT_BYTES", "1234")
    assert main(["process", str(tmp_path / "a.txt")]) == 0
    assert main(["process", "--html-extractor", "markup", str(tmp_path / "a.txt")]) == 0
    first, second = fake_pipeline.built_with
    assert (first.html_extractor, first.max_input_bytes) == ("trafilatura", 1234)
    assert (second.html_extractor, second.max_input_bytes) == ("markup", 1234)
    capsys.readouterr()


def test_process_summary_and_out_directory(fake_pipeline, tmp_path, capsys) -> None:
    for name in ("a.txt", "b.txt", "c.pdf"):
        (tmp_path / name).write_text("x")
    files = [str(tmp_path / n) for n in ("a.txt", "b.txt", "c.pdf")]
    assert main(["process", "--batch-size", "2", *files]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3
    assert re.fullmatch(r"newsproc process: processed 2, failed 1 \(unsupported_media_type 1\), in \d+\.\d s",
                        _one_line(err))  # fmt: skip

    target = tmp_path / "results" / "new"
    assert main(["process", "--out", str(target), *files]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert _one_line(err).endswith(f"; results in {target}/")
    written = sorted(p.name for p in target.iterdir())
    ids = sorted(ResultDocument.model_validate_json(p.read_text()).document_id + ".json" for p in target.iterdir())
    assert written == ids and len(written) == 3


def test_a_bad_setting_is_a_one_line_usage_error(fake_pipeline, monkeypatch, tmp_path, capsys) -> None:
    (tmp_path / "a.txt").write_text("x")
    monkeypatch.setenv("MAX_INPUT_BYTES", "lots")
    assert main(["process", str(tmp_path / "a.txt")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("newsproc process: bad setting MAX_INPUT_BYTES='lots': ") and "fix or unset it" in line
    assert fake_pipeline.built_with == []


# ------------------------------------------------------------------------------ AWS errors, one line each


def test_redrive_without_a_region_says_what_to_do(no_aws_settings, capsys) -> None:
    assert main(["redrive"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        "newsproc redrive: no AWS region: set AWS_DEFAULT_REGION or pass --region"
    )
    assert main(["backfill", "--prefix", "", "--bucket", "b", "--queue-url", "q"]) == 1
    assert "newsproc backfill: no AWS region" in _one_line(capsys.readouterr().err)


def test_redrive_without_credentials_says_what_to_do(no_aws_settings, capsys) -> None:
    code = main(["redrive", "--region", "eu-west-1", "--dlq-url", "https://sqs.eu-west-1.amazonaws.com/1/dlq",
                 "--queue-url", "https://sqs.eu-west-1.amazonaws.com/1/queue"])  # fmt: skip
    assert code == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("newsproc redrive: no AWS credentials: set AWS_PROFILE") and "--local" in line


def test_missing_queue_urls_are_usage_errors(no_aws_settings, monkeypatch, capsys) -> None:
    monkeypatch.setattr("newsproc.cli.operations._clients", lambda: (None, None))
    assert main(["redrive", "--region", "eu-west-1"]) == 2
    assert _one_line(capsys.readouterr().err) == "newsproc redrive: pass --dlq-url or set DLQ_URL"
    assert main(["backfill", "--region", "eu-west-1", "--prefix", "a/"]) == 2
    assert _one_line(capsys.readouterr().err) == "newsproc backfill: pass --bucket or set RAW_BUCKET"
    assert main(["backfill", "--region", "eu-west-1"]) == 2
    assert "pass --prefix ('' for the whole bucket) or --inventory" in _one_line(capsys.readouterr().err)


def test_missing_table_names_are_usage_errors(no_aws_settings, capsys) -> None:
    assert main(["backfill-catalog", "--region", "eu-west-1"]) == 2
    assert _one_line(capsys.readouterr().err) == "newsproc backfill-catalog: pass --table or set TABLE_NAME"
    assert main(["recount-trends", "--region", "eu-west-1", "--table", "documents"]) == 2
    assert _one_line(capsys.readouterr().err) == (
        "newsproc recount-trends: pass --trends-table or set TRENDS_TABLE_NAME"
    )
    # --local without a running stack: the one-line hint, before any AWS call
    assert main(["recount-trends", "--local"]) == 1
    assert "make local" in _one_line(capsys.readouterr().err)


class _FailingSQS:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def receive_message(self, **_: Any) -> Any:
        raise self.error


REDRIVE = ["redrive", "--region", "eu-west-1", "--dlq-url", "d", "--queue-url", "q"]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            ClientError(
                {"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue", "Message": "no queue"}}, "ReceiveMessage"
            ),  # fmt: skip
            "newsproc redrive: ReceiveMessage failed: AWS.SimpleQueueService.NonExistentQueue: no queue "
            "(check --queue-url, --dlq-url, --bucket and --region)",
        ),
        (
            ClientError({"Error": {"Code": "AccessDenied", "Message": "not you"}}, "ReceiveMessage"),
            "newsproc redrive: ReceiveMessage failed: AccessDenied: not you (check the IAM permissions of these "
            "credentials)",
        ),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
            "newsproc redrive: cannot reach http://127.0.0.1:9: check the network, --region and AWS_ENDPOINT_URL "
            "(for the local stack: is `make local` running?)",
        ),
        (
            RuntimeError("something else"),
            "newsproc redrive: RuntimeError: something else (rerun with NEWSPROC_DEBUG=1 for the traceback)",
        ),
    ],
)
def test_aws_errors_are_one_line(no_aws_settings, monkeypatch, capsys, error, expected) -> None:
    monkeypatch.setattr("newsproc.cli.operations._clients", lambda: (None, _FailingSQS(error)))
    assert main(REDRIVE) == 1
    assert _one_line(capsys.readouterr().err) == expected


def test_newsproc_debug_shows_the_traceback(no_aws_settings, monkeypatch) -> None:
    monkeypatch.setattr("newsproc.cli.operations._clients", lambda: (None, _FailingSQS(RuntimeError("boom"))))
    monkeypatch.setenv("NEWSPROC_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(REDRIVE)


def test_local_without_a_running_stack_is_one_line(no_aws_settings, capsys) -> None:
    assert main(["redrive", "--local"]) == 1
    assert _one_line(capsys.readouterr().err) == (
        "newsproc redrive: .newsproc-local.json not found: start the local stack first (make local)"
    )
