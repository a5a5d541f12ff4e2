"""`@link` (and fed1's `@core`): which specs the supergraph uses, and under which prefixes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import DocumentNode, SchemaDefinitionNode, SchemaExtensionNode, StringValueNode

_SPEC_URL = re.compile(r"^https?://specs\.apollo\.dev/(?P<name>[a-zA-Z_]+)/v(?P<version>[0-9.]+)$")

SUPPORTED_JOIN = {"0.1", "0.2", "0.3", "0.4", "0.5"}


@dataclass(frozen=True)
class LinkedSpec:
    name: str  # "join", "link", "inaccessible", ...
    version: str
    prefix: str  # what the spec's names are prefixed with in this document (the `as:` name)


class SupergraphError(ValueError):
    """The file is not a supergraph this gateway can execute."""


def read_links(document: DocumentNode) -> dict[str, LinkedSpec]:
    """Specs linked from the schema definition, keyed by spec name."""
    specs: dict[str, LinkedSpec] = {}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = {a.name.value: a.value for a in directive.arguments}
            url_node = args.get("url") or args.get("feature")
            if not isinstance(url_node, StringValueNode):
                continue
            match = _SPEC_URL.match(url_node.value)
            if not match:
                continue  # a custom spec (e.g. a composed directive): nothing to execute
            alias = args.get("as")
            prefix = alias.value if isinstance(alias, StringValueNode) else match["name"]
            specs[match["name"]] = LinkedSpec(match["name"], match["version"], prefix)
    join = specs.get("join")
    if join is None:
        raise SupergraphError("not a supergraph: no @link to the join spec")
    if join.version not in SUPPORTED_JOIN:
        raise SupergraphError(f"join spec v{join.version} is not supported")
    return specs
