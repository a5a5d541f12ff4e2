"""JWT verification: claims become a Principal; anything doubtful is UNAUTHENTICATED."""

from __future__ import annotations

import time

import jwt
import pytest
from xiangzhi_shared import devkeys
from xiangzhi_shared.auth import JwtVerifier, Principal, region_contains
from xiangzhi_shared.errors import Forbidden, Unauthenticated
from xiangzhi_shared.settings import ServiceSettings


@pytest.fixture
def verifier(tokens) -> JwtVerifier:
    return JwtVerifier.from_settings(ServiceSettings(jwks_file=tokens.jwks_file))


async def test_valid_token_gives_roles_region_and_partner(verifier, tokens):
    p = await verifier.verify(tokens("utility_staff", region="QY", partner="power", subject="u1"))
    assert p == Principal(subject="u1", roles=frozenset({"utility_staff"}), region="QY",
                          partner="power")


async def test_expired_token_is_refused(verifier, tokens):
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(tokens("resident", ttl_s=-10))


async def test_wrong_audience_or_issuer_is_refused(verifier, tokens):
    key = (tokens.folder / "dev-signing.pem").read_bytes()
    now = int(time.time())
    for claims in ({"aud": "someone-else", "iss": "xiangzhi-local"},
                   {"aud": "xiangzhi", "iss": "elsewhere"}):
        token = jwt.encode({"sub": "x", "roles": ["resident"], "exp": now + 60, **claims}, key,
                           algorithm="RS256", headers={"kid": devkeys.KID})
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)


async def test_token_from_another_key_is_refused(verifier, tmp_path):
    stranger = devkeys.mint(["county_admin"], folder=tmp_path)
    with pytest.raises(Unauthenticated):
        await verifier.verify(stranger)


async def test_unknown_role_is_refused(verifier, tokens):
    key = (tokens.folder / "dev-signing.pem").read_bytes()
    token = jwt.encode({"sub": "x", "roles": ["emperor"], "exp": int(time.time()) + 60,
                        "aud": "xiangzhi", "iss": "xiangzhi-local"}, key, algorithm="RS256",
                       headers={"kid": devkeys.KID})
    with pytest.raises(Unauthenticated, match="unknown roles"):
        await verifier.verify(token)


async def test_header_must_be_bearer(verifier, tokens):
    assert (await verifier.principal_from_header(None)).authenticated is False
    with pytest.raises(Unauthenticated):
        await verifier.principal_from_header("Basic abc")
    p = await verifier.principal_from_header("Bearer " + tokens("ops"))
    assert p.has_role("ops")


def test_region_subtree_is_by_path_segments():
    assert region_contains("QY.01", "QY.01")
    assert region_contains("QY.01", "QY.01.002.01")
    assert not region_contains("QY.01", "QY.010")
    assert not region_contains("QY.01.002", "QY.01")


def test_require_helpers_raise_the_right_codes():
    anonymous = Principal(subject="")
    with pytest.raises(Unauthenticated):
        anonymous.require()
    cadre = Principal(subject="c", roles=frozenset({"village_cadre"}), region="QY.01.002")
    with pytest.raises(Forbidden):
        cadre.require("county_admin")
    with pytest.raises(Forbidden):
        cadre.require_region("QY.01.003")
    with pytest.raises(Forbidden):
        cadre.require_partner("power")
    assert cadre.require("village_cadre").require_region("QY.01.002.01") is cadre
