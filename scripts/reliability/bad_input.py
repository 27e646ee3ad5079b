"""reliability[bad_input]: batches of up to 9 hostile objects plus one good article (hypothesis), and
one 50 MB object: every object ends PROCESSED or FAILED with an error code, no batch fails."""

from __future__ import annotations

import random
from typing import Any

from scripts.reliability.documents import short_article
from scripts.reliability.harness import ScenarioResult, function_clients, local_stack, tally

# Bad input: a heavier version of the strategy in tests/unit/test_bad_input.py.
# Capped: the cleaner is super-linear on one long token / repeated inline HTML (docs/reliability.md,
# "Findings"): "x" * 60_000 takes ~40 s and "<b>a</b>" * 60_000 as HTML ~85 s.
HUGE_LINE_REPEATS = 2_000


def bad_input_strategy(max_repeats: int = HUGE_LINE_REPEATS) -> Any:
    from hypothesis import strategies as st

    text = st.text(min_size=0, max_size=400)
    charsets = st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-be", "shift_jis", "koi8-r", "gb18030"])
    wrong_charset = st.tuples(text, charsets).map(lambda t: t[0].encode(t[1], errors="ignore"))
    huge_line = st.tuples(st.sampled_from(["word ", "Putin ", "x", "ü", "<b>a</b>"]), st.integers(1, max_repeats)).map(
        lambda t: (t[0] * t[1]).encode()
    )
    zero_bytes = st.tuples(text, st.integers(1, 50)).map(lambda t: ("\x00" * t[1]).join(t[0] or "a").encode())
    depth = st.integers(1, max_repeats)
    nested_json = st.one_of(
        depth.map(lambda d: ("[" * d + "]" * d).encode()),
        depth.map(lambda d: ('{"text": ' * d + '"x"' + "}" * d).encode()),
        depth.map(lambda d: ("[" * d).encode()),  # malformed: never closed
        st.sampled_from(
            [
                b'{"text": 5}',
                b'{"html": null}',
                b'{"text": "',
                b"{}",
                b"null",
                b'"just a string"',
                b'{"text": "\\ud800"}',
                b'{"text": "a", "published": {"x": 1}}',
            ]
        ),  # fmt: skip
    )
    html_bomb = st.one_of(
        depth.map(lambda d: ("<div>" * d + "text" + "</div>" * d).encode()),
        depth.map(lambda d: ("<p>" * d).encode()),
        depth.map(lambda d: ("&amp;" * d).encode()),
        depth.map(lambda d: ("<!--" * d).encode()),
        depth.map(lambda d: ('<a href="' + "x" * d + '">link</a>').encode()),
        st.just(b"<html><body><script>" + b"a" * 200_000 + b"</script></body></html>"),
    )
    body = st.one_of(st.binary(max_size=4096), wrong_charset, huge_line, zero_bytes, nested_json, html_bomb)
    suffix = st.sampled_from([".txt", ".html", ".htm", ".json", ".pdf", "", ".TXT", ".json.gz"])
    # Keys are data: dots, slashes, percent signs, unicode and spaces must not matter.
    key_stem = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
    key = st.tuples(st.sampled_from(["", "../", "a/../../", "%2e%2e/", "ü ñ/"]), key_stem, suffix).map(
        lambda t: ("bad/" + t[0] + t[1] + t[2])[:900]
    )
    content_type = st.sampled_from(["text/plain", "text/html", "application/json", "application/octet-stream",
                                    "text/plain; charset=utf-16", "text/html; charset=shift_jis"])  # fmt: skip
    return st.tuples(key, body, content_type)


def run(examples: int = 40, big_mb: int = 50) -> ScenarioResult:
    """Batches of up to 9 hostile objects plus one good article: all end PROCESSED or FAILED with a code."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from newsproc.ingest.events import ObjectRef, s3_event_message
    from newsproc.local.lambda_runtime import LambdaContext
    from newsproc.media import document_id_for

    problems: list[str] = []
    seen_keys: list[str] = []
    good_keys: list[str] = []
    batch_failures = 0
    get_calls: list[str] = []
    with local_stack() as stack:
        s3, _ = function_clients()
        s3.meta.events.register(
            "before-call.s3.GetObject", lambda params, **_: get_calls.append(params.get("url_path", "")), unique_id="g"
        )
        rng = random.Random(4)
        counter = [0]

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(st.lists(bad_input_strategy(), min_size=1, max_size=9))
        def one_batch(objects: list[tuple[str, bytes, str]]) -> None:
            nonlocal batch_failures
            counter[0] += 1
            records = []
            keys_here = []
            for i, (key, body, content_type) in enumerate(objects):
                key = f"{key}.{counter[0]}.{i}"  # unique per example, so each is a new document
                stack.s3.put_object(Bucket=stack.resources.raw_bucket, Key=key, Body=body, ContentType=content_type)
                keys_here.append(key)
            good = f"good/{counter[0]}.txt"
            stack.s3.put_object(
                Bucket=stack.resources.raw_bucket, Key=good, Body=short_article(rng, counter[0]).encode()
            )
            for key in [*keys_here, good]:
                message = s3_event_message(ObjectRef(bucket=stack.resources.raw_bucket, key=key))
                records.append({"messageId": f"m-{len(records)}", "body": message})
            event = sqs_event_from_bodies(records, stack.resources.queue_arn)
            response = stack.handler(event, LambdaContext("ProcessDocumentFunction"))
            if response.get("batchItemFailures"):
                batch_failures += 1
                problems.append(f"batch failures: {response['batchItemFailures']}")
            seen_keys.extend(keys_here)
            good_keys.append(good)

        one_batch()
        # The 50 MB object: refused from its HEAD (too_large), its body never read.
        big_key = "bad/huge.txt"
        stack.s3.put_object(Bucket=stack.resources.raw_bucket, Key=big_key, Body=b"a " * (big_mb * 512 * 1024))
        event = sqs_event_from_bodies(
            [{"messageId": "big", "body": s3_event_message(ObjectRef(bucket=stack.resources.raw_bucket, key=big_key))}],
            stack.resources.queue_arn,
        )
        response = stack.handler(event, LambdaContext("ProcessDocumentFunction"))
        batch_failures += bool(response.get("batchItemFailures"))
        big_body_read = any(path.endswith("/huge.txt") for path in get_calls)
        seen_keys.append(big_key)
        s3.meta.events.unregister("before-call.s3.GetObject", unique_id="g")
        counted = tally(stack, seen_keys)
        good = tally(stack, good_keys)
        big_item = stack.table.get_item(
            Key={"PK": f"DOC#{document_id_for(stack.resources.raw_bucket, big_key)}", "SK": "DOC"}
        ).get("Item", {})
    no_code = counted.error_codes.get("?", 0)
    return ScenarioResult(
        "bad_input",
        counted,
        {
            "processed": counted.processed,
            "batches": counter[0] + 1,
            "batch_failures": batch_failures,
            "good_processed": f"{good.processed}/{good.documents}",
            "failed_without_code": no_code,
            "big_object": f"{big_mb}MB:{big_item.get('error_code')}:body_read={big_body_read}",
            "codes": ",".join(f"{k}:{v}" for k, v in sorted(counted.error_codes.items())),
        },
    )


def sqs_event_from_bodies(records: list[dict[str, str]], queue_arn: str) -> dict[str, Any]:
    from newsproc.local.lambda_runtime import sqs_event

    messages = [{"MessageId": r["messageId"], "ReceiptHandle": r["messageId"], "Body": r["body"]} for r in records]
    return sqs_event(messages, queue_arn)
