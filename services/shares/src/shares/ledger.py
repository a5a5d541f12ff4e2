"""Posting to the share ledger: the one way holdings change.

Each operation runs inside the caller's transaction: it locks the register row (so one
register's entries, and their events, are ordered), then the positions it touches in a
fixed order (so two operations never wait on each other in opposite orders), checks that no
position would go negative, and writes the operation, its lines, the new balances and the
event together. The balance table's CHECK (shares >= 0) is the last line of defence.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from xiangzhi_shared.errors import InvalidState, NotFound

from . import events
from .domain.registers import MAX_SHARES

# (holder, beneficial owner, shares delta, paid-in delta in fen)
Line = tuple[uuid.UUID, uuid.UUID, int, int]

REGISTER_COLUMNS = "id, kind, name, region_code, external_ref, owner_party_id, transfer_rule, " \
                   "created_by, created_at"


async def lock_register(conn: asyncpg.Connection, register_id: uuid.UUID,
                        mode: str = "UPDATE") -> dict[str, Any]:
    """FOR UPDATE to change holdings; FOR SHARE to read a consistent snapshot of them."""
    assert mode in ("UPDATE", "SHARE")
    row = await conn.fetchrow(
        f"SELECT {REGISTER_COLUMNS} FROM share_register WHERE id = $1 FOR {mode}", register_id)
    if row is None:
        raise NotFound(f"register {register_id} not found", field="registerId")
    return dict(row)


async def lock_positions(conn: asyncpg.Connection, register_id: uuid.UUID, share_class: str,
                         keys: list[tuple[uuid.UUID, uuid.UUID]]) -> dict[tuple, tuple[int, int]]:
    """Creates missing positions and locks them all, in sorted key order."""
    found: dict[tuple, tuple[int, int]] = {}
    for holder, beneficial in sorted(set(keys)):
        row = await conn.fetchrow(
            """INSERT INTO holding (register_id, holder_party_id, beneficial_party_id, share_class)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (register_id, holder_party_id, beneficial_party_id, share_class)
               DO UPDATE SET shares = holding.shares
               RETURNING shares, paid_in_fen""", register_id, holder, beneficial, share_class)
        found[(holder, beneficial)] = (row["shares"], row["paid_in_fen"])
    return found


async def post(conn: asyncpg.Connection, register: dict[str, Any], *, kind: str,
               share_class: str, shares: int, lines: list[Line], actor: str,
               basis: str | None = None, basis_value_fen: int = 0,
               appraisal: tuple[str, str, str] | None = None,
               approval: tuple[str, str] | None = None, note: str | None = None,
               positions: dict[tuple, tuple[int, int]] | None = None) -> dict[str, Any]:
    """Writes one ledger operation. The register row must already be locked by the caller."""
    if positions is None:
        positions = await lock_positions(conn, register["id"], share_class,
                                         [(h, b) for h, b, _, _ in lines])
    after: dict[tuple, list[int]] = {k: list(v) for k, v in positions.items()}
    for holder, beneficial, d_shares, d_paid in lines:
        after[(holder, beneficial)][0] += d_shares
        after[(holder, beneficial)][1] += d_paid
    for (holder, beneficial), (new_shares, new_paid) in after.items():
        if new_shares < 0 or new_paid < 0:
            held = positions[(holder, beneficial)][0]
            raise InvalidState(f"holder {holder} holds only {held} {share_class} shares here",
                               holder=str(holder), held=held)
    if kind == "ISSUE":
        total = await conn.fetchval("SELECT coalesce(sum(shares), 0) FROM holding "
                                    "WHERE register_id = $1", register["id"])
        if total + shares > MAX_SHARES:
            raise InvalidState(f"a register holds at most {MAX_SHARES} shares")
    now = datetime.now(UTC)
    appraisal_ref, appraiser, description = appraisal or (None, None, None)
    approval_ref, approved_by = approval or (None, None)
    op = dict(await conn.fetchrow(
        """INSERT INTO ledger_operation (id, register_id, kind, share_class, shares, basis,
               basis_value_fen, appraisal_ref, appraiser, asset_description, approval_ref,
               approved_by, note, actor, created_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING *""",
        uuid.uuid4(), register["id"], kind, share_class, shares, basis, basis_value_fen,
        appraisal_ref, appraiser, description, approval_ref, approved_by, note, actor, now))
    await conn.executemany(
        """INSERT INTO ledger_line (operation_id, register_id, holder_party_id,
               beneficial_party_id, share_class, shares_delta, paid_in_delta_fen)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        [(op["id"], register["id"], h, b, share_class, s, p) for h, b, s, p in lines])
    await conn.executemany(
        """UPDATE holding SET shares = $5, paid_in_fen = $6, updated_at = $7
           WHERE register_id = $1 AND holder_party_id = $2 AND beneficial_party_id = $3
             AND share_class = $4""",
        [(register["id"], h, b, share_class, s, p, now) for (h, b), (s, p) in after.items()])
    await events.ledger_entry_recorded(conn, register, op, lines)
    return op
