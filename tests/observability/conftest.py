"""Fixtures of the observability tests: a real OTLP receiver for the whole session.

Reuse: any test that needs traces (the cross-gateway trace test too) takes the
`otlp_receiver` fixture and either points a service process at `otlp_receiver.endpoint`
(OTEL_EXPORTER_OTLP_ENDPOINT, as the local stack does with Jaeger) or wraps in-process apps in
`otlp_receiver.export_spans_to(receiver, settings)`.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

sys.path.insert(0, str(Path(__file__).resolve().parent))  # otlp_receiver, beside this file

from otlp_receiver import OtlpReceiver  # noqa: E402


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def otlp_receiver() -> AsyncIterator[OtlpReceiver]:
    async with OtlpReceiver.running() as receiver:
        yield receiver
