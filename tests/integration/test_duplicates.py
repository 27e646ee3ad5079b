"""Near-duplicates against moto (the table from template.yaml): band items and signature items written,
replaced and deleted with the document, lookups by Query only, and the API's /similar and ?collapse."""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from newsproc import aws as clients
from newsproc import store
from newsproc.local.lambda_runtime import LambdaContext, http_api_event, response_json
from newsproc.local.poller import drain
from newsproc.media import document_id_for
from newsproc.models import Duplicate, ErrorCode, Pipeline, ResultDocument, Source
from newsproc.pipeline.similarity import SCHEME, signature
from newsproc.settings import Settings
from newsproc.store.documents import DocumentRepository
from newsproc.store.ordering import WriteOrder
from tests.builders import processed_result
from tests.conftest import EVENTS

# The ApiFunction's Metrics warn when a request published none (pyproject turns warnings into errors).
pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:No application metrics to publish")]

STORY = (
    "Lisbon's city council approved the construction of a new harbour bridge across the Tagus on Monday, ending a "
    "decade of delays. Mayor Carlos Moedas said the 1.8 billion euro project would be financed in part by the "
    "European Investment Bank and would open to traffic in 2031. Opposition councillors questioned the cost "
    "estimates and asked for an independent review of the environmental impact on the estuary."
)
OTHER = (
    "Kenyan runners swept the Berlin marathon on Sunday as Amos Kipruto won the men's race in just over two hours, "
    "ahead of two compatriots. The women's race went to an Ethiopian debutante who pulled away in the last five "
    "kilometres, and organisers counted a record number of finishers despite the unseasonable heat."
)


def _result(document_id: str, text: str, names: tuple[str, ...] = ("Carlos Moedas",)) -> ResultDocument:
    return processed_result(document_id, text, names=names, published="2024-03-18")


def _repository() -> DocumentRepository:
    return store.document_repository(Settings.from_env(os.environ))


def _band_items(aws: Any, document_id: str) -> list[dict[str, Any]]:
    table = aws.dynamodb.Table(aws.resources.table)
    found = Attr("PK").begins_with("LSH#") & Attr("SK").eq(f"DOC#{document_id}")
    return table.scan(FilterExpression=found)["Items"]


def _signature_item(aws: Any, document_id: str) -> dict[str, Any] | None:
    table = aws.dynamodb.Table(aws.resources.table)
    return table.get_item(Key={"PK": f"DOC#{document_id}", "SK": "SIG"}).get("Item")


def test_duplicates_save_writes_band_items_that_no_other_listing_sees(aws) -> None:
    repository = _repository()
    repository.save(_result("a1", STORY))
    own = signature(STORY)
    assert own is not None
    bands = _band_items(aws, "a1")
    assert sorted(i["PK"] for i in bands) == sorted(own.band_keys()) and len(bands) == SCHEME.bands
    assert all(bytes(i["signature"]) == own.to_bytes() for i in bands)
    sig = _signature_item(aws, "a1")
    assert sig is not None and sorted(sig["bands"]) == sorted(own.band_keys())
    # The catalog's Scan, the entity index and the document read ignore band and signature items.
    catalog = store.document_catalog(Settings.from_env(os.environ))
    assert [d["document_id"] for d in catalog.list(limit=50, next_token=None)[0]] == ["a1"]
    assert [d["document_id"] for d in repository.documents_mentioning("PERSON", "carlos moedas")[0]] == ["a1"]
    assert repository.get("a1").clean_text == STORY


def test_duplicates_lookup_is_one_query_per_band_and_never_a_scan(aws) -> None:
    repository = _repository()
    repository.save(_result("a1", STORY))
    repository.save(_result("b2", "Share this story. " + STORY.replace("Monday", "Tuesday")))
    repository.save(_result("c3", OTHER))
    client = clients.dynamodb_resource().meta.client  # the repository's (newsproc.aws), not the harness's
    calls: Counter[str] = Counter()
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]), "dup-count")
    try:
        own = signature(STORY)
        assert own is not None
        matches = repository.duplicates.lookup(own, exclude="a1")
    finally:
        client.meta.events.unregister("before-call.dynamodb.*", unique_id="dup-count")
    assert [m.document_id for m in matches] == ["b2"] and SCHEME.threshold <= matches[0].similarity < 1
    assert calls == Counter({"Query": SCHEME.bands})


def test_duplicates_new_version_replaces_band_items_and_delete_removes_them(aws) -> None:
    repository = _repository()
    repository.save(_result("a1", STORY))
    first_indexed = _signature_item(aws, "a1")["first_indexed"]  # type: ignore[index]
    repository.save(_result("a1", OTHER))  # a new version with another text
    other = signature(OTHER)
    assert other is not None
    assert sorted(i["PK"] for i in _band_items(aws, "a1")) == sorted(other.band_keys())
    assert _signature_item(aws, "a1")["first_indexed"] == first_indexed  # type: ignore[index]
    own = signature(STORY)
    assert own is not None and repository.duplicates.lookup(own) == []

    failed = ResultDocument.failed("a1", Source(), ErrorCode.UNDECODABLE, "x", Pipeline(version="test"))
    repository.save(failed)  # a FAILED version has no signature: the old band items go
    assert _band_items(aws, "a1") == [] and _signature_item(aws, "a1") is None

    repository.save(_result("a1", STORY))
    assert repository.delete("a1") is True
    assert _band_items(aws, "a1") == [] and _signature_item(aws, "a1") is None


