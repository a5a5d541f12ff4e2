#!/usr/bin/env python3
"""The gateway benchmark (`make bench` runs this file): our gateway against Apollo Gateway,
Hive Gateway (JavaScript planner) and Hive Gateway with the Rust planner, over the shared
bench shape (shared/bench: its supergraph, its heavy query, its data volume).

Shape, the same for every gateway:
- our four subgraphs (gateway/bench/subgraphs: an asyncio/uvloop HTTP front answering repeated
  request bodies from memory, and a graphql-js process executing each distinct one once) and
  the load generator (oha) pinned to core 1, the gateway under test alone on core 0 (taskset);
- 50 connections, the heavy query (operation TestQuery), a warm-up, then a fixed duration,
  repeated; medians are reported;
- every gateway's answer is checked against the expected response (computed without
  federation) before and after its load, and every answer under load must be HTTP 200 with
  the checked answer's size;
- two modes: `executed` (every request executed against the subgraphs: inbound deduplication
  off everywhere, and Hive's default coalescing of identical in-flight subgraph queries off
  too, see peers/gateway.config.mjs) and `deduplicated` (identical in-flight requests
  coalesced: Hive's inboundInflightRequestDeduplication with its defaults, our
  GATEWAY_DEDUPE_INFLIGHT; Apollo has no such feature and executes every request).

It installs what is missing (npm packages into gateway/bench/node_modules, oha into
.cache/bin), stops every process it started (also on Ctrl-C or failure) and prints one table
per mode, then one `gateway-bench:` line per mode. Loopback only.

Environment knobs: BENCH_DURATION (s, default 15), BENCH_WARMUP (s, 5), BENCH_REPEATS (3),
BENCH_CONNECTIONS (50), BENCH_GATEWAYS (comma list of names), BENCH_MODES (comma list),
BENCH_SHARED (folder with supergraph.graphql and heavy-query.graphql), BENCH_XIANGZHI_ENV
(comma list of GATEWAY_*=value for our gateway, to compare settings).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "gateway" / "bench"
RUN = BENCH / ".run"  # generated files and logs (git-ignored)
SHARED = Path(os.environ.get("BENCH_SHARED", ROOT.parent / "shared" / "bench"))
NODE_MODULES = BENCH / "node_modules"
OHA_VERSION = "1.16.0"
OHA = ROOT / ".cache" / "bin" / "oha"

DURATION = int(os.environ.get("BENCH_DURATION", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
MODES = [m for m in os.environ.get("BENCH_MODES", "executed,deduplicated").split(",") if m]
GATEWAY_CORE, LOAD_CORE = "0", "1"
SUBGRAPH_CHECK_SECONDS = 4
DEADLINE_SECONDS = 14 * 60  # the whole run, installs excluded: later gateways are skipped


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----- processes: everything started here is in its own session and is stopped at exit -----

class Processes:
    def __init__(self) -> None:
        self._running: list[subprocess.Popen] = []

    def start(self, name: str, argv: list[str], core: str | None, env: dict[str, str] | None = None,
              cwd: Path = ROOT) -> subprocess.Popen:
        if core is not None and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
            argv = ["taskset", "-c", core, *argv]
        logfile = open(RUN / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, cwd=cwd, env={**_base_env(), **(env or {})}, stdout=logfile,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        proc.logfile = logfile  # type: ignore[attr-defined]
        self._running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        """SIGTERM to the process's own group (it and its children), SIGKILL if it lingers."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=8)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        proc.logfile.close()  # type: ignore[attr-defined]
        if proc in self._running:
            self._running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self._running)):
            self.stop(proc)


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "GATEWAY_"))}
    env["NODE_ENV"] = "production"
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, payload: bytes, timeout: float = 10.0) -> bytes:
    request = urllib.request.Request(url, data=payload, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
        return response.read()


def wait_until(check, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} (see {RUN})")
        try:
            if check():
                return
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s")


# ----- /proc figures of a process tree --------------------------------------------------------

def tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def core_ticks() -> dict[str, tuple[int, int]]:
    """(busy, total) jiffies per core, from /proc/stat."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *values = line.split()
            v = [int(x) for x in values]
            idle = v[3] + v[4]
            out[name[3:]] = (sum(v[:8]) - idle, sum(v[:8]))
    return out


def core_busy(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> dict[str, float]:
    return {c: 100 * (after[c][0] - before[c][0]) / max(1, after[c][1] - before[c][1])
            for c in after if c in before}


def peak_rss_mib(pid: int) -> float:
    """Sum over the tree of each process's peak resident set (VmHWM)."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


# ----- installs ---------------------------------------------------------------------------

def ensure_node_modules() -> None:
    lock = BENCH / "package-lock.json"
    stamp = NODE_MODULES / ".package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    log("installing the peer gateways and subgraph libraries (npm ci)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=BENCH, check=True)


