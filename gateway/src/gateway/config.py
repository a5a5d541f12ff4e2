"""Gateway settings from the environment (prefix `GATEWAY_`), with safe defaults for the local
stack. Everything a deployment may need to change is here; nothing else reads the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    supergraph_path: str = "gateway/supergraph.graphql"
    host: str = "127.0.0.1"
    port: int = 4000

    # Request limits, enforced before planning.
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    max_depth: int = Field(default=32, ge=1)
    max_aliases: int = Field(default=64, ge=0)
    max_tokens: int = Field(default=5_000, ge=1)
    max_fields: int = Field(default=20_000, ge=1)  # after fragment expansion

    # Subgraph HTTP.
    subgraph_timeout_seconds: float = Field(default=30.0, gt=0)
    # Per-subgraph overrides, e.g. GATEWAY_SUBGRAPH_TIMEOUTS='{"grid": 5}'.
    subgraph_timeouts: dict[str, float] = Field(default_factory=dict)
    # Where each subgraph is in this deployment, overriding the supergraph's (local) URLs:
    # GATEWAY_SUBGRAPH_URLS='{"grid": "http://xiangzhi-grid:4101/graphql"}'.
    subgraph_urls: dict[str, str] = Field(default_factory=dict)
    max_subgraph_connections: int = Field(default=256, ge=1)

    # Client headers copied to subgraph requests (lower-case names). `authorization` is
    # always forwarded: subgraphs verify the caller's token themselves.
    forward_headers: tuple[str, ...] = ()

    # Debug: when true, a request with header `x-gateway-plan: 1` gets its plan in
    # `extensions.queryPlan`. Off in production.
    expose_query_plan: bool = False

    # Inbound in-flight deduplication: identical concurrent requests (same document,
    # variables, operation name and Authorization header) share one execution.
    dedupe_inflight: bool = False

    plan_cache_size: int = Field(default=1_000, ge=1)
    # `gateway serve` freezes start-up objects out of the garbage collector and collects
    # less often (server/runtime.py); off only to compare.
    tune_gc: bool = True
    graphiql: bool = True

    # JWT verification is on only when a JWKS is configured (these mirror the shared
    # ServiceSettings fields so one environment serves the services and the gateway).
    jwks_file: str | None = Field(default=None, validation_alias="JWKS_FILE")
    jwks_url: str | None = Field(default=None, validation_alias="JWKS_URL")
    jwt_issuer: str = Field(default="xiangzhi-local", validation_alias="JWT_ISSUER")
    jwt_audience: str = Field(default="xiangzhi", validation_alias="JWT_AUDIENCE")

    # OpenTelemetry, under the same names every service reads (export off unless set).
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_resource_attributes: str | None = Field(
        default=None, validation_alias="OTEL_RESOURCE_ATTRIBUTES")
