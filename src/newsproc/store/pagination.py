"""Opaque continuation tokens for DynamoDB pagination (LastEvaluatedKey <-> url-safe string).

A token comes back from the client, so it is checked in full before it reaches DynamoDB: exactly the
key attributes of the query it continues, each a short string that `valid` accepts. Anything else
(broken base64, deep JSON, a key of another query or index) is an InvalidTokenError, answered 400.

`scan_all` is the other direction: every page of a Scan, for operators' jobs that read a whole table.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from typing import Any

MAX_TOKEN_CHARS = 4096
_MAX_VALUE_CHARS = 1024


class InvalidTokenError(ValueError):
    pass


def encode_token(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_token(
    token: str, *, fields: set[str], valid: Callable[[dict[str, str]], bool] = lambda _: True
) -> dict[str, str]:
    """The key a token stands for: a JSON object with exactly `fields`, string values, accepted by `valid`."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidTokenError("invalid continuation token")
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, RecursionError, binascii.Error, UnicodeError):
        raise InvalidTokenError("invalid continuation token") from None
    if (
        not isinstance(value, dict)
        or set(value) != fields
        or not all(isinstance(v, str) and 0 < len(v) <= _MAX_VALUE_CHARS for v in value.values())
        or not valid(value)
    ):
        raise InvalidTokenError("invalid continuation token")
    return value


def scan_all(table: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item a Scan of `table` (a boto3 Table) with these parameters returns, page after page."""
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
