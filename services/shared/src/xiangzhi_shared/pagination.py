"""Cursor pagination (keyset on (created_at, id)): stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Generic, TypeVar

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
