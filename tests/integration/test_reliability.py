"""Issue 6 scenarios at test sizes (the full sizes run in `make reliability`), plus ordering,
removal, deadline, redrive and backfill behaviour of the real handler against moto."""

import json

import pytest

from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.local.lambda_runtime import LambdaContext, sqs_event
from newsproc.local.poller import drain
from newsproc.media import document_id_for
from scripts.reliability import (
    api_delete,
    bad_input,
    deferral,
    duplicates,
    faults,
    foreign_bucket,
    forged_tokens,
    future_removal,
    large_result,
    load,
    malformed,
    oversized_metadata,
    poison,
)
from scripts.reliability.harness import CallCounter

pytestmark = [pytest.mark.integration, pytest.mark.model]


# ------------------------------------------------------------------------------- the scenarios


def test_reliability_duplicates_one_result_and_no_extra_writes() -> None:
    result = duplicates.run(documents=60)
    t, extra = result.tally, result.extra
    assert (t.stored, t.lost, t.dlq) == (60, 0, 0)
    assert extra["deliveries"] > 60
    assert extra["writes"] == extra["writes_without_duplicates"]
    assert extra["items_written"] == extra["items_written_without_duplicates"]


def test_reliability_poison_records_land_in_the_dlq() -> None:
    result = poison.run()
    t = result.tally
    assert (t.documents, t.stored, t.dlq, t.lost) == (10, 8, 2, 0)


def test_reliability_malformed_messages_are_parked_on_their_first_receive() -> None:
    result = malformed.run()
    t, extra = result.tally, result.extra
    assert (t.documents, t.stored, t.lost, t.dlq) == (10, 10, 0, len(malformed.MALFORMED))
    assert extra["malformed_receipts"] == extra["parked_with_reason"] == len(malformed.MALFORMED)  # never retried
    assert extra["failed_receipts"] == 0


def test_reliability_transient_faults_lose_nothing() -> None:
    result = faults.run(documents=60)
    t, extra = result.tally, result.extra
    assert (t.stored, t.lost, t.dlq) == (60, 0, 0)
    assert extra["injected_5xx"] > 0 and extra["injected_throttling"] > 0
    assert extra["unprocessed_items_injected"] > 0
    found, expected = extra["entity_items"].split("/")
    assert found == expected  # every UnprocessedItem was resent and written


def test_reliability_bad_input_every_object_has_a_status() -> None:
    result = bad_input.run(examples=6)
    t, extra = result.tally, result.extra
    assert t.stored == t.documents and t.lost == 0
    assert extra["batch_failures"] == 0 and extra["failed_without_code"] == 0
    good, total = extra["good_processed"].split("/")
    assert good == total
    assert extra["big_object"] == "50MB:too_large:body_read=False"


def test_reliability_load_through_the_poller() -> None:
    result = load.run(documents=60)
    assert (result.tally.stored, result.tally.lost) == (60, 0)
    assert result.extra["docs_per_s"] > 0


def test_reliability_oversized_metadata_is_stored() -> None:
    result = oversized_metadata.run(title_chars=450_000, json_documents=1)
    t = result.tally
    assert (t.documents, t.stored, t.dlq, t.lost) == (2, 2, 0, 0)
    assert result.extra["largest_item_chars"] < 400_000


def test_reliability_future_removal_and_forced_message_are_processed() -> None:
    result = future_removal.run(keys=1)
    t, extra = result.tally, result.extra
    assert (t.stored, t.processed, t.dlq, t.lost) == (2, 2, 0, 0)
    assert extra["created_after_future_removal"] == "1/1"
    assert extra["ordinary_event_refused_by_tombstone"] == "1/1"
    assert extra["forced_over_tombstone"] == "1/1"


def test_reliability_deferred_batch_is_processed_from_fresh_copies() -> None:
    result = deferral.run(documents=12, short_invocations=1)
    t, extra = result.tally, result.extra
    assert (t.processed, t.dlq, t.lost) == (12, 0, 0)
    assert extra["deferred_records"] > 0 and extra["copies_received"] == extra["deferred_records"]
    assert extra["copy_receive_counts"] == f"1:{extra['copies_received']}"
    assert extra["failed_receipts"] == 0


def test_reliability_api_delete_leaves_nothing() -> None:
    result = api_delete.run(documents=2)
    extra = result.extra
    assert (result.tally.stored, result.tally.lost, result.tally.dlq) == (2, 0, 0)
    assert extra["deleted_204"] == "2/2"
    assert (extra["versions_left"], extra["delete_markers_left"], extra["items_left"]) == (0, 0, 0)


def test_reliability_large_result_is_a_redirect() -> None:
    result = large_result.run(article_bytes=100_000, max_response_bytes=300_000)
    extra = result.extra
    assert (result.tally.processed, result.tally.lost) == (2, 0)
    assert (extra["get_status"], extra["location"], extra["body_bytes"]) == (303, "presigned", 0)
    assert extra["result_bytes"] > 300_000 and extra["result_matches"] is True
    assert extra["small_get_status"] == 200


