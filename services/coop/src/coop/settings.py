"""Coop service settings: the shared ones with this service's defaults."""

from __future__ import annotations

from xiangzhi_shared.settings import ServiceSettings


class CoopSettings(ServiceSettings):
    service_name: str = "coop"
    port: int = 4104
    database_url: str = "postgresql://xiangzhi@127.0.0.1:5432/coop"