def test_duplicates_a_lost_race_leaves_the_winners_band_items(aws) -> None:
    repository = _repository()
    assert repository.save(_result("a1", OTHER), WriteOrder("test", sequencer="0000000000000000000B"))
    assert not repository.save(_result("a1", STORY), WriteOrder("test", sequencer="0000000000000000000A"))
    other = signature(OTHER)
    assert other is not None
    assert sorted(i["PK"] for i in _band_items(aws, "a1")) == sorted(other.band_keys())


def test_duplicates_a_save_signs_only_a_text_it_was_given_no_signature_of(aws, minhashes: list[str]) -> None:
    repository = _repository()
    story, other = signature(STORY), signature(OTHER)
    assert story is not None and other is not None
    minhashes.clear()
    newer = WriteOrder("test", sequencer="0000000000000000000B")
    older = WriteOrder("test", sequencer="0000000000000000000A")
    assert repository.save(_result("a1", STORY), newer, signature=story)
    assert not repository.save(_result("a1", STORY), older, signature=story)  # the winner has the same text
    assert minhashes == []
    assert not repository.save(_result("a1", OTHER), older, signature=other)  # the winner's text is another
    assert len(minhashes) == 1
    assert sorted(i["PK"] for i in _band_items(aws, "a1")) == sorted(story.band_keys())


# ------------------------------------------------------------------------------------------ API


def _call(api_module: Any, method: str, path: str, route: str, **kwargs: Any) -> tuple[int, Any]:
    event = http_api_event(method, path, route_key=f"{method} {route}", **kwargs)
    response = api_module.lambda_handler(event, LambdaContext("ApiFunction"))
    return response["statusCode"], response_json(response)


def test_duplicates_api_similar_lists_near_duplicates_stored_before_and_after(aws, api_module) -> None:
    repository = _repository()
    repository.save(_result("a1", STORY))
    repository.save(_result("b2", STORY + " Reporting by the Lisbon bureau."))
    repository.save(_result("c3", OTHER))
    route = "/documents/{document_id}/similar"
    status, body = _call(api_module, "GET", "/documents/a1/similar", route, path_parameters={"document_id": "a1"})
    assert status == 200, body
    assert body["document_id"] == "a1" and body["threshold"] == SCHEME.threshold
    assert [d["document_id"] for d in body["duplicates"]] == ["b2"] and 0.5 <= body["duplicates"][0]["similarity"] < 1
    status, body = _call(api_module, "GET", "/documents/c3/similar", route, path_parameters={"document_id": "c3"})
    assert (status, body["duplicates"]) == (200, [])
    status, body = _call(api_module, "GET", "/documents/dd/similar", route, path_parameters={"document_id": "dd"})
    assert status == 404 and body["error"]["code"] == "document_not_found"
    status, _ = _call(api_module, "GET", "/documents/XYZ/similar", route, path_parameters={"document_id": "XYZ"})
    assert status == 422


def test_duplicates_api_collapse_drops_later_copies_from_both_entity_routes(aws, api_module) -> None:
    repository = _repository()
    repository.save(_result("a1", STORY))
    later = _result("b2", "Share this story. " + STORY)
    repository.save(later.model_copy(update={"duplicates": [Duplicate(document_id="a1", similarity=0.9)]}))
    repository.save(_result("c3", OTHER, names=("Carlos Moedas",)))
    entity_route = "/entities/{label}/{name}/documents"
    params = {"label": "PERSON", "name": "carlos moedas"}
    path = "/entities/PERSON/carlos%20moedas/documents"

    def listed(status_body: tuple[int, Any]) -> set[str]:
        status, body = status_body
        assert status == 200, body
        return {d["document_id"] for d in body["documents"]}

    assert listed(_call(api_module, "GET", path, entity_route, path_parameters=params)) == {"a1", "b2", "c3"}
    collapsed = _call(api_module, "GET", path, entity_route, path_parameters=params, query={"collapse": "duplicates"})
    assert listed(collapsed) == {"a1", "c3"}
    query = {"entity": "Carlos Moedas", "label": "PERSON", "collapse": "duplicates"}
    assert listed(_call(api_module, "GET", "/documents", "/documents", query=query)) == {"a1", "c3"}
    status, _ = _call(api_module, "GET", path, entity_route, path_parameters=params, query={"collapse": "nothing"})
    assert status == 422


@pytest.mark.model
def test_duplicates_through_the_process_handler_a_copy_names_the_original(aws, process_module, api_module) -> None:
    article = (EVENTS / "articles" / "harbour-bridge.txt").read_bytes()
    bucket = aws.resources.raw_bucket
    aws.s3.put_object(Bucket=bucket, Key="wire/bridge.txt", Body=article)
    drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, process_module.lambda_handler)
    aws.s3.put_object(Bucket=bucket, Key="site/bridge-copy.txt", Body=b"Sign up for our newsletter\n" + article)
    drain(aws.sqs, aws.resources.queue_url, aws.resources.queue_arn, process_module.lambda_handler)
    original, duplicate = document_id_for(bucket, "wire/bridge.txt"), document_id_for(bucket, "site/bridge-copy.txt")
    event = json.loads((EVENTS / "http_get_document.json").read_text().replace("DOCUMENT_ID", duplicate))
    response = api_module.lambda_handler(copy.deepcopy(event), LambdaContext("ApiFunction"))
    body = response_json(response)
    assert response["statusCode"] == 200 and body["status"] == "PROCESSED"
    assert [d["document_id"] for d in body["duplicates"]] == [original]
    table = aws.dynamodb.Table(aws.resources.table)
    assert table.query(KeyConditionExpression=Key("PK").eq(f"DOC#{original}") & Key("SK").eq("SIG"))["Count"] == 1
