"""Fixtures: the county subgraphs served by uvicorn on 127.0.0.1 (ephemeral ports, in a
thread with its own event loop, so synchronous HTTP test clients cannot block them), the
supergraph pointing at them, and gateways over it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from gateway.config import GatewaySettings
from gateway.pipeline import Gateway
from gateway.supergraph import Supergraph, parse_supergraph

from .subgraphs import county as county_subgraphs

FIXTURES = Path(__file__).parent / "fixtures"


class SubgraphServers:
    def __init__(self, apps: dict[str, object]) -> None:
        self.apps = apps
        self.urls: dict[str, str] = {}
        self._servers: list[uvicorn.Server] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        for app in self.apps.values():
            config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                    lifespan="off")
            self._servers.append(uvicorn.Server(config))
        await asyncio.gather(*(s.serve() for s in self._servers))

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not (len(self._servers) == len(self.apps) and all(s.started for s in self._servers)):
            if time.monotonic() > deadline:
                raise RuntimeError("subgraphs did not start")
            time.sleep(0.05)
        for name, server in zip(self.apps, self._servers, strict=True):
            port = server.servers[0].sockets[0].getsockname()[1]
            self.urls[name] = f"http://127.0.0.1:{port}/graphql"

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def county() -> Iterator[county_subgraphs.County]:
    yield county_subgraphs.County()


@pytest.fixture(scope="session")
def subgraph_urls(county: county_subgraphs.County) -> Iterator[dict[str, str]]:
    servers = SubgraphServers({
        "accounts": county_subgraphs.accounts(county),
        "matters": county_subgraphs.matters(county),
        "grid": county_subgraphs.grid(county),
    })
    servers.start()
    yield servers.urls
    servers.stop()


def county_supergraph_sdl(urls: dict[str, str]) -> str:
    sdl = (FIXTURES / "county.supergraph.graphql").read_text(encoding="utf-8")
    for name, url in urls.items():
        sdl = sdl.replace("{" + name + "}", url)
    return sdl


@pytest.fixture(scope="session")
def supergraph(subgraph_urls: dict[str, str]) -> Supergraph:
    return parse_supergraph(county_supergraph_sdl(subgraph_urls))


@pytest.fixture(scope="session")
def offline_supergraph() -> Supergraph:
    """The same supergraph with unroutable-free placeholder URLs: for planning-only tests."""
    return parse_supergraph(county_supergraph_sdl({
        "accounts": "http://127.0.0.1:9/accounts", "matters": "http://127.0.0.1:9/matters",
        "grid": "http://127.0.0.1:9/grid",
    }))


@pytest.fixture
async def gateway(supergraph: Supergraph) -> Gateway:
    gw = Gateway(supergraph, GatewaySettings())
    yield gw
    await gw.aclose()
