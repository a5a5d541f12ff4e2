"""Cursor pagination (keyset on (created_at, id)): stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg
import strawberry

from .errors import ValidationFailed

T = TypeVar("T")
MAX_PAGE = 100


@strawberry.federation.type(shareable=True)  # every subgraph paginates with the same type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Connection(Generic[T]):
    nodes: list[T]
    page_info: PageInfo
    total_count: int


def encode_cursor(created_at: datetime, id_: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{id_}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        ts, _, raw_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(ts), uuid.UUID(raw_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid cursor", field="after") from exc


def page_size(first: int | None) -> int:
    n = 20 if first is None else first
    if not 1 <= n <= MAX_PAGE:
        raise ValidationFailed(f"first must be between 1 and {MAX_PAGE}", field="first")
    return n


async def keyset_page(conn: asyncpg.Connection, select: str, where: list[str], args: list[Any],
                      *, alias: str, limit: int, after: str | None
                      ) -> tuple[list[dict[str, Any]], int]:
    """One page of `select` (a `SELECT … FROM …` without WHERE) filtered by `where` (SQL
    conditions over `args`), oldest first by (created_at, id) of table `alias`, after the
    cursor; with the filtered total. One extra row is read to tell whether more follow."""
    conditions = " AND ".join(where) or "TRUE"
    total = await conn.fetchval(f"SELECT count(*) FROM ({select} WHERE {conditions}) q", *args)
    if after:
        created_at, last_id = decode_cursor(after)
        n = len(args)
        conditions += f" AND ({alias}.created_at, {alias}.id) > (${n + 1}, ${n + 2})"
        args = [*args, created_at, last_id]
    rows = await conn.fetch(f"{select} WHERE {conditions} "
                            f"ORDER BY {alias}.created_at, {alias}.id LIMIT {limit + 1}", *args)
    return [dict(r) for r in rows], total


def connection(rows: list[dict[str, Any]], total: int, limit: int,
               make: Callable[[dict[str, Any]], T]) -> Connection[T]:
    """The GraphQL connection of a page read with keyset_page (which read limit + 1 rows)."""
    has_next = len(rows) > limit
    rows = rows[:limit]
    end = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if rows else None
    return Connection(nodes=[make(r) for r in rows], total_count=total,
                      page_info=PageInfo(has_next_page=has_next, end_cursor=end))
