"""A small typed client for the newsproc HTTP API (standard library HTTP; botocore only to sign).

    client = NewsprocClient("https://abc123.execute-api.eu-west-1.amazonaws.com", sign=True)
    submitted = client.submit("President Cyril Ramaphosa met William Ruto.", title="Pretoria talks")
    result = client.wait(submitted["document_id"])
    for ref in client.iterate(entity="William Ruto", label="PERSON"):
        print(ref["document_id"], ref["title"])

Deploys sign every route with IAM: `sign=True` adds SigV4 headers (service `execute-api`) with the
default credential chain's credentials; the local stack (`newsproc local`) takes none. `OPERATIONS`
lists each OpenAPI operation's method, path and the method that calls it; tests/unit/test_openapi.py
checks it against the document GET /openapi.json serves.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any, Literal, TypedDict
from urllib.error import HTTPError
from urllib.parse import quote, urlencode

# operationId -> (HTTP method, path template, client method)
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "submitDocument": ("POST", "/documents", "submit"),
    "listDocuments": ("GET", "/documents", "list"),
    "getDocument": ("GET", "/documents/{document_id}", "get"),
    "deleteDocument": ("DELETE", "/documents/{document_id}", "delete"),
    "reprocessDocument": ("POST", "/documents/{document_id}/reprocess", "reprocess"),
    "similarDocuments": ("GET", "/documents/{document_id}/similar", "similar"),
    "viewDocument": ("GET", "/documents/{document_id}/view", "view"),
    "browseDocuments": ("GET", "/", "browse"),
    "extract": ("POST", "/extract", "extract"),
    "createUpload": ("POST", "/uploads", "create_upload"),
    "entityDocuments": ("GET", "/entities/{label}/{name}/documents", "entity_documents"),
    "entityTimeline": ("GET", "/entities/{label}/{name}/timeline", "entity_timeline"),
    "trends": ("GET", "/trends", "trends"),
}


class SubmittedDocument(TypedDict):
    document_id: str
    bucket: str
    key: str
    status: Literal["QUEUED"]


class DocumentPage(TypedDict):
    documents: list[dict[str, Any]]
    next: str | None


class UploadTicket(TypedDict):
    document_id: str
    bucket: str
    key: str
    url: str
    method: Literal["POST"]
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


class NewsprocApiError(Exception):
    """An error answer of the API: its status and the `{"error": {"code", "message"}}` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """303s point at short-lived S3 URLs: followed by hand, without the API's Authorization header."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class NewsprocClient:
    def __init__(self, base_url: str, *, region: str | None = None, sign: bool = False, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._signer: Any = None
        if sign:
            import botocore.session
            from botocore.auth import SigV4Auth

            session = botocore.session.get_session()
            credentials = session.get_credentials()
            region = region or session.get_config_variable("region")
            if credentials is None or not region:
                raise ValueError("signing needs AWS credentials and a region (AWS_REGION or region=...)")
            self._signer = SigV4Auth(credentials, "execute-api", region)
        self.region = region

    # --- documents -------------------------------------------------------------------------------

    def submit(
        self,
        text: str | None = None,
        *,
        html: str | None = None,
        document: Mapping[str, Any] | None = None,
        sync: bool = False,
        title: str | None = None,
        filename: str | None = None,
    ) -> SubmittedDocument | dict[str, Any]:
        """Store a document (exactly one of text, html or the JSON document form) for processing:
        202 `SubmittedDocument`; with `sync=True` a small one is processed inline: the result."""
        body, content_type = _document(text, html, document)
        query = {"sync": "true" if sync else None, "title": title, "filename": filename}
        return self._call("submitDocument", query=query, body=body, content_type=content_type)

    def get(self, document_id: str) -> dict[str, Any]:
        """The result document (followed to S3 when it is too large for a Lambda response)."""
        return self._call("getDocument", document_id=document_id)

    def wait(self, document_id: str, *, timeout: float = 120, interval: float = 0.5) -> dict[str, Any]:
        """The result once processed: `get` until it stops answering 404 document_not_found."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.get(document_id)
            except NewsprocApiError as error:
                if error.code != "document_not_found" or time.monotonic() > deadline:
                    raise
            time.sleep(interval)

    def list(
        self, *, entity: str | None = None, label: str | None = None, limit: int = 50, next: str | None = None
    ) -> DocumentPage:
        """One page: all documents, or those mentioning `entity` (which needs `label`)."""
        query = {"entity": entity, "label": label, "limit": str(limit), "next": next}
        return self._call("listDocuments", query=query)

    def iterate(
        self, *, entity: str | None = None, label: str | None = None, page_size: int = 50
    ) -> Iterator[dict[str, Any]]:
        """Every document of `list`, page after page."""
        token: str | None = None
        while True:
            page = self.list(entity=entity, label=label, limit=page_size, next=token)
            yield from page["documents"]
            if not (token := page.get("next")):
                return

    def delete(self, document_id: str) -> None:
        self._call("deleteDocument", document_id=document_id)

    def reprocess(self, document_id: str) -> SubmittedDocument:
        return self._call("reprocessDocument", document_id=document_id)

    def similar(self, document_id: str) -> dict[str, Any]:
        """Near-duplicates of the document among those stored now: {document_id, threshold, duplicates}."""
        return self._call("similarDocuments", document_id=document_id)

    def view_url(self, document_id: str) -> str:
        return self.base_url + _path("viewDocument", document_id=document_id)

    def view(self, document_id: str) -> str:
        """The HTML view."""
        return self._call("viewDocument", document_id=document_id)

    def browse(self, *, entity: str | None = None, label: str | None = None, **query: str) -> str:
        """The HTML browser (GET /): every document, or those mentioning `entity`; docs/browser.md."""
        return self._call("browseDocuments", query={"entity": entity, "label": label, **query})

    # --- entities, extraction, uploads ------------------------------------------------------------

    def entity_documents(self, label: str, name: str, *, limit: int = 50, next: str | None = None) -> dict[str, Any]:
        query = {"limit": str(limit), "next": next}
        return self._call("entityDocuments", label=label, name=name, query=query)

    def entity_timeline(
        self, label: str, name: str, *, start: str | None = None, end: str | None = None, granularity: str = "day",
        limit: int = 1000, next: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Documents and mentions per day or ISO week: {label, name, granularity, periods, next}."""
        query = {"from": start, "to": end, "granularity": granularity, "limit": str(limit), "next": next}
        return self._call("entityTimeline", label=label, name=name, query=query)

    def trends(
        self, label: str, *, start: str | None = None, end: str | None = None, limit: int = 20
    ) -> dict[str, Any]:
        """The label's entities with the most documents from `start` to `end`, against the window before."""
        return self._call("trends", query={"label": label, "from": start, "to": end, "limit": str(limit)})

    def extract(
        self, text: str | None = None, *, html: str | None = None, document: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The result for a document, processed and not stored."""
        body, content_type = _document(text, html, document)
        return self._call("extract", body=body, content_type=content_type)

    def create_upload(self, filename: str) -> UploadTicket:
        """A presigned S3 POST for a file over the API payload limit (only the filename's suffix counts)."""
        body = json.dumps({"filename": filename}).encode()
        return self._call("createUpload", body=body, content_type="application/json")

    # --- HTTP -------------------------------------------------------------------------------------

    def _call(
        self,
        operation_id: str,
        *,
        query: Mapping[str, str | None] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        **path_params: str,
    ) -> Any:
        method = OPERATIONS[operation_id][0]
        url = self.base_url + _path(operation_id, **path_params)
        if query and (params := {k: v for k, v in query.items() if v is not None}):
            url += "?" + urlencode(params)
        headers = {"accept": "application/json, text/html"}
        if content_type:
            headers["content-type"] = content_type
        if self._signer is not None:
            from botocore.awsrequest import AWSRequest

            signed = AWSRequest(method=method, url=url, data=body or b"", headers=headers)
            self._signer.add_auth(signed)
            headers = dict(signed.headers.items())
        try:
            return self._read(urllib.request.Request(url, data=body, method=method, headers=headers))
        except HTTPError as error:
            if error.code == 303 and (location := error.headers.get("Location")):
                return self._read(urllib.request.Request(location))  # presigned: no auth header
            raise _api_error(error) from None

    def _read(self, request: urllib.request.Request) -> Any:
        with self._opener.open(request, timeout=self.timeout) as response:
            raw = response.read()
            content_type = response.headers.get("content-type", "")
        if not raw:
            return None
        return json.loads(raw) if "json" in content_type else raw.decode()


def _path(operation_id: str, **params: str) -> str:
    return OPERATIONS[operation_id][1].format(**{k: quote(v, safe="") for k, v in params.items()})


def _document(text: str | None, html: str | None, document: Mapping[str, Any] | None) -> tuple[bytes, str]:
    given = [v for v in (text, html, document) if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of text, html or document")
    if text is not None:
        return text.encode(), "text/plain; charset=utf-8"
    if html is not None:
        return html.encode(), "text/html; charset=utf-8"
    return json.dumps(dict(document or {})).encode(), "application/json"


def _api_error(error: HTTPError) -> NewsprocApiError:
    raw = error.read()
    try:
        detail = json.loads(raw)["error"]
        return NewsprocApiError(error.code, str(detail["code"]), str(detail["message"]))
    except (ValueError, KeyError, TypeError):
        return NewsprocApiError(error.code, "http_error", raw.decode(errors="replace")[:500] or str(error.reason))
