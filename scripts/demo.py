"""`make demo`: the whole pipeline in process against moto, no AWS account.

Creates the template's bucket, queue, DLQ and table in moto, uploads the sample articles in
events/articles/, lets the bucket notification fill the queue, runs the real process handler on
SQS batches, reads each result through the real API handler and prints a summary.

`--readme` also writes what it printed into README.md, between the demo-output markers (`make readme`);
tests/integration/test_readme.py checks that block equals the demo's output. Nothing printed may vary
between runs (document ids come from bucket and key; no timings).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
from collections.abc import Callable
from pathlib import Path

from newsproc.local.env import use_local_environment

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / ".demo-output"
README = ROOT / "README.md"
BLOCK_START, BLOCK_END = "<!-- demo-output:start -->", "<!-- demo-output:end -->"


def readme_block(readme: str) -> str:
    """The demo output shown in the README: the fenced block between the markers, fences excluded."""
    inside = readme.split(BLOCK_START, 1)[1].split(BLOCK_END, 1)[0].strip()
    return inside.removeprefix("```").removesuffix("```").strip("\n") + "\n"


def with_readme_block(readme: str, output: str) -> str:
    head, rest = readme.split(BLOCK_START, 1)
    tail = rest.split(BLOCK_END, 1)[1]
    return f"{head}{BLOCK_START}\n```\n{output.rstrip()}\n```\n{BLOCK_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="also write the output into README.md's demo block")
    args = parser.parse_args(argv)
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    status = run(say)
    if args.readme and status == 0:
        README.write_text(with_readme_block(README.read_text(), "\n".join(lines)))
        print(f"wrote the output above into {README.name} ({BLOCK_START} ... {BLOCK_END})")
    return status


def _is_test_event(body: str) -> bool:
    try:
        return json.loads(body).get("Event") == "s3:TestEvent"
    except (ValueError, AttributeError):
        return False


def run(say: Callable[..., None]) -> int:
    use_local_environment(POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="true")
    from newsproc.local.harness import moto_stack
    from newsproc.local.lambda_runtime import LambdaContext, http_api_event, load_handler, response_json
    from newsproc.local.poller import drain
    from newsproc.media import document_id_for

    with moto_stack() as stack:
        template, resources, s3, sqs = stack.template, stack.resources, stack.s3, stack.sqs
        say(f"created from template.yaml: bucket={resources.raw_bucket} queue={resources.queue_url}")
        say(f"  dlq={resources.dlq_url} table={resources.table} results={resources.results_bucket}")

        say("loading ProcessDocumentFunction (spaCy init) ...")
        process_handler, _ = load_handler("ProcessDocumentFunction", template)
        api_handler, _ = load_handler("ApiFunction", template)

        articles = sorted((ROOT / "events" / "articles").iterdir())
        keys = {}
        for path in articles:
            key = f"articles/{path.name}"
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            s3.put_object(Bucket=resources.raw_bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
            keys[key] = document_id_for(resources.raw_bucket, key)
        say(f"uploaded {len(articles)} objects to s3://{resources.raw_bucket}/articles/")

        batch = template.sqs_event("ProcessDocumentFunction")
        test_events = []
        outcome = drain(sqs, resources.queue_url, resources.queue_arn, process_handler,
                        batch_size=int(batch.get("BatchSize", 10)),
                        on_message=lambda body, _ok: test_events.append(_is_test_event(body)))  # fmt: skip
        say(f"queue drained: messages={outcome.received} succeeded={outcome.succeeded} failed={outcome.failed}")
        tests = sum(test_events)
        if tests:
            say(f"  {outcome.received} messages for {len(articles)} uploads: S3 also sent {tests} s3:TestEvent "
                "when the bucket notification was configured (acknowledged, nothing to process)")  # fmt: skip

        # A wire copy of one story under another site's furniture, stored after it: its `duplicates` name the first.
        for path in sorted((ROOT / "events" / "syndicated").iterdir()):
            key = f"articles/{path.name}"
            s3.put_object(Bucket=resources.raw_bucket, Key=key, Body=path.read_bytes(), ContentType="text/plain")
            keys[key] = document_id_for(resources.raw_bucket, key)
            say(f"uploaded a wire copy of a story: s3://{resources.raw_bucket}/{key}")
        outcome = drain(sqs, resources.queue_url, resources.queue_arn, process_handler,
                        batch_size=int(batch.get("BatchSize", 10)))  # fmt: skip
        say(f"queue drained: messages={outcome.received} succeeded={outcome.succeeded} failed={outcome.failed}")

        OUTPUT.mkdir(exist_ok=True)
        say()
        names = {document_id: key for key, document_id in keys.items()}
        for key, document_id in keys.items():
            event = http_api_event(
                "GET",
                f"/documents/{document_id}",
                route_key="GET /documents/{document_id}",
                path_parameters={"document_id": document_id},
            )
            response = api_handler(event, LambdaContext("ApiFunction"))
            result = response_json(response)
            if response["statusCode"] != 200:
                say(f"{key}: HTTP {response['statusCode']} {result}")
                continue
            out = OUTPUT / f"{document_id}.json"
            out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
            meta = result["metadata"]
            say(f"{key}  [{result['status']}]  id={document_id}")
            if result["error"]:
                say(f"    error: {result['error']['code']}: {result['error']['message']}")
            else:
                say(f"    title={meta['title']!r} published={meta['published']} language={meta['language']} "
                      f"words={meta['word_count']} removed_segments={len(result['removed'])}")  # fmt: skip
                top = ", ".join(f"{e['name']} ({e['label']}, {e['count']})" for e in result["entities"][:6])
                say(f"    top entities: {top}")
                places = [e for e in result["entities"] if e.get("links")]
                if places:
                    say("    places: " + ", ".join(_place(e) for e in places[:5]))
                for duplicate in result.get("duplicates", []):
                    say(f"    near-duplicate of {names.get(duplicate['document_id'], duplicate['document_id'])} "
                        f"(similarity {duplicate['similarity']:.2f})")  # fmt: skip
            say(f"    full JSON: {out.relative_to(ROOT)}")
        return 0


def _place(entity: dict) -> str:
    links = entity["links"]
    where = links.get("iso3166") or f"geonames {links.get('geonames')}"
    at = f" {links['lat']:.2f},{links['lon']:.2f}" if links.get("lat") is not None else ""
    return f"{entity['name']} ({where}{at})"


if __name__ == "__main__":
    sys.exit(main())
