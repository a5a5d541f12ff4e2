"""Errors a caller can act on: each carries a stable `extensions.code` for GraphQL clients."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure. `extensions` is read by graphql-core when it wraps
    the exception, so the code reaches the client without any formatting step."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **details}


class ValidationFailed(DomainError):
    code = "VALIDATION"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class InvalidState(DomainError):
    code = "INVALID_STATE"


class Conflict(DomainError):
    code = "CONFLICT"
