"""Jaeger, the trace backend of the local stack: built from the Go module proxy, cached.

Jaeger v2 is one Go program (an OpenTelemetry Collector distribution) with an OTLP receiver
and the query service. Its module, github.com/jaegertracing/jaeger, keeps `v1.x` module
versions for the v2 program (v1.76.0 is Jaeger v2.13.0), and its go.mod has a `replace`
directive, which `go install module@version` refuses. So the module's own source is taken
from the module cache (`go mod download`) and built as the main module: exactly the
dependency versions Jaeger pins in its go.mod/go.sum. The binary is kept in
.cache/bin/jaeger-<version>; once it is there nothing is built again.

The build takes minutes (see docs/operations.md), so only `stack up`/`stack run` without
--infra build and start Jaeger; CI's `stack up --infra` never does. Once the binary is cached
the program is always in supervisord's configuration (started or not), so a later
`up --infra` does not reconfigure, and restart, a running Jaeger or the services.

Binaries built from the module proxy serve Jaeger's placeholder page instead of the UI
(the UI's assets are built from the separate jaeger-ui JavaScript project, not part of the Go
module); the HTTP query API on the same port is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from . import paths
from .system import StackError, say

# Go module version of the newest release that builds here with -p=1 (Jaeger v2.13.0).
VERSION = os.environ.get("JAEGER_VERSION", "v1.76.0")
MODULE = "github.com/jaegertracing/jaeger"
CONFIG = paths.HERE / "jaeger" / "config.yaml"

OTLP_GRPC, OTLP_HTTP, QUERY_HTTP, QUERY_GRPC, HEALTH = 4317, 4318, 16686, 16685, 13133
PORTS = (OTLP_GRPC, OTLP_HTTP, QUERY_HTTP, QUERY_GRPC, HEALTH)
OTLP_ENDPOINT = f"http://127.0.0.1:{OTLP_HTTP}"  # services append /v1/traces
UI = f"http://127.0.0.1:{QUERY_HTTP}"


def disabled() -> bool:
    """STACK_JAEGER=0: this `up` neither builds nor starts Jaeger (the stack's own tests set
    it, so CI never waits for the build). It does not remove a Jaeger already configured:
    that would change the services' environment and restart them under whoever uses them."""
    return os.environ.get("STACK_JAEGER", "1") in ("0", "false", "no")


def binary() -> Path:
    return paths.CACHE / "bin" / f"jaeger-{VERSION}"


def available() -> bool:
    """Jaeger is part of the stack's configuration (a supervisord program, and the services
    export to it) once it is built."""
    return binary().is_file()


def command() -> list[str]:
    return [str(binary()), "--config", str(CONFIG)]


def _go() -> str:
    go = shutil.which("go") or ("/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go")
                                else None)
    if go is None:
        raise StackError("Go is needed once to build Jaeger from the Go module proxy (none on "
                         "PATH); install Go >= 1.24, or run without traces: STACK_JAEGER=0")
    return go


def ensure_binary() -> None:
    """Build .cache/bin/jaeger-<version> unless it is there. Reports the time it took."""
    if disabled() or binary().is_file():
        return
    go = _go()
    env = {**os.environ, "GOFLAGS": "-p=1 -buildvcs=false -trimpath", "CGO_ENABLED": "0",
           "GOTOOLCHAIN": "local"}  # the machine's 2 cores are shared: one package at a time
    say(f"building Jaeger {VERSION} from the Go module proxy (first `up` only; about 15 minutes "
        f"on 2 cores, cached in {binary().parent})")
    t0 = time.monotonic()
    r = subprocess.run([go, "mod", "download", "-json", f"{MODULE}@{VERSION}"], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise StackError(f"go mod download {MODULE}@{VERSION} failed:\n{r.stdout}{r.stderr}")
    source = json.loads(r.stdout)["Dir"]
    # The module cache is read-only; build a writable copy as the main module, so Jaeger's own
    # go.mod (with its replace directive) and go.sum decide every dependency version.
    work = paths.CACHE / "jaeger" / f"src-{VERSION}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work, copy_function=shutil.copy)
    for d, _, files in os.walk(work):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    tmp = binary().with_name(binary().name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    ldflags = f"-s -w -X {MODULE}/internal/version.latestVersion={VERSION}"
    r = subprocess.run([go, "build", "-ldflags", ldflags, "-o", str(tmp), "./cmd/jaeger"],
                       cwd=work, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise StackError(f"building Jaeger failed (source in {work}):\n{r.stderr[-4000:]}")
    tmp.rename(binary())  # only a complete binary ever has the final name
    shutil.rmtree(work, ignore_errors=True)
    say(f"built {binary()} in {time.monotonic() - t0:.0f}s")


def ready() -> bool:
    """The health extension reports the pipeline running, and the query API answers."""
    try:
        for url in (f"http://127.0.0.1:{HEALTH}/status", f"{UI}/api/services"):
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (loopback only)
                if r.status != 200:
                    return False
        return True
    except Exception:
        return False
