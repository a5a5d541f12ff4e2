"""Client-facing GraphQL errors with a stable `extensions.code`."""

from __future__ import annotations

from typing import Any


class RequestError(Exception):
    """A request refused before execution; answered as a GraphQL error, never a traceback."""

    def __init__(self, message: str, code: str, status: int = 400, locations: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.locations = locations

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.locations:
            out["locations"] = self.locations
        out["extensions"] = {"code": self.code}
        return out


def error_response(errors: list[RequestError]) -> dict[str, Any]:
    return {"errors": [e.to_dict() for e in errors]}
