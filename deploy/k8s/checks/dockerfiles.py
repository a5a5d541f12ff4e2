"""Static checks of the images' Dockerfiles (there is no Docker engine in CI), and their
generation from the one template deploy/k8s/docker/Dockerfile.in.

`python deploy/k8s/checks/dockerfiles.py --write` (re)writes the Dockerfile of every enabled
component; without --write it checks them and exits non-zero on any problem.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "checks"

from checks import CHART, K8S_DIR, ROOT  # noqa: E402

TEMPLATE = K8S_DIR / "docker" / "Dockerfile.in"

# A version pin: major.minor.patch first ("3.11.14-slim-trixie", "1.2.3"),
# or a digest. "latest", "3.11", "3.11-slim", "slim" are floating.
PINNED_TAG = re.compile(r"^\d+\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$")
BUILD_TOOLS_RUN = [
    (re.compile(r"\b(apt-get|apt|apk|dnf|yum|microdnf)\s+(-\S+\s+)*(install|add)\b"),
     "installs OS packages"),
    (re.compile(r"\bpip\d?(\.\d+)?\s+(-\S+\s+)*install\b"), "runs pip install"),
    (re.compile(r"\buv\b"), "runs uv"),
    (re.compile(r"\b(gcc|cc|g\+\+|make|git|curl|wget|build-essential|protoc)\b"),
     "uses a build tool"),
]


@dataclass
class Stage:
    image: str
    alias: str | None
    instructions: list[dict[str, Any]] = field(default_factory=list)


def stages(parser: DockerfileParser) -> list[Stage]:
    out: list[Stage] = []
    for ins in parser.structure:
        if ins["instruction"] == "FROM":
            parts = ins["value"].split()
            parts = [p for p in parts if not p.startswith("--platform")]
            alias = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            out.append(Stage(parts[0], alias))
        elif out:
            out[-1].instructions.append(ins)
    return out


def image_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:  # no tag at all ("python", or "host:5000/python")
        return False
    return bool(PINNED_TAG.match(tag))


def _copy_sources(ins: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Sources and flags of a COPY/ADD instruction (JSON or shell form)."""
    value = ins["value"].strip()
    flags: dict[str, str] = {}
    words = shlex.split(value) if not value.startswith("[") else []
    while words and words[0].startswith("--"):
        key, _, val = words.pop(0)[2:].partition("=")
        flags[key] = val
    if value.startswith("[") or (words and words[0].startswith("[")):
        arr = json.loads(value[value.index("["):])
        return arr[:-1], flags
    return words[:-1], flags