def ensure_oha() -> Path:
    if OHA.exists():
        return OHA
    found = shutil.which("oha")
    if found:
        return Path(found)
    log(f"building the load generator (cargo install oha {OHA_VERSION}; several minutes, once)")
    root = ROOT / ".cache" / "oha-root"
    subprocess.run(["cargo", "install", "oha", "--locked", "--version", OHA_VERSION, "--root",
                    str(root), "--target-dir", str(ROOT / ".cache" / "cargo-target")], check=True)
    OHA.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "bin" / "oha", OHA)
    return OHA


# ----- the gateways ---------------------------------------------------------------------------

@dataclass
class Gateway:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    dedupe: bool = True  # whether it has inbound in-flight deduplication at all


def _extra_env() -> dict[str, str]:
    """BENCH_XIANGZHI_ENV="GATEWAY_X=1,GATEWAY_Y=2": settings for our gateway, to compare
    (the run's own environment never reaches a gateway: GATEWAY_* and OTEL_* are dropped)."""
    pairs = [p.split("=", 1) for p in os.environ.get("BENCH_XIANGZHI_ENV", "").split(",") if "=" in p]
    return {k.strip(): v.strip() for k, v in pairs}


def gateways(mode: str, supergraph: Path, port: int) -> list[Gateway]:
    dedupe = mode == "deduplicated"
    hive = [str(NODE_MODULES / ".bin" / "hive-gateway"), "supergraph", str(supergraph),
            "-c", str(BENCH / "peers" / "gateway.config.mjs"), "--host", "127.0.0.1",
            "--port", str(port)]
    hive_env = {"BENCH_DEDUPE": "1" if dedupe else "0"}
    return [
        Gateway("xiangzhi", [str(ROOT / ".venv" / "bin" / "python"), "-m", "gateway", "serve",
                             "--supergraph", str(supergraph), "--host", "127.0.0.1",
                             "--port", str(port)],
                {"GATEWAY_DEDUPE_INFLIGHT": "true" if dedupe else "false",
                 "GATEWAY_GRAPHIQL": "false", **_extra_env()}),
        Gateway("apollo-gateway", ["node", str(BENCH / "peers" / "apollo.mjs"), str(supergraph),
                                   str(port)], dedupe=False),
        Gateway("hive-gateway", hive, hive_env),
        Gateway("hive-gateway-rust-planner", [*hive, "--hive-router-runtime"], hive_env),
    ]


# ----- load -----------------------------------------------------------------------------------

def oha(url: str, body: Path, seconds: int, connections: int = CONNECTIONS) -> dict:
    argv = [str(OHA_BIN), "-z", f"{seconds}s", "-c", str(connections), "--no-tui",
            "--output-format", "json", "-m", "POST", "-H", "content-type: application/json",
            "-D", str(body), url]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        argv = ["taskset", "-c", LOAD_CORE, *argv]
    out = subprocess.run(argv, check=True, capture_output=True, timeout=seconds + 60)
    return json.loads(out.stdout)


