"""Distribution runs "固定分红+盈利": a fixed dividend on paid-in capital plus a profit share by
holding, split exactly to the fen over a register's holdings.

A run is created as a draft with its allocations (a snapshot of the holdings), reviewed by a
second person (双人复核), then posted: posting credits each line to the beneficial owner's
dividend account held by the line's holder (the nominee for proxy-held shares). The same
idempotency key on the same register returns the same run, so a resubmission allocates once.
A posted run never changes (domain check and database trigger); a correction is a reversal
run that debits exactly what the original credited.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Conflict, InvalidState, NotFound
from xiangzhi_shared.ids import parse_id

from . import events, ledger
from .domain import scope
from .domain.allocation import Position, distribute
from .domain.money import parse_rate, parse_yuan
from .domain.registers import RegisterKind, text

RUN_COLUMNS = "id, register_id, idempotency_key, kind, status, declared_fen, fixed_rate, " \
              "period, source, source_ref, funding_party_id, reverses_run_id, note, " \
              "created_by, created_at, reviewed_by, reviewed_at, posted_by, posted_at"


def _key(holder: uuid.UUID, beneficial: uuid.UUID, share_class: str) -> str:
    # The tie-break order of the largest-remainder method: holder, then owner, then class.
    return f"{holder}:{beneficial}:{share_class}"


async def _allocate(conn: asyncpg.Connection, register_id: uuid.UUID, declared_fen: int,
                    rate: Fraction) -> list[tuple]:
    rows = await conn.fetch(
        """SELECT holder_party_id, beneficial_party_id, share_class, shares, paid_in_fen
           FROM holding WHERE register_id = $1 AND (shares > 0 OR paid_in_fen > 0)""",
        register_id)
    positions = [Position(_key(r[0], r[1], r[2]), r["shares"], r["paid_in_fen"]) for r in rows]
    amounts = distribute(declared_fen, positions, rate)
    return [(r[0], r[1], r[2], r["shares"], r["paid_in_fen"], amounts[_key(r[0], r[1], r[2])])
            for r in rows]


async def _write_lines(conn: asyncpg.Connection, run_id: uuid.UUID, lines: list[tuple]) -> None:
    await conn.copy_records_to_table(
        "distribution_line", records=[(run_id, *line) for line in lines],
        columns=["run_id", "holder_party_id", "beneficial_party_id", "share_class", "shares",
                 "paid_in_fen", "amount_fen"])


async def fetch_run(conn: asyncpg.Connection, run_id: uuid.UUID,
                    lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"SELECT {RUN_COLUMNS} FROM distribution_run WHERE id = $1{' FOR UPDATE' if lock else ''}",
        run_id)
    if row is None:
        raise NotFound(f"distribution run {run_id} not found", field="id")
    return dict(row)


def _same_request(run: dict[str, Any], declared_fen: int, rate: Fraction, period: str) -> bool:
    return (run["declared_fen"], Fraction(run["fixed_rate"]), run["period"]) == \
        (declared_fen, rate, period)


async def create_run_in(conn: asyncpg.Connection, register: dict[str, Any], *, declared_fen: int,
                        rate: Fraction, period: str, idempotency_key: str, actor: str,
                        source: str = "MANUAL", source_ref: str | None = None,
                        note: str | None = None) -> tuple[dict[str, Any], bool]:
    """Returns (run, created). The register row is locked FOR SHARE by the caller."""
    existing = await conn.fetchrow(
        f"SELECT {RUN_COLUMNS} FROM distribution_run WHERE register_id = $1 "
        "AND idempotency_key = $2", register["id"], idempotency_key)
    if existing is None:
        lines = await _allocate(conn, register["id"], declared_fen, rate)
        funding = register["owner_party_id"] if register["kind"] == "COLLECTIVE" else None
        row = await conn.fetchrow(
            f"""INSERT INTO distribution_run (id, register_id, idempotency_key, status,
                    declared_fen, fixed_rate, period, source, source_ref, funding_party_id,
                    note, created_by)
                VALUES ($1, $2, $3, 'DRAFT', $4, $5, $6, $7, $8, $9, $10, $11)
                ON CONFLICT (register_id, idempotency_key) DO NOTHING
                RETURNING {RUN_COLUMNS}""",
            uuid.uuid4(), register["id"], idempotency_key, declared_fen,
            Decimal(rate.numerator) / Decimal(rate.denominator), period, source, source_ref,
            funding, note, actor)
        if row is not None:
            await _write_lines(conn, row["id"], lines)
            return dict(row), True
        existing = await conn.fetchrow(  # a concurrent submission with the same key won
            f"SELECT {RUN_COLUMNS} FROM distribution_run WHERE register_id = $1 "
            "AND idempotency_key = $2", register["id"], idempotency_key)
    run = dict(existing)
    if not _same_request(run, declared_fen, rate, period):
        raise Conflict(f"idempotency key {idempotency_key} was used for a different run",
                       field="idempotencyKey", runId=str(run["id"]))
    return run, False


async def create_run(pool: asyncpg.Pool, p: Principal, *, register_id: str, declared_amount: str,
                     fixed_rate: str | None, period: str, idempotency_key: str,
                     note: str | None = None) -> dict[str, Any]:
    rid = parse_id(register_id, "registerId")
    declared_fen = parse_yuan(declared_amount, "declaredAmount")
    rate = parse_rate(fixed_rate)
    clean_period = text(period, "period", limit=40) or ""
    key = text(idempotency_key, "idempotencyKey", limit=100) or ""
    clean_note = text(note, "note", required=False)
    async with pool.acquire() as conn, conn.transaction():
        register = await ledger.lock_register(conn, rid, "SHARE")
        scope.require_write(p, RegisterKind(register["kind"]), register["region_code"])
        run, _ = await create_run_in(conn, register, declared_fen=declared_fen, rate=rate,
                                     period=clean_period, idempotency_key=key, actor=p.subject,
                                     note=clean_note)
        return run


async def _locked_run(conn: asyncpg.Connection, p: Principal | None,
                      run_id: uuid.UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    run = await fetch_run(conn, run_id, lock=True)
    register = await conn.fetchrow(
        f"SELECT {ledger.REGISTER_COLUMNS} FROM share_register WHERE id = $1", run["register_id"])
    if p is not None:
        scope.require_write(p, RegisterKind(register["kind"]), register["region_code"])
    return run, dict(register)


async def revise_run(pool: asyncpg.Pool, p: Principal, *, run_id: str, declared_amount: str,
                     fixed_rate: str | None) -> dict[str, Any]:
    """Changes a draft's amounts and recomputes its allocations; refused once reviewed."""
    xid = parse_id(run_id, "id")
    declared_fen = parse_yuan(declared_amount, "declaredAmount")
    rate = parse_rate(fixed_rate)
    async with pool.acquire() as conn, conn.transaction():
        run, register = await _locked_run(conn, p, xid)
        if run["status"] != "DRAFT":
            raise InvalidState(f"a {run['status'].lower()} run cannot be edited; reverse it "
                               "instead" if run["status"] == "POSTED" else
                               f"a {run['status'].lower()} run cannot be edited")
        await ledger.lock_register(conn, register["id"], "SHARE")
        lines = await _allocate(conn, register["id"], declared_fen, rate)
        await conn.execute("DELETE FROM distribution_line WHERE run_id = $1", xid)
        await _write_lines(conn, xid, lines)
        await conn.execute("UPDATE distribution_run SET declared_fen = $2, fixed_rate = $3 "
                           "WHERE id = $1", xid, declared_fen,
                           Decimal(rate.numerator) / Decimal(rate.denominator))
        return await fetch_run(conn, xid)


