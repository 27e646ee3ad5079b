"""reliability[forged_tokens]: the forged continuation tokens of tests/integration/test_hostile_input.py
against GET /documents and GET /entities/{label}/{name}/documents (real ApiFunction handler): every one
answers 400 invalid_token; a real token of each route answers 200 (control)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from scripts.reliability.documents import upload_articles
from scripts.reliability.harness import ScenarioResult, api_module, drain_with_retries, local_stack, tally


def _token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


ENTITY_TOKENS = [
    base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode()[:4000],
    _token({"PK": "DOC#ab", "SK": "DOC"}),  # a page of the document listing, not of the entity index
    _token({"PK": "DOC#ab", "SK": "ENT#ORG#x", "GSI1PK": "ENT#ORG#x", "GSI1SK": "-#ab"}),  # another entity
    _token({"PK": "DOC#ab", "SK": "ENT#PERSON#x", "GSI1PK": "ENT#PERSON#x", "GSI1SK": 1}),
    "not base64 at all!",
]
LISTING_TOKENS = [
    base64.urlsafe_b64encode(b"[" * 3000).decode(),
    _token({"PK": "DOC#ab", "SK": "ENT#PERSON#x"}),
    _token({"PK": "ENT#PERSON#x", "SK": "DOC"}),
    _token({"PK": "DOC#ab", "SK": "DOC", "GSI1PK": "x", "GSI1SK": "y"}),
]


def run(documents: int = 12) -> ScenarioResult:
    """Forged tokens against both paginated routes of a table holding `documents` processed documents."""
    from newsproc.local.lambda_runtime import LambdaContext, http_api_event, response_json

    started = time.perf_counter()
    api = api_module()
    with local_stack() as stack:
        keys = upload_articles(stack, documents, seed=9, prefix="tokens/")
        drain_with_retries(stack)
        counted = tally(stack, keys)

        def get(path: str, route_key: str, query: dict[str, str], params: dict[str, str] | None = None) -> tuple:
            event = http_api_event("GET", path, route_key=route_key, query=query, path_parameters=params)
            response = api.lambda_handler(event, LambdaContext("ApiFunction"))
            return response["statusCode"], response_json(response)

        entity = ("/entities/PERSON/x/documents", "GET /entities/{label}/{name}/documents")
        entity_params = {"label": "PERSON", "name": "x"}
        answers: list[tuple[int, Any]] = []
        for token in LISTING_TOKENS:
            answers.append(get("/documents", "GET /documents", {"next": token}))
        for token in ENTITY_TOKENS:
            answers.append(get(*entity, {"next": token}, entity_params))
        rejected = sum(1 for status, body in answers if status == 400 and body["error"]["code"] == "invalid_token")

        # Controls: a real token of each route is accepted.
        status, page = get("/documents", "GET /documents", {"limit": "2"})
        listing_control = get("/documents", "GET /documents", {"limit": "2", "next": page["next"]})[0]
        person = _a_person(stack)
        entity_path = (f"/entities/PERSON/{person}/documents", entity[1])
        person_params = {"label": "PERSON", "name": person}
        _, page = get(*entity_path, {"limit": "1"}, person_params)
        entity_control = (
            get(*entity_path, {"limit": "1", "next": page["next"]}, person_params)[0]
            if page.get("next")
            else "no-second-page"
        )
    return ScenarioResult(
        "forged_tokens",
        counted,
        {
            "forged_tokens": len(answers),
            "answered_400": rejected,
            "other_answers": ",".join(str(s) for s, _ in answers if s != 400) or "-",
            "real_token_listing": listing_control,
            "real_token_entity": entity_control,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )


def _a_person(stack: Any) -> str:
    """The name of a PERSON mentioned by the most documents (so its listing has a second page)."""
    from collections import Counter

    from scripts.reliability.harness import scan

    names = Counter(i["SK"].split("#", 2)[2] for i in scan(stack) if i["SK"].startswith("ENT#PERSON#"))
    return names.most_common(1)[0][0]
