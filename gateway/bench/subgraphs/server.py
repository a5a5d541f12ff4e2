"""The benchmark subgraphs' HTTP front: what every gateway under test talks to.

The subgraphs must cost as little as possible, and the same for every gateway, so that the
gateway is what is measured. The data never changes and a gateway sends the same few request
bodies over and over, so each distinct (path, body) is executed once, for real, by
resolver.mjs (graphql-js federation subgraphs) and its bytes are kept; repeats are answered
from memory. This memoisation is in the subgraphs only, never in a gateway under test.

Why Python here and not Node: measured on this machine with the same memoised answers (oha,
50 connections, server pinned to a core of its own), Node's http server answered 36k req/s
for a small entity answer and 25k req/s for a 41 kB one; this asyncio protocol on uvloop with
httptools' parser answered 94k and 61k (see gateway/BENCH.md).

Usage: server.py <port> <resolver base URL>; GET /healthz reports counters as JSON."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from collections import deque

import httptools
import uvloop

MAX_MEMO = 10_000  # distinct bodies kept; beyond that every answer is computed

memo: dict[bytes, bytes] = {}
counters = {"served": 0, "computed": 0}


def _response(body: bytes, status: bytes = b"200 OK") -> bytes:
    return (b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


class Subgraphs(asyncio.Protocol):
    resolver = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.body: list[bytes] = []
        # Answers in request order even when one must be computed first (pipelining).
        self.queue: deque[bytes | asyncio.Future[bytes]] = deque()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.write(_response(b"{}", b"400 Bad Request"))
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        url, body = self.url, b"".join(self.body)
        self.url, self.body = b"", []
        if self.parser.get_method() == b"GET" and url == b"/healthz":
            self._answer(_response(json.dumps({**counters, "memo": len(memo)}).encode()))
            return
        key = url + b"\n" + body
        answer = memo.get(key)
        if answer is None:
            future = asyncio.get_running_loop().run_in_executor(None, _compute, url, body)
            future.add_done_callback(lambda f, k=key: _keep(k, f))
            self._answer(future)
        else:
            self._answer(answer)

    def _answer(self, answer: bytes | asyncio.Future[bytes]) -> None:
        counters["served"] += 1
        self.queue.append(answer)
        if isinstance(answer, asyncio.Future):
            answer.add_done_callback(lambda _f: self._flush())
        self._flush()

    def _flush(self) -> None:
        while self.queue:
            head = self.queue[0]
            if isinstance(head, asyncio.Future):
                if not head.done():
                    return
                head = head.result() if head.exception() is None else _response(
                    b'{"errors":[{"message":"subgraph resolver failed"}]}', b"502 Bad Gateway")
            self.queue.popleft()
            if not self.transport.is_closing():
                self.transport.write(head)


def _compute(url: bytes, body: bytes) -> bytes:
    counters["computed"] += 1
    request = urllib.request.Request(Subgraphs.resolver + url.decode(), data=body,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return _response(response.read())


def _keep(key: bytes, future: asyncio.Future[bytes]) -> None:
    if future.exception() is None and len(memo) < MAX_MEMO:
        memo[key] = future.result()


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Subgraphs, "127.0.0.1", port, backlog=1024)
    print(f"subgraphs listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    Subgraphs.resolver = sys.argv[2].rstrip("/")
    try:
        uvloop.run(main(int(sys.argv[1])))
    except KeyboardInterrupt:
        pass
