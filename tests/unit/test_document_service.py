"""DocumentService (the API's use cases) with in-memory stores and a recording SQS client."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from newsproc.api.service import PRESIGNED_URL_SECONDS, DocumentService
from newsproc.errors import DocumentNotFoundError
from newsproc.ingest.events import ObjectRef, object_refs_from_message
from newsproc.media import MediaType, document_id_for
from newsproc.models import Entity, Metadata, Pipeline, ResultDocument, Source, Status
from newsproc.settings import Settings
from newsproc.store.memory import InMemoryCatalog, InMemoryDocumentRepository, InMemoryRawStore
from tests.builders import listed_pages

pytestmark = pytest.mark.unit

RAW = "raw-bucket"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/documents"


@dataclass
class RecordingSqs:
    """An SQS client that keeps what was sent."""

    sent: list[dict[str, Any]] = field(default_factory=list)

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return {"MessageId": f"msg-{len(self.sent)}"}


@dataclass
class World:
    raw: InMemoryRawStore
    repository: InMemoryDocumentRepository
    catalog: InMemoryCatalog
    sqs: RecordingSqs
    service: DocumentService

    def store(self, key: str, names: list[str], published: str | None = None) -> str:
        """A raw object and its stored result, as the process function leaves them."""
        head = self.raw.put(RAW, key, b"text", "text/plain; charset=utf-8")
        document_id = document_id_for(RAW, key)
        entities = [
            Entity(id=f"e{i}", key=name.lower(), name=name, label="PERSON", count=1, first_start=0)
            for i, name in enumerate(names)
        ]
        self.repository.save(
            ResultDocument(
                document_id=document_id,
                status=Status.PROCESSED,
                source=Source(bucket=RAW, key=key, version_id=head.version_id, etag=head.etag, size=head.size),
                metadata=Metadata(title=f"title of {key}", published=published),
                clean_text="text",
                entities=entities,
                pipeline=Pipeline(version="test"),
            )
        )
        return document_id


def _world(**environ: str) -> World:
    settings = Settings.from_env({"RAW_BUCKET": RAW, "UPLOAD_PREFIX": "uploads/", "QUEUE_URL": QUEUE} | environ)
    raw, repository, sqs = InMemoryRawStore(), InMemoryDocumentRepository(), RecordingSqs()
    catalog = InMemoryCatalog(repository)
    service = DocumentService(raw, repository, catalog, sqs, settings=settings)  # type: ignore[arg-type]
    return World(raw, repository, catalog, sqs, service)


@pytest.fixture
def world() -> World:
    return _world()


# ------------------------------------------------------------------------------------- submitting


def test_document_service_submit_keeps_the_declared_charset_for_the_pipeline(world: World) -> None:
    body = "Caf\u00e9 owners met Ada Obi.".encode("utf-16-le")
    submission = world.service.submit(body, MediaType.TEXT, "UTF-16LE")
    stored = world.raw.get(RAW, submission.key)
    assert stored is not None and stored.data == body and stored.content_type == "text/plain; charset=UTF-16LE"


@pytest.mark.parametrize(
    ("media_type", "suffix", "content_type"),
    [
        (MediaType.TEXT, ".txt", "text/plain"),  # no charset declared: detected when decoded
        (MediaType.HTML, ".html", "text/html"),
        (MediaType.JSON, ".json", "application/json"),
    ],
)
def test_document_service_submit_writes_under_the_upload_prefix_with_the_canonical_suffix(
    world: World, media_type: MediaType, suffix: str, content_type: str
) -> None:
    # When a body is submitted
    submission = world.service.submit(b"<p>Ada Obi</p>", media_type)

    # Then it is written under the prefix, with a random name, the suffix and its content type
    assert submission.bucket == RAW
    assert re.fullmatch(rf"uploads/[0-9a-f]{{32}}{re.escape(suffix)}", submission.key)
    assert submission.document_id == document_id_for(RAW, submission.key)
    stored = world.raw.get(RAW, submission.key)
    assert stored is not None and stored.data == b"<p>Ada Obi</p>" and stored.content_type == content_type
    assert world.raw.keys(RAW) == [submission.key]


def test_document_service_submit_gives_each_body_its_own_key(world: World) -> None:
    first = world.service.submit(b"a", MediaType.TEXT)
    second = world.service.submit(b"a", MediaType.TEXT)
    assert first.key != second.key and first.document_id != second.document_id
    assert sorted(world.raw.keys(RAW)) == sorted([first.key, second.key])


def test_document_service_presigned_upload_keeps_only_a_known_suffix(world: World) -> None:
    # When an upload is asked for a filename with a path and a known suffix
    upload = world.service.presigned_upload("../../etc/My Story.HTM")

    # Then the key is new (prefix, random name, the suffix), never built from the filename
    assert upload is not None
    key = str(upload["key"])
    assert re.fullmatch(r"uploads/[0-9a-f]{32}\.htm", key)
    assert upload["document_id"] == document_id_for(RAW, key) and upload["bucket"] == RAW
    assert upload["fields"]["Content-Type"] == "text/html; charset=utf-8"
    assert upload["expires_in"] == PRESIGNED_URL_SECONDS
    limit = world.service.settings.max_input_bytes
    assert upload["max_bytes"] == limit  # S3 refuses larger files (content-length-range)
    assert world.raw.calls == [("presigned_post", RAW, key, "text/html; charset=utf-8", limit)]


@pytest.mark.parametrize("filename", ["report.pdf", "story", "story.txt.exe", ""])
def test_document_service_presigned_upload_refuses_unknown_suffixes(world: World, filename: str) -> None:
    assert world.service.presigned_upload(filename) is None
    assert world.raw.calls == []


# ---------------------------------------------------------------------------------------- reading


def test_document_service_get_returns_the_stored_result(world: World) -> None:
    document_id = world.store("news/a.txt", ["Ada Obi"])
    assert world.service.get(document_id).source.key == "news/a.txt"


def test_document_service_get_of_an_unknown_id_raises_not_found(world: World) -> None:
    with pytest.raises(DocumentNotFoundError):
        world.service.get("0" * 32)


def test_document_service_list_documents_pages_through_the_catalog(world: World) -> None:
    # Given three stored documents
    ids = sorted(world.store(f"news/{i}.txt", ["Ada Obi"]) for i in range(3))

    # When they are listed two at a time
    first, token = world.service.list_documents(limit=2, next_token=None)
    second, end = world.service.list_documents(limit=2, next_token=token)

    # Then every document appears once, with its summary
    listed = [d["document_id"] for d in first + second]
    assert sorted(listed) == ids and len(listed) == 3 and end is None
    assert {d["status"] for d in first + second} == {"PROCESSED"}
    assert all(d["entity_count"] == 1 and d["key"].startswith("news/") for d in first + second)


class CatalogIndexTable:
    """A boto3 Table whose Query of the CatalogIndex answers like DynamoDB: one shard's entries, newest first,
    below the sort key in the condition, `Limit` of them, with a LastEvaluatedKey when the Limit was reached."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.queries = 0

    def query(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["IndexName"] == "CatalogIndex" and kwargs["ScanIndexForward"] is False
        self.queries += 1
        condition = _key_condition(kwargs["KeyConditionExpression"])
        rows = [i for i in self.items if i["catalog_shard"] == condition[("catalog_shard", "=")]]
        if ("catalog_sort", "<") in condition:
            rows = [i for i in rows if i["catalog_sort"] < condition[("catalog_sort", "<")]]
        rows.sort(key=lambda i: i["catalog_sort"], reverse=True)
        page = rows[: kwargs["Limit"]]
        last = {"catalog_sort": page[-1]["catalog_sort"]} if len(page) == kwargs["Limit"] else None
        return {"Items": page} | ({"LastEvaluatedKey": last} if last else {})


def _key_condition(condition: Any) -> dict[tuple[str, str], str]:
    expression = condition.get_expression()
    if expression["operator"] == "AND":
        return {k: v for part in expression["values"] for k, v in _key_condition(part).items()}
    key, value = expression["values"]
    return {(key.name, expression["operator"]): value}


def test_the_catalog_merges_its_shards_newest_published_first() -> None:
    from newsproc.store.catalog import CATALOG_SHARDS, DocumentCatalog, catalog_keys

    # Given twenty documents over the shards: published on ten days, two a day, and two undated
    items = []
    for n in range(22):
        document_id = f"{n:032x}"
        published = None if n >= 20 else f"2026-11-{10 + n // 2:02d}"
        keys = catalog_keys(document_id, published, f"2026-12-01T00:00:{n:02d}+00:00")
        items.append({"document_id": document_id, "status": "PROCESSED", **keys})
    assert len({i["catalog_shard"] for i in items}) == CATALOG_SHARDS
    table = CatalogIndexTable(items)
    catalog = DocumentCatalog(type("Resource", (), {"Table": lambda self, name: table})(), table_name="documents")

    # When they are listed five at a time
    pages = listed_pages(catalog, 5)

    # Then each appears once, newest published first (the later stored first on a day), undated last
    listed = [document_id for page in pages for document_id in page]
    expected = [f"{n:032x}" for n in [*reversed(range(20)), 21, 20]]
    assert listed == expected and [len(p) for p in pages] == [5, 5, 5, 5, 2]
    assert table.queries <= CATALOG_SHARDS * len(pages)  # a shard known to be done is not asked again


# --------------------------------------------------------------------------------------- deleting


def test_document_service_delete_removes_the_result_and_the_raw_object(world: World) -> None:
    # Given a stored result and its raw object, and another document
    document_id = world.store("news/a.txt", ["Ada Obi"])
    other = world.store("news/b.txt", ["Ada Obi"])

    # When it is deleted
    world.service.delete(document_id)

    # Then the result, its entity items and the raw object are gone, the other stays
    with pytest.raises(DocumentNotFoundError):
        world.service.get(document_id)
    assert world.raw.head(RAW, "news/a.txt") is None and world.raw.keys(RAW) == ["news/b.txt"]
    assert ("erase", RAW, "news/a.txt") in world.raw.calls  # every version, not a delete marker
    assert [d["document_id"] for d in world.repository.documents_mentioning("PERSON", "ada obi")[0]] == [other]


def test_document_service_delete_of_an_unknown_id_raises_not_found_and_deletes_nothing(world: World) -> None:
    world.store("news/a.txt", ["Ada Obi"])
    with pytest.raises(DocumentNotFoundError):
        world.service.delete("0" * 32)
    assert [c for c in world.raw.calls if c[0] in ("delete", "erase")] == []
    assert [c for c in world.repository.calls if c[0] == "delete"] == []


def test_document_service_delete_of_a_result_naming_another_bucket_touches_only_the_raw_bucket(world: World) -> None:
    # Given a result stored for an event that named someone else's bucket
    document_id = document_id_for("someone-elses", "secret.txt")
    world.repository.save(
        ResultDocument(
            document_id=document_id,
            status=Status.FAILED,
            source=Source(bucket="someone-elses", key="secret.txt"),
            pipeline=Pipeline(version="test"),
        )
    )

    # When it is deleted through the API
    world.service.delete(document_id)

    # Then the result is gone and nothing outside the raw bucket was deleted
    with pytest.raises(DocumentNotFoundError):
        world.service.get(document_id)
    assert [c for c in world.raw.calls if c[0] in ("delete", "erase") and c[1] != RAW] == []


# ------------------------------------------------------------------------------------ reprocessing


def test_document_service_reprocess_queues_a_forced_event_for_the_key(world: World) -> None:
    # Given a stored result
    document_id = world.store("news/a b.txt", ["Ada Obi"])

    # When it is reprocessed
    submission = world.service.reprocess(document_id)

    # Then one ObjectCreated:Reprocess message naming the key (no version: the current one) is sent
    assert (submission.document_id, submission.bucket, submission.key) == (document_id, RAW, "news/a b.txt")
    [sent] = world.sqs.sent
    assert sent["QueueUrl"] == QUEUE
    assert json.loads(sent["MessageBody"])["Records"][0]["eventName"] == "ObjectCreated:Reprocess"
    assert object_refs_from_message(sent["MessageBody"]) == [ObjectRef(bucket=RAW, key="news/a b.txt", force=True)]


def test_document_service_reprocess_of_an_unknown_id_sends_nothing(world: World) -> None:
    with pytest.raises(DocumentNotFoundError):
        world.service.reprocess("0" * 32)
    assert world.sqs.sent == []


def test_document_service_reprocess_without_a_queue_is_refused() -> None:
    world = _world(QUEUE_URL="")
    document_id = world.store("news/a.txt", ["Ada Obi"])
    with pytest.raises(DocumentNotFoundError):
        world.service.reprocess(document_id)
    assert world.sqs.sent == []


# ------------------------------------------------------------------------------------ entity query


def test_document_service_documents_mentioning_keys_the_name_like_the_index(world: World) -> None:
    # Given documents mentioning Carlos Moedas, published on different days, and one that does not
    older = world.store("news/a.txt", ["Carlos Moedas"], published="2024-01-01")
    newer = world.store("news/b.txt", ["Carlos Moedas", "Ada Obi"], published="2024-02-01")
    world.store("news/c.txt", ["Ada Obi"])

    # When they are asked for with a title, a possessive and another case of the label
    found, token = world.service.documents_mentioning("person", "President Carlos Moedas's", limit=10, next_token=None)

    # Then the name is keyed as the index keys it, newest published first
    assert [d["document_id"] for d in found] == [newer, older] and token is None
    assert found[0]["name"] == "Carlos Moedas" and found[0]["title"] == "title of news/b.txt"
    assert ("documents_mentioning", "PERSON", "carlos moedas") in world.repository.calls


def test_document_service_documents_mentioning_pages_with_a_token(world: World) -> None:
    ids = [world.store(f"news/{i}.txt", ["Ada Obi"], published=f"2024-01-0{i}") for i in range(1, 4)]
    first, token = world.service.documents_mentioning("PERSON", "Ada Obi", limit=2, next_token=None)
    second, _ = world.service.documents_mentioning("PERSON", "Ada Obi", limit=2, next_token=token)
    assert [d["document_id"] for d in first + second] == ids[::-1]
    with pytest.raises(ValueError):
        world.service.documents_mentioning("PERSON", "Ada Obi", limit=2, next_token="garbage")
