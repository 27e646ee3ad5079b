"""I/O at the edges: the raw bucket, the results bucket and the documents table.

Table design (one table, on-demand):
    document item   PK = DOC#<document_id>            SK = DOC
    entity item     PK = DOC#<document_id>            SK = ENT#<label>#<entity key>
                    GSI1PK = ENT#<label>#<entity key> GSI1SK = <published or "-">#<document_id>
"Get document by id" is one GetItem; "documents that mention entity X" is one Query on the
EntityIndex GSI; replacing a document's entities is a Query on its partition plus batch writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Key
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

    def result_key(self, document_id: str) -> str:
        return f"results/{document_id}.json"

    def save(self, result: ResultDocument) -> None:
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
        if len(body.encode()) <= self._inline_limit:
            item["result"] = body
        else:
            key = self.result_key(result.document_id)
            self._s3.put_object(
                Bucket=self._results_bucket, Key=key, Body=body.encode(), ContentType="application/json"
            )
            item["result_s3_key"] = key
        self._replace_entity_items(result)
        self._table.put_item(Item=item)

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
        if item is None:
            raise DocumentNotFoundError(document_id)
        if "result" in item:
            return ResultDocument.model_validate_json(item["result"])
        body = self._s3.get_object(Bucket=self._results_bucket, Key=item["result_s3_key"])["Body"].read()
        return ResultDocument.model_validate_json(body)

    def delete(self, document_id: str) -> bool:
        pk = doc_pk(document_id)
        item = self._table.get_item(Key={"PK": pk, "SK": "DOC"}).get("Item")
        with self._table.batch_writer() as batch:
            for sk in list(self._entity_sort_keys(pk)):
                batch.delete_item(Key={"PK": pk, "SK": sk})
        if item is None:
            return False
        if "result_s3_key" in item:
            self._s3.delete_object(Bucket=self._results_bucket, Key=item["result_s3_key"])
        self._table.delete_item(Key={"PK": pk, "SK": "DOC"})
        return True

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
