"""Result documents: the documents table, with large results spilled to the results bucket.

Table design (one table, on-demand):
    document item   PK = DOC#<document_id>            SK = DOC
    entity item     PK = DOC#<document_id>            SK = ENT#<label>#<entity key>
                    GSI1PK = ENT#<label>#<entity key> GSI1SK = <published or "-">#<document_id>
"Get document by id" is one GetItem; "documents that mention entity X" is one Query on the
EntityIndex GSI; replacing a document's entities is a Query on its partition plus batch writes.

Ordering and idempotency (ordering.py, docs/reliability.md): writes that carry a `WriteOrder` are
conditional. A removal leaves a tombstone (no article data) holding its order, so an older create
delivered after the delete cannot resurrect it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from newsproc.errors import DocumentNotFoundError
from newsproc.models import ResultDocument, Status
from newsproc.pipeline.similarity import Signature
from newsproc.store.catalog import catalog_attributes, catalog_keys
from newsproc.store.duplicates import UNSIGNED, DuplicateRepository, GivenSignature, indexed_signature
from newsproc.store.ordering import StoredMeta, WriteOrder, newer_condition, order_attributes
from newsproc.store.pagination import decode_token, encode_token, scan_all

# Item attributes copied from a document are bounded: DynamoDB refuses items over 400 KB and key
# attributes over 1 KB (sort key) for good, and a title or name of any length can come in.
ITEM_TEXT_CHARS = 300
INDEX_KEY_BYTES = 512  # entity keys longer than this are not indexed (they stay in the result)
PUBLISHED_CHARS = 40


def is_permanent_storage_error(exc: Exception) -> bool:
    """DynamoDB's answer for a request no retry can change (an item or key over its limits)."""
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == "ValidationException"


def error_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message", "refused"))[:300]
    return type(exc).__name__


def _bounded(text: str | None, limit: int = ITEM_TEXT_CHARS) -> str:
    return (text or "")[:limit]


def doc_pk(document_id: str) -> str:
    return f"DOC#{document_id}"


def published_of(entity_sort_key: str) -> str | None:
    """The published date an entity item's index sort key (`<published or "-">#<document_id>`) starts with."""
    published = entity_sort_key.partition("#")[0]
    return None if published in ("", "-") else published


def entity_pk(label: str, key: str) -> str:
    return f"ENT#{label}#{key}"


