"""In-memory stand-ins for the raw bucket, the documents table and the listing, for unit tests.

They have the methods of `RawObjectStore`, `DocumentRepository` and `DocumentCatalog` and keep the
AWS behaviour those classes rely on (versioned S3 objects, conditional DynamoDB writes through
`StoredMeta.newer_than`, tombstones, purges, the entity index), so the use cases run in
milliseconds without moto. The adapters themselves are tested against moto (tests/integration).
Each fake records the calls it saw in `calls`, as (method, *arguments) tuples.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from newsproc.errors import DocumentNotFoundError
from newsproc.models import ResultDocument
from newsproc.pipeline.similarity import Signature
from newsproc.store.catalog import SORT_KEY, catalog_attributes, catalog_keys
from newsproc.store.catalog import summary as catalog_summary
from newsproc.store.documents import INDEX_KEY_BYTES, ITEM_TEXT_CHARS, PUBLISHED_CHARS, published_of
from newsproc.store.duplicates import (
    UNSIGNED,
    Candidate,
    GivenSignature,
    Match,
    SignatureItem,
    best_matches,
    collapse_listing,
    indexed_signature,
)
from newsproc.store.ordering import StoredMeta, WriteOrder, order_attributes
from newsproc.store.pagination import decode_token, encode_token
from newsproc.store.raw import ObjectHead, StoredObject
from newsproc.trends.counting import CounterDelta, Slot
from newsproc.trends.recount import Tally


class DeleteMarkerVersionError(Exception):
    """HEAD or GET of a delete marker's version id: S3 answers 405 Method Not Allowed (a ClientError
    that `RawObjectStore` re-raises)."""


@dataclass(frozen=True)
class _Version:
    version_id: str
    data: bytes | None  # None: a delete marker
    content_type: str | None
    last_modified: datetime

    @property
    def etag(self) -> str | None:
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest() if self.data is not None else None


class InMemoryRawStore:
    """Buckets with versioning enabled, as S3 keeps them.

    Each put adds a version with a new opaque version id and an ETag that is the MD5 hex of the body
    (a single-part upload); delete adds a delete marker, so the key has no current object while its
    older versions stay readable by version id; `delete_version` removes one version for good (the
    previous one becomes current again). HEAD and GET without a version id read the current version.
    Last-Modified is the store's clock at the write (the wall clock unless one is given; S3 reports
    it to the second, so writes within one second tie), or the `last_modified` a test puts.
    Not modelled: unversioned buckets ("null" version ids), multipart ETags, signing of presigned URLs.
    """

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._versions: dict[tuple[str, str], list[_Version]] = {}
        self._clock = clock
        self._counter = 0
        self.calls: list[tuple[Any, ...]] = []

    def _add(
        self, bucket: str, key: str, data: bytes | None, content_type: str | None, when: datetime | None
    ) -> _Version:
        self._counter += 1
        version = _Version(f"ver{self._counter:06d}", data, content_type, when or self._clock())
        self._versions.setdefault((bucket, key), []).append(version)
        return version

    def _find(self, bucket: str, key: str, version_id: str | None) -> _Version | None:
        versions = self._versions.get((bucket, key), [])
        if version_id is None:
            current = versions[-1] if versions else None
            return current if current is not None and current.data is not None else None
        version = next((v for v in versions if v.version_id == version_id), None)
        if version is not None and version.data is None:
            raise DeleteMarkerVersionError(f"{key} {version_id} is a delete marker")
        return version

    def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        self.calls.append(("head", bucket, key, version_id))
        v = self._find(bucket, key, version_id)
        if v is None or v.data is None:
            return None
        return ObjectHead(v.version_id, v.etag, len(v.data), v.content_type, v.last_modified)

    def get(self, bucket: str, key: str, version_id: str | None = None) -> StoredObject | None:
        self.calls.append(("get", bucket, key, version_id))
        v = self._find(bucket, key, version_id)
        if v is None or v.data is None:
            return None
        return StoredObject(v.data, v.content_type, v.version_id, v.etag, len(v.data))

    def put(
        self, bucket: str, key: str, data: bytes, content_type: str, *, last_modified: datetime | None = None
    ) -> ObjectHead:
        """PutObject. Returns the new version's HEAD (the real store returns None) so tests can name it."""
        self.calls.append(("put", bucket, key, content_type))
        v = self._add(bucket, key, data, content_type, last_modified)
        return ObjectHead(v.version_id, v.etag, len(data), content_type, v.last_modified)

    def delete(self, bucket: str, key: str) -> str:
        """DeleteObject without a version id: a delete marker (its version id is returned)."""
        self.calls.append(("delete", bucket, key))
        return self._add(bucket, key, None, None, None).version_id

    def delete_version(self, bucket: str, key: str, version_id: str) -> None:
        """DeleteObject with a version id (a permanent delete); not a RawObjectStore method."""
        self.calls.append(("delete_version", bucket, key, version_id))
        versions = self._versions.get((bucket, key), [])
        versions[:] = [v for v in versions if v.version_id != version_id]

    def erase(self, bucket: str, key: str) -> int:
        """Every version and delete marker of the key deleted for good."""
        self.calls.append(("erase", bucket, key))
        return len(self._versions.pop((bucket, key), []))

    def presigned_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        self.calls.append(("presigned_post", bucket, key, content_type, max_bytes))
        return f"https://{bucket}.s3.amazonaws.com/", {"key": key, "Content-Type": content_type, "policy": "fake"}

    def keys(self, bucket: str) -> list[str]:
        """Keys with a current object (ListObjectsV2)."""
        return sorted(
            k
            for (b, k), versions in self._versions.items()
            if b == bucket and versions and versions[-1].data is not None
        )


