"""Near-duplicate index: LSH band items in the documents table (docs/duplicates.md).

Items (single-table design, next to those of store/documents.py):
    band item       PK = LSH#<band>#<bucket>   SK = DOC#<document_id>   signature, first_indexed
    signature item  PK = DOC#<document_id>     SK = SIG                 signature, bands, first_indexed, duplicates

Finding the near-duplicates of a signature is one Query per band (16), run side by side; each band item
carries the whole signature, so similarities are estimated from what the Queries return, without
further reads. The signature item lists the document's band keys, so replacing or deleting a document
removes its old band items without a scan. Band items have no GSI1PK (not in the EntityIndex) and the
catalog lists only `SK = DOC`, so no other path sees them.

Plain Python (CoreLayer): the API reads signatures and estimates similarities here; only `indexed_signature`
computes one (numpy, NlpLayer), once per saved result: `with_duplicates` hands the signature it looked up
with to the save, which writes the band items of it. Only the process function saves results.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol

from boto3.dynamodb.types import Binary

from newsproc.errors import DocumentNotFoundError
from newsproc.models import Duplicate, ResultDocument, Status
from newsproc.pipeline.similarity import SCHEME, Scheme, Signature, signature

SIG_SK = "SIG"
MAX_PER_BAND = 100  # band items read per Query: a bucket shared by more documents is read in part (bounded cost)
MAX_DUPLICATES = 50  # near-duplicates kept in a result, most similar first
COLLAPSE_CANDIDATES = 10  # of each listed document's recorded duplicates, those checked by ?collapse=duplicates
_BATCH_GET_KEYS = 100  # BatchGetItem's limit

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    # Made at the first lookup (after Lambda's init and any SnapStart snapshot), kept for the container.
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=SCHEME.bands, thread_name_prefix="lsh")
    return _pool


@dataclass(frozen=True)
class Match:
    """A stored document whose signature is at or above the threshold."""

    document_id: str
    similarity: float
    first_indexed: str = ""


@dataclass(frozen=True)
class Candidate:
    """What a band item holds: enough to estimate the similarity without reading the document."""

    document_id: str
    signature: bytes
    first_indexed: str = ""


class DuplicateLookup(Protocol):
    def lookup(self, signature: Signature, *, exclude: str | None = None) -> list[Match]: ...


class Unsigned(Enum):
    """A save's default `signature`: not computed yet, so the save computes it (`indexed_signature`)."""

    UNSIGNED = "unsigned"


UNSIGNED = Unsigned.UNSIGNED
GivenSignature = Signature | None | Unsigned  # a save's `signature`: the caller's (None: it has none), or UNSIGNED


def indexed_signature(
    result: ResultDocument, known: GivenSignature = UNSIGNED, scheme: Scheme = SCHEME
) -> Signature | None:
    """The signature a result's band items are made of: `known` when the caller has it (`with_duplicates`
    computed it), else that of its clean text. None (not PROCESSED, or too short for a meaningful
    estimate): no band items."""
    if not isinstance(known, Unsigned):
        return known
    return signature(result.clean_text, scheme) if result.status is Status.PROCESSED else None


def with_duplicates(result: ResultDocument, index: DuplicateLookup) -> tuple[ResultDocument, Signature | None]:
    """The result with the already stored near-duplicates of its clean text, itself never among them (a
    reprocess finds its own band items), and the signature they were looked up with. Called before the
    result is saved, by every path that saves one; the save takes the signature (`save(..., signature=)`),
    so it is computed once."""
    own = indexed_signature(result)
    if own is None:
        return result, None
    found = [
        Duplicate(document_id=m.document_id, similarity=m.similarity)
        for m in index.lookup(own, exclude=result.document_id)
    ]
    return result.model_copy(update={"duplicates": found}), own


def best_matches(
    signature: Signature,
    candidates: Iterable[Candidate],
    *,
    exclude: str | None = None,
    scheme: Scheme = SCHEME,
    limit: int = MAX_DUPLICATES,
) -> list[Match]:
    """Candidates of the bands -> matches: each document once, itself left out, at or above the threshold,
    most similar first (then by id). The one rule both the repository and its in-memory fake apply."""
    seen: dict[str, Match] = {}
    for candidate in candidates:
        if candidate.document_id == exclude or candidate.document_id in seen:
            continue
        estimate = signature.similarity(Signature.from_bytes(candidate.signature))
        if estimate >= scheme.threshold:
            seen[candidate.document_id] = Match(candidate.document_id, round(estimate, 4), candidate.first_indexed)
    return sorted(seen.values(), key=lambda m: (-m.similarity, m.document_id))[:limit]


