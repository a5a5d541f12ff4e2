"""Every query and mutation of every subgraph refuses a caller without a token: a new
resolver that forgets its auth check fails here. Arguments are generated from the schema
(well-formed values), so what answers is the resolver's own check."""

from __future__ import annotations

import importlib
import uuid

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, fresh_database, served

SERVICES = ["grid", "dispatch", "shares", "coop"]
SCALARS = {"ID": str(uuid.uuid4()), "String": "QY", "Int": 1, "Float": 1.0, "Boolean": True,
           "Date": "2030-01-01", "DateTime": "2030-01-01T00:00:00+00:00", "Decimal": "1"}
REFUSED = {"UNAUTHENTICATED", "FORBIDDEN"}


def value_for(type_) -> object:
    if isinstance(type_, GraphQLNonNull):
        return value_for(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [value_for(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {name: value_for(f.type) for name, f in type_.fields.items()
                if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined}
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS.get(type_.name, "x")


def operation(kind: str, name: str, field: GraphQLField) -> tuple[str, dict]:
    required = {a: arg for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)}
    params = ", ".join(f"${a}: {arg.type}" for a, arg in required.items())
    call = ", ".join(f"{a}: ${a}" for a in required)
    selection = "" if isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType) \
        else " { __typename }"
    doc = (f"{kind} Probe{f'({params})' if params else ''} "
           f"{{ {name}{f'({call})' if call else ''}{selection} }}")
    return doc, {a: value_for(arg.type) for a, arg in required.items()}


def fields(schema, kind: str) -> list[tuple[str, GraphQLField]]:
    root: GraphQLObjectType | None = getattr(schema, f"{kind}_type")
    if root is None:
        return []
    return [(n, f) for n, f in root.fields.items() if not n.startswith("_")]


@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_refuses_an_anonymous_caller(service):
    spec = importlib.import_module(f"{service}.app").make_spec()
    schema = spec.schema._schema  # graphql-core's schema behind strawberry's
    async with fresh_database(f"anon_{service}") as dsn:
        settings = spec.settings.model_copy(update={
            "database_url": dsn, "relay_enabled": False, "consumers_enabled": False})
        spec.settings = settings
        app = create_app(spec)
        async with served(app) as url:
            gql = GraphQLClient(url)
            leaks = []
            try:
                for kind in ("query", "mutation"):
                    for name, field in fields(schema, kind):
                        doc, variables = operation(kind, name, field)
                        body = await gql(doc, variables)
                        codes = {e.get("extensions", {}).get("code")
                                 for e in body.get("errors") or []}
                        if not codes or not codes <= REFUSED:
                            leaks.append((kind, name, sorted(c or "-" for c in codes)))
            finally:
                await gql.close()
    assert not leaks, f"{service}: operations not refused without a token: {leaks}"
