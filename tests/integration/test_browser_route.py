"""GET / (the collection browser) and GET /documents through the real ApiFunction handler against moto:
the catalog's new attributes as DocumentRepository.save writes them, items stored before them, the
entity filter with its timeline, the page's headers. No model: the results are made here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsproc.local.lambda_runtime import LambdaContext, http_api_event
from newsproc.models import Entity, ErrorCode, Metadata, Pipeline, ResultDocument, Source, Status

# The API routes add no metric, and Powertools warns at each flush of an empty set (an error under pytest's
# filterwarnings = error; tests/integration/test_handlers.py's API tests hit it when run alone).
pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:No application metrics to publish")]

EVIL = """<script>alert("t")</script> 'q'"""


def _get(api_module: Any, path: str, query: dict[str, str] | None = None, stage: str = "$default") -> dict[str, Any]:
    raw_path = path if stage == "$default" else f"/{stage}{path}"  # a named stage is in the raw path
    event = http_api_event("GET", raw_path, route_key=f"GET {path}", query=query, stage=stage)
    return api_module.lambda_handler(event, LambdaContext("ApiFunction"))


def _save(aws: Any) -> list[str]:
    from newsproc.settings import Settings
    from newsproc.store import document_repository

    repository = document_repository(Settings.from_env())
    ids = []
    for i, (published, names) in enumerate([("2026-11-30", ["Ana Gomes", "Lisbon"]), ("2026-12-02", ["Ana Gomes"])]):
        entities = [
            Entity(id=f"e{n}", key=name.lower(), name=name, label="GPE" if name == "Lisbon" else "PERSON",
                   count=n + 2, first_start=0)
            for n, name in enumerate(names)
        ]  # fmt: skip
        ids.append(f"{i:02d}" * 16)
        repository.save(
            ResultDocument(
                document_id=ids[-1], status=Status.PROCESSED, source=Source(bucket="raw", key=f"news/{i}.txt"),
                metadata=Metadata(title=f"Story {i}" if i else EVIL, published=published, language="en"),
                clean_text="text", entities=entities, pipeline=Pipeline(version="t"),
            )
        )  # fmt: skip
    failed = ResultDocument.failed(
        "ff" * 16,
        Source(bucket="raw", key="news/x.pdf"),
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "pdf",
        Pipeline(version="t"),
    )
    repository.save(failed)
    # A document item written before the listing's attributes existed (no title, date or entities).
    aws.dynamodb.Table(aws.resources.table).put_item(
        Item={"PK": "DOC#" + "ee" * 16, "SK": "DOC", "document_id": "ee" * 16, "status": "PROCESSED",
              "source_key": "old.txt", "entity_count": 2, "result": "{}"}
    )  # fmt: skip
    return [*ids, "ff" * 16, "ee" * 16]


def test_the_json_listing_adds_the_browser_fields_and_old_items_list_after_the_catalog_backfill(
    aws, api_module, capsys
) -> None:
    from newsproc.cli import main

    ids = _save(aws)
    # An item saved before the CatalogIndex is not in it until the one-off migration gives it the key.
    before = json.loads(_get(api_module, "/documents")["body"])["documents"]
    assert {row["document_id"] for row in before} == set(ids) - {"ee" * 16}
    assert main(["backfill-catalog", "--table", aws.resources.table]) == 0
    assert "1 document items" in capsys.readouterr().out
    assert main(["backfill-catalog", "--table", aws.resources.table]) == 0  # rerun: nothing left to add
    assert "0 document items" in capsys.readouterr().out
    response = _get(api_module, "/documents")
    assert response["statusCode"] == 200
    rows = {row["document_id"]: row for row in json.loads(response["body"])["documents"]}
    assert set(rows) == set(ids)
    assert rows[ids[0]]["title"] == EVIL and rows[ids[0]]["published"] == "2026-11-30"
    assert rows[ids[0]]["language"] == "en" and rows[ids[0]]["entity_count"] == 2
    assert rows[ids[0]]["top_entities"] == [
        {"name": "Ana Gomes", "label": "PERSON", "count": 2},
        {"name": "Lisbon", "label": "GPE", "count": 3},
    ]
    assert rows["ff" * 16]["error_code"] == "unsupported_media_type" and rows["ff" * 16]["top_entities"] == []
    old = rows["ee" * 16]
    assert old["title"] is None and old["published"] is None and old["top_entities"] == [] and old["key"] == "old.txt"


def test_the_browser_lists_the_collection_with_its_headers(aws, api_module) -> None:
    ids = _save(aws)
    response = _get(api_module, "/", stage="dev")
    assert response["statusCode"] == 200, response["body"]
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
    page = response["body"]
    assert all(f'data-document-id="{i}"' in page for i in ids[:-1])  # the last, an old item, needs the backfill
    assert "<script" not in page and "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &#39;q&#39;" in page
    assert f'href="/dev/documents/{ids[0]}/view"' in page and "unsupported_media_type" in page
    assert 'href="/dev/?entity=Ana+Gomes&amp;label=PERSON"' in page


def test_the_browser_filters_by_entity_with_its_timeline(aws, api_module) -> None:
    ids = _save(aws)
    response = _get(api_module, "/", {"entity": "ana gomes", "label": "PERSON"})
    assert response["statusCode"] == 200, response["body"]
    page = response["body"]
    assert f'data-document-id="{ids[0]}"' in page and f'data-document-id="{ids[1]}"' in page
    assert 'data-document-id="ffff' not in page
    assert 'id="timeline-chart"' in page and 'data-period="2026-11-30"' in page and 'data-period="2026-12-02"' in page
    missing_label = _get(api_module, "/", {"entity": "ana gomes"})
    assert missing_label["statusCode"] == 422 and json.loads(missing_label["body"])["error"]["code"] == "label_required"
    bad_token = _get(api_module, "/", {"next": "not-a-token"})
    assert bad_token["statusCode"] == 400 and json.loads(bad_token["body"])["error"]["code"] == "invalid_token"


def test_documents_mentioning_an_entity_show_their_published_date(aws, api_module) -> None:
    ids = _save(aws)
    page = _get(api_module, "/", {"entity": "ana gomes", "label": "PERSON"})["body"]
    row = page.split(f'data-document-id="{ids[1]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="date">2026-12-02</td>' in row
    listed = _get(api_module, "/entities/PERSON/ana%20gomes/documents")
    assert listed["statusCode"] == 200, listed["body"]
    dates = {d["document_id"]: d["published"] for d in json.loads(listed["body"])["documents"]}
    assert dates == {ids[0]: "2026-11-30", ids[1]: "2026-12-02"}
