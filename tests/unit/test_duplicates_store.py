"""Near-duplicates through the use cases with in-memory stores: the ingest path fills `duplicates`, the API
lists similar documents and collapses entity listings. The rules (`best_matches`, `collapse_listing`) are
the real repository's; DuplicateRepository itself is tested against moto (tests/integration/test_duplicates.py)."""

from __future__ import annotations

from typing import Any

import pytest

from newsproc.api.direct import handle_direct
from newsproc.api.service import DocumentService
from newsproc.errors import DocumentNotFoundError
from newsproc.ingest.events import ObjectRef, s3_event_message
from newsproc.ingest.service import IngestService
from newsproc.media import document_id_for
from newsproc.models import Duplicate, ErrorCode, Status
from newsproc.pipeline.similarity import Signature, signature
from newsproc.settings import Settings
from newsproc.store.duplicates import Candidate, SignatureItem, best_matches, collapse_listing
from newsproc.store.memory import InMemoryCatalog, InMemoryDocumentRepository, InMemoryRawStore
from tests.unit.pipeline_stub import StubPipeline

pytestmark = pytest.mark.unit

BUCKET = "raw"
STORY = (
    "[Carlos Moedas] said on Monday that Lisbon's council had approved the new harbour bridge after a decade of "
    "delays. The 1.8 billion euro crossing over the Tagus will be financed in part by the European Investment Bank "
    "and should open to traffic in 2031, the mayor told reporters outside the city hall. Opposition councillors "
    "asked for an independent review of the costs and of the impact on the estuary's migratory birds."
)
OTHER = (
    "[Amos Kipruto] led a Kenyan sweep of the Berlin marathon on Sunday, winning the men's race in just over two "
    "hours ahead of two compatriots. The women's race went to an Ethiopian debutante who broke away in the last "
    "five kilometres, and organisers counted a record number of finishers despite the unseasonable heat."
)


class World:
    def __init__(self) -> None:
        self.raw = InMemoryRawStore()
        self.repository = InMemoryDocumentRepository()
        self.ingest = IngestService(StubPipeline(), self.raw, self.repository, max_input_bytes=100_000)  # type: ignore[arg-type]
        settings = Settings.from_env({"RAW_BUCKET": BUCKET, "QUEUE_URL": "https://sqs/q"})
        catalog = InMemoryCatalog(self.repository)
        self.api = DocumentService(self.raw, self.repository, catalog, None, settings=settings)  # type: ignore[arg-type]

    def store(self, key: str, text: str, *, force: bool = False) -> str:
        self.raw.put(BUCKET, key, text.encode(), "text/plain; charset=utf-8")
        message = s3_event_message(ObjectRef(bucket=BUCKET, key=key, force=force))
        outcome = self.ingest.handle_messages([("m", message)])["m"]
        assert outcome.error is None, outcome.error
        return document_id_for(BUCKET, key)

    def duplicates(self, document_id: str) -> list[Duplicate]:
        return self.repository.get(document_id).duplicates


@pytest.fixture
def world() -> World:
    return World()


def _mentions(world: World, name: str, **kwargs: Any) -> list[str]:
    found, _ = world.api.documents_mentioning("PERSON", name, limit=50, next_token=None, **kwargs)
    return [d["document_id"] for d in found]


# ---------------------------------------------------------------------------------------- ingest


def test_duplicates_a_copy_lists_the_stored_original_and_the_original_lists_nothing(world: World) -> None:
    original = world.store("wire/a.txt", STORY)
    copy = world.store("site/b.txt", "Subscribe to our newsletter\n" + STORY.replace("Monday", "Tuesday"))
    world.store("wire/c.txt", OTHER)
    assert world.duplicates(original) == []
    [duplicate] = world.duplicates(copy)
    assert duplicate.document_id == original and 0.5 <= duplicate.similarity < 1.0
    assert world.duplicates(document_id_for(BUCKET, "wire/c.txt")) == []


def test_duplicates_a_reprocess_lists_later_copies_but_never_itself(world: World) -> None:
    original = world.store("wire/a.txt", STORY)
    copy = world.store("site/b.txt", STORY)
    again = world.store("wire/a.txt", STORY, force=True)
    assert again == original
    assert world.duplicates(original) == [Duplicate(document_id=copy, similarity=1.0)]


def test_duplicates_short_and_failed_documents_get_no_signature(world: World) -> None:
    short = world.store("wire/short.txt", "[Ada Obi] spoke briefly.")
    world.store("wire/short2.txt", "[Ada Obi] spoke briefly.")
    failed_id = document_id_for(BUCKET, "scan.pdf")
    world.raw.put(BUCKET, "scan.pdf", STORY.encode(), "application/pdf")
    world.ingest.max_input_bytes = 10  # stored FAILED (too_large) without the pipeline
    world.ingest.handle_messages([("m", s3_event_message(ObjectRef(bucket=BUCKET, key="scan.pdf")))])
    assert world.repository.get(failed_id).error.code is ErrorCode.TOO_LARGE  # type: ignore[union-attr]
    assert world.duplicates(document_id_for(BUCKET, "wire/short2.txt")) == []
    assert world.repository.duplicates.similar_to(short) == []
    assert world.repository.duplicates.similar_to(failed_id) == []


def test_duplicates_a_new_version_and_a_delete_remove_the_old_band_items(world: World) -> None:
    first = world.store("wire/a.txt", STORY)
    world.store("wire/a.txt", OTHER)  # a new version of the same key, another story
    assert world.store("site/b.txt", STORY) and world.duplicates(document_id_for(BUCKET, "site/b.txt")) == []
    world.repository.delete(document_id_for(BUCKET, "site/b.txt"))
    third = world.store("site/c.txt", STORY)
    assert world.duplicates(third) == []
    assert world.repository.get(first).status is Status.PROCESSED