def ok_count(result: dict) -> tuple[int, int]:
    codes = result.get("statusCodeDistribution") or {}
    ok = int(codes.get("200", 0))
    errors = {k: int(v) for k, v in (result.get("errorDistribution") or {}).items()
              if "deadline" not in k}  # requests still in flight when the duration ended
    return ok, sum(int(v) for v in codes.values()) + sum(errors.values())


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    cpu: float  # share of one core over the measured window, %
    others: float  # core time on the gateway's core used by other processes (noise), %
    load_core: float  # how busy the load generator's and subgraphs' core was, %


@dataclass
class Result:
    gateway: str
    runs: list[Run] = field(default_factory=list)
    rss_mib: float = 0.0
    failure: str | None = None
    note: str = ""
    subgraph_rps: float = 0.0  # subgraph requests per second while this gateway ran (average)
    subgraph_cpu: float = 0.0  # the subgraphs' process in % of a core over the same time

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else 0.0


def check_answer(url: str, payload: bytes, expected: dict) -> int:
    body = post(url, payload)
    answer = json.loads(body)
    if answer != expected:
        raise RuntimeError(f"wrong answer from {url}: {body[:300]!r}")
    return len(body)


def bench_gateway(procs: Processes, gw: Gateway, mode: str, port: int, payload: bytes,
                  body_file: Path, expected: dict) -> Result:
    result = Result(gw.name)
    if mode == "deduplicated" and not gw.dedupe:
        result.note = "no inbound dedup: executes every request"
    url = f"http://127.0.0.1:{port}/graphql"
    proc = procs.start(f"{gw.name}-{mode}", gw.argv, GATEWAY_CORE, gw.env, gw.cwd)
    try:
        wait_until(lambda: check_answer(url, payload, expected) > 0, 90, gw.name, proc)
        size = check_answer(url, payload, expected)
        oha(url, body_file, WARMUP)
        for i in range(REPEATS):
            cpu0, t0, cores0 = cpu_seconds(proc.pid), time.monotonic(), core_ticks()
            out = oha(url, body_file, DURATION)
            cpu = 100 * (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - t0)
            busy = core_busy(cores0, core_ticks())
            ok, total = ok_count(out)
            per_request = (out["summary"].get("sizePerRequest") or 0)
            if ok == 0 or ok != total:
                raise RuntimeError(f"{total - ok} of {total} requests failed under load")
            if per_request and abs(per_request - size) > 1:
                raise RuntimeError(f"answers of {per_request} bytes under load, {size} checked")
            pct = out["latencyPercentiles"]
            run = Run(out["summary"]["requestsPerSec"], pct["p50"] * 1000, pct["p95"] * 1000,
                      pct["p99"] * 1000, cpu, busy.get(GATEWAY_CORE, 0) - cpu,
                      busy.get(LOAD_CORE, 0))
            result.runs.append(run)
            log(f"{mode:12} {gw.name:26} run {i + 1}: {run.rps:8.1f} rps  p95 {run.p95:7.1f} ms"
                f"  cpu {run.cpu:5.1f}%  others on core {GATEWAY_CORE}: {run.others:4.1f}%"
                f"  core {LOAD_CORE} busy {run.load_core:5.1f}%")
        check_answer(url, payload, expected)
        result.rss_mib = peak_rss_mib(proc.pid)
    except (RuntimeError, subprocess.SubprocessError, OSError, KeyError, ValueError) as error:
        result.failure = str(error)[:200]
        log(f"{gw.name} ({mode}) failed: {result.failure}")
    finally:
        procs.stop(proc)
    return result


