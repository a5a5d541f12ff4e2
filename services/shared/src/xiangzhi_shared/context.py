"""What every resolver receives: the verified caller, the pool, settings, metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
from strawberry.types import Info as StrawberryInfo

from .auth import ANONYMOUS, Principal
from .errors import DomainError
from .metrics import ServiceMetrics
from .settings import ServiceSettings


@dataclass
class RequestContext:
    pool: asyncpg.Pool
    settings: ServiceSettings
    metrics: ServiceMetrics
    authorization: str | None = None
    _principal: Principal = ANONYMOUS
    auth_error: DomainError | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    request: Any = None
    response: Any = None

    @property
    def principal(self) -> Principal:
        """The caller; a bad token fails here, at the first resolver that needs a caller."""
        if self.auth_error is not None:
            raise self.auth_error
        return self._principal


Info = StrawberryInfo[RequestContext, None]