# ------------------------------------------------------------------------------------------- API


def test_duplicates_a_sync_submission_lists_them_too(world: World) -> None:
    # POST /documents?sync=true stores through the process function's direct call, not the ingest path.
    original = world.store("wire/a.txt", STORY)
    world.raw.put(BUCKET, "uploads/b.txt", STORY.encode(), "text/plain; charset=utf-8")
    event = {"action": "process_object", "bucket": BUCKET, "key": "uploads/b.txt"}
    answer = handle_direct(event, StubPipeline(), world.raw, world.repository)  # type: ignore[arg-type]
    assert [d["document_id"] for d in answer["result"]["duplicates"]] == [original]
    assert world.duplicates(document_id_for(BUCKET, "uploads/b.txt"))[0].document_id == original


def test_duplicates_similar_lists_documents_stored_later_too_and_404s_unknown_ones(world: World) -> None:
    original = world.store("wire/a.txt", STORY)
    copy = world.store("site/b.txt", STORY + " Reporting by the Lisbon bureau.")
    assert [d.document_id for d in world.api.similar(original)] == [copy]
    assert [d.document_id for d in world.api.similar(copy)] == [original]
    with pytest.raises(DocumentNotFoundError):
        world.api.similar("0" * 32)
    world.repository.delete(copy)
    with pytest.raises(DocumentNotFoundError):
        world.api.similar(copy)
    assert world.api.similar(original) == []


def test_duplicates_collapse_keeps_the_earliest_stored_copy(world: World) -> None:
    original = world.store("wire/a.txt", STORY)
    copy = world.store("site/b.txt", "Share this article\n" + STORY)
    other = world.store("wire/c.txt", OTHER.replace("[Amos Kipruto]", "[Carlos Moedas]"))
    assert set(_mentions(world, "Carlos Moedas")) == {original, copy, other}
    assert set(_mentions(world, "Carlos Moedas", collapse=True)) == {original, other}
    # A reprocessed original lists the copy as its duplicate, but the copy was stored later: it stays out.
    world.store("wire/a.txt", STORY, force=True)
    assert set(_mentions(world, "Carlos Moedas", collapse=True)) == {original, other}
    # With the original gone, the copy is the earliest stored: it is listed.
    world.repository.delete(original)
    assert set(_mentions(world, "Carlos Moedas", collapse=True)) == {copy, other}


# ------------------------------------------------------------------------------------------ cost


def test_duplicates_a_stored_document_is_signed_once_for_its_lookup_and_its_band_items(
    world: World, minhashes: list[str]
) -> None:
    original = world.store("wire/a.txt", STORY)
    assert len(minhashes) == 1
    copy = world.store("site/b.txt", STORY)  # looked up, then indexed, with the one signature
    assert len(minhashes) == 2 and [d.document_id for d in world.duplicates(copy)] == [original]
    world.store("wire/a.txt", STORY, force=True)  # a reprocess
    assert len(minhashes) == 3 and [d.document_id for d in world.api.similar(copy)] == [original]
    world.raw.put(BUCKET, "uploads/c.txt", OTHER.encode(), "text/plain; charset=utf-8")
    event = {"action": "process_object", "bucket": BUCKET, "key": "uploads/c.txt"}
    handle_direct(event, StubPipeline(), world.raw, world.repository)  # type: ignore[arg-type]
    assert len(minhashes) == 4  # the sync submission's path too
    messages = [(f"m{i}", s3_event_message(ObjectRef(bucket=BUCKET, key=f"batch/{i}.txt"))) for i in range(3)]
    for i in range(3):
        world.raw.put(BUCKET, f"batch/{i}.txt", f"{STORY} Update {i}.".encode(), "text/plain; charset=utf-8")
    assert all(o.error is None for o in world.ingest.handle_messages(messages).values())
    assert len(minhashes) == 7  # one batch of three documents


# ----------------------------------------------------------------------------------------- rules


def _sig(text: str) -> Signature:
    own = signature(text)
    assert own is not None
    return own


def test_duplicates_best_matches_dedupes_excludes_itself_and_orders_by_similarity() -> None:
    story, edited, other = _sig(STORY), _sig(STORY.replace("Monday", "Sunday")), _sig(OTHER)
    candidates = [
        Candidate("self", story.to_bytes()),
        Candidate("b-edited", edited.to_bytes()),
        Candidate("a-same", story.to_bytes()),
        Candidate("a-same", story.to_bytes()),  # found in several bands
        Candidate("unrelated", other.to_bytes()),
    ]
    matches = best_matches(story, candidates, exclude="self")
    assert [m.document_id for m in matches] == ["a-same", "b-edited"]
    assert matches[0].similarity == 1.0 and 0.5 <= matches[1].similarity < 1.0


def test_duplicates_collapse_listing_needs_an_earlier_copy_that_mentions_the_entity_and_still_matches() -> None:
    story, other = _sig(STORY).to_bytes(), _sig(OTHER).to_bytes()
    items = {
        "a": SignatureItem("a", story, "1"),
        "b": SignatureItem("b", story, "2", duplicates=("a",)),
        "c": SignatureItem("c", story, "3", duplicates=("z",)),  # its recorded duplicate does not mention it
        "d": SignatureItem("d", other, "4", duplicates=("a",)),  # recorded, but now another text
        "z": SignatureItem("z", story, "0"),
    }
    listing = [{"document_id": i} for i in ("d", "c", "b", "a", "e")]
    kept = collapse_listing(listing, items, mentions={"a", "b", "c", "d", "e"})
    assert [d["document_id"] for d in kept] == ["d", "c", "a", "e"]
