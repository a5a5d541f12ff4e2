"""Finding objects at a plan path in the merged response data, and merging subgraph answers
into them in place (no copies)."""

from __future__ import annotations

from typing import Any


def objects_at(data: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    # Comprehensions, not loops with append: this runs once per entity fetch over every
    # object of the path (hundreds per request for nested queries). The data comes from
    # orjson, so exact `type(...) is` checks are enough.
    current = [data]
    for segment in path:
        if segment == "@":
            current = [item for value in current if type(value) is list for item in value]
        else:
            current = [
                child for value in current
                if type(value) is dict and (child := value.get(segment)) is not None
            ]
    return [v for v in current if type(v) is dict]


def path_of(data: Any, target: dict[str, Any], path: tuple[str, ...]) -> list[str | int]:
    """The response path of `target` (found by identity); used only when reporting an error."""

    def walk(value: Any, rest: tuple[str, ...], acc: list[str | int]) -> list[str | int] | None:
        if not rest:
            return acc if value is target else None
        segment = rest[0]
        if segment == "@":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    found = walk(item, rest[1:], acc + [i])
                    if found is not None:
                        return found
            return None
        if isinstance(value, dict) and value.get(segment) is not None:
            return walk(value[segment], rest[1:], acc + [segment])
        return None

    return walk(data, path, []) or [s for s in path if s != "@"]


def deep_merge(target: dict[str, Any], source: dict[str, Any], concrete: frozenset[str]) -> None:
    for key, value in source.items():
        existing = target.get(key)
        if existing is None:
            target[key] = value
        elif key == "__typename":
            # An @interfaceObject answers with the interface's name; never let it replace the
            # implementation's name another subgraph already gave.
            if existing not in concrete:
                target[key] = value
        elif isinstance(existing, dict):
            if isinstance(value, dict):
                deep_merge(existing, value, concrete)
        elif isinstance(existing, list):
            if isinstance(value, list):
                for a, b in zip(existing, value, strict=False):
                    if isinstance(a, dict) and isinstance(b, dict):
                        deep_merge(a, b, concrete)
        elif value is not None:
            target[key] = value
