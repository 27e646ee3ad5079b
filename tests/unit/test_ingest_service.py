"""IngestService with in-memory stores and a stub pipeline: which records are processed, skipped,
removed, deferred or failed, and what is stored. The same behaviour against moto and the real model
is in tests/integration/test_reliability.py."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from newsproc.ingest.events import MalformedEventError, ObjectRef, s3_event_message
from newsproc.ingest.service import DeadlineDeferred, IngestService
from newsproc.media import document_id_for
from newsproc.models import ErrorCode, Pipeline, ResultDocument, Status
from newsproc.store.memory import InMemoryDocumentRepository, InMemoryRawStore
from newsproc.store.ordering import WriteOrder, newer_condition, order_attributes
from newsproc.store.raw import ObjectHead
from tests.unit.pipeline_stub import PipelineBroke, StubPipeline

pytestmark = pytest.mark.unit

BUCKET = "raw"
ARTICLE_1 = b"[Amina Diallo] met [Carlos Moedas] in Lisbon."
ARTICLE_2 = b"[Ingrid Solberg] visited Oslo."


@dataclass
class World:
    raw: InMemoryRawStore
    repository: InMemoryDocumentRepository
    pipeline: StubPipeline
    service: IngestService

    def put(self, key: str, data: bytes = ARTICLE_1, last_modified: datetime | None = None) -> ObjectHead:
        return self.raw.put(BUCKET, key, data, "text/plain; charset=utf-8", last_modified=last_modified)

    def handle(self, *bodies: str, **kwargs: Any) -> dict:
        return self.service.handle_messages([(f"m{i}", body) for i, body in enumerate(bodies)], **kwargs)

    def saves(self) -> list[tuple[str, WriteOrder | None]]:
        return [(c[1], c[2]) for c in self.repository.calls if c[0] == "save"]

    def reads(self) -> list[tuple[str, str | None]]:
        """(method, version id) of each HEAD and GET of the raw bucket."""
        return [(c[0], c[3]) for c in self.raw.calls if c[0] in {"head", "get"}]

    def forget_calls(self) -> None:
        self.raw.calls.clear()
        self.repository.calls.clear()


@pytest.fixture
def world() -> World:
    # Objects written an hour ago, a second apart: in the past of the service's clock, and ordered.
    ticks = itertools.count()
    start = datetime.now(UTC) - timedelta(hours=1)
    raw = InMemoryRawStore(clock=lambda: start + timedelta(seconds=next(ticks)))
    repository, pipeline = InMemoryDocumentRepository(), StubPipeline()
    service = IngestService(pipeline, raw, repository, max_input_bytes=1_000, raw_bucket=BUCKET)  # type: ignore[arg-type]
    return World(raw, repository, pipeline, service)


def created(key: str, head: ObjectHead, sequencer: str | None) -> str:
    ref = ObjectRef(bucket=BUCKET, key=key, version_id=head.version_id, etag=head.etag, size=head.size,
                    sequencer=sequencer)  # fmt: skip
    return s3_event_message(ref)


def removed(key: str, marker_version_id: str, sequencer: str | None, event_time: str | None = None) -> str:
    ref = ObjectRef(bucket=BUCKET, key=key, version_id=marker_version_id, sequencer=sequencer, removed=True,
                    event_time=event_time)  # fmt: skip
    return s3_event_message(ref)


def purged(key: str, version_id: str) -> str:
    return s3_event_message(ObjectRef(bucket=BUCKET, key=key, version_id=version_id, removed=True, purge=True))


def doc_id(key: str) -> str:
    return document_id_for(BUCKET, key)


def mentioning(world: World, key: str) -> list[str]:
    return [d["document_id"] for d in world.repository.documents_mentioning("PERSON", key)[0]]


# ----------------------------------------------------------------------------- once per version


def test_ingest_stores_each_version_once_and_skips_a_duplicate_delivery(world: World) -> None:
    # Given a processed version
    v1 = world.put("a.txt")
    first = world.handle(created("a.txt", v1, "10"))
    assert [r.status for r in first["m0"].results] == [Status.PROCESSED]
    stored = world.repository.get(doc_id("a.txt"))
    assert (stored.source.version_id, stored.source.etag) == (v1.version_id, v1.etag)
    assert mentioning(world, "carlos moedas") == [doc_id("a.txt")]
    world.forget_calls()

    # When the same event is delivered again
    again = world.handle(created("a.txt", v1, "10"))

    # Then it is acknowledged without reading the object or writing anything
    assert again["m0"].skipped == [doc_id("a.txt")] and again["m0"].results == [] and again["m0"].error is None
    assert world.saves() == [] and world.reads() == []
    assert world.pipeline.batches == [[doc_id("a.txt")]]


def test_ingest_two_events_for_one_key_in_a_batch_process_only_the_highest_sequencer(world: World) -> None:
    # Given two versions whose events arrive together, the newer first ("100" > "FF" once padded)
    v1 = world.put("a.txt", ARTICLE_1)
    v2 = world.put("a.txt", ARTICLE_2)

    # When both are handled in one batch
    outcomes = world.handle(created("a.txt", v2, "100"), created("a.txt", v1, "FF"))

    # Then only v2 is read, processed and stored; the other message is acknowledged as skipped
    assert [r.source.version_id for r in outcomes["m0"].results] == [v2.version_id]
    assert outcomes["m1"].skipped == [doc_id("a.txt")] and outcomes["m1"].error is None
    assert [order.version_id for _, order in world.saves() if order] == [v2.version_id]
    assert ("get", v1.version_id) not in world.reads()
    assert world.repository.get(doc_id("a.txt")).clean_text == ARTICLE_2.decode()


def test_ingest_older_event_after_a_newer_one_is_superseded_without_reading_s3(world: World) -> None:
    # Given v2 stored from its event
    v1 = world.put("a.txt", ARTICLE_1)
    v2 = world.put("a.txt", ARTICLE_2)
    world.handle(created("a.txt", v2, "0A2"))
    world.forget_calls()

    # When v1's event arrives late
    outcomes = world.handle(created("a.txt", v1, "0A1"))

    # Then nothing is read or written and v2 stays, with its entities
    assert outcomes["m0"].skipped == [doc_id("a.txt")] and outcomes["m0"].error is None
    assert world.reads() == [] and world.saves() == []
    assert world.repository.get(doc_id("a.txt")).source.version_id == v2.version_id
    assert mentioning(world, "amina diallo") == [] and mentioning(world, "ingrid solberg") == [doc_id("a.txt")]


def test_ingest_older_version_without_sequencer_loses_on_last_modified(world: World) -> None:
    # Given v2 stored by its event, and an event for v1 without a sequencer (moto, backfill)
    v1 = world.put("a.txt", ARTICLE_1)
    v2 = world.put("a.txt", ARTICLE_2)
    world.handle(created("a.txt", v2, "0A2"))

    # When v1's event is handled: the stored item is not older by Last-Modified, so v1 does not land
    outcomes = world.handle(created("a.txt", v1, None))

    # Then v2 stays
    assert outcomes["m0"].skipped == [doc_id("a.txt")] and outcomes["m0"].results == []
    assert world.repository.get(doc_id("a.txt")).source.version_id == v2.version_id


# ----------------------------------------------------------------------------------- bad inputs


def test_ingest_oversized_object_is_stored_failed_too_large_without_reading_the_body(world: World) -> None:
    # Given an object above max_input_bytes
    big = world.put("big.txt", b"x" * 1_001)

    # When its event is handled
    outcomes = world.handle(created("big.txt", big, "01"))

    # Then a FAILED too_large result is stored after a HEAD, with no GET and no pipeline run
    [result] = outcomes["m0"].results
    assert result.status is Status.FAILED and result.error is not None
    assert result.error.code is ErrorCode.TOO_LARGE and "1001 bytes" in result.error.message
    assert world.reads() == [("head", big.version_id)]
    assert world.pipeline.batches == [[]] and world.pipeline.singles == []
    assert world.repository.get(doc_id("big.txt")) == result
    # and a redelivery is a duplicate
    assert world.handle(created("big.txt", big, "01"))["m0"].skipped == [doc_id("big.txt")]


def test_ingest_event_for_a_version_that_is_gone_is_skipped(world: World) -> None:
    # Given an event for a version deleted for good before it was handled
    v1 = world.put("gone.txt")
    world.raw.delete_version(BUCKET, "gone.txt", v1.version_id or "")

    # When it is handled
    outcomes = world.handle(created("gone.txt", v1, "01"))

    # Then it is acknowledged, nothing is read or stored
    assert outcomes["m0"].skipped == [doc_id("gone.txt")] and outcomes["m0"].error is None
    assert world.reads() == [("head", v1.version_id)] and world.saves() == []
    assert world.repository.get_meta(doc_id("gone.txt")) is None


def test_ingest_key_without_object_removes_a_stored_result_whose_removal_event_was_lost(world: World) -> None:
    # Given a stored result whose object was deleted, the removal event lost
    v1 = world.put("a.txt")
    world.handle(created("a.txt", v1, "01"))
    world.raw.delete(BUCKET, "a.txt")

    # When a message naming only the key arrives (a backfill)
    outcomes = world.handle(s3_event_message(ObjectRef(bucket=BUCKET, key="a.txt")))

    # Then the result follows the key: removed, with a tombstone
    assert outcomes["m0"].removed == [doc_id("a.txt")] and outcomes["m0"].error is None
    meta = world.repository.get_meta(doc_id("a.txt"))
    assert meta is not None and meta.deleted
    assert mentioning(world, "carlos moedas") == []


def test_ingest_malformed_message_fails_only_itself(world: World) -> None:
    # Given a batch with a body that is not an S3 event next to a good one
    v1 = world.put("a.txt")

    # When it is handled
    outcomes = world.handle("not json", created("a.txt", v1, "01"), '{"Records": [{"eventName": 1}]}')

    # Then those messages carry the error (retried, then the DLQ) and the good one is stored
    assert isinstance(outcomes["m0"].error, MalformedEventError)
    assert isinstance(outcomes["m2"].error, MalformedEventError)
    assert outcomes["m1"].error is None and len(outcomes["m1"].results) == 1
    assert [document_id for document_id, _ in world.saves()] == [doc_id("a.txt")]


# ---------------------------------------------------------------------------- removal and purge


def test_ingest_removal_deletes_the_result_and_its_tombstone_blocks_an_older_create(world: World) -> None:
    # Given v1 stored, then v2 written and the key deleted; v2's create event is delayed
    v1 = world.put("a.txt", ARTICLE_1)
    world.handle(created("a.txt", v1, "10"))
    v2 = world.put("a.txt", ARTICLE_2)
    marker = world.raw.delete(BUCKET, "a.txt")

    # When the removal is handled
    removal = world.handle(removed("a.txt", marker, "12"))

    # Then the result and its entities are gone, a tombstone holds the removal's sequencer
    assert removal["m0"].removed == [doc_id("a.txt")] and removal["m0"].error is None
    meta = world.repository.get_meta(doc_id("a.txt"))
    assert meta is not None and meta.deleted and meta.sequencer == "12".rjust(32, "0")
    assert mentioning(world, "amina diallo") == []

    # When v2's older create arrives afterwards (its version still readable by id)
    world.forget_calls()
    late = world.handle(created("a.txt", v2, "11"))

    # Then it is superseded: nothing read, nothing stored, the result stays gone
    assert late["m0"].skipped == [doc_id("a.txt")] and late["m0"].results == []
    assert world.reads() == [] and world.saves() == []
    assert mentioning(world, "ingrid solberg") == []
    with pytest.raises(Exception, match=doc_id("a.txt")):
        world.repository.get(doc_id("a.txt"))


def test_ingest_removal_older_than_the_stored_version_is_ignored(world: World) -> None:
    # Given v2 stored by a later event than the removal
    v2 = world.put("a.txt", ARTICLE_2)
    world.handle(created("a.txt", v2, "21"))

    # When a stale removal arrives
    outcomes = world.handle(removed("a.txt", "old-marker", "20"))

    # Then the result stays
    assert outcomes["m0"].skipped == [doc_id("a.txt")] and outcomes["m0"].removed == []
    assert world.repository.get(doc_id("a.txt")).source.version_id == v2.version_id


def test_ingest_purge_of_the_stored_version_falls_back_to_the_now_current_older_version(world: World) -> None:
    # Given v1 and v2, v2 stored
    v1 = world.put("a.txt", ARTICLE_1)
    v2 = world.put("a.txt", ARTICLE_2)
    world.handle(created("a.txt", v2, "21"))

    # When v2 is deleted for good and its purge event is handled
    world.raw.delete_version(BUCKET, "a.txt", v2.version_id or "")
    outcomes = world.handle(purged("a.txt", v2.version_id or ""))

    # Then v2's result is removed and v1, current again, is stored in its place
    outcome = outcomes["m0"]
    assert outcome.removed == [doc_id("a.txt")] and outcome.error is None
    assert [r.source.version_id for r in outcome.results] == [v1.version_id]
    assert world.repository.get(doc_id("a.txt")).clean_text == ARTICLE_1.decode()
    assert mentioning(world, "ingrid solberg") == [] and mentioning(world, "amina diallo") == [doc_id("a.txt")]


def test_ingest_purge_of_a_version_not_stored_changes_nothing(world: World) -> None:
    # Given v2 stored, v1 an older version
    v1 = world.put("a.txt", ARTICLE_1)
    v2 = world.put("a.txt", ARTICLE_2)
    world.handle(created("a.txt", v2, "21"))
    world.forget_calls()

    # When v1 is purged
    world.raw.delete_version(BUCKET, "a.txt", v1.version_id or "")
    outcomes = world.handle(purged("a.txt", v1.version_id or ""))

    # Then v2 stays and nothing is read or written
    assert outcomes["m0"].skipped == [doc_id("a.txt")] and outcomes["m0"].removed == []
    assert world.reads() == [] and world.saves() == []
    assert world.repository.get(doc_id("a.txt")).source.version_id == v2.version_id


def test_ingest_deleting_the_delete_marker_brings_the_result_back(world: World) -> None:
    # Given a stored key that was deleted (tombstone)
    v1 = world.put("a.txt", ARTICLE_1)
    world.handle(created("a.txt", v1, "10"))
    marker = world.raw.delete(BUCKET, "a.txt")
    world.handle(removed("a.txt", marker, "11"))

    # When the delete marker is deleted for good (S3's undelete: v1 is current again) and its event arrives
    world.raw.delete_version(BUCKET, "a.txt", marker)
    assert world.raw.head(BUCKET, "a.txt") is not None
    world.handle(purged("a.txt", marker))

    # Then the result follows the key's current object again
    assert world.repository.get(doc_id("a.txt")).source.version_id == v1.version_id


def test_ingest_reprocess_message_processes_a_stored_version_again(world: World) -> None:
    # Given a stored version
    v1 = world.put("a.txt")
    world.handle(created("a.txt", v1, "10"))

    # When the API's reprocess message (key only, forced) arrives
    outcomes = world.handle(s3_event_message(ObjectRef(bucket=BUCKET, key="a.txt", force=True)))

    # Then it is processed and stored again, past the duplicate check
    assert [r.source.version_id for r in outcomes["m0"].results] == [v1.version_id]
    assert len(world.saves()) == 2


def test_ingest_forced_reprocess_wins_over_a_tombstone(world: World) -> None:
    # Given a key removed (tombstone with a high sequencer) and then written again, its create event lost
    v1 = world.put("a.txt", ARTICLE_1)
    world.handle(created("a.txt", v1, "10"))
    world.handle(removed("a.txt", world.raw.delete(BUCKET, "a.txt"), "FF"))
    v2 = world.put("a.txt", ARTICLE_2, last_modified=datetime.now(UTC) - timedelta(days=1))

    # When an operator forces a reprocess of the key
    outcomes = world.handle(s3_event_message(ObjectRef(bucket=BUCKET, key="a.txt", force=True)))

    # Then the current object is stored over the tombstone
    assert [r.source.version_id for r in outcomes["m0"].results] == [v2.version_id]
    assert mentioning(world, "ingrid solberg") == [doc_id("a.txt")]


def test_ingest_removal_time_from_the_future_is_bounded_by_the_clock(world: World) -> None:
    # Given a stored key deleted, and a removal event (no sequencer) claiming a far-future time
    v1 = world.put("a.txt", ARTICLE_1)
    world.handle(created("a.txt", v1, None))
    world.handle(removed("a.txt", world.raw.delete(BUCKET, "a.txt"), None, event_time="2999-01-01T00:00:00Z"))
    meta = world.repository.get_meta(doc_id("a.txt"))
    assert meta is not None and meta.deleted and meta.source_modified < "2999"

    # When the key is written again afterwards and its event (no sequencer) arrives
    v2 = world.put("a.txt", ARTICLE_2, last_modified=datetime.now(UTC) + timedelta(seconds=2))
    outcomes = world.handle(created("a.txt", v2, None))

    # Then the new version is stored: the tombstone holds the removal's time up to the clock only
    assert [r.source.version_id for r in outcomes["m0"].results] == [v2.version_id]


# -------------------------------------------------------------------------------------- deadline


def test_ingest_low_remaining_time_hands_back_every_record_unstarted(world: World) -> None:
    # Given four objects and 10 s left, below the 15 s reserve
    bodies = [created(f"d{i}.txt", world.put(f"d{i}.txt"), "40") for i in range(4)]
    world.forget_calls()

    # When the batch is handled
    outcomes = world.handle(*bodies, remaining_ms=lambda: 10_000)

    # Then every message is deferred and nothing was read, processed or stored
    assert all(isinstance(outcomes[f"m{i}"].error, DeadlineDeferred) for i in range(4))
    assert all(outcomes[f"m{i}"].deferred for i in range(4))
    assert world.repository.calls == [] and world.reads() == [] and world.pipeline.batches == []


def test_ingest_defers_only_the_records_not_started_when_time_runs_low(world: World) -> None:
    # Given groups of two and plenty of time before the first group only
    bodies = [created(f"d{i}.txt", world.put(f"d{i}.txt"), "40") for i in range(4)]
    world.service.group_size = 2
    clock = iter([60_000])

    # When the batch is handled
    outcomes = world.handle(*bodies, remaining_ms=lambda: next(clock, 1_000))

    # Then the first group is stored and the rest handed back untouched
    assert [outcomes[f"m{i}"].deferred for i in range(4)] == [False, False, True, True]
    assert [len(outcomes[f"m{i}"].results) for i in range(4)] == [1, 1, 0, 0]
    assert [d for d, _ in world.saves()] == [doc_id("d0.txt"), doc_id("d1.txt")]
    assert world.repository.get_meta(doc_id("d2.txt")) is None
    assert world.pipeline.batches == [[doc_id("d0.txt"), doc_id("d1.txt")]]


# ---------------------------------------------------------------------------------------- errors


def test_ingest_pipeline_error_in_a_batch_retries_one_by_one_and_fails_only_that_message(world: World) -> None:
    # Given a batch where one document breaks the pipeline
    bodies = [
        created("a.txt", world.put("a.txt", ARTICLE_1), "01"),
        created("bad.txt", world.put("bad.txt", b"POISON [Ada Obi]"), "01"),
        created("b.txt", world.put("b.txt", ARTICLE_2), "01"),
    ]

    # When it is handled
    outcomes = world.handle(*bodies)

    # Then the batch is run once, then each document alone; only the bad one's message fails
    ids = [doc_id("a.txt"), doc_id("bad.txt"), doc_id("b.txt")]
    assert world.pipeline.batches == [ids] and world.pipeline.singles == ids
    assert isinstance(outcomes["m1"].error, PipelineBroke) and outcomes["m1"].results == []
    assert outcomes["m0"].error is None and outcomes["m2"].error is None
    assert [d for d, _ in world.saves()] == [doc_id("a.txt"), doc_id("b.txt")]
    assert world.repository.get_meta(doc_id("bad.txt")) is None


def test_ingest_event_for_another_bucket_is_stored_failed_without_reading_it(world: World) -> None:
    # Given an event naming a bucket other than the raw bucket
    foreign = ObjectRef(bucket="someone-elses", key="secret.txt", version_id="v9", sequencer="01")

    # When it is handled
    outcomes = world.handle(s3_event_message(foreign))

    # Then a FAILED foreign_bucket result is stored under that bucket's id and nothing is read
    [result] = outcomes["m0"].results
    assert result.error is not None and result.error.code is ErrorCode.FOREIGN_BUCKET
    assert result.document_id == document_id_for("someone-elses", "secret.txt")
    assert world.raw.calls == [] and world.pipeline.batches == [[]]
    # and its removal is ignored
    removal = ObjectRef(bucket="someone-elses", key="secret.txt", version_id="m", sequencer="02", removed=True)
    assert world.handle(s3_event_message(removal))["m0"].skipped == [result.document_id]


def test_ingest_result_refused_for_good_by_dynamodb_is_stored_failed_not_storable(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table that refuses the processed result with a ValidationException (an item limit)
    save = world.repository.save

    def refusing_save(result: ResultDocument, order: WriteOrder | None = None, **kwargs: Any) -> bool:
        if result.status is Status.PROCESSED:
            error = {"Error": {"Code": "ValidationException", "Message": "Item size has exceeded the maximum"}}
            raise ClientError(error, "PutItem")  # type: ignore[arg-type]
        return save(result, order, **kwargs)

    monkeypatch.setattr(world.repository, "save", refusing_save)
    v1 = world.put("a.txt")

    # When its event is handled
    outcomes = world.handle(created("a.txt", v1, "01"))

    # Then a FAILED not_storable result of the same version is stored and the message succeeds
    assert outcomes["m0"].error is None
    stored = world.repository.get(doc_id("a.txt"))
    assert stored.error is not None and stored.error.code is ErrorCode.NOT_STORABLE
    assert "Item size" in stored.error.message and stored.source.version_id == v1.version_id


class Throttled(Exception):
    """What a transient AWS error looks like to the service: any exception."""


def test_ingest_storage_error_fails_only_its_message_and_the_retry_stores_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table that refuses writes for one document
    save = world.repository.save

    def flaky_save(result: ResultDocument, order: WriteOrder | None = None, **kwargs: Any) -> bool:
        if result.document_id == doc_id("b.txt"):
            raise Throttled("ProvisionedThroughputExceededException")
        return save(result, order, **kwargs)

    monkeypatch.setattr(world.repository, "save", flaky_save)
    bodies = [created("a.txt", world.put("a.txt"), "01"), created("b.txt", world.put("b.txt"), "01")]

    # When the batch is handled
    outcomes = world.handle(*bodies)

    # Then only that message carries the error, for SQS to retry
    assert outcomes["m0"].error is None and len(outcomes["m0"].results) == 1
    assert isinstance(outcomes["m1"].error, Throttled) and outcomes["m1"].results == []
    assert world.repository.get_meta(doc_id("b.txt")) is None

    # When the table recovers and the message is retried, it is stored
    monkeypatch.setattr(world.repository, "save", save)
    retry = world.service.handle_messages([("m1", bodies[1])])
    assert retry["m1"].error is None and [r.document_id for r in retry["m1"].results] == [doc_id("b.txt")]


def test_ingest_read_error_while_planning_fails_only_its_message(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given S3 failing the HEAD of one key
    head = world.raw.head

    def flaky_head(bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        if key == "b.txt":
            raise Throttled("SlowDown")
        return head(bucket, key, version_id)

    monkeypatch.setattr(world.raw, "head", flaky_head)
    bodies = [created("a.txt", world.put("a.txt"), "01"), created("b.txt", world.put("b.txt"), "01")]

    # When the batch is handled
    outcomes = world.handle(*bodies)

    # Then the other message is stored and this one is retried
    assert isinstance(outcomes["m1"].error, Throttled)
    assert outcomes["m0"].error is None and [d for d, _ in world.saves()] == [doc_id("a.txt")]


# ------------------------------------------------------- the fake's conditional write is DynamoDB's


def _evaluate(condition: Any, item: dict[str, Any]) -> bool:
    """A boto3 condition on one item, as DynamoDB evaluates it (the operators newer_condition uses)."""
    expression = condition.get_expression()
    operator, values = expression["operator"], expression["values"]
    if operator == "OR":
        return _evaluate(values[0], item) or _evaluate(values[1], item)
    if operator == "AND":
        return _evaluate(values[0], item) and _evaluate(values[1], item)
    name = values[0].name
    if operator == "attribute_exists":
        return name in item
    if operator == "attribute_not_exists":
        return name not in item
    if name not in item:  # a comparison with a missing attribute is false
        assert operator != "<>", "not exercised: every item written with an order has a pipeline_version"
        return False
    actual, wanted = item[name], values[1]
    return {"=": actual == wanted, "<>": actual != wanted, "<": actual < wanted, "<=": actual <= wanted}[operator]


_SEQUENCERS = [None, "0A", "0B"]
_TIMES = [None, "2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z"]


def test_ingest_fake_repository_conditional_write_matches_newer_condition() -> None:
    """Over every combination of stored item (none, document, tombstone) and write order, the fake
    lands exactly when DynamoDB's newer_condition(order) holds on the stored item."""
    result = ResultDocument(document_id="d", status=Status.PROCESSED, pipeline=Pipeline(version="p1"))
    stored_items: list[tuple[str, WriteOrder] | None] = [None]
    kinds = ["doc", "tombstone"]
    for kind, sequencer, modified, pipeline in itertools.product(kinds, _SEQUENCERS, _TIMES, ["p1", "p2"]):
        stored_items.append((kind, WriteOrder(pipeline, sequencer=sequencer, source_modified=modified)))
    orders = [
        WriteOrder("p1", sequencer=sequencer, source_modified=modified, force=force)
        for sequencer, modified, force in itertools.product(_SEQUENCERS, _TIMES, [False, True])
    ]
    checked = 0
    for stored, order in itertools.product(stored_items, orders):
        repository = InMemoryDocumentRepository()
        expected = True
        if stored is not None:
            kind, seed = stored
            seeded = repository.save(result, seed) if kind == "doc" else repository.delete("d", seed) is False
            assert seeded
            expected = _evaluate(newer_condition(order), {"PK": "DOC#d", "SK": "DOC"} | order_attributes(seed))
        assert repository.save(result, order) is expected, (stored, order)
        checked += 1
    assert checked == len(stored_items) * 18
