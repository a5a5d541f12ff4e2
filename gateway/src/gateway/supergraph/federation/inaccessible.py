"""`@inaccessible`: elements hidden from the API schema (still usable between subgraphs)."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import DirectiveNode

from gateway.supergraph.federation.args import has_directive
from gateway.supergraph.federation.link import LinkedSpec


def inaccessible_name(specs: dict[str, LinkedSpec]) -> str | None:
    spec = specs.get("inaccessible")
    return spec.prefix if spec else None


def is_inaccessible(directives: Iterable[DirectiveNode] | None, name: str | None) -> bool:
    return name is not None and has_directive(directives, name)
