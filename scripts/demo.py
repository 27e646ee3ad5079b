"""`make demo`: the whole pipeline in process against moto, no AWS account.

Creates the template's bucket, queue, DLQ and table in moto, uploads the sample articles in
events/articles/, lets the bucket notification fill the queue, runs the real process handler on
SQS batches, reads one result through the real API handler and prints a summary.
"""

from __future__ import annotations

import json
import mimetypes
import sys
from pathlib import Path

from newsproc.local.env import use_local_environment

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / ".demo-output"


def main() -> int:
    use_local_environment(POWERTOOLS_LOG_LEVEL="WARNING", POWERTOOLS_METRICS_DISABLED="true")
    from newsproc.local.harness import moto_stack
    from newsproc.local.lambda_runtime import LambdaContext, http_api_event, load_handler, response_json
    from newsproc.local.poller import drain
    from newsproc.media import document_id_for

    with moto_stack() as stack:
        template, resources, s3, sqs = stack.template, stack.resources, stack.s3, stack.sqs
        print(f"created from template.yaml: bucket={resources.raw_bucket} queue={resources.queue_url}")
        print(f"  dlq={resources.dlq_url} table={resources.table} results={resources.results_bucket}")

        print("loading ProcessDocumentFunction (spaCy init) ...", flush=True)
        process_handler, _ = load_handler("ProcessDocumentFunction", template)
        api_handler, _ = load_handler("ApiFunction", template)

        articles = sorted((ROOT / "events" / "articles").iterdir())
        keys = {}
        for path in articles:
            key = f"articles/{path.name}"
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            s3.put_object(Bucket=resources.raw_bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
            keys[key] = document_id_for(resources.raw_bucket, key)
        print(f"uploaded {len(articles)} objects to s3://{resources.raw_bucket}/articles/")

        batch = template.sqs_event("ProcessDocumentFunction")
        outcome = drain(sqs, resources.queue_url, resources.queue_arn, process_handler,
                        batch_size=int(batch.get("BatchSize", 10)))  # fmt: skip
        print(f"queue drained: messages={outcome.received} succeeded={outcome.succeeded} failed={outcome.failed}")

        OUTPUT.mkdir(exist_ok=True)
        print()
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
                print(f"{key}: HTTP {response['statusCode']} {result}")
                continue
            out = OUTPUT / f"{document_id}.json"
            out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
            meta = result["metadata"]
            print(f"{key}  [{result['status']}]  id={document_id}")
            if result["error"]:
                print(f"    error: {result['error']['code']}: {result['error']['message']}")
            else:
                print(f"    title={meta['title']!r} published={meta['published']} language={meta['language']} "
                      f"words={meta['word_count']} removed_segments={len(result['removed'])}")  # fmt: skip
                top = ", ".join(f"{e['name']} ({e['label']}, {e['count']})" for e in result["entities"][:6])
                print(f"    top entities: {top}")
            print(f"    full JSON: {out.relative_to(ROOT)}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
