"""Caller authentication: a pluggable async verifier of the bearer token. Off when no JWKS is
configured (the audit and local tools run without tokens); otherwise the shared library's
`JwtVerifier` (`xiangzhi_shared.auth`), the one auth check every service uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from gateway.config import GatewaySettings
from gateway.errors import RequestError

# token (None when absent) -> principal; raises RequestError with code UNAUTHENTICATED.
Verifier = Callable[[str | None], Awaitable[Any]]


def bearer_token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RequestError("Authorization header must be 'Bearer <token>'.", "UNAUTHENTICATED", 401)
    return token.strip()


def shared_verifier(settings: GatewaySettings) -> Verifier | None:
    """The shared JwtVerifier when a JWKS is configured, else None (verification off)."""
    if not (settings.jwks_file or settings.jwks_url):
        return None
    from xiangzhi_shared import auth as shared_auth  # imported only when configured
    from xiangzhi_shared.errors import Unauthenticated
    from xiangzhi_shared.settings import ServiceSettings

    service_settings = ServiceSettings(
        service_name="gateway",
        jwks_file=settings.jwks_file,
        jwks_url=settings.jwks_url,
        jwt_issuer=settings.jwt_issuer,
        jwt_audience=settings.jwt_audience,
    )
    verifier = shared_auth.JwtVerifier.from_settings(service_settings)

    async def verify(token: str | None) -> Any:
        if token is None:
            return None  # anonymous: each subgraph's resolvers decide what it may see
        try:
            return await verifier.verify(token)
        except Unauthenticated as error:
            code = getattr(error, "code", None) or "UNAUTHENTICATED"
            raise RequestError(str(error) or "Invalid token.", str(code), 401) from error

    return verify
