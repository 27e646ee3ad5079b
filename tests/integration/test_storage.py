"""DocumentRepository against moto, with the table and buckets created from template.yaml."""

import os

import pytest

from newsproc import store
from newsproc.errors import DocumentNotFoundError
from newsproc.models import ResultDocument
from newsproc.settings import Settings
from newsproc.store.documents import DocumentRepository
from tests.builders import processed_result

pytestmark = pytest.mark.integration


def _result(document_id: str, names: list[str], text: str = "text") -> ResultDocument:
    return processed_result(document_id, text, names=names, published="2024-01-0" + document_id[-1])


def _repository(**overrides: int) -> DocumentRepository:
    settings = Settings.from_env({**os.environ, **{key: str(value) for key, value in overrides.items()}})
    return store.document_repository(settings)


def test_storage_save_get_roundtrip(aws) -> None:
    repository = _repository()
    result = _result("doc1", ["Ada Obi"])
    repository.save(result)
    assert repository.get("doc1") == result
    with pytest.raises(DocumentNotFoundError):
        repository.get("missing")


def test_storage_large_result_goes_to_s3_with_pointer(aws) -> None:
    repository = _repository(INLINE_RESULT_BYTES=1000)
    result = _result("doc2", ["Ada Obi"], text="word " * 2000)
    repository.save(result)
    item = aws.dynamodb.Table(aws.resources.table).get_item(Key={"PK": "DOC#doc2", "SK": "DOC"})["Item"]
    assert "result" not in item and item["result_s3_key"] == "results/doc2.json"
    assert repository.get("doc2") == result


def test_storage_new_version_replaces_entity_items(aws) -> None:
    repository = _repository()
    repository.save(_result("doc3", ["Ada Obi", "Ben Lee"]))
    repository.save(_result("doc3", ["Ben Lee", "Cy Ng"]))
    assert repository.documents_mentioning("PERSON", "ada obi")[0] == []
    assert [d["document_id"] for d in repository.documents_mentioning("PERSON", "cy ng")[0]] == ["doc3"]


def test_storage_entity_query_paginates_newest_first(aws) -> None:
    repository = _repository()
    for i in range(1, 6):
        repository.save(_result(f"doc{i}", ["Ada Obi"]))
    seen, token = [], None
    while True:
        page, token = repository.documents_mentioning("PERSON", "ada obi", limit=2, next_token=token)
        seen += [d["document_id"] for d in page]
        if token is None:
            break
    assert seen == ["doc5", "doc4", "doc3", "doc2", "doc1"]
    with pytest.raises(ValueError):
        repository.documents_mentioning("PERSON", "ada obi", next_token="garbage")


def test_storage_delete_removes_items_and_result(aws) -> None:
    repository = _repository(INLINE_RESULT_BYTES=10)
    repository.save(_result("doc4", ["Ada Obi"]))
    assert repository.delete("doc4") is True
    with pytest.raises(DocumentNotFoundError):
        repository.get("doc4")
    assert repository.documents_mentioning("PERSON", "ada obi")[0] == []
    assert aws.s3.list_objects_v2(Bucket=aws.resources.results_bucket).get("KeyCount", 0) == 0
    assert repository.delete("doc4") is False
