"""The grid service app: its schema, migrations, consumers and background jobs on the shared
runtime."""

from __future__ import annotations

from xiangzhi_shared.cli import migrations_folder
from xiangzhi_shared.service import ServiceSpec, create_app

from .scheduler import EscalationScheduler
from .schema import build_schema
from .settings import GridSettings
from .ticket_feedback import ticket_feedback


def make_spec(settings: GridSettings | None = None) -> ServiceSpec:
    settings = settings or GridSettings()
    return ServiceSpec(
        settings=settings, schema=build_schema(), migrations=migrations_folder(__file__),
        consumers=[ticket_feedback],
        background=[lambda pool, s: EscalationScheduler(pool, settings.escalation_interval_s)],
    )


def app_factory():  # uvicorn --factory grid.app:app_factory
    return create_app(make_spec())