def subgraph_capacity(subgraph_url: str) -> float:
    """Requests per second the subgraphs sustain on their (shared) core, for a typical
    entity call, with the load generator on that same core."""
    probe = RUN / "subgraph-probe.json"
    probe.write_text(json.dumps({
        "query": "query($representations:[_Any!]!){_entities(representations:$representations)"
                 "{...on User{reviews{id body product{upc reviews{id body author{id username"
                 " reviews{id body product{upc __typename}} __typename}} __typename}}}}}",
        "variables": {"representations": [{"__typename": "User", "id": str(i)} for i in range(1, 7)]},
    }))
    oha(f"{subgraph_url}/reviews", probe, 1)
    return oha(f"{subgraph_url}/reviews", probe, SUBGRAPH_CHECK_SECONDS)["summary"]["requestsPerSec"]


def subgraph_served(subgraph_url: str) -> int:
    with urllib.request.urlopen(f"{subgraph_url}/healthz", timeout=5) as r:  # noqa: S310
        return int(json.loads(r.read())["served"])


# ----- report ---------------------------------------------------------------------------------

def table(mode: str, results: list[Result]) -> str:
    head = (f"{'gateway':28} {'RPS':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'peak RSS MiB':>13} {'CPU %':>6} {'noise %':>8} {'core1 %':>8} {'sg req/s':>9}"
            f" {'sg CPU %':>9}  RPS of runs")
    lines = [f"\nmode: {mode} (medians of {REPEATS} x {DURATION}s, {CONNECTIONS} connections;"
             f" CPU: the gateway's process tree in % of one core; noise: other processes on the"
             f" gateway's core; core1: load generator + subgraphs' core busy; sg: subgraph requests and"
             f" the subgraphs' CPU while the gateway ran)",
             head, "-" * len(head)]
    for r in results:
        if r.failure:
            lines.append(f"{r.gateway:28} FAILED: {r.failure}")
            continue
        runs = " / ".join(f"{x.rps:.0f}" for x in r.runs)
        lines.append(f"{r.gateway:28} {r.median('rps'):9.1f} {r.median('p50'):8.1f} "
                     f"{r.median('p95'):8.1f} {r.median('p99'):8.1f} {r.rss_mib:13.1f} "
                     f"{r.median('cpu'):6.0f} {r.median('others'):8.0f} {r.median('load_core'):8.0f}"
                     f" {r.subgraph_rps:9.0f} {r.subgraph_cpu:9.0f}"
                     f"  {runs}" + (f"  ({r.note})" if r.note else ""))
    return "\n".join(lines)


def summary_line(mode: str, results: list[Result]) -> str:
    by = {r.gateway: r for r in results if not r.failure and r.runs}
    ours = by.get("xiangzhi")
    peers = [r for name, r in by.items() if name != "xiangzhi"]
    best = max(peers, key=lambda r: r.median("rps"), default=None)
    apollo = by.get("apollo-gateway")
    ours_rps = ours.median("rps") if ours else 0.0

    def ratio(peer: Result | None) -> str:
        return f"{ours_rps / peer.median('rps'):.2f}" if peer and peer.median("rps") else "n/a"

    return (f"gateway-bench: mode={mode} xiangzhi_rps={ours_rps:.0f} "
            f"best_peer={best.gateway if best else 'none'} "
            f"best_peer_rps={best.median('rps') if best else 0:.0f} ratio_best={ratio(best)} "
            f"ratio_apollo={ratio(apollo)}")


# ----- main -----------------------------------------------------------------------------------

OHA_BIN = OHA