@dataclass(frozen=True)
class SignatureItem:
    """A document's signature item: its signature, when it was first indexed, the duplicates its result recorded."""

    document_id: str
    signature: bytes
    first_indexed: str = ""
    duplicates: tuple[str, ...] = ()


def collapse_listing(
    documents: Sequence[dict[str, Any]],
    signatures: Mapping[str, SignatureItem],
    mentions: set[str],
    *,
    scheme: Scheme = SCHEME,
) -> list[dict[str, Any]]:
    """The listed documents less each one that has an earlier stored near-duplicate mentioning the entity.

    A document D is dropped when one of the duplicates its result recorded (at most 10, the most similar)
    still mentions the entity (`mentions`), was first indexed before D (ties: the smaller id), and is
    still at or above the threshold with D by their current signatures. So the earliest stored copy of a
    story stays and later copies go, whichever page they are on; a document without a signature stays.
    """

    def dropped(document_id: str) -> bool:
        mine = signatures.get(document_id)
        if mine is None:
            return False
        own = Signature.from_bytes(mine.signature)
        for other in mine.duplicates[:COLLAPSE_CANDIDATES]:
            theirs = signatures.get(other)
            if theirs is None or other not in mentions:
                continue
            if (theirs.first_indexed, other) >= (mine.first_indexed, document_id):
                continue  # stored after D: D is the one kept
            if own.similarity(Signature.from_bytes(theirs.signature)) >= scheme.threshold:
                return True
        return False

    return [d for d in documents if not dropped(d["document_id"])]


