"""The raw bucket: what users dropped (S3, versioned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from newsproc.media import unquote_etag


@dataclass(frozen=True)
class ObjectHead:
    """What a HEAD says about one object version."""

    version_id: str | None
    etag: str | None
    size: int
    content_type: str | None = None
    last_modified: datetime | None = None


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

    def head(self, bucket: str, key: str, version_id: str | None = None) -> ObjectHead | None:
        kwargs = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
        try:
            response = self._s3.head_object(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}:
                return None
            raise
        return ObjectHead(
            version_id=response.get("VersionId"),
            etag=unquote_etag(response.get("ETag")),
            size=int(response.get("ContentLength", 0)),
            content_type=response.get("ContentType"),
            last_modified=response.get("LastModified"),
        )

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
            etag=unquote_etag(response.get("ETag")),
            size=len(data),
        )

    def put(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key)

    def erase(self, bucket: str, key: str) -> int:
        """Delete every version and delete marker of `key` for good (a caller asking for erasure); the count."""
        doomed: list[dict[str, str]] = []
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if entry["Key"] == key:
                    doomed.append({"Key": key, "VersionId": entry["VersionId"]})
        for start in range(0, len(doomed), 1000):
            response = self._s3.delete_objects(
                Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
            )
            if response.get("Errors"):
                error = response["Errors"][0]
                raise RuntimeError(f"{len(response['Errors'])} versions not deleted: {error.get('Code')}")
        return len(doomed)

    def presigned_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        """A presigned POST (url, form fields) that S3 accepts only for this key and content type, with a
        body of 1 to `max_bytes` bytes (a presigned PUT cannot limit the size)."""
        post = self._s3.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return post["url"], post["fields"]