class DocumentRepository:
    """Result documents in DynamoDB, with large results spilled to the results bucket."""

    def __init__(
        self,
        dynamodb_resource: Any,
        s3_client: Any,
        *,
        table_name: str,
        results_bucket: str,
        entity_index_name: str = "EntityIndex",
        inline_result_bytes: int = 300_000,
    ) -> None:
        self._table = dynamodb_resource.Table(table_name)
        self._s3 = s3_client
        self._results_bucket = results_bucket
        self._entity_index = entity_index_name
        self._inline_limit = inline_result_bytes

    def result_key(self, document_id: str, token: str | None = None) -> str:
        # Derived from the document id (a hash), never from the object key: keys are data.
        return f"results/{document_id}/{token}.json" if token else f"results/{document_id}.json"

    def get_meta(self, document_id: str) -> StoredMeta | None:
        """The ordering attributes of the stored item, read strongly consistent (one small GetItem)."""
        item = self._table.get_item(
            Key={"PK": doc_pk(document_id), "SK": "DOC"},
            ProjectionExpression="#d, sequencer, source_modified, source_version_id, source_etag, pipeline_version",
            ExpressionAttributeNames={"#d": "deleted"},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        return StoredMeta(
            deleted=bool(item.get("deleted", False)),
            sequencer=item.get("sequencer"),
            source_modified=item.get("source_modified"),
            version_id=item.get("source_version_id"),
            etag=item.get("source_etag"),
            pipeline_version=item.get("pipeline_version"),
        )

    def save(
        self, result: ResultDocument, order: WriteOrder | None = None, *, signature: GivenSignature = UNSIGNED
    ) -> bool:
        """Store the result and its entity items; False when a newer version is already stored.

        Entity items are written first and the document item last, conditionally: a crash in
        between leaves the old document item, so the retried message processes again. If the
        condition fails (a newer version won a race), the entity items are rebuilt from the winner.
        `signature`: the one `with_duplicates` looked up with; computed here when not given.
        """
        sig = indexed_signature(result, signature)
        body = result.model_dump_json()
        item: dict[str, Any] = {
            "PK": doc_pk(result.document_id),
            "SK": "DOC",
            "document_id": result.document_id,
            "status": result.status.value,
            "schema_version": result.schema_version,
            "source_key": result.source.key or "",
            "updated_at": datetime.now(UTC).isoformat(),
            "entity_count": len(result.entities),
        }
        # What a list row shows (GET /documents, the browser at GET /): title, date, top entities, bounded.
        item |= catalog_attributes(result, text_chars=ITEM_TEXT_CHARS, published_chars=PUBLISHED_CHARS)
        item |= catalog_keys(result.document_id, result.metadata.published, item["updated_at"])
        if result.error:
            item["error_code"] = result.error.code.value
        # Which object version and pipeline this is: a redelivered event for it is a duplicate.
        identity = {
            "source_version_id": result.source.version_id,
            "source_etag": result.source.etag,
            "pipeline_version": result.pipeline.version,
        }
        item |= {name: value for name, value in identity.items() if value}
        if order is not None:
            item |= order_attributes(order)
        previous_s3_key: str | None = None
        token = None
        if order is not None:  # a spilled result of each version has its own key: a lost race keeps the winner's
            parts = [str(item.get(n)) for n in ("source_version_id", "source_etag", "sequencer", "pipeline_version")]
            token = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        item["result_bytes"] = len(body.encode())
        if item["result_bytes"] <= self._inline_limit:
            item["result"] = body
        else:
            key = self.result_key(result.document_id, token)
            self._s3.put_object(
                Bucket=self._results_bucket, Key=key, Body=body.encode(), ContentType="application/json"
            )
            item["result_s3_key"] = key
        self._replace_entity_items(result, sig)
        if order is None:
            self._table.put_item(Item=item)
            return True
        try:
            previous = self._table.put_item(
                Item=item, ConditionExpression=newer_condition(order), ReturnValues="ALL_OLD"
            ).get("Attributes", {})
            previous_s3_key = previous.get("result_s3_key")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            self._after_lost_race(result, sig, item.get("result_s3_key"))
            return False
        if previous_s3_key and previous_s3_key != item.get("result_s3_key"):
            self._s3.delete_object(Bucket=self._results_bucket, Key=previous_s3_key)
        return True

    def _after_lost_race(self, lost: ResultDocument, sig: Signature | None, own_s3_key: str | None) -> None:
        """A newer version is stored: drop what this write left and make the index match the winner (signed
        again only when its text is another: a redelivery or a reprocess often has the same)."""
        if own_s3_key:
            self._s3.delete_object(Bucket=self._results_bucket, Key=own_s3_key)
        try:
            winner = self.get(lost.document_id)
        except DocumentNotFoundError:
            self._delete_entity_items(doc_pk(lost.document_id))
            return
        same = winner.status is lost.status is Status.PROCESSED and winner.clean_text == lost.clean_text
        self._replace_entity_items(winner, sig if same else indexed_signature(winner))

    def _replace_entity_items(self, result: ResultDocument, sig: Signature | None) -> None:
        pk = doc_pk(result.document_id)
        published = _bounded(result.metadata.published, PUBLISHED_CHARS) or "-"
        wanted = {
            f"ENT#{e.label}#{e.key}": {
                "PK": pk,
                "SK": f"ENT#{e.label}#{e.key}",
                "GSI1PK": entity_pk(e.label, e.key),
                "GSI1SK": f"{published}#{result.document_id}",
                "document_id": result.document_id,
                "name": _bounded(e.name),
                "label": e.label,
                "count": e.count,
                "salience": str(e.salience),
                "title": _bounded(result.metadata.title),
            }
            for e in result.entities
            if e.key and len(f"ENT#{e.label}#{e.key}".encode()) <= INDEX_KEY_BYTES
        }
        stale = [sk for sk in self._entity_sort_keys(pk) if sk not in wanted]
        # batch_writer resends UnprocessedItems until every write is accepted.
        with self._table.batch_writer(overwrite_by_pkeys=["PK", "SK"]) as batch:
            for sk in stale:
                batch.delete_item(Key={"PK": pk, "SK": sk})
            for entity_item in wanted.values():
                batch.put_item(Item=entity_item)
        # The near-duplicate band items follow the same write order as the entity items (docs/duplicates.md).
        self.duplicates.replace(result, sig)

    @property
    def duplicates(self) -> DuplicateRepository:
        """The LSH band items of near-duplicate detection, in this table (store/duplicates.py)."""
        return DuplicateRepository(self._table)

    def _entity_sort_keys(self, pk: str) -> Iterator[str]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with("ENT#"),
            "ProjectionExpression": "SK",
        }
        while True:
            page = self._table.query(**kwargs)
            for item in page.get("Items", []):
                yield item["SK"]
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def all_entity_items(self) -> Iterator[dict[str, Any]]:
        """Every entity item, as the trends consumer reads it (SK, GSI1SK, name, count): one Scan of the whole
        table, for the operator's `newsproc recount-trends`, never for a request."""
        return scan_all(
            self._table,
            FilterExpression=Attr("SK").begins_with("ENT#"),
            ProjectionExpression="SK, GSI1SK, #n, #c",
            ExpressionAttributeNames={"#n": "name", "#c": "count"},
        )

    def get_or_link(self, document_id: str, *, larger_than: int, expires_in: int) -> ResultDocument | str:
        """The result, or a short-lived URL of it when it has more than `larger_than` bytes (one GetItem).

        Lambda answers at most 6 MB, so larger results are fetched from S3 by the client.
        """
        item = self._live_item(document_id)
        key = item.get("result_s3_key")
        if key:
            size = item.get("result_bytes")
            if size is None:  # stored before result_bytes was recorded
                size = self._s3.head_object(Bucket=self._results_bucket, Key=key)["ContentLength"]
            if int(size) > larger_than:
                return self._presigned_get(key, expires_in)
        return self._result_of(item)

    def view_key(self, document_id: str) -> str:
        return f"results/{document_id}/view.html"

    def store_view(self, document_id: str, html: str, *, expires_in: int) -> str:
        """Put a rendered view too large to return in the results bucket; a short-lived URL of it."""
        key = self.view_key(document_id)
        self._s3.put_object(
            Bucket=self._results_bucket, Key=key, Body=html.encode(), ContentType="text/html; charset=utf-8"
        )
        return self._presigned_get(key, expires_in)

    def _presigned_get(self, key: str, expires_in: int) -> str:
        params = {"Bucket": self._results_bucket, "Key": key}
        return self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def get(self, document_id: str) -> ResultDocument:
        return self._result_of(self._live_item(document_id))

    def _live_item(self, document_id: str) -> dict[str, Any]:
        item = self._table.get_item(Key={"PK": doc_pk(document_id), "SK": "DOC"}).get("Item")
        if item is None or item.get("deleted"):
            raise DocumentNotFoundError(document_id)
        return item

    def _result_of(self, item: dict[str, Any]) -> ResultDocument:
        if "result" in item:
            return ResultDocument.model_validate_json(item["result"])
        body = self._s3.get_object(Bucket=self._results_bucket, Key=item["result_s3_key"])["Body"].read()
        return ResultDocument.model_validate_json(body)

    def delete(self, document_id: str, order: WriteOrder | None = None, *, purge_version: str | None = None) -> bool:
        """Delete the result, its entity items and its S3 copy; False when there was nothing to delete.

        With `order`, a tombstone (no article data) replaces the document item, conditionally (a
        newer version stored since wins), so a late, older create cannot bring the result back.
        With `purge_version` (that version of the object was permanently deleted), the item goes
        only if it holds that version, and no tombstone is left: an older version may be current.
        """
        pk = doc_pk(document_id)
        item = self._table.get_item(Key={"PK": pk, "SK": "DOC"}, ConsistentRead=True).get("Item")
        live = item is not None and not item.get("deleted")
        if purge_version is not None and (not live or item.get("source_version_id") != purge_version):
            return False
        if order is not None and live is False and item is not None:
            # Already a tombstone: move it forward if this removal is newer, nothing else to delete.
            self._put_tombstone(document_id, order)
            return False
        if order is not None:
            if not self._put_tombstone(document_id, order):
                return False  # a newer version is stored: it stays
        elif purge_version is not None:
            try:
                self._table.delete_item(
                    Key={"PK": pk, "SK": "DOC"},
                    ConditionExpression=Attr("source_version_id").eq(purge_version),
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                return False
        elif item is not None:
            self._table.delete_item(Key={"PK": pk, "SK": "DOC"})
        self._delete_entity_items(pk)
        if item is not None and "result_s3_key" in item:
            self._s3.delete_object(Bucket=self._results_bucket, Key=item["result_s3_key"])
        if item is not None:
            self._s3.delete_object(Bucket=self._results_bucket, Key=self.view_key(document_id))
        return live

    def _put_tombstone(self, document_id: str, order: WriteOrder) -> bool:
        item = {"PK": doc_pk(document_id), "SK": "DOC", "document_id": document_id, "deleted": True,
                "updated_at": datetime.now(UTC).isoformat()} | order_attributes(order)  # fmt: skip
        try:
            self._table.put_item(Item=item, ConditionExpression=newer_condition(order))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _delete_entity_items(self, pk: str) -> None:
        with self._table.batch_writer() as batch:
            for sk in list(self._entity_sort_keys(pk)):
                batch.delete_item(Key={"PK": pk, "SK": sk})
        self.duplicates.remove(pk.removeprefix("DOC#"))  # its band items and signature item go with them

    def documents_mentioning(
        self, label: str, key: str, *, limit: int = 50, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of documents mentioning the entity, newest published first."""
        kwargs: dict[str, Any] = {
            "IndexName": self._entity_index,
            "KeyConditionExpression": Key("GSI1PK").eq(entity_pk(label, key)),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if next_token:
            wanted = entity_pk(label, key)
            kwargs["ExclusiveStartKey"] = decode_token(
                next_token,
                fields={"PK", "SK", "GSI1PK", "GSI1SK"},
                # the page of this entity's query: its own index key, an entity item of a document
                valid=lambda k: k["GSI1PK"] == wanted == k["SK"] and k["PK"].startswith("DOC#"),
            )
        page = self._table.query(**kwargs)
        items = [
            {
                "document_id": i["document_id"],
                "name": i.get("name"),
                "label": i.get("label"),
                "count": int(i.get("count", 0)),
                "salience": float(i.get("salience", 0)),
                "title": i.get("title") or None,
                "published": published_of(i.get("GSI1SK", "")),
            }
            for i in page.get("Items", [])
        ]
        last = page.get("LastEvaluatedKey")
        return items, encode_token(last) if last else None
