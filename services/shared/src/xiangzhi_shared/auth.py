"""JWT verification and the caller's scope: roles, region subtree, partner code.

Region scope is checked without asking the grid service: region codes are hierarchical
paths (county `QY`, township `QY.02`, village `QY.02.003`, grid `QY.02.003.01`), so a
caller whose scope is `QY.02` sees exactly the codes equal to it or starting with `QY.02.`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from .errors import Forbidden, Unauthenticated, ValidationFailed
from .settings import ServiceSettings

ROLES = frozenset(
    {
        "resident",
        "grid_worker",
        "party_member",
        "village_cadre",
        "coordinator",
        "utility_staff",
        "coop_staff",
        "township_admin",
        "county_admin",
        "ops",
    }
)
ALGORITHMS = ["RS256", "ES256", "EdDSA"]


def region_contains(scope: str, code: str) -> bool:
    """True when region `code` lies in the subtree rooted at `scope`."""
    return code == scope or code.startswith(scope + ".")


def region_depth(code: str) -> int:
    """0 for a county, 1 township, 2 village, 3 grid."""
    return code.count(".")


def parent_region(code: str) -> str | None:
    return code.rsplit(".", 1)[0] if "." in code else None


@dataclass(frozen=True)
class Principal:
    """The verified caller. `subject` is the person id (a resident's id for residents)."""

    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    region: str | None = None
    partner: str | None = None
    name: str | None = None

    @property
    def authenticated(self) -> bool:
        return bool(self.subject)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def sees_region(self, code: str) -> bool:
        return self.region is not None and region_contains(self.region, code)

    # The helpers every resolver uses: raise, never return a bool the caller may ignore.

    def require(self, *roles: str) -> Principal:
        if not self.authenticated:
            raise Unauthenticated("a valid bearer token is required")
        if roles and not self.has_role(*roles):
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(roles))}")
        return self

    def require_region(self, code: str) -> Principal:
        if not self.sees_region(code):
            raise Forbidden(f"region {code} is outside your scope")
        return self

    def scope_root(self, narrower: str | None = None) -> str:
        """The subtree a list reads: the caller's own region, or a narrower one inside it."""
        if self.region is None:
            raise ValidationFailed("your token carries no region scope")
        code = narrower or self.region
        self.require_region(code)
        return code

    def require_partner(self, code: str) -> Principal:
        if self.partner != code:
            raise Forbidden("this record belongs to another partner")
        return self


ANONYMOUS = Principal(subject="")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    unknown = set(roles) - ROLES
    if unknown:
        raise Unauthenticated(f"unknown roles in token: {sorted(unknown)}")
    return Principal(
        subject=str(claims.get("sub") or ""),
        roles=frozenset(roles),
        region=claims.get("region"),
        partner=claims.get("partner"),
        name=claims.get("name"),
    )


class JwtVerifier:
    """Verifies bearer tokens against a JWKS (file for the local stack, URL in a cluster)."""

    def __init__(self, keys: jwt.PyJWKSet | None, url_client: jwt.PyJWKClient | None,
                 issuer: str, audience: str) -> None:
        self._keys = keys
        self._client = url_client
        self._issuer = issuer
        self._audience = audience

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> JwtVerifier:
        if settings.jwks_file:
            keys = jwt.PyJWKSet.from_json(Path(settings.jwks_file).read_text())
            return cls(keys, None, settings.jwt_issuer, settings.jwt_audience)
        if settings.jwks_url:
            client = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=300)
            return cls(None, client, settings.jwt_issuer, settings.jwt_audience)
        raise ValueError("set JWKS_FILE or JWKS_URL to verify tokens")

    def _key_for(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthenticated("malformed bearer token") from exc
        if self._client is not None:
            if kid is None:
                raise Unauthenticated("token has no key id")
            try:
                return self._client.get_signing_key(kid).key
            except jwt.PyJWTError as exc:
                raise Unauthenticated("token signed by an unknown key") from exc
        assert self._keys is not None
        for k in self._keys.keys:
            if kid is None or k.key_id == kid:
                return k.key
        raise Unauthenticated("token signed by an unknown key")

    def verify_sync(self, token: str) -> Principal:
        key = self._key_for(token)
        try:
            claims = jwt.decode(token, key, algorithms=ALGORITHMS, audience=self._audience,
                                issuer=self._issuer, options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        return principal_from_claims(claims)

    async def verify(self, token: str) -> Principal:
        if self._client is not None:  # may fetch the JWKS over HTTP: keep the loop free
            return await asyncio.to_thread(self.verify_sync, token)
        return self.verify_sync(token)

    async def principal_from_header(self, authorization: str | None) -> Principal:
        """ANONYMOUS when no header; resolvers then refuse with UNAUTHENTICATED."""
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization must be 'Bearer <token>'")
        return await self.verify(token.strip())


def roles_from(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v.strip())


def jwks_json(public_jwk: dict[str, Any]) -> str:
    return json.dumps({"keys": [public_jwk]}, indent=2)