async def review_in(conn: asyncpg.Connection, run: dict[str, Any], register: dict[str, Any],
                    actor: str, *, four_eyes: bool = True) -> dict[str, Any]:
    if run["status"] != "DRAFT":
        raise InvalidState(f"the run is already {run['status'].lower()}")
    if four_eyes and actor == run["created_by"]:
        raise InvalidState("a run is reviewed by someone other than its creator (双人复核)")
    now = datetime.now(UTC)
    await conn.execute("UPDATE distribution_run SET status = 'REVIEWED', reviewed_by = $2, "
                       "reviewed_at = $3 WHERE id = $1", run["id"], actor, now)
    run = await fetch_run(conn, run["id"])
    await events.run_changed(conn, register, run, await _line_count(conn, run["id"]), actor, now)
    return run


async def review_run(pool: asyncpg.Pool, p: Principal, run_id: str) -> dict[str, Any]:
    xid = parse_id(run_id, "id")
    async with pool.acquire() as conn, conn.transaction():
        run, register = await _locked_run(conn, p, xid)
        return await review_in(conn, run, register, p.subject)


async def _line_count(conn: asyncpg.Connection, run_id: uuid.UUID) -> int:
    return await conn.fetchval("SELECT count(*) FROM distribution_line WHERE run_id = $1", run_id)


