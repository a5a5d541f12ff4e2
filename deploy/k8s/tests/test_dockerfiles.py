"""Every image's Dockerfile passes the static checks, and the checks catch each fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from checks import ROOT, dockerfiles


def test_every_enabled_component_has_a_current_passing_dockerfile() -> None:
    problems = dockerfiles.check_all()
    assert not problems, "\n".join(problems)


GOOD = (ROOT / "services" / "grid" / "Dockerfile").read_text()
CMD = ["python", "-m", "grid"]


def check(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return dockerfiles.check_dockerfile(path, context=ROOT, expected_cmd=CMD,
                                        expected_package="xiangzhi-grid")


def test_the_template_passes(tmp_path: Path) -> None:
    assert check(tmp_path, GOOD) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("FROM python:3.11.14-slim-trixie AS build", "FROM python:3.11-slim AS build"),
     "not pinned by version"),
    (lambda t: t.replace("FROM python:3.11.14-slim-trixie\n", "FROM python:latest\n"),
     "not pinned by version"),
    (lambda t: t.replace("FROM python:3.11.14-slim-trixie\n", "FROM python\n"), "not pinned"),
    (lambda t: t.replace("USER 10001:10001\n", ""), "sets no USER"),
    (lambda t: t.replace("USER 10001:10001", "USER root"), "numeric UID"),
    (lambda t: t.replace("USER 10001:10001", "USER 0"), "is root"),
    (lambda t: t.replace("COPY proto/ proto/", "COPY protos/ proto/"), "does not exist"),
    (lambda t: t.replace("COPY --from=build /app/.venv /app/.venv",
                         "COPY --from=build /app/.venv /app/.venv\nRUN apt-get install -y gcc"),
     "installs OS packages"),
    (lambda t: t.replace("COPY --from=build /app/.venv /app/.venv",
                         "COPY --from=build /app/.venv /app/.venv\nRUN pip install uv"),
     "runs pip install"),
    (lambda t: t.replace("COPY --from=build /app/.venv /app/.venv",
                         "COPY --from=build /usr/local/bin/uv /usr/local/bin/uv"),
     "copies /usr/local/bin/uv"),
    (lambda t: t.replace("COPY --from=build /app/.venv /app/.venv", "COPY services/ /app/"),
     "copies from the build context"),
    (lambda t: t.replace("--no-dev --package xiangzhi-grid --no-editable",
                         "--package xiangzhi-grid --no-editable").replace(
                         "--no-dev --package xiangzhi-grid --no-install-workspace",
                         "--package xiangzhi-grid --no-install-workspace"),
     "uv sync --frozen --no-dev"),
    (lambda t: t.replace("make proto", "true"), "make proto"),
    (lambda t: t.replace('CMD ["python", "-m", "grid"]', 'CMD ["python", "-m", "grid", "x"]'),
     "not the chart's start command"),
    (lambda t: t[t.index("# ---- runtime"):], "not multi-stage"),
])
def test_each_fault_is_reported(tmp_path: Path, change, message: str) -> None:
    broken = change(GOOD)
    assert broken != GOOD
    problems = check(tmp_path, broken)
    assert any(message in p for p in problems), problems


def test_a_dockerfile_edited_by_hand_is_reported(tmp_path: Path, monkeypatch) -> None:
    real = dockerfiles.dockerfile_path
    edited = tmp_path / "Dockerfile"
    edited.write_text(GOOD.replace("EXPOSE 4101", "EXPOSE 4101 9000"))

    def path(name: str, component: dict) -> Path:
        return edited if name == "grid" else real(name, component)

    monkeypatch.setattr(dockerfiles, "dockerfile_path", path)
    monkeypatch.setattr(dockerfiles, "render_dockerfile",
                        lambda name, c: GOOD if name == "grid" else real(name, c).read_text())
    problems = dockerfiles.check_all()
    assert any("differs from deploy/k8s/docker/Dockerfile.in" in p for p in problems), problems