@dataclass
class _Item:
    """One document item: its ordering attributes (or a tombstone's) and the result, None in a tombstone."""

    meta: StoredMeta
    result: ResultDocument | None
    updated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def _meta(attributes: dict[str, Any], *, deleted: bool) -> StoredMeta:
    return StoredMeta(
        deleted=deleted,
        sequencer=attributes.get("sequencer"),
        source_modified=attributes.get("source_modified"),
        version_id=attributes.get("source_version_id"),
        etag=attributes.get("source_etag"),
        pipeline_version=attributes.get("pipeline_version"),
    )


class InMemoryDocumentRepository:
    """The documents table (document items, tombstones, the EntityIndex GSI) as a dict.

    A write with a `WriteOrder` lands like DynamoDB's `newer_condition(order)` put: when nothing is
    stored, or the stored item (tombstones included) is not `newer_than` the order, except that an
    equal sequencer is allowed again only for another pipeline version; a forced order always lands.
    Every save replaces the whole item, as PutItem does (attributes the new write lacks, such as a
    sequencer, are gone). The entity index is derived from the live items, with the real entity
    items' bounds (text cut, over-long keys not indexed), so it always matches the stored winner:
    the real repository reaches the same state (entity items first, rebuilt after a lost race), but
    the window in between, a crash mid-save, the spill of large results to S3 and DynamoDB's item
    limits (a ValidationException, which the service stores as not_storable) are not modelled.
    """

    def __init__(self) -> None:
        self._items: dict[str, _Item] = {}
        self.calls: list[tuple[Any, ...]] = []
        self.duplicates = InMemoryDuplicateIndex(self)  # kept by save and delete, as the real band items

    def result_key(self, document_id: str, token: str | None = None) -> str:
        return f"results/{document_id}/{token}.json" if token else f"results/{document_id}.json"

    def get_meta(self, document_id: str) -> StoredMeta | None:
        self.calls.append(("get_meta", document_id))
        item = self._items.get(document_id)
        return item.meta if item is not None else None

    def _lands(self, document_id: str, order: WriteOrder) -> bool:
        """`newer_condition(order)` on the stored item."""
        item = self._items.get(document_id)
        if item is None or order.force:
            return True
        stored = item.meta
        if stored.newer_than(order):
            return False
        same_event = bool(order.sequencer) and stored.sequencer == order.sequencer
        return not same_event or stored.pipeline_version != order.pipeline_version

    def save(
        self, result: ResultDocument, order: WriteOrder | None = None, *, signature: GivenSignature = UNSIGNED
    ) -> bool:
        """PutItem of the document item, conditional with an order; False when a newer one is stored."""
        self.calls.append(("save", result.document_id, order))
        identity = {
            "source_version_id": result.source.version_id,
            "source_etag": result.source.etag,
            "pipeline_version": result.pipeline.version,
        }
        attributes = {name: value for name, value in identity.items() if value}
        if order is not None:
            if not self._lands(result.document_id, order):
                return False
            attributes |= order_attributes(order)
        self._items[result.document_id] = _Item(_meta(attributes, deleted=False), result)
        self.duplicates.replace(result, indexed_signature(result, signature))
        return True

    def get(self, document_id: str) -> ResultDocument:
        self.calls.append(("get", document_id))
        item = self._items.get(document_id)
        if item is None or item.result is None:
            raise DocumentNotFoundError(document_id)
        return item.result

    def delete(self, document_id: str, order: WriteOrder | None = None, *, purge_version: str | None = None) -> bool:
        """The branches of `DocumentRepository.delete`: a tombstone with `order` (conditional, moved
        forward over an older tombstone), a delete only of the held version with `purge_version`
        (no tombstone), else a plain delete. True when a live result was removed."""
        self.calls.append(("delete", document_id, order, purge_version))
        item = self._items.get(document_id)
        live = item is not None and not item.meta.deleted
        if purge_version is not None and (not live or item is None or item.meta.version_id != purge_version):
            return False
        if order is not None:
            if not self._lands(document_id, order):
                return False
            self._items[document_id] = _Item(_meta(order_attributes(order), deleted=True), None)
            self.duplicates.remove(document_id)
            return live
        self._items.pop(document_id, None)
        self.duplicates.remove(document_id)
        return live

    def documents_mentioning(
        self, label: str, key: str, *, limit: int = 50, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A Query on the EntityIndex: newest published first; like DynamoDB, a full page carries a
        continuation token even when nothing follows."""
        self.calls.append(("documents_mentioning", label, key))
        gsi_pk = f"ENT#{label}#{key}"
        hits = sorted(
            ((sort_key, row) for pk, sort_key, row in self._entity_items() if pk == gsi_pk),
            key=lambda hit: hit[0],
            reverse=True,
        )
        if next_token:
            start = decode_token(
                next_token,
                fields={"PK", "SK", "GSI1PK", "GSI1SK"},
                valid=lambda k: k["GSI1PK"] == gsi_pk == k["SK"] and k["PK"].startswith("DOC#"),
            )
            hits = [hit for hit in hits if hit[0] < start["GSI1SK"]]
        page = hits[:limit]
        token = None
        if page and len(page) == limit:
            sort_key, row = page[-1]
            last = {"PK": f"DOC#{row['document_id']}", "SK": f"ENT#{label}#{key}", "GSI1PK": gsi_pk, "GSI1SK": sort_key}
            token = encode_token(last)
        return [row for _, row in page], token

    def _entity_items(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(GSI1PK, GSI1SK, projected row) of every entity item of the live results."""
        rows: list[tuple[str, str, dict[str, Any]]] = []
        for document_id, item in self._items.items():
            result = item.result
            if result is None:
                continue
            per_sort_key = {}  # one item per label and key: the last entity written wins
            for e in result.entities:
                if e.key and len(f"ENT#{e.label}#{e.key}".encode()) <= INDEX_KEY_BYTES:
                    per_sort_key[(e.label, e.key)] = {
                        "document_id": document_id,
                        "name": e.name[:ITEM_TEXT_CHARS],
                        "label": e.label,
                        "count": e.count,
                        "salience": float(str(e.salience)),
                        "title": (result.metadata.title or "")[:ITEM_TEXT_CHARS] or None,
                    }
            published = (result.metadata.published or "")[:PUBLISHED_CHARS] or "-"
            sort_key = f"{published}#{document_id}"
            dated = {"published": published_of(sort_key)}
            rows += [(f"ENT#{lb}#{k}", sort_key, row | dated) for (lb, k), row in per_sort_key.items()]
        return rows

    def items(self) -> list[tuple[str, _Item]]:
        """Every document item (tombstones too) in PK order, for InMemoryCatalog."""
        return sorted(self._items.items())


class InMemoryDuplicateIndex:
    """`DuplicateRepository`'s band and signature items as dicts, kept by InMemoryDocumentRepository's save
    and delete as the real repository keeps them. The rules are the real ones (`best_matches`,
    `collapse_listing`); not modelled: the per-band read limit, and `first_indexed` is a counter."""

    def __init__(self, repository: InMemoryDocumentRepository) -> None:
        self._repository = repository
        self._bands: dict[str, dict[str, Candidate]] = {}
        self._items: dict[str, tuple[SignatureItem, list[str]]] = {}  # signature item, its band keys
        self._indexed = itertools.count()
        self.calls: list[tuple[Any, ...]] = []

    def lookup(self, signature: Signature, *, exclude: str | None = None) -> list[Match]:
        self.calls.append(("lookup", exclude))
        candidates = [c for key in signature.band_keys() for c in self._bands.get(key, {}).values()]
        return best_matches(signature, candidates, exclude=exclude)

    def similar_to(self, document_id: str) -> list[Match]:
        self.calls.append(("similar_to", document_id))
        live = dict(self._repository.items()).get(document_id)
        if live is None or live.result is None:
            raise DocumentNotFoundError(document_id)
        if document_id not in self._items:
            return []
        return self.lookup(Signature.from_bytes(self._items[document_id][0].signature), exclude=document_id)

    def replace(self, result: ResultDocument, sig: Signature | None) -> None:
        self.calls.append(("replace", result.document_id))
        old = self._items.get(result.document_id)
        self.remove(result.document_id)
        if sig is None:
            return
        first = old[0].first_indexed if old else f"{next(self._indexed):012d}"
        earlier = tuple(d.document_id for d in result.duplicates)  # collapse_listing reads the first 10
        keys = sig.band_keys()
        for key in keys:
            self._bands.setdefault(key, {})[result.document_id] = Candidate(result.document_id, sig.to_bytes(), first)
        self._items[result.document_id] = (SignatureItem(result.document_id, sig.to_bytes(), first, earlier), keys)

    def remove(self, document_id: str) -> None:
        _, keys = self._items.pop(document_id, (None, []))
        for key in keys:
            self._bands[key].pop(document_id, None)

    def collapse(self, documents: list[dict[str, Any]], label: str, key: str) -> list[dict[str, Any]]:
        self.calls.append(("collapse", label, key))
        signatures = {document_id: item for document_id, (item, _) in self._items.items()}
        index = self._repository._entity_items()  # the EntityIndex as the fake derives it
        mentions = {row["document_id"] for pk, _, row in index if pk == f"ENT#{label}#{key}"}
        return collapse_listing(documents, signatures, mentions)


class InMemoryCatalog:
    """The document listing over an InMemoryDocumentRepository.

    Lists the document items that are not tombstones in the real listing's order (`catalog_keys`: newest
    published first, then the most recently stored). Pages are cut after `limit` documents, with a token
    only when more follow, as the real class does; the token (opaque to clients) is the fake's own.
    """

    def __init__(self, repository: InMemoryDocumentRepository) -> None:
        self._repository = repository
        self.calls: list[tuple[Any, ...]] = []

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        self.calls.append(("list", limit, next_token))

        def place(entry: tuple[str, _Item]) -> str:
            document_id, item = entry
            published = item.result.metadata.published if item.result else None
            return catalog_keys(document_id, published, item.updated_at)[SORT_KEY]

        items = sorted((e for e in self._repository.items() if not e[1].meta.deleted), key=place, reverse=True)
        if next_token:
            after = decode_token(next_token, fields={"after"})["after"]
            items = [entry for entry in items if place(entry) < after]
        page = items[:limit]
        token = encode_token({"after": place(page[-1])}) if len(items) > limit else None
        return [_summary(document_id, item) for document_id, item in page], token


def _summary(document_id: str, item: _Item) -> dict[str, Any]:
    """The row the real catalog makes of the item `DocumentRepository.save` writes (same bounds)."""
    result = item.result
    assert result is not None
    attributes = {
        "document_id": document_id,
        "status": result.status.value,
        "source_key": result.source.key or "",
        "updated_at": item.updated_at,
        "entity_count": len(result.entities),
    }
    if result.error:
        attributes["error_code"] = result.error.code.value
    attributes |= catalog_attributes(result, text_chars=ITEM_TEXT_CHARS, published_chars=PUBLISHED_CHARS)
    return catalog_summary(attributes)


class InMemoryEntityTimeline:
    """`EntityTimelineRepository` over an InMemoryDocumentRepository's entity index (the same rows and bounds)."""

    def __init__(self, repository: InMemoryDocumentRepository) -> None:
        self._repository = repository

    def dated_items(
        self, label: str, key: str, *, low: str, high: str, after: str | None, limit: int
    ) -> tuple[list[tuple[str, int]], bool]:
        pk = f"ENT#{label}#{key}"
        rows = sorted(
            (sort_key, int(row["count"]))
            for gsi_pk, sort_key, row in self._repository._entity_items()
            if gsi_pk == pk and low <= sort_key <= high and (after is None or sort_key > after)
        )
        return rows[:limit], len(rows) > limit

    def latest_sort_key(self, label: str, key: str, *, high: str) -> str | None:
        rows, _ = self.dated_items(label, key, low="0", high=high, after=None, limit=10**9)
        return rows[-1][0] if rows else None


class InMemoryTrendCounters:
    """`TrendCounterRepository` as dicts: counters by (day, label, key) and the applied event ids (markers
    do not expire here; transaction conflicts are not modelled)."""

    def __init__(self) -> None:
        self.counters: dict[Slot, dict[str, Any]] = {}
        self.markers: set[str] = set()

    def apply(self, event_id: str, deltas: Sequence[CounterDelta]) -> bool:
        if event_id in self.markers:
            return False
        self.markers.add(event_id)
        for d in deltas:
            empty = {"key": d.key, "name": d.key, "documents": 0, "mentions": 0}
            counter = self.counters.setdefault((d.day, d.label, d.key), empty)
            counter["documents"] += d.documents
            counter["mentions"] += d.mentions
            if d.documents >= 0 and d.name:
                counter["name"] = d.name
        return True

    def stored_counters(self) -> dict[Slot, Tally]:
        return {slot: Tally(c["documents"], c["mentions"], c["name"]) for slot, c in self.counters.items()}

    def apply_recount(self, run_id: str, deltas: Sequence[CounterDelta]) -> int:
        """One transaction here (the real class splits at DynamoDB's 100 items)."""
        self.apply(f"recount#{run_id}#0", deltas)
        return 1 if deltas else 0

    def top_for_day(self, day: date, label: str, *, cap: int) -> tuple[list[dict[str, Any]], bool]:
        rows = [dict(c) for (d, lb, _), c in self.counters.items() if d == day and lb == label and c["documents"] > 0]
        rows.sort(key=lambda c: (-c["documents"], c["key"]))
        return rows[:cap], len(rows) > cap