def test_reliability_forged_tokens_are_all_400() -> None:
    result = forged_tokens.run(documents=6)
    extra = result.extra
    assert result.tally.lost == 0
    assert extra["forged_tokens"] == extra["answered_400"] == 9
    assert extra["real_token_listing"] == 200


def test_reliability_foreign_bucket_is_refused_unread() -> None:
    result = foreign_bucket.run(documents=3, foreign=3)
    t, extra = result.tally, result.extra
    assert (t.stored, t.failed, t.dlq, t.lost) == (3, 3, 0, 0)
    assert extra["codes"] == "foreign_bucket:3"
    assert extra["other_bucket_reads"] == 0 and extra["raw_bucket_reads"] > 0
    assert extra["own_processed"] == "3/3"


# ------------------------------------------------------------------------- ordering and removal


def _invoke(process_module, *bodies: str, timeout_s: float = 120.0) -> dict:
    messages = [{"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": b} for i, b in enumerate(bodies)]
    return process_module.lambda_handler(sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:q"),
                                         LambdaContext("ProcessDocumentFunction", timeout_s=timeout_s))  # fmt: skip


def _put(aws, key: str, text: str) -> dict:
    response = aws.s3.put_object(Bucket=aws.resources.raw_bucket, Key=key, Body=text.encode())
    return {"version_id": response.get("VersionId"), "etag": response["ETag"].strip('"')}


def _doc(aws, key: str) -> dict | None:
    table = aws.dynamodb.Table(aws.resources.table)
    return table.get_item(Key={"PK": f"DOC#{document_id_for(aws.resources.raw_bucket, key)}", "SK": "DOC"}).get("Item")


def _created(aws, key: str, sequencer: str, **ids) -> str:
    return s3_event_message(ObjectRef(bucket=aws.resources.raw_bucket, key=key, sequencer=sequencer, **ids))


ARTICLE_1 = "Amina Diallo met Carlos Moedas in Lisbon on Monday to discuss the new harbour bridge."
ARTICLE_2 = "Ingrid Solberg visited Oslo on Friday and praised the Siemens rail link for the city."


def test_older_version_never_overwrites_a_newer_one(aws, process_module) -> None:
    key = "order/story.txt"
    v1 = _put(aws, key, ARTICLE_1)
    v2 = _put(aws, key, ARTICLE_2)
    _drain_notifications(aws)
    assert _invoke(process_module, _created(aws, key, "0A2", **v2)) == {"batchItemFailures": []}
    assert _invoke(process_module, _created(aws, key, "0A1", **v1)) == {"batchItemFailures": []}  # late, older
    item = _doc(aws, key)
    assert item["source_version_id"] == v2["version_id"] and "Ingrid Solberg" in item["result"]
    repository = process_module.store.document_repository(process_module.settings)
    assert repository.documents_mentioning("PERSON", "amina diallo")[0] == []  # no stale entity items


def test_new_version_replaces_entities_and_removal_deletes_everything(aws, process_module) -> None:
    key = "order/replace.txt"
    v1 = _put(aws, key, ARTICLE_1)
    _invoke(process_module, _created(aws, key, "10", **v1))
    v2 = _put(aws, key, ARTICLE_2)
    _invoke(process_module, _created(aws, key, "11", **v2))
    repository = process_module.store.document_repository(process_module.settings)
    assert repository.documents_mentioning("PERSON", "amina diallo")[0] == []
    assert repository.documents_mentioning("PERSON", "ingrid solberg")[0]

    marker = aws.s3.delete_object(Bucket=aws.resources.raw_bucket, Key=key)
    removal = ObjectRef(bucket=aws.resources.raw_bucket, key=key, version_id=marker.get("VersionId"),
                        sequencer="12", removed=True)  # fmt: skip
    _invoke(process_module, s3_event_message(removal))
    assert _doc(aws, key)["deleted"] is True  # a tombstone: no result, no article data
    assert "result" not in _doc(aws, key)
    assert repository.documents_mentioning("PERSON", "ingrid solberg")[0] == []
    # The create of v2 delivered again after the removal does not bring the result back.
    _invoke(process_module, _created(aws, key, "11", **v2))
    assert _doc(aws, key)["deleted"] is True


def test_removal_older_than_the_stored_version_is_ignored(aws, process_module) -> None:
    key = "order/recreated.txt"
    v2 = _put(aws, key, ARTICLE_2)
    _invoke(process_module, _created(aws, key, "21", **v2))
    stale_removal = ObjectRef(bucket=aws.resources.raw_bucket, key=key, version_id="marker", sequencer="20",
                              removed=True)  # fmt: skip
    _invoke(process_module, s3_event_message(stale_removal))
    assert not _doc(aws, key).get("deleted")


def test_moto_notifications_removal_then_recreate(aws, process_module) -> None:
    """moto's events carry no sequencer or version: ordering falls back to HEAD and Last-Modified."""
    key = "order/moto.txt"
    _put(aws, key, ARTICLE_1)
    aws.s3.delete_object(Bucket=aws.resources.raw_bucket, Key=key)
    _put(aws, key, ARTICLE_2)
    bodies = _drain_notifications(aws)
    for body in reversed(bodies):  # any order converges to the current object
        _invoke(process_module, body)
    assert "Ingrid Solberg" in _doc(aws, key)["result"]


