"""Apache Kafka (KRaft, one node) on the machine's JDK, jars fetched with Maven.

Version: 4.4.0, the newest 4.x served, works with aiokafka 0.14 for everything the project
uses (checked against a real broker: metadata, create/describe/alter topic configs, create
partitions, idempotent producer with acks=all, consumer groups and commits, headers, SCRAM-
SHA-512 on SASL_PLAINTEXT, TopicAuthorizationFailedError on a denied topic,
SaslAuthenticationFailed on a wrong password). deploy/local/tests re-checks this every run.
To try another version: KAFKA_VERSION=4.3.1 deploy/local/stack up (then `stack reset kafka`
if the formatted storage is newer than the broker).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import shutil
import subprocess
import uuid

from . import paths
from .system import StackError, ensure_command, say

# aiokafka logs every refused connection at ERROR while we wait for the broker to come up.
logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

LOG4J = paths.KAFKA_TEMPLATES / "log4j2.properties"
HEAP = os.environ.get("KAFKA_HEAP", "-Xms256m -Xmx512m").split()  # the machine is shared


def _version_args() -> list[str]:
    v = os.environ.get("KAFKA_VERSION")
    return [f"-Dkafka.version={v}"] if v else []


def ensure_jars() -> bool:
    """Copy the broker, kafka-tools and a log4j2 binding into .cache/kafka/libs with Maven.
    Skipped when the cache was filled from the same pom.xml (and version override). True when
    the jars were replaced (a running broker must then be restarted)."""
    pom = paths.KAFKA_TEMPLATES / "pom.xml"
    stamp = hashlib.sha256(pom.read_bytes() + repr(_version_args()).encode()).hexdigest()
    marker = paths.KAFKA_LIBS.parent / "libs.sha256"
    if (marker.exists() and marker.read_text() == stamp
            and any(paths.KAFKA_LIBS.glob("kafka_2.13-*.jar"))):
        return False
    ensure_command("java", "default-jre-headless")
    mvn = ensure_command("mvn", "maven")
    tmp = paths.KAFKA_LIBS.parent / "libs.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    say("fetching Kafka jars with Maven (first start only)")
    r = subprocess.run([mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                        "-DincludeScope=runtime", f"-DoutputDirectory={tmp}", *_version_args()],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise StackError(f"mvn dependency:copy-dependencies failed:\n{r.stdout}{r.stderr}")
    shutil.rmtree(paths.KAFKA_LIBS, ignore_errors=True)
    tmp.rename(paths.KAFKA_LIBS)
    marker.write_text(stamp)
    return True


def version() -> str:
    jars = sorted(paths.KAFKA_LIBS.glob("kafka_2.13-*.jar"))
    return jars[0].name.removeprefix("kafka_2.13-").removesuffix(".jar") if jars else "?"


def java() -> str:
    return ensure_command("java", "default-jre-headless")


def classpath() -> str:
    return f"{paths.KAFKA_LIBS}/*"  # the JVM expands the wildcard itself


def broker_command() -> list[str]:
    return [java(), *HEAP, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J}", "-cp", classpath(),
            "kafka.Kafka", str(paths.KAFKA_PROPERTIES)]


def tool(main_class: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one of Kafka's own admin command-line classes (a short-lived JVM, ~1 s)."""
    cmd = [java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
           f"-Dlog4j2.configurationFile={LOG4J}", "-Dxiangzhi.log.level=warn",
           "-cp", classpath(), main_class, *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise StackError(f"{main_class.rsplit('.', 1)[1]} {' '.join(args[:6])}... failed:\n"
                         f"{r.stdout}{r.stderr}")
    return r


def write_properties() -> bool:
    """Render .state/kafka/server.properties; True if it changed (a running broker must then
    be restarted to pick it up)."""
    text = (paths.KAFKA_TEMPLATES / "server.properties.in").read_text()
    text = text.replace("@STATE@", str(paths.STATE))
    paths.KAFKA_STATE.mkdir(parents=True, exist_ok=True)
    old = paths.KAFKA_PROPERTIES.read_text() if paths.KAFKA_PROPERTIES.exists() else None
    if old != text:
        paths.KAFKA_PROPERTIES.write_text(text)
    return old is not None and old != text


def ensure_formatted() -> None:
    """Format the KRaft storage once (a new cluster id); later starts reuse it."""
    if (paths.KAFKA_DATA / "meta.properties").exists():
        return
    cluster_id = "-"
    while cluster_id.startswith("-"):  # like Kafka's own Uuid: a leading "-" reads as a flag
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    say(f"formatting Kafka storage {paths.KAFKA_DATA} (cluster id {cluster_id})")
    tool("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(paths.KAFKA_PROPERTIES))


def cluster_id() -> str:
    meta = paths.KAFKA_DATA / "meta.properties"
    for line in meta.read_text().splitlines() if meta.exists() else []:
        if line.startswith("cluster.id="):
            return line.split("=", 1)[1]
    return ""


async def _metadata_ok() -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=paths.KAFKA_PLAINTEXT, request_timeout_ms=3000)
    try:
        await admin.start()
        info = await admin.describe_cluster()
        return bool(info.get("brokers")) and info.get("controller_id") is not None
    except Exception:
        return False
    finally:
        await admin.close()


def ready() -> bool:
    """The broker answers a metadata request on the services' listener and has a controller."""
    return asyncio.run(_metadata_ok())
