"""Which client headers reach subgraphs: `Authorization` (subgraphs verify the caller's token
themselves) and the names listed in config. Nothing else a client sends is forwarded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class HeaderPolicy:
    def __init__(self, allowed: Iterable[str]) -> None:
        self._allowed = frozenset({"authorization", *(h.lower() for h in allowed)})

    def forwarded(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: value for name, value in headers.items() if name.lower() in self._allowed}
