"""The shares service app: its schema, migrations and the co-op settlement consumer."""

from __future__ import annotations

from xiangzhi_shared.cli import migrations_folder
from xiangzhi_shared.service import ServiceSpec, create_app

from .schema import build_schema
from .settings import SharesSettings
from .settlements import settlement_consumer


def make_spec(settings: SharesSettings | None = None) -> ServiceSpec:
    settings = settings or SharesSettings()
    return ServiceSpec(
        settings=settings, schema=build_schema(), migrations=migrations_folder(__file__),
        consumers=[lambda pool, s, metrics: settlement_consumer(pool, settings, metrics)],
    )


def app_factory():  # uvicorn --factory shares.app:app_factory
    return create_app(make_spec())
