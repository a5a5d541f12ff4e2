"""Where everything lives. All state is under the repository (git-ignored .state/ and .cache/)
so two checkouts never share a cluster and `rm -rf .state` is a full reset."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # deploy/local
ROOT = HERE.parent.parent  # the repository
STATE = ROOT / ".state"
CACHE = ROOT / ".cache"
LOGS = STATE / "logs"
SECRETS = STATE / "secrets"
KEYS = STATE / "keys"
SEEDED = STATE / "seeded"  # one marker file per service whose seed has run on this database

PG_DATA = STATE / "pg"
KAFKA_STATE = STATE / "kafka"
KAFKA_DATA = KAFKA_STATE / "data"
KAFKA_PROPERTIES = KAFKA_STATE / "server.properties"
KAFKA_LIBS = CACHE / "kafka" / "libs"
KAFKA_TEMPLATES = HERE / "kafka"
PARTNER_SECRETS = SECRETS / "kafka"

SUPERVISOR_CONF = STATE / "supervisord.conf"
SUPERVISOR_SOCK = STATE / "supervisor.sock"
SUPERVISOR_PID = STATE / "supervisord.pid"

VENV_BIN = ROOT / ".venv" / "bin"

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ROLE = "xiangzhi"
# The four domain databases always exist; a service descriptor may name more.
DATABASES = ("grid", "dispatch", "shares", "coop")

KAFKA_PLAINTEXT = "127.0.0.1:9092"  # services (User:ANONYMOUS, super user)
KAFKA_CONTROLLER = "127.0.0.1:9093"
KAFKA_SASL = "127.0.0.1:9094"  # partners (SCRAM-SHA-512 + ACLs)
KAFKA_PORTS = (9092, 9093, 9094)
SCRAM_MECHANISM = "SCRAM-SHA-512"

JWKS_FILE = KEYS / "jwks.json"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")


def database_url(db: str) -> str:
    return f"postgresql://{PG_ROLE}@{PG_HOST}:{PG_PORT}/{db}"
