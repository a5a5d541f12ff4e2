"""Application programs are discovered, not listed here: every services/<name>/service.toml
(and gateway/service.toml) describes how the stack runs that program. See the README section
"Adding a service" for the format."""

from __future__ import annotations

import os
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import jaeger, paths
from .system import StackError

RESERVED = {"postgres", "kafka", "jaeger", "supervisord"}
INFRA_PORTS = {paths.PG_PORT, *paths.KAFKA_PORTS, *jaeger.PORTS}


@dataclass(frozen=True)
class App:
    name: str
    port: int
    command: list[str]
    ready: str
    database: str | None
    seed: list[str] | None
    env: dict[str, str] = field(default_factory=dict)
    is_gateway: bool = False
    source: Path | None = None

    def environment(self, otlp_endpoint: str | None = None) -> dict[str, str]:
        """What the program sees: the ServiceSettings fields (env var = upper-cased field
        name, services/shared/src/xiangzhi_shared/settings.py) plus the descriptor's [env].
        With a trace backend running, OTEL_EXPORTER_OTLP_ENDPOINT points at it (the
        descriptor's [env] can still override it)."""
        env = {
            "SERVICE_NAME": self.name,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "KAFKA_BOOTSTRAP_SERVERS": paths.KAFKA_PLAINTEXT,
            "JWKS_FILE": str(paths.JWKS_FILE),
            "LOG_LEVEL": paths.LOG_LEVEL,
            "PYTHONUNBUFFERED": "1",
        }
        if self.database:
            env["DATABASE_URL"] = paths.database_url(self.database)
        if otlp_endpoint:
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp_endpoint
        return {**env, **self.env}


def _argv(value: str | list[str]) -> list[str]:
    argv = shlex.split(value) if isinstance(value, str) else [str(a) for a in value]
    # Relative program paths (".venv/bin/python") are taken from the repository root.
    if argv and "/" in argv[0] and not argv[0].startswith("/"):
        argv[0] = str(paths.ROOT / argv[0])
    return argv


def load(descriptor: Path, *, default_name: str, is_gateway: bool = False) -> App:
    try:
        raw = tomllib.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise StackError(f"{descriptor}: {e}") from e
    name = str(raw.get("name", default_name))
    if name in RESERVED:
        raise StackError(f"{descriptor}: name {name!r} is reserved")
    if "port" not in raw:
        raise StackError(f"{descriptor}: `port` is required")
    port = int(raw["port"])
    if port in INFRA_PORTS:
        raise StackError(f"{descriptor}: port {port} belongs to PostgreSQL/Kafka/Jaeger")
    module = str(raw.get("module", name))
    command = _argv(raw.get("command", f".venv/bin/python -m {module}"))
    seed = raw.get("seed")
    database = raw.get("database", None if is_gateway else name)
    return App(
        name=name, port=port, command=command,
        ready=str(raw.get("ready", f"http://127.0.0.1:{port}/readyz")),
        database=str(database) if database else None,
        seed=_argv(seed) if seed else None,
        env={str(k): str(v) for k, v in raw.get("env", {}).items()},
        is_gateway=is_gateway, source=descriptor,
    )


def gateway_default() -> App | None:
    """The gateway without a descriptor: once gateway/supergraph.graphql exists, run it the
    documented way. A gateway/service.toml overrides this."""
    if not (paths.ROOT / "gateway" / "supergraph.graphql").exists():
        return None
    return App(
        name="gateway", port=4000,
        command=_argv(".venv/bin/python -m gateway serve "
                      "--supergraph gateway/supergraph.graphql --port 4000"),
        ready="http://127.0.0.1:4000/readyz", database=None, seed=None, is_gateway=True)


def discover() -> list[App]:
    """Services (sorted by name), then the gateway.

    STACK_EXTRA_APPS may name a folder with the same services/<name>/service.toml layout
    whose programs are added: the stack's own tests run a throwaway program that way, and it
    lets you try a descriptor before adding it. Commands still run from the repository."""
    roots = [paths.ROOT / "services"]
    if os.environ.get("STACK_EXTRA_APPS"):
        roots.append(Path(os.environ["STACK_EXTRA_APPS"]) / "services")
    found = [load(d, default_name=d.parent.name)
             for root in roots for d in sorted(root.glob("*/service.toml"))]
    gw = paths.ROOT / "gateway" / "service.toml"
    gateway = load(gw, default_name="gateway", is_gateway=True) if gw.exists() else gateway_default()
    if gateway:
        found.append(gateway)
    found.sort(key=lambda a: (a.is_gateway, a.name))
    names = [a.name for a in found]
    ports = [a.port for a in found]
    for what, values in (("name", names), ("port", ports)):
        dup = {v for v in values if values.count(v) > 1}
        if dup:
            raise StackError(f"two service descriptors use the same {what}: {sorted(dup)}")
    return found
