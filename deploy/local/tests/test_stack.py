"""The `stack` command itself: idempotent fast `up`, status, credentials, port conflicts,
and a discovered application program (descriptor → supervisord program → env → seed)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from stacktest_helpers import STACK
from xzstack import paths


def stack(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    # STACK_JAEGER=0: `up <name>` must not build Jaeger (minutes) inside these tests.
    return subprocess.run([str(STACK), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "STACK_JAEGER": "0", **(env or {})})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_second_up_reuses_the_running_stack_quickly():
    pids_before = {p: _pid(p) for p in ("postgres", "kafka")}
    t0 = time.monotonic()
    r = stack("up", "--infra")
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert elapsed < 5, f"up took {elapsed:.1f}s with everything running"
    assert {p: _pid(p) for p in ("postgres", "kafka")} == pids_before  # nothing restarted


def test_status_reports_infrastructure_healthy():
    r = stack("status")
    # exit 0 exactly when nothing is failing (services being developed may be FATAL here)
    assert (r.returncode == 0) == ("FAILING" not in r.stdout and "NOT READY" not in r.stdout)
    rows = {line.split()[0]: line.split()[1:3] for line in r.stdout.splitlines()[1:]}
    assert rows["postgres"] == ["RUNNING", "ok"]
    assert rows["kafka"] == ["RUNNING", "ok"]


def test_partner_credentials_command(catalogue):
    code = catalogue.partners[-1]
    r = stack("partner-credentials", code, "--json")
    assert r.returncode == 0, r.stderr
    creds = json.loads(r.stdout)
    assert creds["bootstrap"] == "127.0.0.1:9094"
    assert creds["mechanism"] == "SCRAM-SHA-512"
    assert creds["username"] == code
    assert len(creds["password"]) >= 24
    secret = paths.PARTNER_SECRETS / f"{code}.password"
    assert secret.read_text().strip() == creds["password"]
    assert secret.stat().st_mode & 0o077 == 0  # readable by its owner only
    plain = stack("partner-credentials", code).stdout.splitlines()
    assert f"password={creds['password']}" in plain and "bootstrap=127.0.0.1:9094" in plain
    bad = stack("partner-credentials", "no-such-partner")
    assert bad.returncode == 1 and "unknown partner" in bad.stderr


def _pid(name: str) -> int:
    from xzstack import procs

    return procs.info()[name]["pid"]


def _descriptor(root: Path, name: str, port: int, extra: str = "") -> Path:
    """A throwaway program: Python's http.server, whose folder holds a file named `readyz`,
    so GET /readyz answers 200 like a real service. Its seed records the environment."""
    web = root / "web"
    web.mkdir(exist_ok=True)
    (web / "readyz").write_text("ok")
    seed = (f"import json, os; json.dump(dict(os.environ), open({str(root / 'seed.json')!r}, 'w'))")
    d = root / "services" / name
    d.mkdir(parents=True)
    (d / "service.toml").write_text(
        f'port = {port}\n'
        f'database = "grid"\n'
        f'command = [{sys.executable!r}, "-m", "http.server", "{port}", "--bind", "127.0.0.1",'
        f' "--directory", {str(web)!r}]\n'
        f'seed = [{sys.executable!r}, "-c", {seed!r}]\n'
        f'{extra}\n'
        f'[env]\nSTACKTEST_EXTRA = "yes"\n')
    return d


@pytest.fixture
def throwaway(tmp_path):
    name = f"stacktest{os.getpid()}"
    yield tmp_path, name
    # Without STACK_EXTRA_APPS the program is no longer configured: `up` removes it.
    assert stack("up", "--infra").returncode == 0
    (paths.SEEDED / name).unlink(missing_ok=True)
    (paths.LOGS / f"{name}.log").unlink(missing_ok=True)
    (paths.LOGS / f"{name}-seed.log").unlink(missing_ok=True)


def test_port_taken_by_another_process_is_named(throwaway):
    root, name = throwaway
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        _descriptor(root, name, port)
        r = stack("up", name, env={"STACK_EXTRA_APPS": str(root)})
    assert r.returncode == 1
    assert f"port {port} ({name}) is taken by pid {os.getpid()}" in r.stderr


def test_discovered_program_is_started_seeded_and_restarted_after_a_crash(throwaway):
    from xzstack import procs

    root, name = throwaway
    port = free_port()
    _descriptor(root, name, port)
    r = stack("up", name, env={"STACK_EXTRA_APPS": str(root)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"http://127.0.0.1:{port}/graphql" in r.stdout
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as resp:
        assert resp.status == 200

    env = json.loads((root / "seed.json").read_text())  # the seed ran with the service's env
    assert env["SERVICE_NAME"] == name
    assert env["PORT"] == str(port)
    assert env["DATABASE_URL"] == "postgresql://xiangzhi@127.0.0.1:5432/grid"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9092"
    assert env["JWKS_FILE"] == str(paths.JWKS_FILE) and Path(env["JWKS_FILE"]).exists()
    assert env["LOG_LEVEL"] and env["STACKTEST_EXTRA"] == "yes"

    # A second up starts nothing and does not seed again.
    (root / "seed.json").unlink()
    pid = procs.info()[name]["pid"]
    assert stack("up", name, env={"STACK_EXTRA_APPS": str(root)}).returncode == 0
    assert procs.info()[name]["pid"] == pid
    assert not (root / "seed.json").exists()

    # Crash it: supervisord starts it again.
    os.kill(pid, 9)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        p = procs.info()[name]
        if p["statename"] == "RUNNING" and p["pid"] not in (0, pid):
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"{name} was not restarted: {procs.info()[name]}")
    assert stack("status", env={"STACK_EXTRA_APPS": str(root)}).returncode in (0, 1)