def test_duplicate_in_one_batch_is_processed_once(aws, process_module) -> None:
    key = "order/dup.txt"
    v1 = _put(aws, key, ARTICLE_1)
    body = _created(aws, key, "30", **v1)
    assert _invoke(process_module, body, body, body) == {"batchItemFailures": []}
    assert _doc(aws, key)["status"] == "PROCESSED"


def test_unstarted_records_are_handed_back_near_the_timeout(aws, process_module) -> None:
    bodies = [_created(aws, f"deadline/{i}.txt", "40", **_put(aws, f"deadline/{i}.txt", ARTICLE_1)) for i in range(4)]
    # 10 s left, below the 15 s reserve: nothing is started. The event's queue ("q") does not exist, so no
    # copy can be sent (test_deferral.py covers that path) and every record goes back to SQS as before.
    response = _invoke(process_module, *bodies[:2], timeout_s=10)
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == {"m0", "m1"}
    assert _doc(aws, "deadline/0.txt") is None


def test_service_defers_the_rest_when_time_runs_low(aws, process_module) -> None:
    service = process_module.build_service()
    keys = [f"defer/{i}.txt" for i in range(4)]
    messages = [(f"m{i}", _created(aws, k, "50", **_put(aws, k, ARTICLE_1))) for i, k in enumerate(keys)]
    clock = iter([60_000, 1_000, 1_000, 1_000])  # plenty before the first group, then nearly none
    service.group_size = 2
    outcomes = service.handle_messages(messages, remaining_ms=lambda: next(clock))
    assert [outcomes[f"m{i}"].deferred for i in range(4)] == [False, False, True, True]
    assert _doc(aws, keys[0]) and _doc(aws, keys[2]) is None


# ------------------------------------------------------------------------------ operator tools


def test_redrive_moves_dlq_messages_back(aws) -> None:
    from newsproc.cli.operations import redrive

    for i in range(13):
        aws.sqs.send_message(QueueUrl=aws.resources.dlq_url, MessageBody=json.dumps({"n": i}))
    moved = redrive(aws.sqs, dlq_url=aws.resources.dlq_url, queue_url=aws.resources.queue_url)
    assert moved == 13
    attributes = aws.sqs.get_queue_attributes(QueueUrl=aws.resources.queue_url, AttributeNames=["All"])
    assert int(attributes["Attributes"]["ApproximateNumberOfMessages"]) >= 13


def test_backfill_enqueues_and_rerun_is_idempotent(aws, process_module) -> None:
    from newsproc.cli.operations import backfill

    for i in range(12):
        _put(aws, f"archive/{i}.txt", ARTICLE_1)
    _put(aws, "elsewhere/x.txt", ARTICLE_2)
    _drain_notifications(aws)
    bucket, queue = aws.resources.raw_bucket, aws.resources.queue_url
    assert backfill(aws.s3, aws.sqs, bucket=bucket, prefix="archive/", queue_url=queue) == 12
    _drain_with_retries(aws, process_module)
    assert all(_doc(aws, f"archive/{i}.txt")["status"] == "PROCESSED" for i in range(12))
    assert _doc(aws, "elsewhere/x.txt") is None

    counter = CallCounter(process_module.aws.dynamodb_resource().meta.client)
    backfill(aws.s3, aws.sqs, bucket=bucket, prefix="archive/", queue_url=queue)
    _drain_with_retries(aws, process_module)
    counter.close()
    assert counter.writes == 0  # a rerun only reads

    backfill(aws.s3, aws.sqs, bucket=bucket, prefix="archive/0", queue_url=queue, force=True)
    counter = CallCounter(process_module.aws.dynamodb_resource().meta.client)
    _drain_with_retries(aws, process_module)
    counter.close()
    assert counter.calls["PutItem"] == 1  # --force reprocesses


def test_operations_register_adds_the_commands() -> None:
    import argparse

    from newsproc.cli.operations import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["backfill", "--prefix", "a/", "--bucket", "b", "--queue-url", "q"])
    assert (args.prefix, args.bucket, args.force) == ("a/", "b", False) and callable(args.func)
    assert callable(parser.parse_args(["redrive", "--dlq-url", "d", "--queue-url", "q"]).func)


def _drain_with_retries(aws, process_module):
    """The poller's drain as the reliability scenarios use it: failed messages come back at once."""
    return drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, process_module.lambda_handler,
                 retry_failed_now=True, wait_seconds=0)  # fmt: skip


def _drain_notifications(aws) -> list[str]:
    """Take the queued S3 notifications off the queue (through the poller, without the handler)."""
    bodies = []

    def take(event, _context):
        bodies.extend(record["body"] for record in event["Records"])
        return {"batchItemFailures": []}

    drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, take, wait_seconds=0)
    return [b for b in bodies if "Records" in json.loads(b)]
