"""Ids from callers: a malformed id is the caller's mistake (VALIDATION), never a 500, and is
never passed on to SQL as text."""

from __future__ import annotations

import uuid

from .errors import ValidationFailed


def parse_id(value: object, field: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed(f"{field} is not a valid id", field=field) from exc
