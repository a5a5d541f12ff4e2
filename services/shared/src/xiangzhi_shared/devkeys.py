"""Dev signing key for the local stack: generated on first use under .state/keys, never
committed. `python -m xiangzhi_shared.devkeys --role county_admin --region QY` mints a token."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .auth import ROLES

STATE_KEYS = Path(__file__).resolve().parents[4] / ".state" / "keys"
KID = "xiangzhi-dev"


def ensure_keys(folder: Path = STATE_KEYS) -> tuple[Path, Path]:
    """Returns (private key PEM, JWKS JSON), creating both once."""
    folder.mkdir(parents=True, exist_ok=True)
    private_path, jwks_path = folder / "dev-signing.pem", folder / "jwks.json"
    if not private_path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        private_path.write_bytes(pem)
        private_path.chmod(0o600)
        public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        public_jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
        jwks_path.write_text(json.dumps({"keys": [public_jwk]}, indent=2))
    return private_path, jwks_path


def mint(roles: list[str], subject: str | None = None, region: str | None = None,
         partner: str | None = None, ttl_s: int = 12 * 3600, issuer: str = "xiangzhi-local",
         audience: str = "xiangzhi", folder: Path = STATE_KEYS) -> str:
    private_path, _ = ensure_keys(folder)
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject or str(uuid.uuid4()), "roles": roles, "iss": issuer, "aud": audience,
        "iat": now, "exp": now + ttl_s,
    }
    if region:
        claims["region"] = region
    if partner:
        claims["partner"] = partner
    return jwt.encode(claims, private_path.read_bytes(), algorithm="RS256",
                      headers={"kid": KID})


def region_code(region: str) -> str:
    """A region code as given, or the code of a region id looked up in the local stack's
    grid database (which holds the region tree)."""
    try:
        region_uuid = uuid.UUID(region)
    except ValueError:
        return region

    import asyncio
    import os

    import asyncpg

    async def lookup() -> str | None:
        dsn = os.environ.get("GRID_DATABASE_URL", "postgresql://xiangzhi@127.0.0.1:5432/grid")
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchval("SELECT code FROM region WHERE id=$1", region_uuid)
        finally:
            await conn.close()

    code = asyncio.run(lookup())
    if code is None:
        raise SystemExit(f"no region with id {region} in the grid database")
    return code


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--role", required=True, help=f"comma-separated, of: {sorted(ROLES)}")
    p.add_argument("--region", help="region code (e.g. QY.01.002) or region id: the root of "
                   "the caller's scope")
    p.add_argument("--partner", help="partner utility code, for utility_staff")
    p.add_argument("--subject", help="the person id; a resident's id for role resident")
    p.add_argument("--ttl", type=int, default=12 * 3600)
    a = p.parse_args(argv)
    roles = [r.strip() for r in a.role.split(",") if r.strip()]
    unknown = set(roles) - ROLES
    if unknown:
        print(f"unknown role(s): {sorted(unknown)}; known: {sorted(ROLES)}", file=sys.stderr)
        return 2
    region = region_code(a.region) if a.region else None
    print(mint(roles, subject=a.subject, region=region, partner=a.partner, ttl_s=a.ttl))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
