"""Reads deploy/topics.yaml: the one declaration of topics and broker access."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[4] / "deploy" / "topics.yaml"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    retention_ms: int
    cleanup_policy: str
    producer: str | None = None
    consumers: tuple[str, ...] = ()
    description: str = ""
    partner: str | None = None  # set on a partner's own feed/updates topic
    partner_access: str | None = None  # "read" or "write" for that partner

    def config(self) -> dict[str, str]:
        """Broker-side topic configs, as Kafka names them."""
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy}


@dataclass(frozen=True)
class PartnerAcl:
    """What one partner's principal may do on the broker; everything else is denied."""

    partner: str
    read_topics: tuple[str, ...]
    write_topics: tuple[str, ...]
    group_prefix: str


@dataclass(frozen=True)
class TopicCatalogue:
    topics: tuple[TopicSpec, ...]
    partners: tuple[str, ...]
    partner_names: dict[str, str] = field(default_factory=dict)
    group_prefix_pattern: str = "{code}"

    def topic(self, name: str) -> TopicSpec:
        for t in self.topics:
            if t.name == name:
                return t
        raise KeyError(name)

    def partner_acl(self, code: str) -> PartnerAcl:
        if code not in self.partners:
            raise KeyError(code)
        own = [t for t in self.topics if t.partner == code]
        return PartnerAcl(
            partner=code,
            read_topics=tuple(t.name for t in own if t.partner_access == "read"),
            write_topics=tuple(t.name for t in own if t.partner_access == "write"),
            group_prefix=self.group_prefix_pattern.format(code=code),
        )


def _spec(raw: dict[str, Any], defaults: dict[str, Any], **extra: Any) -> TopicSpec:
    merged = {**defaults, **raw, **extra}
    return TopicSpec(
        name=merged["name"],
        partitions=int(merged["partitions"]),
        replication_factor=int(merged["replication_factor"]),
        retention_ms=int(merged["retention_ms"]),
        cleanup_policy=str(merged["cleanup_policy"]),
        producer=merged.get("producer"),
        consumers=tuple(merged.get("consumers") or ()),
        description=str(merged.get("description", "")),
        partner=merged.get("partner"),
        partner_access=merged.get("partner_access"),
    )


def load_catalogue(path: Path = DEFAULT_PATH) -> TopicCatalogue:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = raw["defaults"]
    topics = [_spec(t, defaults) for t in raw["topics"]]
    partners = [p["code"] for p in raw["partners"]]
    for code in partners:
        for tmpl in raw["partner_topics"]:
            body = {k: v for k, v in tmpl.items() if k != "pattern"}
            topics.append(_spec(body, defaults, name=tmpl["pattern"].format(code=code),
                                partner=code))
    names = [t.name for t in topics]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"topics declared twice: {sorted(duplicates)}")
    return TopicCatalogue(
        topics=tuple(topics),
        partners=tuple(partners),
        partner_names={p["code"]: p.get("name", p["code"]) for p in raw["partners"]},
        group_prefix_pattern=raw.get("partner_group_prefix", "{code}"),
    )
