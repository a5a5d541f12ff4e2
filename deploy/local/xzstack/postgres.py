"""The project's own PostgreSQL cluster: Debian's binaries, our data directory (.state/pg)."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from pathlib import Path

from . import paths
from .system import StackError, apt_install, is_root, say

CONF_DIR = paths.HERE / "postgres"
INCLUDE_LINE = "include '../../deploy/local/postgres/postgresql.conf'"  # relative to .state/pg


def os_user() -> str:
    """initdb and postgres refuse to run as root, so as root they run as `postgres` (the
    Debian package creates that user); otherwise as whoever runs the stack."""
    return "postgres" if is_root() else getpass.getuser()


def _installed_bindirs() -> list[Path]:
    dirs = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")]
    return sorted(dirs, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def bindir() -> Path:
    """Newest installed PostgreSQL; installs Debian's `postgresql` when none is."""
    dirs = _installed_bindirs()
    if not dirs:
        apt_install("postgresql")
        _stop_distro_clusters()
        dirs = _installed_bindirs()
        if not dirs:
            raise StackError("postgresql installed but no /usr/lib/postgresql/*/bin/postgres")
    return dirs[-1]


def _stop_distro_clusters() -> None:
    """Installing `postgresql` creates and starts the distro cluster (e.g. 15/main) on 5432,
    which would collide with ours. We just installed it, so it holds no data of anyone's:
    stop it and mark it manual so it does not come back at boot."""
    if not shutil.which("pg_lsclusters"):
        return
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4:
            ver, name, status = f[0], f[1], f[3]
            if status.startswith("online"):
                say(f"stopping distro cluster {ver}/{name} (it would collide with ours on 5432)")
                subprocess.run(["pg_ctlcluster", ver, name, "stop"], check=False)
            start_conf = Path(f"/etc/postgresql/{ver}/{name}/start.conf")
            if start_conf.exists():
                start_conf.write_text("manual\n")


def _run_as_pg(args: list[str]) -> None:
    kw = {"user": "postgres", "group": "postgres"} if is_root() else {}
    subprocess.run(args, check=True, cwd="/", stdout=subprocess.DEVNULL, **kw)


def ensure_cluster() -> bool:
    """initdb once; keep our configuration in place. Returns True when pg_hba.conf changed on
    an existing cluster (the running server then needs a reload)."""
    bin_ = bindir()
    if not (paths.PG_DATA / "PG_VERSION").exists():
        say(f"initdb {paths.PG_DATA} ({bin_.parent.name})")
        paths.PG_DATA.mkdir(parents=True, exist_ok=True)
        if is_root():
            # The server runs as `postgres`: it must be able to walk down to its data dir
            # even in a checkout made with a strict umask (only our own folders are touched).
            for folder in (paths.ROOT, paths.PG_DATA.parent):
                folder.chmod(folder.stat().st_mode | 0o001)
            shutil.chown(paths.PG_DATA, "postgres", "postgres")
        paths.PG_DATA.chmod(0o700)
        _run_as_pg([str(bin_ / "initdb"), "-D", str(paths.PG_DATA), "-U", "postgres",
                    "--auth=trust", "--encoding=UTF8", "--no-locale"])
        conf = paths.PG_DATA / "postgresql.conf"
        conf.write_text(conf.read_text() + f"\n# xiangzhi local stack\n{INCLUDE_LINE}\n")
        # A new cluster has no seed data: forget which services were seeded.
        shutil.rmtree(paths.SEEDED, ignore_errors=True)
    hba = paths.PG_DATA / "pg_hba.conf"
    wanted = (CONF_DIR / "pg_hba.conf").read_text()
    if hba.read_text() != wanted:
        hba.write_text(wanted)
        if is_root():
            shutil.chown(hba, "postgres", "postgres")
        return True
    return False


def command() -> list[str]:
    return [str(bindir() / "postgres"), "-D", str(paths.PG_DATA)]


def ready() -> bool:
    r = subprocess.run([str(bindir() / "pg_isready"), "-q", "-h", paths.PG_HOST, "-U", "postgres",
                        "-p", str(paths.PG_PORT), "-t", "2"], check=False)
    return r.returncode == 0


def psql_args(db: str, user: str = paths.PG_ROLE) -> list[str]:
    return [str(bindir() / "psql"), "-h", paths.PG_HOST, "-p", str(paths.PG_PORT),
            "-U", user, "-d", db]


def _query(sql: str) -> str:
    r = subprocess.run([*psql_args("postgres", "postgres"), "-X", "-q", "-tA",
                        "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "5"})
    if r.returncode != 0:
        raise StackError(f"psql failed: {r.stderr.strip()}")
    return r.stdout


def ensure_role_and_databases(databases: list[str]) -> None:
    """Role `xiangzhi` (login, superuser: local development only; trust auth on loopback, see
    postgres/pg_hba.conf) owning one database per service. Idempotent and one round trip when
    everything exists."""
    have = _query(
        "SELECT 'role:' || rolname FROM pg_roles WHERE rolname = 'xiangzhi' "
        "UNION ALL SELECT 'db:' || datname FROM pg_database").split()
    if "role:xiangzhi" not in have:
        say("creating role xiangzhi")
        _query("CREATE ROLE xiangzhi LOGIN SUPERUSER")
    for db in databases:
        if f"db:{db}" not in have:
            say(f"creating database {db}")
            _query(f'CREATE DATABASE "{db}" OWNER xiangzhi')
