"""Idempotency keys for mutations that charge or pay.

The key is claimed in the transaction of the effect: the first request inserts
(key, caller) and later stores its result's id; a retry with the same key waits for the
first to commit, then finds the row and gets the same result without any second effect. The
same key with a different request is refused with CONFLICT. A request that failed rolled its
claim back with everything else, so retrying it runs it afresh.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import asyncpg
from xiangzhi_shared.errors import Conflict, ValidationFailed

MAX_KEY = 200


def _hash(operation: str, request: dict[str, Any]) -> str:
    body = json.dumps({"op": operation, **request}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def validate_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY:
        raise ValidationFailed(f"idempotencyKey must be 1 to {MAX_KEY} characters",
                               field="idempotencyKey")
    return key


async def claim(conn: asyncpg.Connection, key: str | None, caller: str, operation: str,
                request: dict[str, Any]) -> uuid.UUID | None:
    """None: this request is new, go ahead (and `remember` its result). Otherwise the id of
    the result the earlier request with this key produced."""
    if key is None:
        return None
    digest = _hash(operation, request)
    claimed = await conn.fetchval(
        """INSERT INTO idempotency_key (key, caller, operation, request_hash)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true""",
        key, caller, operation, digest)
    if claimed:
        return None
    row = await conn.fetchrow(
        "SELECT operation, request_hash, result_id FROM idempotency_key WHERE key=$1 AND caller=$2",
        key, caller)
    if row["operation"] != operation or row["request_hash"] != digest:
        raise Conflict("this idempotency key was already used for a different request",
                       field="idempotencyKey")
    return row["result_id"]


async def remember(conn: asyncpg.Connection, key: str | None, caller: str,
                   result_id: uuid.UUID) -> None:
    if key is not None:
        await conn.execute("UPDATE idempotency_key SET result_id=$3 WHERE key=$1 AND caller=$2",
                           key, caller, result_id)