class DuplicateRepository:
    """Band items and signature items in the documents table (a boto3 Table resource)."""

    def __init__(self, table: Any, *, scheme: Scheme = SCHEME) -> None:
        self._table = table
        # The resource's client: thread-safe, unlike the resource, so the band Queries run in parallel; it
        # takes and returns Python values (the resource's serialisation is registered on it).
        self._client = table.meta.client
        self._scheme = scheme

    # ------------------------------------------------------------------------------------ reads

    def lookup(self, signature: Signature, *, exclude: str | None = None) -> list[Match]:
        """Stored near-duplicates of the signature: one Query per band, in parallel."""
        keys = signature.band_keys(self._scheme)
        pages = _executor().map(self._band, keys)
        candidates = (candidate for page in pages for candidate in page)
        return best_matches(signature, candidates, exclude=exclude, scheme=self._scheme)

    def _band(self, band_key: str) -> list[Candidate]:
        page = self._client.query(
            TableName=self._table.name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": band_key},
            ProjectionExpression="document_id, #s, first_indexed",
            ExpressionAttributeNames={"#s": "signature"},
            Limit=MAX_PER_BAND,
        )
        return [
            Candidate(i["document_id"], bytes(i["signature"]), str(i.get("first_indexed", "")))
            for i in page.get("Items", [])
        ]

    def similar_to(self, document_id: str) -> list[Match]:
        """Near-duplicates of a stored document now (documents stored after it too); 404 when unknown.

        Two GetItems (is the document live; its signature) and the band Queries. A document without a
        signature (FAILED, or too short) has none.
        """
        pk = f"DOC#{document_id}"
        names = {"#d": "deleted"}
        doc = self._table.get_item(
            Key={"PK": pk, "SK": "DOC"}, ProjectionExpression="PK, #d", ExpressionAttributeNames=names
        )
        if "Item" not in doc or doc["Item"].get("deleted"):
            raise DocumentNotFoundError(document_id)
        sig = self._table.get_item(
            Key={"PK": pk, "SK": SIG_SK}, ProjectionExpression="#s", ExpressionAttributeNames={"#s": "signature"}
        ).get("Item")
        if sig is None:
            return []
        return self.lookup(Signature.from_bytes(bytes(sig["signature"])), exclude=document_id)

    def _signature_item(self, document_id: str) -> dict[str, Any] | None:
        return self._table.get_item(Key={"PK": f"DOC#{document_id}", "SK": SIG_SK}, ConsistentRead=True).get("Item")

    # ----------------------------------------------------------------------------------- writes

    def replace(self, result: ResultDocument, sig: Signature | None) -> None:
        """Make the band items match the result (called with the entity items, before the document item).

        `sig` is the result's `indexed_signature`, computed by the caller: with one, the result gets its
        band items and a signature item; without, the document's old ones go. The first indexing time
        survives new versions.
        """
        pk = f"DOC#{result.document_id}"
        old = self._signature_item(result.document_id)
        old_bands = set(old.get("bands", [])) if old else set()
        with self._table.batch_writer(overwrite_by_pkeys=["PK", "SK"]) as batch:
            if sig is None:
                for band_key in old_bands:
                    batch.delete_item(Key={"PK": band_key, "SK": pk})
                if old:
                    batch.delete_item(Key={"PK": pk, "SK": SIG_SK})
                return
            bands = sig.band_keys(self._scheme)
            first = str(old["first_indexed"]) if old and old.get("first_indexed") else _now()
            data = Binary(sig.to_bytes())
            for band_key in old_bands - set(bands):
                batch.delete_item(Key={"PK": band_key, "SK": pk})
            for band_key in bands:
                item = {"PK": band_key, "SK": pk, "document_id": result.document_id, "signature": data}
                batch.put_item(Item=item | {"first_indexed": first})
            batch.put_item(
                Item={
                    "PK": pk,
                    "SK": SIG_SK,
                    "document_id": result.document_id,
                    "signature": data,
                    "bands": bands,
                    "first_indexed": first,
                    "duplicates": [d.document_id for d in result.duplicates[:COLLAPSE_CANDIDATES]],
                }
            )

    def remove(self, document_id: str) -> None:
        """Delete the document's band items and signature item (its band keys are on the signature item)."""
        pk = f"DOC#{document_id}"
        old = self._signature_item(document_id)
        if old is None:
            return
        with self._table.batch_writer() as batch:
            for band_key in old.get("bands", []):
                batch.delete_item(Key={"PK": band_key, "SK": pk})
            batch.delete_item(Key={"PK": pk, "SK": SIG_SK})

    # --------------------------------------------------------------------------------- collapse

    def collapse(self, documents: Sequence[dict[str, Any]], label: str, key: str) -> list[dict[str, Any]]:
        """`collapse_listing` over the signature items it needs: BatchGetItem calls only, one for the listed
        documents' signature items, then one per 50 candidates (their signature and entity items)."""
        ids = list(dict.fromkeys(d["document_id"] for d in documents))
        listed = self._batch_get([{"PK": f"DOC#{i}", "SK": SIG_SK} for i in ids])
        items = {item["document_id"]: _signature_item(item) for item in listed.values()}
        wanted = sorted({c for item in items.values() for c in item.duplicates} - set(items))
        entity_sk = f"ENT#{label}#{key}"
        found = self._batch_get([{"PK": f"DOC#{c}", "SK": sk} for c in wanted for sk in (SIG_SK, entity_sk)])
        items |= {item["document_id"]: _signature_item(item) for (_, sk), item in found.items() if sk == SIG_SK}
        mentions = {pk.removeprefix("DOC#") for pk, sk in found if sk == entity_sk} | set(ids)
        return collapse_listing(documents, items, mentions, scheme=self._scheme)

    def _batch_get(self, keys: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Items by (PK, SK), 100 keys per BatchGetItem, unprocessed keys sent again."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), _BATCH_GET_KEYS):
            pending: dict[str, Any] = {self._table.name: {"Keys": keys[start : start + _BATCH_GET_KEYS]}}
            for attempt in itertools.count():
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0) if attempt else 0)  # unprocessed keys: back off, then resend
                answer = self._client.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self._table.name, []):
                    found[(item["PK"], item["SK"])] = item
                pending = answer.get("UnprocessedKeys") or {}
        return found


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _signature_item(item: Mapping[str, Any]) -> SignatureItem:
    return SignatureItem(
        document_id=str(item["document_id"]),
        signature=bytes(item["signature"]),
        first_indexed=str(item.get("first_indexed", "")),
        duplicates=tuple(item.get("duplicates", [])),
    )
