"""Small OS helpers: installing Debian packages, who holds a TCP port, process ancestry."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


class StackError(RuntimeError):
    """A failure with a message meant for the person running the stack."""


def say(msg: str) -> None:
    print(f"stack: {msg}", flush=True)


def is_root() -> bool:
    return os.geteuid() == 0


_apt_updated = False


def apt_install(*packages: str) -> None:
    """apt-get install (with one `apt-get update` first, needed on a fresh machine)."""
    global _apt_updated
    if not is_root():
        raise StackError(f"need root to install {' '.join(packages)} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        say("apt-get update")
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        _apt_updated = True
    say(f"apt-get install -y {' '.join(packages)}")
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def ensure_command(cmd: str, package: str) -> str:
    path = shutil.which(cmd)
    if path is None:
        apt_install(package)
        path = shutil.which(cmd)
        if path is None:
            raise StackError(f"{cmd} still missing after installing {package}")
    return os.path.realpath(path)


# --- ports -------------------------------------------------------------------------------

def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on `port` (any address), from /proc/net/tcp and tcp6: Java
    listens on IPv4-mapped IPv6 sockets, so both tables matter."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(f[9])
    return inodes


def port_holder(port: int) -> int | None:
    """PID of the process listening on `port`, 0 if someone listens but we cannot see who
    (another user's process without root), None if the port is free."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{i}]" for i in inodes}
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            for fd in (pid_dir / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    return int(pid_dir.name)
        except OSError:
            continue
    return 0


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        pid = parent(pid)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pids_with_arg(arg: str) -> list[int]:
    """Processes whose command line contains `arg` exactly as one argument. Used only with
    absolute paths inside this repository's .state/, so it can only match our own processes
    (e.g. a Kafka left behind by a supervisord that was killed)."""
    found = []
    for pid_dir in Path("/proc").iterdir():
        if pid_dir.name.isdigit() and int(pid_dir.name) != os.getpid():
            try:
                args = (pid_dir / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if arg.encode() in args:
                found.append(int(pid_dir.name))
    return found


def python() -> str:
    return sys.executable
