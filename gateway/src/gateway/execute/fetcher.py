"""HTTP to subgraphs: one pooled keep-alive client for the gateway's lifetime, orjson both
ways, a timeout per subgraph."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson


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
        self._urls = dict(urls)
        self._timeouts = {g: (timeouts or {}).get(g, default_timeout) for g in self._urls}
        self._client = httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            # Subgraphs answer on plain HTTP/1.1 inside the cluster; no redirects, no env proxy.
            follow_redirects=False,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post(
        self, graph: str, payload: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        url = self._urls[graph]
        request_headers = {"content-type": "application/json", "accept": "application/json"}
        if headers:
            request_headers.update(headers)
        try:
            response = await self._client.post(
                url,
                content=orjson.dumps(payload),
                headers=request_headers,
                timeout=self._timeouts[graph],
            )
        except httpx.TimeoutException as error:
            raise SubgraphError(graph, f"subgraph {graph} timed out", "SUBGRAPH_TIMEOUT") from error
        except httpx.HTTPError as error:
            raise SubgraphError(graph, f"subgraph {graph} is unreachable: {error}") from error
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as error:
            raise SubgraphError(
                graph, f"subgraph {graph} answered HTTP {response.status_code} without JSON"
            ) from error
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise SubgraphError(
                graph, f"subgraph {graph} answered HTTP {response.status_code} without GraphQL"
            )
        return body
