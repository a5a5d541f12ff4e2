"""The database Secrets the chart and CloudNativePG reference are produced consistently."""

from __future__ import annotations

import secrets as stdlib_secrets

import generate
import pytest
from checks import ENVIRONMENTS, schemas
from db_secrets import database_secrets


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_secret_per_database_role_with_a_matching_uri(env: str) -> None:
    docs = database_secrets(env)
    values = generate.load_values(env)
    pg = values["platform"]["postgres"]
    cluster = generate.postgres(values)[0]
    roles = {r["passwordSecret"]["name"]: r["name"] for r in cluster["spec"]["managed"]["roles"]}
    assert {d["metadata"]["name"] for d in docs} == set(roles)
    for d in docs:
        assert not schemas.errors(d)
        data = d["stringData"]
        role = roles[d["metadata"]["name"]]
        assert data["username"] == role
        assert data[pg["uriKey"]] == (f"postgresql://{role}:{data['password']}@{pg['cluster']}-rw:"
                                      f"{pg['port']}/{role}?sslmode=require")


def test_passwords_are_random_and_strong() -> None:
    a = [d["stringData"]["password"] for d in database_secrets("dev")]
    b = [d["stringData"]["password"] for d in database_secrets("dev")]
    assert len(set(a + b)) == len(a + b)
    assert all(len(p) >= 40 for p in a)
    assert database_secrets("dev", token=lambda n: "x" * n)[0]["stringData"]["password"] == "x" * 32
    assert stdlib_secrets.token_urlsafe  # the generator uses the stdlib CSPRNG by default