async def apply_account_entries(conn: asyncpg.Connection, run_id: uuid.UUID,
                                entries: list[tuple[uuid.UUID, uuid.UUID, str, int]]) -> None:
    """Appends (party, held by, kind, signed amount) entries and moves the balances, rows
    locked in key order (no deadlock between concurrent runs). A balance that would go
    negative trips the CHECK: the whole run is refused."""
    entries = [e for e in entries if e[3] != 0]
    if not entries:
        return
    await conn.copy_records_to_table(
        "account_entry", records=[(party, held, run_id, kind, amount)
                                  for party, held, kind, amount in entries],
        columns=["party_id", "held_by_party_id", "run_id", "kind", "amount_fen"])
    deltas: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
    for party, held, _, amount in entries:
        deltas[(party, held)] += amount
    keys = sorted(deltas)
    # Create-or-lock each balance row, one key after another in sorted order (pipelined),
    # then move them all in one statement: every row is ours by then.
    await conn.executemany(
        """INSERT INTO account_balance (party_id, held_by_party_id) VALUES ($1, $2)
           ON CONFLICT (party_id, held_by_party_id)
           DO UPDATE SET balance_fen = account_balance.balance_fen""", keys)
    try:
        await conn.execute(
            """UPDATE account_balance b SET balance_fen = b.balance_fen + d.delta
               FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS d(party, held, delta)
               WHERE b.party_id = d.party AND b.held_by_party_id = d.held""",
            [k[0] for k in keys], [k[1] for k in keys], [deltas[k] for k in keys])
    except asyncpg.CheckViolationError as exc:
        raise InvalidState("an account balance would go negative (the funding account does "
                           "not cover the run, or credits were already paid on)") from exc


async def post_in(conn: asyncpg.Connection, run: dict[str, Any], register: dict[str, Any],
                  actor: str) -> dict[str, Any]:
    if run["status"] == "POSTED":
        raise InvalidState("the run is already posted and cannot change")
    if run["status"] != "REVIEWED":
        raise InvalidState("a run is reviewed before it is posted")
    lines = await conn.fetch(
        "SELECT holder_party_id, beneficial_party_id, amount_fen FROM distribution_line "
        "WHERE run_id = $1", run["id"])
    entries = [(r["beneficial_party_id"], r["holder_party_id"], "DIVIDEND", r["amount_fen"])
               for r in lines]
    if run["funding_party_id"] is not None:
        entries.append((run["funding_party_id"], run["funding_party_id"], "FUNDING",
                        -run["declared_fen"]))
    await apply_account_entries(conn, run["id"], entries)
    now = datetime.now(UTC)
    await conn.execute("UPDATE distribution_run SET status = 'POSTED', posted_by = $2, "
                       "posted_at = $3 WHERE id = $1", run["id"], actor, now)
    run = await fetch_run(conn, run["id"])
    await events.run_changed(conn, register, run, len(lines), actor, now)
    return run


async def post_run(pool: asyncpg.Pool, p: Principal, run_id: str) -> dict[str, Any]:
    xid = parse_id(run_id, "id")
    async with pool.acquire() as conn, conn.transaction():
        run, register = await _locked_run(conn, p, xid)
        return await post_in(conn, run, register, p.subject)


async def reverse_run(pool: asyncpg.Pool, p: Principal, run_id: str,
                      reason: str) -> dict[str, Any]:
    """A correction: a new, posted REVERSAL run debiting exactly what the original credited
    (and returning the funding). The original stays as it was."""
    xid = parse_id(run_id, "id")
    note = text(reason, "reason")
    async with pool.acquire() as conn, conn.transaction():
        run, register = await _locked_run(conn, p, xid)
        if run["kind"] != "DISTRIBUTION" or run["status"] != "POSTED":
            raise InvalidState("only a posted distribution run can be reversed")
        if await conn.fetchval("SELECT true FROM distribution_run WHERE reverses_run_id = $1", xid):
            raise InvalidState("this run is already reversed")
        now = datetime.now(UTC)
        reversal = await conn.fetchrow(
            f"""INSERT INTO distribution_run (id, register_id, idempotency_key, kind, status,
                    declared_fen, fixed_rate, period, source, source_ref, funding_party_id,
                    reverses_run_id, note, created_by, reviewed_by, reviewed_at)
                VALUES ($1, $2, $3, 'REVERSAL', 'DRAFT', $4, $5, $6, $7, $8, $9, $10, $11, $12,
                        $12, $13)
                RETURNING {RUN_COLUMNS}""",
            uuid.uuid4(), register["id"], f"reversal:{xid}", run["declared_fen"],
            run["fixed_rate"], run["period"], run["source"], run["source_ref"],
            run["funding_party_id"], xid, note, p.subject, now)
        lines = await conn.fetch(
            "SELECT holder_party_id, beneficial_party_id, share_class, shares, paid_in_fen, "
            "amount_fen FROM distribution_line WHERE run_id = $1", xid)
        await _write_lines(conn, reversal["id"], [tuple(r) for r in lines])
        entries = [(r["beneficial_party_id"], r["holder_party_id"], "REVERSAL", -r["amount_fen"])
                   for r in lines]
        if run["funding_party_id"] is not None:
            entries.append((run["funding_party_id"], run["funding_party_id"], "FUNDING_RETURN",
                            run["declared_fen"]))
        await apply_account_entries(conn, reversal["id"], entries)
        await conn.execute("UPDATE distribution_run SET status = 'POSTED', posted_by = $2, "
                           "posted_at = $3 WHERE id = $1", reversal["id"], p.subject, now)
        posted = await fetch_run(conn, reversal["id"])
        await events.run_changed(conn, register, posted, len(lines), p.subject, now)
        return posted