def main() -> int:
    global OHA_BIN
    started = time.monotonic()
    RUN.mkdir(parents=True, exist_ok=True)
    ensure_node_modules()
    OHA_BIN = ensure_oha()
    query = (SHARED / "heavy-query.graphql").read_text()
    payload = json.dumps({"query": query, "operationName": "TestQuery"}).encode()
    body_file = RUN / "request.json"
    body_file.write_bytes(payload)

    procs = Processes()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    # Explicitly: a run started in the background by a shell inherits SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    summaries, tables = [], []
    try:
        sg_port = free_port()
        subgraph_url = f"http://127.0.0.1:{sg_port}"
        supergraph = RUN / "supergraph.graphql"
        supergraph.write_text((SHARED / "supergraph.graphql").read_text()
                              .replace("http://0.0.0.0:4200/", f"{subgraph_url}/"))
        expected_raw = subprocess.run(
            ["node", str(BENCH / "subgraphs" / "expected.mjs"), str(SHARED / "heavy-query.graphql")],
            cwd=BENCH, check=True, capture_output=True).stdout
        expected = json.loads(expected_raw)
        resolver_port = free_port()
        resolver = procs.start("subgraph-resolver", ["node", str(BENCH / "subgraphs" / "resolver.mjs"),
                                                     str(resolver_port)], LOAD_CORE, cwd=BENCH)
        sg = procs.start("subgraphs", [sys.executable, str(BENCH / "subgraphs" / "server.py"),
                                       str(sg_port), f"http://127.0.0.1:{resolver_port}"],
                         LOAD_CORE, cwd=BENCH)
        wait_until(lambda: subgraph_served(subgraph_url) >= 0, 30, "subgraphs", sg)
        wait_until(lambda: post(f"http://127.0.0.1:{resolver_port}/accounts",
                                b'{"query":"{ me { id } }"}'), 30, "subgraph resolver", resolver)
        capacity = subgraph_capacity(subgraph_url)
        log(f"subgraphs sustain {capacity:.0f} req/s (entity call, sharing a core with oha)")
        wanted = {g for g in os.environ.get("BENCH_GATEWAYS", "").split(",") if g}
        peak_demand = executed_peak = 0.0
        for mode in MODES:
            results = []
            names = [g.name for g in gateways(mode, supergraph, 0)]
            for name in names:
                if wanted and name not in wanted:
                    continue
                if time.monotonic() - started > DEADLINE_SECONDS:
                    results.append(Result(name, failure="skipped: the run's time bound was reached"))
                    continue
                port = free_port()
                gw = {g.name: g for g in gateways(mode, supergraph, port)}[name]
                served0, t0 = subgraph_served(subgraph_url), time.monotonic()
                sg_cpu0 = cpu_seconds(sg.pid) + cpu_seconds(resolver.pid)
                result = bench_gateway(procs, gw, mode, port, payload, body_file, expected)
                elapsed = time.monotonic() - t0
                demand = (subgraph_served(subgraph_url) - served0) / elapsed
                result.subgraph_cpu = 100 * (
                    cpu_seconds(sg.pid) + cpu_seconds(resolver.pid) - sg_cpu0) / elapsed
                result.subgraph_rps = demand
                peak_demand = max(peak_demand, demand)
                if mode == "executed" and not result.failure:
                    executed_peak = max(executed_peak, result.median("rps"))
                results.append(result)
            tables.append(table(mode, results))
            summaries.append(summary_line(mode, results))
        print(f"loopback; gateway on core {GATEWAY_CORE}, subgraphs + oha on core {LOAD_CORE}; "
              f"load average at end {os.getloadavg()[0]:.2f}")
        # The subgraphs must not be what limits a gateway: they must sustain 5x the subgraph
        # requests the busiest gateway sent them (and so 5x any gateway's executed rate times
        # its fetches per request).
        verdict = "ok" if capacity >= 5 * peak_demand else "TOO LOW"
        print(f"subgraphs: sustain {capacity:.0f} req/s (a 41 kB entity answer, sharing their core "
              f"with oha); the busiest gateway sent {peak_demand:.0f} req/s: "
              f"x{capacity / max(peak_demand, 1):.1f}"
              f" (want >= 5: {verdict}); fastest executed-mode gateway {executed_peak:.0f} RPS:"
              f" x{capacity / max(executed_peak, 1):.0f}")
        for t in tables:
            print(t)
        print()
        for s in summaries:
            print(s)
        return 0
    except KeyboardInterrupt:
        log("interrupted; stopping everything this run started")
        return 130
    finally:
        procs.stop_all()


if __name__ == "__main__":
    raise SystemExit(main())
