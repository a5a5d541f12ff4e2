"""Read queries of the subgraph. Callers check scope first; these only fetch."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from .ledger import REGISTER_COLUMNS

PARTY = "json_build_object('id', {a}.id, 'kind', {a}.kind, 'name', {a}.name, " \
        "'region_code', {a}.region_code)"


def _rows(records: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [dict(r) for r in records]


async def register(conn: asyncpg.Connection, register_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {REGISTER_COLUMNS} FROM share_register WHERE id = $1",
                              register_id)
    return dict(row) if row else None


async def register_by_ref(conn: asyncpg.Connection, kind: str, ref: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {REGISTER_COLUMNS} FROM share_register "
                              "WHERE kind = $1 AND external_ref = $2", kind, ref)
    return dict(row) if row else None


async def registers_in(conn: asyncpg.Connection, root: str, kinds: list[str]) -> list[dict]:
    return _rows(await conn.fetch(
        f"""SELECT {REGISTER_COLUMNS} FROM share_register
            WHERE (region_code = $1 OR region_code LIKE $1 || '.%') AND kind = ANY($2)
            ORDER BY region_code, kind, name""", root, kinds))


async def party(conn: asyncpg.Connection, party_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT id, kind, name, region_code FROM party WHERE id = $1",
                              party_id)
    return dict(row) if row else None


HOLDING_SELECT = f"""SELECT h.register_id, h.share_class, h.shares, h.paid_in_fen,
        r.name AS register_name, r.kind AS register_kind, r.region_code,
        {PARTY.format(a='hp')} AS holder, {PARTY.format(a='bp')} AS beneficial
    FROM holding h JOIN share_register r ON r.id = h.register_id
    JOIN party hp ON hp.id = h.holder_party_id
    JOIN party bp ON bp.id = h.beneficial_party_id"""


async def holdings_of_register(conn: asyncpg.Connection, register_id: uuid.UUID) -> list[dict]:
    return _rows(await conn.fetch(
        f"{HOLDING_SELECT} WHERE h.register_id = $1 AND (h.shares > 0 OR h.paid_in_fen > 0) "
        "ORDER BY hp.name, bp.name, h.share_class", register_id))


async def holdings_of_owner(conn: asyncpg.Connection, party_id: uuid.UUID) -> list[dict]:
    """Everything held for a beneficial owner, directly or by a nominee."""
    return _rows(await conn.fetch(
        f"{HOLDING_SELECT} WHERE h.beneficial_party_id = $1 AND (h.shares > 0 OR "
        "h.paid_in_fen > 0) ORDER BY h.register_id, h.share_class", party_id))


async def holders(conn: asyncpg.Connection, register_id: uuid.UUID) -> list[dict]:
    return _rows(await conn.fetch(
        """SELECT p.id, p.kind, p.name, p.region_code, rh.admitted_at FROM register_holder rh
           JOIN party p ON p.id = rh.party_id WHERE rh.register_id = $1
           ORDER BY p.kind, p.name""", register_id))


async def ledger_page(conn: asyncpg.Connection, register_id: uuid.UUID, after_seq: int | None,
                      limit: int) -> tuple[list[dict], int]:
    rows = _rows(await conn.fetch(
        """SELECT o.*, (SELECT json_agg(json_build_object(
                   'holder_party_id', l.holder_party_id, 'beneficial_party_id',
                   l.beneficial_party_id, 'shares_delta', l.shares_delta,
                   'paid_in_delta_fen', l.paid_in_delta_fen) ORDER BY l.id)
               FROM ledger_line l WHERE l.operation_id = o.id) AS lines
           FROM ledger_operation o WHERE o.register_id = $1 AND o.seq > $2
           ORDER BY o.seq LIMIT $3""", register_id, after_seq or 0, limit))
    total = await conn.fetchval("SELECT count(*) FROM ledger_operation WHERE register_id = $1",
                                register_id)
    return rows, total


async def mismatches(conn: asyncpg.Connection, register_id: uuid.UUID) -> list[dict]:
    return _rows(await conn.fetch("SELECT * FROM holding_mismatch WHERE register_id = $1",
                                  register_id))


async def proxies(conn: asyncpg.Connection, *, register_id: uuid.UUID | None = None,
                  nominee: uuid.UUID | None = None,
                  owner: uuid.UUID | None = None) -> list[dict]:
    return _rows(await conn.fetch(
        f"""SELECT x.*, r.kind AS register_kind, r.region_code, r.name AS register_name,
                   {PARTY.format(a='np')} AS nominee, {PARTY.format(a='bp')} AS beneficial,
                   coalesce((SELECT sum(h.shares) FROM holding h WHERE h.register_id =
                       x.register_id AND h.holder_party_id = x.nominee_party_id
                       AND h.beneficial_party_id = x.beneficial_party_id), 0) AS shares
            FROM proxy_holding x JOIN share_register r ON r.id = x.register_id
            JOIN party np ON np.id = x.nominee_party_id
            JOIN party bp ON bp.id = x.beneficial_party_id
            WHERE ($1::uuid IS NULL OR x.register_id = $1)
              AND ($2::uuid IS NULL OR x.nominee_party_id = $2)
              AND ($3::uuid IS NULL OR x.beneficial_party_id = $3)
            ORDER BY x.created_at, x.id""", register_id, nominee, owner))


async def runs_of_register(conn: asyncpg.Connection, register_id: uuid.UUID) -> list[dict]:
    from .distributions import RUN_COLUMNS
    return _rows(await conn.fetch(
        f"SELECT {RUN_COLUMNS} FROM distribution_run WHERE register_id = $1 "
        "ORDER BY created_at DESC, id", register_id))


async def run_lines(conn: asyncpg.Connection, run_id: uuid.UUID, limit: int,
                    offset: int) -> list[dict]:
    return _rows(await conn.fetch(
        f"""SELECT l.share_class, l.shares, l.paid_in_fen, l.amount_fen,
                   {PARTY.format(a='hp')} AS holder, {PARTY.format(a='bp')} AS beneficial
            FROM distribution_line l JOIN party hp ON hp.id = l.holder_party_id
            JOIN party bp ON bp.id = l.beneficial_party_id
            WHERE l.run_id = $1 ORDER BY l.holder_party_id, l.beneficial_party_id, l.share_class
            LIMIT $2 OFFSET $3""", run_id, limit, offset))


async def run_totals(conn: asyncpg.Connection, run_id: uuid.UUID) -> dict[str, Any]:
    return dict(await conn.fetchrow(
        "SELECT count(*) AS lines, coalesce(sum(amount_fen), 0) AS allocated "
        "FROM distribution_line WHERE run_id = $1", run_id))


async def dividends_of(conn: asyncpg.Connection, party_id: uuid.UUID,
                       since: datetime | None = None) -> list[dict]:
    return _rows(await conn.fetch(
        f"""SELECT e.id, e.kind, e.amount_fen, e.created_at, e.run_id, d.period,
                   d.register_id, r.name AS register_name, {PARTY.format(a='hp')} AS held_by
            FROM account_entry e JOIN distribution_run d ON d.id = e.run_id
            JOIN share_register r ON r.id = d.register_id
            JOIN party hp ON hp.id = e.held_by_party_id
            WHERE e.party_id = $1 AND e.kind IN ('DIVIDEND', 'REVERSAL')
            ORDER BY e.id DESC LIMIT 200""", party_id))


async def accounts_of(conn: asyncpg.Connection, party_id: uuid.UUID) -> list[dict]:
    return _rows(await conn.fetch(
        f"""SELECT b.balance_fen, {PARTY.format(a='hp')} AS held_by
            FROM account_balance b JOIN party hp ON hp.id = b.held_by_party_id
            WHERE b.party_id = $1 ORDER BY hp.name""", party_id))


async def project(conn: asyncpg.Connection, project_id: uuid.UUID) -> dict[str, Any] | None:
    from .projects import fetch_project
    try:
        return await fetch_project(conn, project_id)
    except Exception:  # NotFound
        return None


async def projects_in(conn: asyncpg.Connection, root: str) -> list[dict]:
    return _rows(await conn.fetch(
        """SELECT p.*, (SELECT max(version) FROM proportion_version v WHERE v.project_id = p.id)
                  AS current_version FROM project p
           WHERE p.host_region_code = $1 OR p.host_region_code LIKE $1 || '.%'
           ORDER BY p.created_at""", root))


async def project_parties(conn: asyncpg.Connection, project_id: uuid.UUID, version: int,
                          register_id: uuid.UUID) -> list[dict]:
    return _rows(await conn.fetch(
        f"""SELECT s.numerator, s.denominator, s.subscribed_fen, {PARTY.format(a='p')} AS party,
                   coalesce((SELECT sum(h.paid_in_fen) FROM holding h WHERE h.register_id = $3
                       AND h.beneficial_party_id = s.party_id), 0) AS paid_in_fen,
                   coalesce((SELECT sum(h.shares) FROM holding h WHERE h.register_id = $3
                       AND h.beneficial_party_id = s.party_id), 0) AS shares
            FROM project_stake s JOIN party p ON p.id = s.party_id
            WHERE s.project_id = $1 AND s.version = $2 ORDER BY s.subscribed_fen DESC, p.id""",
        project_id, version, register_id))


async def proportion_versions(conn: asyncpg.Connection, project_id: uuid.UUID) -> list[dict]:
    return _rows(await conn.fetch(
        "SELECT * FROM proportion_version WHERE project_id = $1 ORDER BY version", project_id))
