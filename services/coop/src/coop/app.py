"""The coop service app: its schema and migrations on the shared runtime."""

from __future__ import annotations

from xiangzhi_shared.cli import migrations_folder
from xiangzhi_shared.service import ServiceSpec, create_app

from .schema import build_schema
from .settings import CoopSettings


def make_spec(settings: CoopSettings | None = None) -> ServiceSpec:
    return ServiceSpec(settings=settings or CoopSettings(), schema=build_schema(),
                       migrations=migrations_folder(__file__))


def app_factory():  # uvicorn --factory coop.app:app_factory
    return create_app(make_spec())
