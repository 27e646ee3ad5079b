"""newsproc.client against the local stack (no signing): submit, wait, get, list by entity, delete."""

from __future__ import annotations

from typing import Any

import pytest

from newsproc.client import NewsprocApiError, NewsprocClient

pytestmark = pytest.mark.e2e


def test_the_client_submits_waits_lists_and_deletes(local_stack: dict[str, Any]) -> None:
    api = NewsprocClient(local_stack["api_url"])
    text = f"Finance minister Enoch Godongwana spoke in Cape Town on Monday ({local_stack['mode']})."
    submitted = api.submit(text, title="Godongwana budget speech", filename="budget.txt")
    assert submitted["status"] == "QUEUED" and submitted["key"].endswith(".json")
    document_id = submitted["document_id"]

    result = api.wait(document_id, timeout=240)
    assert result["status"] == "PROCESSED" and result["metadata"]["title"] == "Godongwana budget speech"
    assert api.get(document_id)["document_id"] == document_id
    assert "<title>Godongwana budget speech" in api.view(document_id)
    assert api.view_url(document_id).endswith(f"/documents/{document_id}/view")

    person = next(e for e in result["entities"] if e["label"] == "PERSON" and "Godongwana" in e["name"])
    found = {d["document_id"] for d in api.iterate(entity=person["name"], label="PERSON", page_size=1)}
    assert document_id in found
    page = api.entity_documents("PERSON", person["name"])
    assert document_id in {d["document_id"] for d in page["documents"]}
    with pytest.raises(NewsprocApiError) as refused:
        api.list(entity=person["name"])
    assert (refused.value.status, refused.value.code) == (422, "label_required")

    extracted = api.extract(document={"text": text, "title": "stateless"})
    assert extracted["metadata"]["title"] == "stateless"

    api.delete(document_id)
    with pytest.raises(NewsprocApiError) as gone:
        api.get(document_id)
    assert (gone.value.status, gone.value.code) == (404, "document_not_found")
    assert document_id not in {d["document_id"] for d in api.iterate(entity=person["name"], label="PERSON")}