def check_dockerfile(path: Path, context: Path = ROOT,
                     expected_cmd: list[str] | None = None,
                     expected_package: str | None = None) -> list[str]:
    """Every problem of one Dockerfile (empty: it passes)."""
    rel = path.relative_to(context) if path.is_relative_to(context) else path
    problems: list[str] = []
    try:
        parser = DockerfileParser(path=str(path))
        parsed = stages(parser)
    except Exception as exc:  # a Dockerfile that does not parse is a failure, not a skip
        return [f"{rel}: does not parse: {exc}"]
    for ins in parser.structure:
        if ins["instruction"] not in {"FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR",
                                      "USER", "EXPOSE", "CMD", "ENTRYPOINT", "LABEL",
                                      "HEALTHCHECK", "STOPSIGNAL", "SHELL", "VOLUME", "COMMENT",
                                      "ONBUILD"}:
            problems.append(f"{rel}:{ins['startline'] + 1}: unknown instruction {ins['instruction']}")
    if len(parsed) < 2:
        return problems + [f"{rel}: not multi-stage (a build stage and a runtime stage)"]
    aliases = {s.alias for s in parsed if s.alias}
    for s in parsed:
        if s.image in aliases:
            continue
        if "$" in s.image:
            problems.append(f"{rel}: FROM {s.image}: base image given by a variable; pin it literally")
        elif not image_pinned(s.image):
            problems.append(f"{rel}: FROM {s.image}: base image not pinned by version")
    # COPY/ADD sources must exist in the build context (the repository root).
    for s in parsed:
        for ins in s.instructions:
            if ins["instruction"] not in ("COPY", "ADD"):
                continue
            sources, flags = _copy_sources(ins)
            if "from" in flags:
                if flags["from"] not in aliases and not image_pinned(flags["from"]):
                    problems.append(f"{rel}:{ins['startline'] + 1}: COPY --from={flags['from']} "
                                    "is neither a stage nor a pinned image")
                continue
            for src in sources:
                if re.match(r"^[a-z]+://", src):
                    problems.append(f"{rel}:{ins['startline'] + 1}: {ins['instruction']} from a URL")
                elif not glob.glob(str(context / src.lstrip("/"))):
                    problems.append(f"{rel}:{ins['startline'] + 1}: {ins['instruction']} source "
                                    f"{src} does not exist in the build context")
    final = parsed[-1]
    users = [i["value"].strip() for i in final.instructions if i["instruction"] == "USER"]
    if not users:
        problems.append(f"{rel}: the final stage sets no USER (it would run as root)")
    else:
        uid = users[-1].split(":")[0]
        if not uid.isdigit():
            problems.append(f"{rel}: USER {users[-1]}: use a numeric UID so Kubernetes can "
                            "verify runAsNonRoot")
        elif int(uid) == 0:
            problems.append(f"{rel}: USER {users[-1]} is root")
    for ins in final.instructions:
        if ins["instruction"] == "RUN":
            for pattern, what in BUILD_TOOLS_RUN:
                if pattern.search(ins["value"]):
                    problems.append(f"{rel}:{ins['startline'] + 1}: the final stage {what}: "
                                    f"{ins['value'][:80]}")
        if ins["instruction"] in ("COPY", "ADD"):
            sources, flags = _copy_sources(ins)
            if "from" not in flags:
                problems.append(f"{rel}:{ins['startline'] + 1}: the final stage copies from the "
                                "build context; copy only built artefacts from the build stage")
            for src in sources:
                if re.search(r"(^|/)(uv|uvx|pip|src)(/|$)", src):
                    problems.append(f"{rel}:{ins['startline'] + 1}: the final stage copies {src}")
    build_runs = " ".join(i["value"] for s in parsed[:-1] for i in s.instructions
                          if i["instruction"] == "RUN")
    if expected_package:
        sync = re.compile(r"uv sync (?=[^&]*--frozen)(?=[^&]*--no-dev)(?=[^&]*--package "
                          + re.escape(expected_package) + r"\b)")
        if not sync.search(build_runs):
            problems.append(f"{rel}: the build stage does not install from the lock with "
                            f"`uv sync --frozen --no-dev --package {expected_package}`")
        if "make proto" not in build_runs:
            problems.append(f"{rel}: the build stage does not generate the protobuf classes "
                            "(`make proto`)")
    if expected_cmd is not None:
        cmds = [i for i in final.instructions if i["instruction"] in ("CMD", "ENTRYPOINT")]
        got = None
        if cmds and cmds[-1]["value"].strip().startswith("["):
            got = json.loads(cmds[-1]["value"])
        if got != expected_cmd:
            problems.append(f"{rel}: CMD {got} is not the chart's start command {expected_cmd}")
    return problems


# --------------------------------------------------------------------------- generation


def chart_components() -> dict[str, dict[str, Any]]:
    values = yaml.safe_load((CHART / "values.yaml").read_text("utf-8"))
    return values["components"]


def dockerfile_path(name: str, component: dict[str, Any]) -> Path:
    return ROOT / "gateway" / "Dockerfile" if component["role"] == "gateway" \
        else ROOT / "services" / name / "Dockerfile"


def package_name(name: str, component: dict[str, Any]) -> str:
    src = dockerfile_path(name, component).parent / "pyproject.toml"
    if src.exists():
        import tomllib
        return tomllib.loads(src.read_text("utf-8"))["project"]["name"]
    return f"xiangzhi-{name}"


def render_dockerfile(name: str, component: dict[str, Any]) -> str:
    path = dockerfile_path(name, component)
    text = TEMPLATE.read_text("utf-8")
    for key, value in {
        "@NAME@": name,
        "@DOCKERFILE@": _shown(path),
        "@PACKAGE@": package_name(name, component),
        "@PORT@": str(component["port"]),
        "@CMD@": json.dumps(component["command"]),
        # Listen on all interfaces in a container (the settings default is loopback).
        "@RUNTIME_ENV@": (f"GATEWAY_HOST=0.0.0.0 \\\n    GATEWAY_PORT={component['port']}"
                          if component["role"] == "gateway" else
                          f"HOST=0.0.0.0 \\\n    PORT={component['port']} \\\n"
                          "    MIGRATE_ON_START=false"),
    }.items():
        text = text.replace(key, value)
    return text


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_all() -> list[str]:
    problems: list[str] = []
    for name, c in sorted(chart_components().items()):
        path = dockerfile_path(name, c)
        if not c.get("enabled"):
            continue
        if not path.exists():
            problems.append(f"{_shown(path)}: missing (run `make k8s-dockerfiles`)")
            continue
        if path.read_text("utf-8") != render_dockerfile(name, c):
            problems.append(f"{_shown(path)}: differs from deploy/k8s/docker/"
                            "Dockerfile.in (edit the template, run `make k8s-dockerfiles`)")
        problems += check_dockerfile(path, expected_cmd=c["command"],
                                     expected_package=package_name(name, c))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.write:
        for name, c in sorted(chart_components().items()):
            path = dockerfile_path(name, c)
            if c.get("enabled") and path.parent.exists():
                path.write_text(render_dockerfile(name, c), encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
    problems = check_all()
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
