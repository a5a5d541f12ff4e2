"""Dispatch service settings: the shared ones with this service's defaults."""

from __future__ import annotations

from xiangzhi_shared.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    service_name: str = "dispatch"
    port: int = 4102
    database_url: str = "postgresql://xiangzhi@127.0.0.1:5432/dispatch"
    # How often the overdue detector looks for tickets past their SLA deadline.
    overdue_interval_s: float = 60.0
