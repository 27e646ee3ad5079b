"""GET /documents' listing (store/catalog.py) against moto, with the table and its CatalogIndex from
template.yaml: a page Queries the index's shards for document entries only, never the entity, band and
signature items beside them, newest published first; a removed document leaves the listing."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from newsproc import aws as clients
from newsproc import store
from newsproc.settings import Settings
from newsproc.store.catalog import CATALOG_SHARDS
from newsproc.store.ordering import WriteOrder
from newsproc.store.pagination import InvalidTokenError, encode_token
from tests.builders import listed_pages, processed_result

pytestmark = pytest.mark.integration

DOCUMENTS = 9
# Long enough for a MinHash signature, so every document also has its signature and 16 band items.
TEXT = (
    "The harbour authority of {n} approved a new ferry terminal on Monday after a long public consultation. "
    "The mayor said the project would be financed by the regional government and open to passengers in 2029, "
    "while residents asked for a study of the noise and of the traffic on the coastal road near the old port."
)
NAMES = tuple(f"Person {n}" for n in "ABCDEFGH")


def _store(count: int = DOCUMENTS) -> list[str]:
    """`count` documents, published one a day from 2026-11-01 in id order: the newest has the largest id."""
    repository = store.document_repository(Settings.from_env(os.environ))
    ids = [f"{n:032x}" for n in range(1, count + 1)]
    for n, document_id in enumerate(ids):
        repository.save(
            processed_result(document_id, TEXT.format(n=f"Port {n}"), names=NAMES, published=f"2026-11-{n + 1:02d}")
        )
    return ids


def _calls() -> list[dict[str, Any]]:
    """The DynamoDB calls the repository's client makes: operation, index, and how many items each returned."""
    client = clients.dynamodb_resource().meta.client
    calls: list[dict[str, Any]] = []

    def before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["index"] = json.loads(params.get("body") or b"{}").get("IndexName")

    def after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        calls.append({"operation": model.name, "index": context.get("index"), "items": parsed.get("Items", [])})

    client.meta.events.register("before-call.dynamodb.*", before, "catalog-call-index")
    client.meta.events.register("after-call.dynamodb.*", after, "catalog-call-count")
    return calls


def test_a_page_reads_only_document_entries_newest_published_first(aws) -> None:
    ids = _store()
    table_items = aws.dynamodb.Table(aws.resources.table).scan()["Count"]
    # each document item has 8 entity items, its signature item and 16 band items beside it
    assert table_items == DOCUMENTS * (1 + len(NAMES) + 1 + 16)
    catalog = store.document_catalog(Settings.from_env(os.environ))
    calls = _calls()

    pages = listed_pages(catalog, 4)

    assert pages == [ids[::-1][:4], ids[::-1][4:8], ids[::-1][8:]]  # newest published first, each once
    assert {(c["operation"], c["index"]) for c in calls} == {("Query", "CatalogIndex")}  # never a Scan
    read = [item for c in calls for item in c["items"]]
    assert {item["document_id"] for item in read} == set(ids)  # document entries only
    assert len(calls) <= CATALOG_SHARDS * len(pages) and len(read) <= CATALOG_SHARDS * 5 * len(pages)
    assert len(read) < table_items / 5


def test_an_exact_last_page_has_no_token(aws) -> None:
    ids = _store(4)
    catalog = store.document_catalog(Settings.from_env(os.environ))
    page, token = catalog.list(limit=4, next_token=None)
    assert sorted(row["document_id"] for row in page) == ids and token is None


def test_a_removed_document_leaves_the_listing(aws) -> None:
    ids = _store(3)
    repository = store.document_repository(Settings.from_env(os.environ))
    repository.delete(ids[0], WriteOrder("test", sequencer="00000000000000000000FF"))  # leaves a tombstone
    repository.delete(ids[1])  # no tombstone
    catalog = store.document_catalog(Settings.from_env(os.environ))
    page, token = catalog.list(limit=10, next_token=None)
    assert [row["document_id"] for row in page] == ids[2:] and token is None  # a tombstone has no index keys
    # the migration does not bring a tombstone back
    assert catalog.index_unlisted() == 0
    assert [row["document_id"] for row in catalog.list(limit=10, next_token=None)[0]] == ids[2:]


@pytest.mark.parametrize(
    "key",
    [
        {"0": "-", "1": "-", "2": "-"},  # a shard missing
        {"0": "-", "1": "-", "2": "-", "3": "-", "4": "-"},  # a shard too many
        {"0": "-", "1": "-", "2": "-", "3": "LSH#1#2"},  # not a position in the index
        {"0": "-", "1": ".", "2": "-", "3": "2026-11-30#x#y#z"},
        {"PK": "DOC#" + "a" * 32, "SK": "DOC"},  # a token of the table Scan before the index
    ],
)
def test_a_forged_token_is_refused(aws, key: dict[str, str]) -> None:
    catalog = store.document_catalog(Settings.from_env(os.environ))
    with pytest.raises(InvalidTokenError):
        catalog.list(limit=5, next_token=encode_token(key))
