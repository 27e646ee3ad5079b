"""Child program of test_api_layer_boundary: the ApiFunction with every NlpLayer package refused.

argv[1]: JSON list of top-level module names that only the NlpLayer ships. The finder below is installed
before anything else is imported, so any import of them (at load time or inside a route) fails as it
would on Lambda, where the ApiFunction has the CoreLayer only. Prints one JSON line:
{"statuses": {route: status}, "refused": [module, ...]}.
"""

from __future__ import annotations

import importlib.abc
import json
import sys

REFUSED_MODULES = frozenset(json.loads(sys.argv[1]))
refused: list[str] = []


class RefuseNlpLayer(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - the finder protocol
        if name.partition(".")[0] in REFUSED_MODULES:
            refused.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (an NlpLayer package)", name=name)
        return None


sys.meta_path.insert(0, RefuseNlpLayer())

import importlib.util  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def load_api_module():
    spec = importlib.util.spec_from_file_location("api_app", ROOT / "functions" / "api" / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    from newsproc.local.lambda_runtime import LambdaContext, http_api_event

    api = load_api_module()
    from newsproc import aws
    from newsproc.models import Entity, Mention, Pipeline, ResultDocument, Source, Status
    from newsproc.settings import Settings
    from newsproc.store import document_repository

    settings = Settings.from_env()
    document_id = "0123456789abcdef0123456789abcdef"
    stored = ResultDocument(
        document_id=document_id,
        status=Status.PROCESSED,
        source=Source(bucket=settings.raw_bucket, key="news/a.txt", size=30),
        clean_text="Carlos Moedas spoke in Lisbon.",
        mentions=[Mention(start=0, end=13, text="Carlos Moedas", label="PERSON", entity_id="e1")],
        entities=[Entity(id="e1", key="carlos moedas", name="Carlos Moedas", label="PERSON", count=1, first_start=0)],
        pipeline=Pipeline(version="test"),
    )
    document_repository(settings).save(stored)
    aws.s3_client().put_object(Bucket=settings.raw_bucket, Key="news/a.txt", Body=b"Carlos Moedas spoke in Lisbon.")

    def process_function(payload: dict) -> dict:  # what the process function answers (it has the NlpLayer)
        if payload["action"] == "render_view":
            return {"html": "<html></html>"}
        return {"result": stored.model_dump(mode="json")}

    aws.use_local_invoker(process_function)
    text = {"content-type": "text/plain"}
    requests = {
        "POST /documents": ("POST", "/documents", {}, None, text, "A short article about Lisbon."),
        "POST /documents?sync=true": ("POST", "/documents", {}, {"sync": "true"}, text, "Lisbon news."),
        "GET /documents": ("GET", "/documents", {}, None, {}, None),
        "GET /documents?entity=": ("GET", "/documents", {}, {"entity": "Carlos Moedas", "label": "PERSON"}, {}, None),
        "GET /documents/{document_id}": ("GET", f"/documents/{document_id}", {"document_id": document_id}, None, {},
                                         None),
        "GET /documents/{document_id}/view": ("GET", f"/documents/{document_id}/view",
                                              {"document_id": document_id}, None, {}, None),
        "GET /documents/{document_id}/similar": ("GET", f"/documents/{document_id}/similar",
                                                 {"document_id": document_id}, None, {}, None),
        "GET /documents?collapse=": ("GET", "/documents", {},
                                     {"entity": "Carlos Moedas", "label": "PERSON", "collapse": "duplicates"}, {},
                                     None),
        "POST /documents/{document_id}/reprocess": ("POST", f"/documents/{document_id}/reprocess",
                                                    {"document_id": document_id}, None, {}, None),
        "POST /extract": ("POST", "/extract", {}, None, text, "Carlos Moedas spoke in Lisbon."),
        "POST /uploads": ("POST", "/uploads", {}, None, {"content-type": "application/json"},
                          json.dumps({"filename": "a.html"})),
        "GET /entities/{label}/{name}/documents": ("GET", "/entities/PERSON/carlos%20moedas/documents",
                                                   {"label": "PERSON", "name": "carlos%20moedas"}, None, {}, None),
        "GET /entities/{label}/{name}/documents?collapse=": ("GET", "/entities/PERSON/carlos%20moedas/documents",
                                                             {"label": "PERSON", "name": "carlos%20moedas"},
                                                             {"collapse": "duplicates"}, {}, None),
        "GET /entities/{label}/{name}/timeline": ("GET", "/entities/PERSON/carlos%20moedas/timeline",
                                                  {"label": "PERSON", "name": "carlos%20moedas"},
                                                  {"granularity": "week"}, {}, None),
        "GET /trends": ("GET", "/trends", {}, {"label": "PERSON"}, {}, None),
        "GET /": ("GET", "/", {}, None, {}, None),
        "GET /?entity=": ("GET", "/", {}, {"entity": "Carlos Moedas", "label": "PERSON"}, {}, None),
        "GET /openapi.json": ("GET", "/openapi.json", {}, None, {}, None),
        "GET /swagger": ("GET", "/swagger", {}, None, {}, None),
        "DELETE /documents/{document_id}": ("DELETE", f"/documents/{document_id}", {"document_id": document_id},
                                            None, {}, None),
    }  # fmt: skip
    statuses = {}
    for name, (method, path, params, query, headers, body) in requests.items():
        route_key = f"{method} {name.split(' ', 1)[1].split('?')[0]}"
        event = http_api_event(
            method, path, route_key=route_key, path_parameters=params or None, query=query, headers=headers, body=body
        )
        statuses[name] = api.lambda_handler(event, LambdaContext("ApiFunction"))["statusCode"]
    print(json.dumps({"statuses": statuses, "refused": sorted(set(refused)), "env": os.environ.get("RAW_BUCKET")}))


if __name__ == "__main__":
    main()
