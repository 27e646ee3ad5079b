"""Opaque continuation tokens for DynamoDB pagination (LastEvaluatedKey <-> url-safe string)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any


class InvalidTokenError(ValueError):
    pass


def encode_token(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_token(token: str, *, allowed: Iterable[str]) -> dict[str, Any]:
    """The key a token stands for; only string attributes of the expected names are accepted."""
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise InvalidTokenError("invalid continuation token") from None
    if (
        not isinstance(value, dict)
        or not value
        or not set(value) <= set(allowed)
        or not all(isinstance(v, str) for v in value.values())
    ):
        raise InvalidTokenError("invalid continuation token")
    return value
