"""Grid service settings: the shared ones with this service's defaults."""

from __future__ import annotations

from xiangzhi_shared.settings import ServiceSettings


class GridSettings(ServiceSettings):
    service_name: str = "grid"
    port: int = 4101
    database_url: str = "postgresql://xiangzhi@127.0.0.1:5432/grid"
    # How often the overdue scheduler looks for matters past their deadline.
    escalation_interval_s: float = 60.0
