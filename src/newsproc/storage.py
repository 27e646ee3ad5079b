"""I/O at the edges: the raw bucket, the results bucket and the documents table.

Table design (one table, on-demand):
    document item   PK = DOC#<document_id>            SK = DOC
    entity item     PK = DOC#<document_id>            SK = ENT#<label>#<entity key>
                    GSI1PK = ENT#<label>#<entity key> GSI1SK = <published or "-">#<document_id>
"Get document by id" is one GetItem; "documents that mention entity X" is one Query on the
EntityIndex GSI; replacing a document's entities is a Query on its partition plus batch writes.

Ordering and idempotency (docs/reliability.md): the document item records which object version it
holds (`source_version_id`, `source_etag`, `sequencer`, `source_modified`, `pipeline_version`). A
write that carries a `WriteOrder` is conditional: it only lands if it is newer than what is stored,
so a late, older event can never overwrite a newer version. A removal leaves a tombstone (no
article data) holding its order, so an older create delivered after the delete cannot resurrect it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from newsproc.errors import DocumentNotFoundError
from newsproc.models import ResultDocument
from newsproc.pagination import decode_token, encode_token


def doc_pk(document_id: str) -> str:
    return f"DOC#{document_id}"


def entity_pk(label: str, key: str) -> str:
    return f"ENT#{label}#{key}"


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str | None
    version_id: str | None
    etag: str | None
    size: int


def normalize_sequencer(sequencer: str | None) -> str | None:
    """S3 sequencers compare as hex strings once left-padded to one length (S3 docs)."""
    if not sequencer:
        return None
    return sequencer.strip().upper().rjust(32, "0")


def modified_token(value: datetime | str | None) -> str | None:
    """A timestamp as a sortable UTC string at second precision (what S3's Last-Modified carries)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class WriteOrder:
    """Where a write stands in the history of its object: used for the conditional document write.

    `sequencer` (from the S3 event) orders events of one key exactly. Without one (backfill
    messages, moto, an event whose version is no longer current) `source_modified` is used:
    the Last-Modified of the version read, or the event time of a removal, at second precision.
    """

    pipeline_version: str
    sequencer: str | None = None
    source_modified: str | None = None
    version_id: str | None = None
    etag: str | None = None


@dataclass(frozen=True)
class StoredMeta:
    """The ordering attributes of a stored document item (or tombstone)."""

    deleted: bool
    sequencer: str | None
    source_modified: str | None
    version_id: str | None
    etag: str | None
    pipeline_version: str | None
    result_s3_key: str | None

    def holds(self, version_id: str | None, etag: str | None) -> bool:
        """The item holds this object version (version id when both have one, else the ETag)."""
        if self.deleted:
            return False
        if version_id and self.version_id:
            return version_id == self.version_id
        return bool(etag) and etag == self.etag

    def newer_than(self, order: WriteOrder) -> bool:
        """What is stored comes after `order` (so `order` must not overwrite it)."""
        if order.sequencer and self.sequencer:
            return self.sequencer > order.sequencer
        if order.source_modified and self.source_modified:
            return self.source_modified > order.source_modified
        return False


class RawObjectStore:
    """Reads dropped objects; a HEAD first, so oversized objects are refused before the body is read."""

    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def head(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any] | None:
        kwargs = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        try:
            return self._s3.head_object(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}:
                return None
            raise

    def get(self, bucket: str, key: str, version_id: str | None = None) -> StoredObject | None:
        kwargs = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        try:
            response = self._s3.get_object(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"NoSuchKey", "404", "NoSuchVersion"}:
                return None
            raise
        data = response["Body"].read()
        return StoredObject(
            data=data,
            content_type=response.get("ContentType"),
            version_id=response.get("VersionId"),
            etag=(response.get("ETag") or "").strip('"') or None,
            size=len(data),
        )

    def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key)

    def presigned_put(self, bucket: str, key: str, content_type: str, expires_in: int) -> str:
        return self._s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in,
        )


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
            ProjectionExpression="#d, sequencer, source_modified, source_version_id, source_etag, "
            "pipeline_version, result_s3_key",
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
            result_s3_key=item.get("result_s3_key"),
        )

    def save(self, result: ResultDocument, order: WriteOrder | None = None) -> bool:
        """Store the result and its entity items; False when a newer version is already stored.

        Entity items are written first and the document item last, conditionally: a crash in
        between leaves the old document item, so the retried message processes again. If the
        condition fails (a newer version won a race), the entity items are rebuilt from the winner.
        """
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
            item |= _order_attributes(order)
        previous_s3_key: str | None = None
        token = None
        if order is not None:  # a spilled result of each version has its own key: a lost race keeps the winner's
            parts = [str(item.get(n)) for n in ("source_version_id", "source_etag", "sequencer", "pipeline_version")]
            token = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        if len(body.encode()) <= self._inline_limit:
            item["result"] = body
        else:
            key = self.result_key(result.document_id, token)
            self._s3.put_object(
                Bucket=self._results_bucket, Key=key, Body=body.encode(), ContentType="application/json"
            )
            item["result_s3_key"] = key
        self._replace_entity_items(result)
        if order is None:
            self._table.put_item(Item=item)
            return True
        try:
            previous = self._table.put_item(
                Item=item, ConditionExpression=_newer_condition(order), ReturnValues="ALL_OLD"
            ).get("Attributes", {})
            previous_s3_key = previous.get("result_s3_key")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            self._after_lost_race(result.document_id, item.get("result_s3_key"))
            return False
        if previous_s3_key and previous_s3_key != item.get("result_s3_key"):
            self._s3.delete_object(Bucket=self._results_bucket, Key=previous_s3_key)
        return True

    def _after_lost_race(self, document_id: str, own_s3_key: str | None) -> None:
        """A newer version is stored: drop what this write left and make the index match the winner."""
        if own_s3_key:
            self._s3.delete_object(Bucket=self._results_bucket, Key=own_s3_key)
        try:
            winner = self.get(document_id)
        except DocumentNotFoundError:
            self._delete_entity_items(doc_pk(document_id))
            return
        self._replace_entity_items(winner)

    def _replace_entity_items(self, result: ResultDocument) -> None:
        pk = doc_pk(result.document_id)
        published = result.metadata.published or "-"
        wanted = {
            f"ENT#{e.label}#{e.key}": {
                "PK": pk,
                "SK": f"ENT#{e.label}#{e.key}",
                "GSI1PK": entity_pk(e.label, e.key),
                "GSI1SK": f"{published}#{result.document_id}",
                "document_id": result.document_id,
                "name": e.name,
                "label": e.label,
                "count": e.count,
                "salience": str(e.salience),
                "title": result.metadata.title or "",
            }
            for e in result.entities
            if e.key
        }
        stale = [sk for sk in self._entity_sort_keys(pk) if sk not in wanted]
        # batch_writer resends UnprocessedItems until every write is accepted.
        with self._table.batch_writer(overwrite_by_pkeys=["PK", "SK"]) as batch:
            for sk in stale:
                batch.delete_item(Key={"PK": pk, "SK": sk})
            for entity_item in wanted.values():
                batch.put_item(Item=entity_item)

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

    def get(self, document_id: str) -> ResultDocument:
        item = self._table.get_item(Key={"PK": doc_pk(document_id), "SK": "DOC"}).get("Item")
        if item is None or item.get("deleted"):
            raise DocumentNotFoundError(document_id)
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
        return live

    def _put_tombstone(self, document_id: str, order: WriteOrder) -> bool:
        item = {"PK": doc_pk(document_id), "SK": "DOC", "document_id": document_id, "deleted": True,
                "updated_at": datetime.now(UTC).isoformat()} | _order_attributes(order)  # fmt: skip
        try:
            self._table.put_item(Item=item, ConditionExpression=_newer_condition(order))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _delete_entity_items(self, pk: str) -> None:
        with self._table.batch_writer() as batch:
            for sk in list(self._entity_sort_keys(pk)):
                batch.delete_item(Key={"PK": pk, "SK": sk})

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
            kwargs["ExclusiveStartKey"] = decode_token(next_token, allowed={"PK", "SK", "GSI1PK", "GSI1SK"})
        page = self._table.query(**kwargs)
        items = [
            {
                "document_id": i["document_id"],
                "name": i.get("name"),
                "label": i.get("label"),
                "count": int(i.get("count", 0)),
                "salience": float(i.get("salience", 0)),
                "title": i.get("title") or None,
            }
            for i in page.get("Items", [])
        ]
        last = page.get("LastEvaluatedKey")
        return items, encode_token(last) if last else None


