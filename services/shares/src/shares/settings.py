"""Shares service settings: the shared ones with this service's defaults."""

from __future__ import annotations

from xiangzhi_shared.settings import ServiceSettings


class SharesSettings(ServiceSettings):
    service_name: str = "shares"
    port: int = 4103
    database_url: str = "postgresql://xiangzhi@127.0.0.1:5432/shares"
    # The co-op's settlement events; a test points this at a scratch topic.
    settlement_topic: str = "coop.settlement.v1"
    dead_letter_topic: str = "dlq.shares.v1"
