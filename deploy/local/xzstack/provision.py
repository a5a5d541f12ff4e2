"""Provision the broker from deploy/topics.yaml (read only through xiangzhi_shared.topics):
topics with their partitions and configs, one SCRAM-SHA-512 user per partner, and exactly the
ACLs the catalogue grants each partner. Idempotent; a no-op when nothing changed.

Tools: aiokafka's admin client for topics (it has create/describe/alter for them), Kafka's own
ConfigCommand for SCRAM credentials and AclCommand for ACLs (aiokafka has neither API).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError
from xiangzhi_shared.topics import DEFAULT_PATH, TopicCatalogue, load_catalogue

from . import kafka, paths
from .system import StackError, say

FINGERPRINT = paths.KAFKA_STATE / "provisioned.sha256"
PROVISION_VERSION = "1"  # bump when this file changes what it provisions
ACL_TOOL = "org.apache.kafka.tools.AclCommand"
CONFIG_TOOL = "org.apache.kafka.tools.ConfigCommand"
BOOTSTRAP = ["--bootstrap-server", paths.KAFKA_PLAINTEXT]


# --- partner secrets ---------------------------------------------------------------------

def password_file(code: str) -> Path:
    return paths.PARTNER_SECRETS / f"{code}.password"


def partner_password(code: str, create: bool = False) -> str:
    """The partner's SCRAM password: generated at first start, kept in .state/secrets/ (0600,
    git-ignored), never committed."""
    f = password_file(code)
    if not f.exists():
        if not create:
            raise StackError(f"no credentials for partner {code!r} yet: run `stack up --infra`")
        paths.PARTNER_SECRETS.mkdir(parents=True, exist_ok=True)
        paths.SECRETS.chmod(0o700)
        paths.PARTNER_SECRETS.chmod(0o700)
        f.touch(mode=0o600)
        f.write_text(secrets.token_urlsafe(24) + "\n")
    return f.read_text().strip()


def partner_credentials(code: str) -> dict[str, str]:
    if code not in load_catalogue().partners:
        raise StackError(f"unknown partner {code!r} (deploy/topics.yaml declares "
                         f"{', '.join(load_catalogue().partners)})")
    return {"bootstrap": paths.KAFKA_SASL, "security_protocol": "SASL_PLAINTEXT",
            "mechanism": paths.SCRAM_MECHANISM, "username": code,
            "password": partner_password(code)}


def managed_partners(cat: TopicCatalogue) -> list[str]:
    """Partners we manage principals for: those declared, plus any that has a secret from an
    earlier provisioning (a partner removed from topics.yaml loses its user and ACLs)."""
    old = [p.stem for p in paths.PARTNER_SECRETS.glob("*.password")]
    return sorted(set(cat.partners) | set(old))


# --- fingerprint: skip everything when nothing changed since the last full provisioning ---

def _fingerprint(cat: TopicCatalogue) -> str:
    h = hashlib.sha256(PROVISION_VERSION.encode())
    h.update(DEFAULT_PATH.read_bytes())
    h.update(kafka.cluster_id().encode())
    for code in managed_partners(cat):
        h.update(f"{code}:{partner_password(code, create=code in cat.partners)}".encode())
    return h.hexdigest()


# --- topics ------------------------------------------------------------------------------

async def _topics(cat: TopicCatalogue) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=paths.KAFKA_PLAINTEXT, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in cat.topics if t.name not in existing]
        if missing:
            resp = await admin.create_topics([
                NewTopic(t.name, t.partitions, t.replication_factor, topic_configs=t.config())
                for t in missing])
            errors = [e for e in resp.topic_errors if e[1] not in (0, 36)]  # 36: already exists
            if errors:
                raise StackError(f"create topics failed: {errors}")
        present = [t for t in cat.topics if t.name in existing]
        if not present:
            return [t.name for t in missing]
        changed = []
        described = {d["topic"]: d for d in await admin.describe_topics([t.name for t in present])}
        grow = {}
        for t in present:
            have = len(described[t.name]["partitions"])
            if have < t.partitions:
                grow[t.name] = NewPartitions(t.partitions)
            elif have > t.partitions:
                say(f"warning: {t.name} has {have} partitions, topics.yaml says {t.partitions} "
                    "(Kafka cannot shrink a topic; `stack reset kafka` to start over)")
        if grow:
            await admin.create_partitions(grow)
            changed += list(grow)
        resources = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t.name) for t in present])
        actual: dict[str, dict[str, str]] = {}
        for resp in resources:
            for res in resp.resources:
                actual[res[3]] = {c[0]: c[1] for c in res[4]}
        alter = [t for t in present
                 if any(actual.get(t.name, {}).get(k) != v for k, v in t.config().items())]
        if alter:
            # AlterConfigs replaces the topic's dynamic configs: we own them all, so send all.
            await admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, t.name, configs=t.config())
                 for t in alter])
            changed += [t.name for t in alter]
        return [t.name for t in missing] + changed
    finally:
        await admin.close()


# --- SCRAM users -------------------------------------------------------------------------

async def _can_login(code: str, password: str) -> bool:
    host, port = paths.KAFKA_SASL.split(":")
    try:
        conn = await create_conn(host, int(port), security_protocol="SASL_PLAINTEXT",
                                 sasl_mechanism=paths.SCRAM_MECHANISM,
                                 sasl_plain_username=code, sasl_plain_password=password)
    except KafkaError:
        return False
    conn.close()
    return True


async def _logins(codes: list[str]) -> dict[str, bool]:
    ok = await asyncio.gather(*(_can_login(c, partner_password(c)) for c in codes))
    return dict(zip(codes, ok, strict=True))


def _set_scram(code: str) -> None:
    # Through --add-config-file so the password never appears in a process list. In the file
    # the value is not bracketed ("SCRAM-SHA-512=password=..."), unlike on the command line.
    with tempfile.NamedTemporaryFile("w", dir=paths.PARTNER_SECRETS, suffix=".properties") as f:
        f.write(f"{paths.SCRAM_MECHANISM}=password={partner_password(code)}\n")
        f.flush()
        kafka.tool(CONFIG_TOOL, *BOOTSTRAP, "--alter", "--add-config-file", f.name,
                   "--entity-type", "users", "--entity-name", code)


def _users(cat: TopicCatalogue, managed: list[str]) -> list[str]:
    """Every declared partner can log in with its stored password (checked by logging in,
    so a lost or replaced secret is repaired); removed partners lose their credential."""
    logins = asyncio.run(_logins(list(cat.partners)))
    todo = [c for c, ok in logins.items() if not ok]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(_set_scram, todo))
    for code in set(managed) - set(cat.partners):
        say(f"partner {code} is no longer declared: removing its SCRAM user and ACLs")
        kafka.tool(CONFIG_TOOL, *BOOTSTRAP, "--alter", "--delete-config", paths.SCRAM_MECHANISM,
                   "--entity-type", "users", "--entity-name", code, check=False)
    return todo


# --- ACLs --------------------------------------------------------------------------------
# One ACL: (principal, resource type, resource name, pattern type, operation, permission, host)
Acl = tuple[str, str, str, str, str, str, str]

_RESOURCE = re.compile(r"ResourcePattern\(resourceType=(\w+), name=(.*), patternType=(\w+)\)")
_ENTRY = re.compile(r"\(principal=([^,]+), host=([^,]+), operation=(\w+), permissionType=(\w+)\)")


def desired_acls(cat: TopicCatalogue) -> set[Acl]:
    """Per partner: READ+DESCRIBE on its feed, WRITE+DESCRIBE on its updates topic, READ on
    consumer groups prefixed with its code. Nothing else (no CREATE, no cluster access)."""
    want: set[Acl] = set()
    for code in cat.partners:
        p, acl = f"User:{code}", cat.partner_acl(code)
        for t in acl.read_topics:
            want |= {(p, "TOPIC", t, "LITERAL", op, "ALLOW", "*") for op in ("READ", "DESCRIBE")}
        for t in acl.write_topics:
            want |= {(p, "TOPIC", t, "LITERAL", op, "ALLOW", "*") for op in ("WRITE", "DESCRIBE")}
        want.add((p, "GROUP", acl.group_prefix, "PREFIXED", "READ", "ALLOW", "*"))
    return want


def current_acls() -> set[Acl]:
    out = kafka.tool(ACL_TOOL, *BOOTSTRAP, "--list").stdout
    found: set[Acl] = set()
    resource = None
    for line in out.splitlines():
        if m := _RESOURCE.search(line):
            resource = m.groups()
        elif (m := _ENTRY.search(line)) and resource:
            principal, host, op, perm = m.groups()
            found.add((principal, resource[0], resource[1], resource[2], op, perm, host))
    return found


def _acl_call(action: str, key: tuple[str, str, str, str, str, str], ops: list[str]) -> None:
    principal, rtype, name, pattern, perm, host = key
    who = "--allow-principal" if perm == "ALLOW" else "--deny-principal"
    hostflag = "--allow-host" if perm == "ALLOW" else "--deny-host"
    args = [*BOOTSTRAP, action, who, principal, hostflag, host,
            f"--{rtype.lower()}", name, "--resource-pattern-type", pattern.lower()]
    for op in ops:
        args += ["--operation", op.title()]
    if action == "--remove":
        args.append("--force")
    kafka.tool(ACL_TOOL, *args)


def _grouped(acls: set[Acl]) -> dict[tuple[str, str, str, str, str, str], list[str]]:
    groups: dict[tuple[str, str, str, str, str, str], list[str]] = {}
    for principal, rtype, name, pattern, op, perm, host in sorted(acls):
        groups.setdefault((principal, rtype, name, pattern, perm, host), []).append(op)
    return groups


def _acls(cat: TopicCatalogue, managed: list[str]) -> tuple[int, int]:
    want = desired_acls(cat)
    principals = {f"User:{c}" for c in managed}
    have = {a for a in current_acls() if a[0] in principals}
    add, remove = want - have, have - want
    with ThreadPoolExecutor(2) as pool:  # each call is a ~1 s JVM; two cores
        jobs = [pool.submit(_acl_call, "--remove", k, ops) for k, ops in _grouped(remove).items()]
        jobs += [pool.submit(_acl_call, "--add", k, ops) for k, ops in _grouped(add).items()]
        for j in jobs:
            j.result()
    return len(add), len(remove)


# --- entry -------------------------------------------------------------------------------

def provision(force: bool = False) -> None:
    cat = load_catalogue()
    for code in cat.partners:
        partner_password(code, create=True)
    fp = _fingerprint(cat)
    if not force and FINGERPRINT.exists() and FINGERPRINT.read_text() == fp:
        existing = set(asyncio.run(_list_topics()))
        if {t.name for t in cat.topics} <= existing:
            return  # fast path: same catalogue, same secrets, same cluster, topics present
    FINGERPRINT.unlink(missing_ok=True)
    managed = managed_partners(cat)
    touched = asyncio.run(_topics(cat))
    users = _users(cat, managed)
    added, removed = _acls(cat, managed)
    for code in set(managed) - set(cat.partners):  # done with it: stop managing it
        password_file(code).rename(password_file(code).with_suffix(".removed"))
    # Credentials propagate through the metadata log; confirm every partner can log in.
    for _ in range(20):
        logins = asyncio.run(_logins(list(cat.partners)))
        if all(logins.values()):
            break
        asyncio.run(asyncio.sleep(0.5))
    else:
        raise StackError(f"partners cannot log in after provisioning: "
                         f"{[c for c, ok in logins.items() if not ok]}")
    FINGERPRINT.write_text(fp)
    say(f"Kafka provisioned: {len(cat.topics)} topics ({len(touched)} created/updated), "
        f"{len(cat.partners)} partner users ({len(users)} set), ACLs +{added} -{removed}")


async def _list_topics() -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=paths.KAFKA_PLAINTEXT, request_timeout_ms=5000)
    await admin.start()
    try:
        return await admin.list_topics()
    finally:
        await admin.close()
