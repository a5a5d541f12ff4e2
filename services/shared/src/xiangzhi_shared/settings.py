"""Typed settings read from the environment, with safe defaults for the local stack."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings every service reads. A service subclasses this only to add its own fields.

    Field names map one-to-one to upper-case environment variables (`database_url` ->
    `DATABASE_URL`); the Helm chart's policy check compares its env entries with these.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = "xiangzhi"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"

    database_url: str = "postgresql://xiangzhi@127.0.0.1:5432/xiangzhi"
    database_pool_min: int = 1
    database_pool_max: int = 10
    # Dev applies migrations at start; Kubernetes runs them once in a Job and sets this false.
    migrate_on_start: bool = True

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Local: PLAINTEXT. In a cluster each service logs in as its own Kafka user (Strimzi
    # KafkaUser: SCRAM-SHA-512 over TLS), so its ACLs apply.
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    # The relay can be turned off, e.g. in a test that stops it on purpose.
    relay_enabled: bool = True
    relay_batch_size: int = Field(default=200, ge=1)
    relay_poll_interval_ms: int = Field(default=200, ge=10)
    consumers_enabled: bool = True

    # JWT verification: a JWKS document from a file (local stack) or a URL (cluster).
    jwks_file: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str = "xiangzhi-local"
    jwt_audience: str = "xiangzhi"

    # OpenTelemetry: export is off unless an endpoint is set.
    otel_exporter_otlp_endpoint: str | None = None
    otel_resource_attributes: str | None = None


def kafka_options(settings: ServiceSettings) -> dict[str, Any]:
    """Connection options for every aiokafka client a service opens (producer, consumer,
    admin, readiness), so all of them log in the same way."""
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap_servers,
                               "security_protocol": settings.kafka_security_protocol}
    if settings.kafka_sasl_mechanism:
        options.update(sasl_mechanism=settings.kafka_sasl_mechanism,
                       sasl_plain_username=settings.kafka_sasl_username,
                       sasl_plain_password=settings.kafka_sasl_password)
    if settings.kafka_security_protocol.endswith("SSL"):
        from aiokafka.helpers import create_ssl_context

        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    return options