def _order_attributes(order: WriteOrder) -> dict[str, Any]:
    attributes: dict[str, Any] = {"pipeline_version": order.pipeline_version}
    for name, value in (
        ("sequencer", order.sequencer),
        ("source_modified", order.source_modified),
        ("source_version_id", order.version_id),
        ("source_etag", order.etag),
    ):
        if value:
            attributes[name] = value
    return attributes


def _newer_condition(order: WriteOrder) -> ConditionBase:
    """The write lands on a new item, or over one that `order` comes after (mirrors StoredMeta.newer_than).

    With a sequencer on both sides the sequencer decides (equal: the same event, allowed again only
    for another pipeline version, e.g. a backfill after an upgrade). Otherwise Last-Modified decides,
    ties allowed: a write without a sequencer has read the object's current version.
    """
    if order.source_modified:
        by_time = Attr("source_modified").not_exists() | Attr("source_modified").lte(order.source_modified)
    else:
        by_time = Attr("PK").exists()  # no time to compare: nothing to refuse on
    if not order.sequencer:
        return Attr("PK").not_exists() | by_time
    return (
        Attr("PK").not_exists()
        | Attr("sequencer").lt(order.sequencer)
        | (Attr("sequencer").eq(order.sequencer) & Attr("pipeline_version").ne(order.pipeline_version))
        | (Attr("sequencer").not_exists() & by_time)
    )
