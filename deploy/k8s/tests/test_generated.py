"""The data plane is generated from deploy/topics.yaml and the values, and is committed current."""

from __future__ import annotations

from pathlib import Path

import generate
import pytest
import yaml
from checks import ENVIRONMENTS, ROOT
from checks.envs import data_docs, values
from xiangzhi_shared.topics import load_catalogue


def test_committed_output_is_current() -> None:
    problems = generate.stale_files()
    assert not problems, "\n".join(problems) + "\nrun `make k8s-generate`"


def test_stale_output_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for env in ENVIRONMENTS:
        (tmp_path / env).mkdir()
        for name, text in generate.render(env).items():
            (tmp_path / env / name).write_text(text)
    monkeypatch.setattr(generate, "GENERATED", tmp_path)
    assert generate.stale_files() == []
    topics = tmp_path / "dev" / "kafka-topics.yaml"
    topics.write_text(topics.read_text().replace("partitions: 3", "partitions: 4", 1))
    assert any("dev/kafka-topics.yaml is not current" in p for p in generate.stale_files())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_kafka_topic_for_every_declared_topic(env: str) -> None:
    cat = load_catalogue()
    topics = {d["spec"]["topicName"]: d for d in data_docs(env) if d["kind"] == "KafkaTopic"}
    assert set(topics) == {t.name for t in cat.topics}
    for t in cat.topics:
        spec = topics[t.name]["spec"]
        assert spec["partitions"] == t.partitions
        assert spec["replicas"] == values(env)["dataPlane"]["kafka"]["topicReplicas"]
        for key, value in t.config().items():
            assert spec["config"][key] == value


def users(env: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in data_docs(env) if d["kind"] == "KafkaUser"}


def grants(user: dict) -> set[tuple[str, str, str, str]]:
    return {(a["resource"]["type"], a["resource"]["name"], a["resource"]["patternType"], op)
            for a in user["spec"]["authorization"]["acls"] for op in a["operations"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_partner_reads_only_its_feed_and_writes_only_its_updates(env: str) -> None:
    cat = load_catalogue()
    all_users = users(env)
    for code in cat.partners:
        user = all_users[f"partner-{code}"]
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        assert grants(user) == {
            ("topic", f"partner.{code}.tickets.v1", "literal", "Read"),
            ("topic", f"partner.{code}.tickets.v1", "literal", "Describe"),
            ("topic", f"partner.{code}.updates.v1", "literal", "Write"),
            ("topic", f"partner.{code}.updates.v1", "literal", "Describe"),
            ("group", code, "prefix", "Read"),
        }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_service_may_use_exactly_its_declared_topics(env: str) -> None:
    cat = load_catalogue()
    all_users = users(env)
    prefix = values(env)["platform"]["kafka"]["userPrefix"]
    for service in generate.catalogue_services(cat):
        got = grants(all_users[f"{prefix}{service}"])
        produce = {t.name for t in cat.topics if t.producer == service}
        consume = {t.name for t in cat.topics if service in t.consumers}
        want = {("topic", t, "literal", op) for t in produce for op in ("Write", "Describe")}
        want |= {("topic", t, "literal", op) for t in consume for op in ("Read", "Describe")}
        if consume:
            want.add(("group", service, "prefix", "Read"))
        assert got == want, service
    assert set(all_users) == {f"{prefix}{s}" for s in generate.catalogue_services(cat)} | {
        f"partner-{c}" for c in cat.partners}


def test_a_new_declared_topic_becomes_a_kafka_topic(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "deploy" / "topics.yaml").read_text("utf-8"))
    raw["topics"].append({"name": "grid.survey.v1", "producer": "grid", "consumers": ["coop"]})
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    out = generate.render("dev", load_catalogue(path))
    topics = [d for d in yaml.safe_load_all(out["kafka-topics.yaml"]) if d]
    assert "grid.survey.v1" in {d["metadata"]["name"] for d in topics}
    coop = next(d for d in yaml.safe_load_all(out["kafka-users.yaml"])
                if d and d["metadata"]["name"] == "svc-coop")
    assert ("topic", "grid.survey.v1", "literal", "Read") in grants(coop)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_database_and_role_for_every_service_with_a_database(env: str) -> None:
    v = values(env)
    want = {n for n, c in generate.components(v).items() if c.get("database")}
    docs = data_docs(env)
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    assert set(roles) == want
    for name, role in roles.items():
        assert role["passwordSecret"]["name"] == f"{v['platform']['postgres']['secretPrefix']}{name}"
    dbs = {d["spec"]["name"]: d["spec"]["owner"] for d in docs if d["kind"] == "Database"}
    assert dbs == {n: n for n in want}
    backup = v["dataPlane"]["postgres"]["backup"]
    assert ("backup" in cluster["spec"]) == bool(backup.get("enabled"))
    assert any(d["kind"] == "ScheduledBackup" for d in docs) == bool(backup.get("enabled"))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_chart_and_data_plane_agree_on_names(env: str) -> None:
    v = values(env)
    docs = data_docs(env)
    kafka = next(d for d in docs if d["kind"] == "Kafka")
    assert kafka["metadata"]["name"] == v["platform"]["kafka"]["cluster"]
    tls = next(listener for listener in kafka["spec"]["kafka"]["listeners"]
               if listener["port"] == v["platform"]["kafka"]["port"])
    assert tls["tls"] and tls["authentication"]["type"] == "scram-sha-512"
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    assert cluster["metadata"]["name"] == v["platform"]["postgres"]["cluster"]
    collector = next(d for d in docs if d["kind"] == "Service"
                     and d["metadata"]["labels"].get("app.kubernetes.io/name") == "otel-collector")
    assert v["platform"]["otel"]["endpoint"] == (
        f"http://{collector['metadata']['name']}:{v['platform']['otel']['port']}")
