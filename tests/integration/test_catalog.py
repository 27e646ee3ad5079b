"""GET /documents' listing (store/catalog.py) against moto, with the table and its CatalogIndex from
template.yaml: a page reads the index entries of live documents only, never the entity, band and
signature items beside them, and a removed document leaves the listing."""

from __future__ import annotations

import os
from typing import Any

import pytest

from newsproc import aws as clients
from newsproc import store
from newsproc.settings import Settings
from newsproc.store.ordering import WriteOrder
from newsproc.store.pagination import InvalidTokenError, encode_token
from tests.builders import processed_result

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
    repository = store.document_repository(Settings.from_env(os.environ))
    ids = [f"{n:032x}" for n in range(1, count + 1)]
    for n, document_id in enumerate(ids):
        repository.save(processed_result(document_id, TEXT.format(n=f"Port {n}"), names=NAMES))
    return ids


def _scans() -> list[dict[str, Any]]:
    """The Scan calls the repository's client makes: their parameters and what DynamoDB says it read."""
    client = clients.dynamodb_resource().meta.client
    calls: list[dict[str, Any]] = []

    def record(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append({"scanned": parsed.get("ScannedCount"), "returned": parsed.get("Count")})

    client.meta.events.register("after-call.dynamodb.Scan", record, "catalog-scan-count")
    return calls


def test_a_page_reads_only_the_index_entries_of_documents(aws) -> None:
    ids = _store()
    table_items = aws.dynamodb.Table(aws.resources.table).scan()["Count"]
    # each document item has 8 entity items, its signature item and 16 band items beside it
    assert table_items == DOCUMENTS * (1 + len(NAMES) + 1 + 16)
    catalog = store.document_catalog(Settings.from_env(os.environ))
    scans = _scans()

    listed, token = [], None
    while True:
        page, token = catalog.list(limit=4, next_token=token)
        listed += [row["document_id"] for row in page]
        if token is None:
            break

    assert sorted(listed) == ids  # each once
    assert len(scans) == 3  # 4 + 4 + 1 documents, one Scan a page
    # each page reads its documents and one more entry (whether a next page exists), nothing else
    assert [s["scanned"] for s in scans] == [5, 5, 1]
    assert sum(s["scanned"] for s in scans) < table_items / 10


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
    assert [row["document_id"] for row in page] == ids[2:] and token is None
    # the migration does not bring a tombstone back
    assert catalog.index_unlisted() == 0
    assert [row["document_id"] for row in catalog.list(limit=10, next_token=None)[0]] == ids[2:]


@pytest.mark.parametrize(
    "key",
    [
        {"PK": "DOC#" + "a" * 32, "SK": "DOC", "catalog_id": "b" * 32},  # index key of another item
        {"PK": "DOC#" + "a" * 32, "SK": "SIG", "catalog_id": "a" * 32},
        {"PK": "LSH#1#2", "SK": "DOC", "catalog_id": "1#2"},
        {"PK": "DOC#" + "a" * 32, "SK": "DOC"},  # a token of the table Scan before the index
    ],
)
def test_a_forged_token_is_refused(aws, key: dict[str, str]) -> None:
    catalog = store.document_catalog(Settings.from_env(os.environ))
    with pytest.raises(InvalidTokenError):
        catalog.list(limit=5, next_token=encode_token(key))
