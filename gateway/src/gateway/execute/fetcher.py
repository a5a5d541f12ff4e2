"""HTTP to subgraphs: one aiohttp session of keep-alive connections for the gateway's
lifetime, orjson both ways, a timeout per subgraph.

aiohttp, not httpx: on the benchmark's heavy query the gateway spent most of its time inside
httpx's pure-Python request machinery; aiohttp's C-accelerated client keeps the pool, the
framing and the parsing in a well-kept library (figures in gateway/BENCH.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

JSON = {"content-type": "application/json", "accept": "application/json"}
# Framing and content headers are the client's to set; everything else passes through.
_FIXED = frozenset({"host", "content-type", "content-length", "accept", "connection",
                    "transfer-encoding"})


class SubgraphError(Exception):
    """A subgraph could not be asked, or did not answer with GraphQL."""

    def __init__(self, graph: str, message: str, code: str = "SUBGRAPH_ERROR") -> None:
        super().__init__(message)
        self.graph = graph
        self.code = code


class SubgraphClient:
    def __init__(
        self,
        urls: Mapping[str, str],
        default_timeout: float = 30.0,
        timeouts: Mapping[str, float] | None = None,
        max_connections: int = 256,
    ) -> None:
        for graph, url in urls.items():
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"subgraph {graph}: URL must be http:// or https://, got {url}")
        self._urls = dict(urls)
        self._timeouts = {g: aiohttp.ClientTimeout(total=(timeouts or {}).get(g, default_timeout))
                          for g in self._urls}
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a session belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, ttl_dns_cache=300),
                skip_auto_headers=("User-Agent",))
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(
        self, graph: str, payload: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        try:
            async with self._client().post(
                self._urls[graph], data=orjson.dumps(payload), headers=_headers(headers),
                timeout=self._timeouts[graph],
            ) as response:
                status = response.status
                content = await response.read()
        except TimeoutError as error:
            raise SubgraphError(graph, f"subgraph {graph} timed out", "SUBGRAPH_TIMEOUT") from error
        except (aiohttp.ClientError, OSError) as error:
            raise SubgraphError(graph, f"subgraph {graph} is unreachable: {error}") from error
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError as error:
            raise SubgraphError(
                graph, f"subgraph {graph} answered HTTP {status} without JSON"
            ) from error
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise SubgraphError(
                graph, f"subgraph {graph} answered HTTP {status} without GraphQL"
            )
        return body


def _headers(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The forwarded headers plus JSON framing; a value with a line break (header
    injection) is dropped."""
    headers = dict(JSON)
    for name, value in (extra or {}).items():
        if name.lower() in _FIXED or "\r" in value or "\n" in value or ":" in name:
            continue
        headers[name] = value
    return headers
