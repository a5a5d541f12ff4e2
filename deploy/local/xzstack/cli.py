"""deploy/local/stack: bring the local stack up, run it, stop it, look at it."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from . import apps as apps_mod
from . import jaeger, kafka, keys, paths, postgres, procs, provision
from .apps import App
from .system import StackError, alive, cmdline, descends_from, pids_with_arg, port_holder, say

INFRA = ("postgres", "kafka")
APPS_JSON = paths.STATE / "apps.json"


# --- health ------------------------------------------------------------------------------

def http_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (loopback only)
            return r.status == 200
    except Exception:
        return False


def health_check(name: str, ready_urls: dict[str, str]) -> Callable[[], bool]:
    if name == "postgres":
        return postgres.ready
    if name == "kafka":
        return kafka.ready
    if name == "jaeger":
        return jaeger.ready
    return lambda: http_ready(ready_urls[name])


def recorded_ready_urls() -> dict[str, str]:
    try:
        return json.loads(APPS_JSON.read_text())
    except (OSError, ValueError):
        return {}


def tail(path: Path, n: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log yet)"


def wait_healthy(name: str, check: Callable[[], bool], timeout: float) -> None:
    """Poll until healthy; fail early if supervisord gave up on the program (FATAL)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return
        state = procs.info().get(name, {}).get("statename")
        if state in ("FATAL", "STOPPED", "EXITED"):
            break
        time.sleep(0.5)
    log = paths.LOGS / f"{name}.log"
    raise StackError(f"{name} is not healthy after {time.monotonic() - t0:.0f}s "
                     f"(state {procs.info().get(name, {}).get('statename')}); last lines of "
                     f"{log}:\n{tail(log)}")


# --- ports and leftovers -----------------------------------------------------------------

def check_ports(progs: list[procs.Program], sup_pid: int) -> None:
    """Every port we are about to use is free or held by a process under our supervisord."""
    problems = []
    for prog in progs:
        for port in prog.ports:
            pid = port_holder(port)
            if pid is None or (pid and descends_from(pid, sup_pid)):
                continue
            who = f"pid {pid}: {cmdline(pid)}" if pid else "a process we cannot see"
            hint = ""
            if prog.name == "postgres" and "/var/lib/postgresql" in cmdline(pid or 0):
                hint = " (a distro cluster: `pg_ctlcluster <version> main stop`)"
            problems.append(f"port {port} ({prog.name}) is taken by {who}{hint}")
    if problems:
        raise StackError("cannot start, ports in use by something that is not this stack:\n  "
                         + "\n  ".join(problems))


def leftovers() -> list[tuple[str, int]]:
    """Our own PostgreSQL / Kafka still running without a supervisord (e.g. it was killed).
    Recognised by our own absolute paths, never by a process name."""
    found = []
    pidfile = paths.PG_DATA / "postmaster.pid"
    if pidfile.exists():
        try:
            pid = int(pidfile.read_text().split()[0])
            if alive(pid) and str(paths.PG_DATA) in cmdline(pid):
                found.append(("postgres", pid))
        except (OSError, ValueError, IndexError):
            pass
    found += [("kafka", pid) for pid in pids_with_arg(str(paths.KAFKA_PROPERTIES))]
    found += [("jaeger", pid) for pid in pids_with_arg(str(jaeger.CONFIG))]  # this checkout's
    return found


