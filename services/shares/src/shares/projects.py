"""Consortium projects "x+N" 联合体 (village collective + finance + county SOE + leading
enterprise + social capital + members) and enclave pooling 飞地抱团 (a weak village's
collective invests in another village's project and becomes its party).

Parties subscribe in agreed proportions; every adjustment is a new version with its
decision record. Subscribed capital comes from the proportions (split exactly to the fen);
paid-in capital is what was actually contributed (the issuances on the project's register).
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import NotFound
from xiangzhi_shared.ids import parse_id

from . import ledger
from .domain import scope
from .domain.money import parse_yuan
from .domain.proportions import subscriptions, validate_stakes
from .domain.registers import DEFAULT_RULE, RegisterKind, text
from .registers import fetch_party


async def create_project(pool: asyncpg.Pool, p: Principal, *, name: str, host_region_code: str,
                         total_capital: str, decision_ref: str,
                         stakes: list[tuple[str, str]]) -> dict[str, Any]:
    clean_name = text(name, "name", limit=200) or ""
    code = text(host_region_code, "hostRegionCode", limit=64) or ""
    scope.require_project_admin(p, code)
    capital_fen = parse_yuan(total_capital, "totalCapital", allow_zero=False)
    decision = text(decision_ref, "decisionRef") or ""
    proportions = validate_stakes([(str(parse_id(pid, "stakes.partyId")), s) for pid, s in stakes])
    project_id = uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        register_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO share_register (id, kind, name, region_code, external_ref,
                   transfer_rule, created_by) VALUES ($1, 'CONSORTIUM', $2, $3, $4, $5, $6)""",
            register_id, clean_name, code, str(project_id),
            DEFAULT_RULE[RegisterKind.CONSORTIUM].value, p.subject)
        await conn.execute(
            """INSERT INTO project (id, register_id, name, host_region_code, total_capital_fen,
                   created_by) VALUES ($1, $2, $3, $4, $5, $6)""",
            project_id, register_id, clean_name, code, capital_fen, p.subject)
        await _new_version(conn, project_id, register_id, capital_fen, 1, decision, proportions,
                           p.subject)
        return await fetch_project(conn, project_id)


async def adjust_proportions(pool: asyncpg.Pool, p: Principal, *, project_id: str,
                             decision_ref: str, stakes: list[tuple[str, str]]) -> dict[str, Any]:
    """可根据实际情况进行调整占股比例: a new version of the proportions, never an edit."""
    pid = parse_id(project_id, "projectId")
    decision = text(decision_ref, "decisionRef") or ""
    proportions = validate_stakes([(str(parse_id(x, "stakes.partyId")), s) for x, s in stakes])
    async with pool.acquire() as conn, conn.transaction():
        project = await conn.fetchrow("SELECT * FROM project WHERE id = $1 FOR UPDATE", pid)
        if project is None:
            raise NotFound(f"project {project_id} not found", field="projectId")
        scope.require_project_admin(p, project["host_region_code"])
        version = await conn.fetchval(
            "SELECT max(version) FROM proportion_version WHERE project_id = $1", pid)
        await _new_version(conn, pid, project["register_id"], project["total_capital_fen"],
                           version + 1, decision, proportions, p.subject)
        return await fetch_project(conn, pid)


async def _new_version(conn: asyncpg.Connection, project_id: uuid.UUID, register_id: uuid.UUID,
                       capital_fen: int, version: int, decision: str,
                       proportions: dict[str, Fraction], actor: str) -> None:
    await ledger.lock_register(conn, register_id)
    for party_id in sorted(proportions):  # parties join the register when they pay in
        await fetch_party(conn, uuid.UUID(party_id), "stakes.partyId")
    await conn.execute(
        """INSERT INTO proportion_version (project_id, version, decision_ref, recorded_by)
           VALUES ($1, $2, $3, $4)""", project_id, version, decision, actor)
    subscribed = subscriptions(capital_fen, proportions)
    await conn.executemany(
        """INSERT INTO project_stake (project_id, version, party_id, numerator, denominator,
               subscribed_fen) VALUES ($1, $2, $3, $4, $5, $6)""",
        [(project_id, version, uuid.UUID(k), f.numerator, f.denominator, subscribed[k])
         for k, f in sorted(proportions.items())])


async def fetch_project(conn: asyncpg.Connection, project_id: uuid.UUID) -> dict[str, Any]:
    row = await conn.fetchrow(
        """SELECT p.*, (SELECT max(version) FROM proportion_version v WHERE v.project_id = p.id)
                  AS current_version
           FROM project p WHERE p.id = $1""", project_id)
    if row is None:
        raise NotFound(f"project {project_id} not found")
    return dict(row)
