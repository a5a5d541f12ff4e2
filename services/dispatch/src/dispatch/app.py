"""The dispatch service app: its schema, migrations, consumers and background jobs."""

from __future__ import annotations

from xiangzhi_shared.cli import migrations_folder
from xiangzhi_shared.service import ServiceSpec, create_app

from .intake import matter_intake
from .partner_updates import partner_updates
from .scheduler import OverdueDetector
from .schema import build_schema
from .settings import DispatchSettings


def make_spec(settings: DispatchSettings | None = None) -> ServiceSpec:
    settings = settings or DispatchSettings()
    return ServiceSpec(
        settings=settings, schema=build_schema(), migrations=migrations_folder(__file__),
        consumers=[matter_intake, partner_updates],
        background=[lambda pool, s: OverdueDetector(pool, settings.overdue_interval_s)],
    )


def app_factory():  # uvicorn --factory dispatch.app:app_factory
    return create_app(make_spec())