def stop_leftovers() -> None:
    for name, pid in leftovers():
        say(f"stopping {name} (pid {pid}) left running without supervisord")
        os.kill(pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
        for _ in range(600):
            if not alive(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)


# --- up ----------------------------------------------------------------------------------

def prepare(apps: list[App], build_jaeger: bool = False) -> tuple[bool, bool]:
    """Everything before processes start: installs, first-time initialisation, config files.
    Each step is a cheap check when already done."""
    for d in (paths.STATE, paths.LOGS, paths.CACHE):
        d.mkdir(parents=True, exist_ok=True)
    keys.ensure()
    if build_jaeger:  # before the config is written: the services' environment depends on it
        jaeger.ensure_binary()
    jars_changed = kafka.ensure_jars()
    hba_changed = postgres.ensure_cluster()
    props_changed = kafka.write_properties() or jars_changed
    kafka.ensure_formatted()
    procs.write_config(procs.programs(apps))
    # `status` checks the health of what `up` configured, without rediscovering.
    APPS_JSON.write_text(json.dumps({a.name: a.ready for a in apps}, indent=1))
    return hba_changed, props_changed


def up(infra_only: bool, foreground: bool = False,
       only: list[str] | None = None) -> subprocess.Popen | None:
    """Start what is stopped, in order, each once the previous is healthy. `only` limits the
    application programs started to those named (infrastructure always starts)."""
    t0 = time.monotonic()
    apps = apps_mod.discover()
    unknown = set(only or ()) - {a.name for a in apps}
    if unknown:
        raise StackError(f"no service descriptor for {sorted(unknown)}")
    started = [a for a in apps if not infra_only and (not only or a.name in only)]
    hba_changed, props_changed = prepare(apps, build_jaeger=not infra_only)
    tracing = not infra_only and not jaeger.disabled() and jaeger.available()
    child = None
    sup_pid = procs.supervisord_pid()
    if sup_pid is None:
        stop_leftovers()
        child = procs.start_supervisord(foreground)
        sup_pid = procs.supervisord_pid()
    else:
        procs.apply_config()
    try:
        wanted = [*INFRA, *(["jaeger"] if tracing else []), *(a.name for a in started)]
        progs = {p.name: p for p in procs.programs(apps)}
        check_ports([progs[n] for n in wanted], sup_pid or 0)

        if hba_changed and procs.is_running("postgres"):
            procs.rpc().signalProcess("postgres", "HUP")  # reload pg_hba.conf
        procs.start("postgres")
        wait_healthy("postgres", postgres.ready, 60)
        dbs = list(dict.fromkeys([*paths.DATABASES, *(a.database for a in apps if a.database)]))
        postgres.ensure_role_and_databases(dbs)

        if props_changed and procs.is_running("kafka"):
            say("Kafka's jars or server.properties changed: restarting kafka")
            procs.restart("kafka")
        procs.start("kafka")
        wait_healthy("kafka", kafka.ready, 120)
        provision.provision()

        if tracing:  # before the services, so their first spans have somewhere to go
            procs.start("jaeger")
            wait_healthy("jaeger", jaeger.ready, 60)

        # Services first (in parallel), their seeds, then the gateway in front of them.
        urls = {a.name: a.ready for a in apps}
        for group in ([a for a in started if not a.is_gateway], [a for a in started if a.is_gateway]):
            for a in group:
                procs.start(a.name)
            failures = []
            for a in group:  # report every program that fails, not just the first
                try:
                    wait_healthy(a.name, health_check(a.name, urls), 90)
                except StackError as e:
                    failures.append(str(e))
            if failures:
                raise StackError("\n\n".join(failures))
            for a in group:
                seed(a)
    except BaseException:
        if child is not None:  # `run` started supervisord: take it down with us
            child.terminate()
            child.wait()
        raise
    print_addresses(started, tracing)
    say(f"up in {time.monotonic() - t0:.1f}s")
    return child


def seed(app: App, force: bool = False) -> None:
    """Run the service's one-shot seed once per database (marker in .state/seeded/; a new
    PostgreSQL cluster clears them). Seeds must be idempotent anyway."""
    marker = paths.SEEDED / app.name
    if not app.seed or (marker.exists() and not force):
        return
    say(f"seeding {app.name}")
    log = paths.LOGS / f"{app.name}-seed.log"
    with log.open("a") as out:
        r = subprocess.run(app.seed, cwd=paths.ROOT, env={**os.environ, **app.environment()},
                           stdout=out, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise StackError(f"seed of {app.name} failed (exit {r.returncode}); last lines of "
                         f"{log}:\n{tail(log)}")
    paths.SEEDED.mkdir(parents=True, exist_ok=True)
    marker.touch()


def print_addresses(apps: list[App], tracing: bool = False) -> None:
    dbs = ",".join(paths.DATABASES)
    print(f"  PostgreSQL  postgresql://{paths.PG_ROLE}@{paths.PG_HOST}:{paths.PG_PORT}/{{{dbs}}}")
    print(f"  Kafka       {paths.KAFKA_PLAINTEXT} (PLAINTEXT, services)   {paths.KAFKA_SASL} "
          f"(SASL_PLAINTEXT {paths.SCRAM_MECHANISM}, partners: `stack partner-credentials <code>`)")
    for a in apps:
        label = "GraphiQL" if a.is_gateway else "subgraph"
        print(f"  {a.name:<11} http://127.0.0.1:{a.port}/graphql ({label})")
    if tracing:
        print(f"  Jaeger      {jaeger.UI} (traces; query API {jaeger.UI}/api/traces?service=<name>; "
              f"OTLP in at {jaeger.OTLP_ENDPOINT})")
    print(f"  logs        {paths.LOGS}/   (`stack logs [component]`)")


# --- commands ----------------------------------------------------------------------------

def cmd_up(args) -> int:
    up(args.infra, only=args.names)
    return 0


def cmd_run(args) -> int:
    """Like up, then stay in the foreground until Ctrl-C, which stops everything."""
    child = None
    try:
        child = up(args.infra, foreground=True, only=args.names)
        say("running; Ctrl-C stops everything")
        if child is not None:
            child.wait()  # ends when supervisord does (Ctrl-C, or `stack down` elsewhere)
        else:
            while procs.supervisord_pid() is not None:
                time.sleep(2)
    except KeyboardInterrupt:
        if child is not None:
            if child.poll() is None:
                child.terminate()  # it usually got the terminal's SIGINT too
            child.wait()
        else:
            procs.shutdown()
        say("stopped")
    return 0


def cmd_down(args) -> int:
    if procs.supervisord_pid() is None:
        say("supervisord is not running")
    else:
        procs.shutdown()
    stop_leftovers()
    return 0


def cmd_status(args) -> int:
    if procs.supervisord_pid() is None:
        say("down (supervisord is not running)")
        return 3
    urls = recorded_ready_urls()
    known = {"postgres", "kafka", "jaeger", *urls}
    healthy = True
    print(f"{'component':<12}{'state':<10}{'health':<10}detail")
    for name, p in procs.info().items():
        if p["statename"] == "RUNNING" and name in known:
            ok = health_check(name, urls)()
            health = "ok" if ok else "NOT READY"
        else:  # STOPPED = not started (e.g. `up --infra`); FATAL/BACKOFF = failing
            ok = p["statename"] in ("STOPPED", "STARTING")
            health = "-" if ok else "FAILING"
        healthy &= ok
        print(f"{name:<12}{p['statename']:<10}{health:<10}{p['description']}")
    return 0 if healthy else 1


def cmd_logs(args) -> int:
    if args.component:
        files = [paths.LOGS / f"{args.component}.log"]
        if not files[0].exists():
            names = sorted(f.stem for f in paths.LOGS.glob("*.log"))
            raise StackError(f"no log {files[0]}; have: {', '.join(names)}")
    else:
        files = sorted(paths.LOGS.glob("*.log"))
    os.execvp("tail", ["tail", "-n", str(args.lines), *(["-F"] if not args.no_follow else []),
                       *map(str, files)])


def cmd_partner_credentials(args) -> int:
    creds = provision.partner_credentials(args.code)
    if args.json:
        print(json.dumps(creds))
    else:
        for k, v in creds.items():
            print(f"{k}={v}")
    return 0


def cmd_psql(args) -> int:
    argv = postgres.psql_args(args.db)
    os.execv(argv[0], argv + args.psql_args)


def cmd_provision(args) -> int:
    if not kafka.ready():
        raise StackError("Kafka is not running: `stack up --infra` first")
    provision.provision(force=True)
    return 0


def cmd_seed(args) -> int:
    for a in apps_mod.discover():
        if not args.name or a.name in args.name:
            seed(a, force=True)
    return 0


def cmd_component(args) -> int:
    """stop | start | restart one component; start and restart wait until it is healthy
    (tests use this to take the broker away under a running relay)."""
    urls = recorded_ready_urls()
    if args.component not in {*INFRA, *urls, *(["jaeger"] if jaeger.available() else [])}:
        raise StackError(f"unknown component {args.component!r}")
    if args.cmd == "stop":
        procs.stop(args.component)
        return 0
    if args.cmd == "restart":
        procs.restart(args.component)
    else:
        procs.start(args.component)
    wait_healthy(args.component, health_check(args.component, urls), 120)
    say(f"{args.component} {args.cmd}ed and healthy")
    return 0


def cmd_reset(args) -> int:
    if procs.supervisord_pid() is not None or leftovers():
        raise StackError("the stack is running: `stack down` first")
    if args.what in ("pg", "all"):
        shutil.rmtree(paths.PG_DATA, ignore_errors=True)
        shutil.rmtree(paths.SEEDED, ignore_errors=True)
    if args.what in ("kafka", "all"):
        shutil.rmtree(paths.KAFKA_STATE, ignore_errors=True)  # partner passwords are kept
    say(f"reset {args.what}; the next `stack up` initialises it again")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="stack", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn, text in (
            ("up", cmd_up, "start what is stopped, wait until healthy, provision, seed"),
            ("run", cmd_run, "like up, in the foreground; Ctrl-C stops everything")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--infra", action="store_true", help="only PostgreSQL + Kafka + provisioning")
        p.add_argument("names", nargs="*", help="start only these services (default: all)")
        p.set_defaults(fn=fn)
    sub.add_parser("down", help="stop everything this stack started").set_defaults(fn=cmd_down)
    sub.add_parser("status", help="programs, states, health").set_defaults(fn=cmd_status)
    p = sub.add_parser("logs", help="follow logs (all, or one component)")
    p.add_argument("component", nargs="?")
    p.add_argument("-n", "--lines", type=int, default=100)
    p.add_argument("--no-follow", action="store_true")
    p.set_defaults(fn=cmd_logs)
    p = sub.add_parser("partner-credentials", help="a partner's SASL/SCRAM connection settings")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_partner_credentials)
    p = sub.add_parser("psql", help="psql into one database as xiangzhi")
    p.add_argument("db")
    p.add_argument("psql_args", nargs=argparse.REMAINDER)
    p.set_defaults(fn=cmd_psql)
    p = sub.add_parser("provision", help="re-check every topic, SCRAM user and ACL now")
    p.set_defaults(fn=cmd_provision)
    p = sub.add_parser("seed", help="run seeds again (all, or the named services)")
    p.add_argument("name", nargs="*")
    p.set_defaults(fn=cmd_seed)
    for name, text in (("stop", "stop one component"),
                       ("start", "start one component and wait until healthy"),
                       ("restart", "restart one component and wait until healthy")):
        p = sub.add_parser(name, help=text)
        p.add_argument("component")
        p.set_defaults(fn=cmd_component)
    p = sub.add_parser("reset", help="delete a component's data (stack must be down)")
    p.add_argument("what", choices=["pg", "kafka", "all"])
    p.set_defaults(fn=cmd_reset)
    args = ap.parse_args(argv)
    try:
        return args.fn(args) or 0
    except StackError as e:
        print(f"stack: error: {e}", file=sys.stderr)
        return 1
