"""Register use cases: parties, registers, admission, issuance, transfer, proxy conversion.
Each is one transaction: the ledger entry, the balances and the event, or nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Conflict, InvalidState, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from . import ledger
from .domain import scope
from .domain.money import parse_yuan
from .domain.registers import (
    DEFAULT_RULE,
    Appraisal,
    Basis,
    PartyKind,
    ProxyReason,
    RegisterKind,
    ShareClass,
    TransferParties,
    TransferRule,
    check_transfer,
    paid_in_moved,
    text,
    validate_basis,
    validate_shares,
)

PARTY_ADMINS = scope.VILLAGE_STAFF


async def fetch_party(conn: asyncpg.Connection, party_id: uuid.UUID, field: str) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT id, kind, name, region_code FROM party WHERE id = $1",
                              party_id)
    if row is None:
        raise NotFound(f"party {party_id} is unknown", field=field)
    return dict(row)


async def is_admitted(conn: asyncpg.Connection, register_id: uuid.UUID,
                      party_id: uuid.UUID) -> bool:
    return bool(await conn.fetchval(
        "SELECT true FROM register_holder WHERE register_id = $1 AND party_id = $2",
        register_id, party_id))


async def upsert_party(conn: asyncpg.Connection, party_id: uuid.UUID, kind: PartyKind, name: str,
                       region_code: str | None) -> dict[str, Any]:
    row = await conn.fetchrow(
        """INSERT INTO party (id, kind, name, region_code) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET name = party.name
           RETURNING id, kind, name, region_code""", party_id, kind.value, name, region_code)
    if row["kind"] != kind.value:
        raise Conflict(f"party {party_id} is already registered as {row['kind']}", field="kind")
    return dict(row)


async def register_party(pool: asyncpg.Pool, p: Principal, *, party_id: str | None,
                         kind: PartyKind, name: str, region_code: str | None) -> dict[str, Any]:
    """Records a party (idempotent by id). A member's id is their grid resident id."""
    p.require(*PARTY_ADMINS)
    clean_name = text(name, "name", limit=200)
    code = text(region_code, "regionCode", required=kind in (PartyKind.MEMBER,
                                                              PartyKind.COLLECTIVE), limit=64)
    if code is not None:
        p.require_region(code)
    pid = parse_id(party_id, "id") if party_id else uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        return await upsert_party(conn, pid, kind, clean_name or "", code)


async def open_register(pool: asyncpg.Pool, p: Principal, *, kind: RegisterKind, name: str,
                        region_code: str, external_ref: str, owner_party_id: str | None,
                        transfer_rule: TransferRule | None = None) -> dict[str, Any]:
    clean_name = text(name, "name", limit=200)
    code = text(region_code, "regionCode", limit=64) or ""
    ref = text(external_ref, "externalRef", limit=100) or ""
    scope.require_write(p, kind, code)
    async with pool.acquire() as conn, conn.transaction():
        owner = None
        if owner_party_id:
            owner = await fetch_party(conn, parse_id(owner_party_id, "ownerPartyId"),
                                      "ownerPartyId")
        if kind is RegisterKind.COLLECTIVE and (owner is None or owner["kind"] != "COLLECTIVE"):
            raise ValidationFailed("a collective's register is owned by that collective",
                                   field="ownerPartyId")
        row = await conn.fetchrow(
            f"""INSERT INTO share_register (id, kind, name, region_code, external_ref,
                    owner_party_id, transfer_rule, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (kind, external_ref) DO NOTHING
                RETURNING {ledger.REGISTER_COLUMNS}""",
            uuid.uuid4(), kind.value, clean_name, code, ref, owner["id"] if owner else None,
            (transfer_rule or DEFAULT_RULE[kind]).value, p.subject)
        if row is None:
            raise Conflict(f"a {kind.value} register for {ref} already exists",
                           field="externalRef")
        return dict(row)


async def admit_holder(pool: asyncpg.Pool, p: Principal, register_id: str,
                       party_id: str) -> dict[str, Any]:
    """Puts a party on a register (a member joins the collective; a party joins a project)."""
    rid, pid = parse_id(register_id, "registerId"), parse_id(party_id, "partyId")
    async with pool.acquire() as conn, conn.transaction():
        register = await ledger.lock_register(conn, rid)
        scope.require_write(p, RegisterKind(register["kind"]), register["region_code"])
        party = await fetch_party(conn, pid, "partyId")
        await _admit(conn, register, party, p.subject)
        return party


async def _admit(conn: asyncpg.Connection, register: dict[str, Any], party: dict[str, Any],
                 actor: str) -> None:
    if register["kind"] == "BASE_COOP" and party["kind"] != "COLLECTIVE":
        raise InvalidState("a base co-op's holders are village collectives")
    if register["kind"] == "COLLECTIVE" and party["kind"] == "MEMBER" and \
            party["region_code"] and not party["region_code"].startswith(register["region_code"]):
        raise InvalidState("a member joins the collective of their own village")
    await conn.execute(
        """INSERT INTO register_holder (register_id, party_id, admitted_by)
           VALUES ($1, $2, $3) ON CONFLICT DO NOTHING""", register["id"], party["id"], actor)


@dataclass(frozen=True)
class Issuance:
    register_id: str
    holder_id: str
    share_class: ShareClass
    shares: int
    basis: Basis
    basis_value: str = "0"
    beneficial_owner_id: str | None = None
    proxy_reason: ProxyReason | None = None
    appraisal: Appraisal | None = None
    note: str | None = None


async def issue(pool: asyncpg.Pool, p: Principal, i: Issuance) -> dict[str, Any]:
    """Issues shares to a holder, for cash or a quantified contribution. With a different
    beneficial owner the holder is a nominee: the proxy arrangement is recorded with it."""
    rid = parse_id(i.register_id, "registerId")
    holder_id = parse_id(i.holder_id, "holderId")
    owner_id = parse_id(i.beneficial_owner_id, "beneficialOwnerId") \
        if i.beneficial_owner_id else holder_id
    shares = validate_shares(i.shares)
    value_fen = parse_yuan(i.basis_value, "basisValue")
    appraisal = None
    if i.appraisal is not None:
        appraisal = Appraisal(text(i.appraisal.reference, "appraisal.reference") or "",
                              text(i.appraisal.appraiser, "appraisal.appraiser") or "",
                              text(i.appraisal.description, "appraisal.description") or "")
    validate_basis(i.basis, value_fen, appraisal, i.share_class)
    note = text(i.note, "note", required=False)
    proxy = owner_id != holder_id
    if proxy and i.proxy_reason is None:
        raise ValidationFailed("proxy holding 代持 needs its reason", field="proxyReason")
    async with pool.acquire() as conn, conn.transaction():
        register = await ledger.lock_register(conn, rid)
        scope.require_write(p, RegisterKind(register["kind"]), register["region_code"])
        holder = await fetch_party(conn, holder_id, "holderId")
        owner = await fetch_party(conn, owner_id, "beneficialOwnerId")
        if not await is_admitted(conn, rid, holder_id):
            if not await _subscribed(conn, register, holder_id):
                raise NotFound(f"holder {holder_id} is not on this register", field="holderId")
            await _admit(conn, register, holder, p.subject)  # a subscribing party pays in
        if i.share_class is ShareClass.MEMBER and owner["kind"] != "MEMBER":
            raise InvalidState("member shares belong to collective members")
        if proxy:
            await _record_proxy(conn, register, holder, owner, i.proxy_reason, p.subject)
        return await ledger.post(
            conn, register, kind="ISSUE", share_class=i.share_class.value, shares=shares,
            lines=[(holder_id, owner_id, shares, value_fen)], actor=p.subject,
            basis=i.basis.value, basis_value_fen=value_fen,
            appraisal=(appraisal.reference, appraisal.appraiser, appraisal.description)
            if appraisal else None, note=note)


async def _subscribed(conn: asyncpg.Connection, register: dict[str, Any],
                      party_id: uuid.UUID) -> bool:
    """A party of a project's current proportions joins its register when it first pays in."""
    if register["kind"] != "CONSORTIUM":
        return False
    return bool(await conn.fetchval(
        """SELECT true FROM project p JOIN project_stake s ON s.project_id = p.id
           WHERE p.register_id = $1 AND s.party_id = $2
             AND s.version = (SELECT max(version) FROM proportion_version v
                              WHERE v.project_id = p.id)""", register["id"], party_id))


async def _record_proxy(conn: asyncpg.Connection, register: dict[str, Any],
                        nominee: dict[str, Any], owner: dict[str, Any],
                        reason: ProxyReason | None, actor: str) -> None:
    assert reason is not None
    if reason is ProxyReason.MEMBER_NOT_JOINED and (
            nominee["kind"] != "COLLECTIVE" or owner["kind"] != "MEMBER"):
        raise InvalidState("the collective holds for members who have not joined yet")
    if reason is ProxyReason.SOCIAL_CAPITAL_SHORTFALL and (
            nominee["kind"] != "COUNTY_SOE" or owner["kind"] != "SOCIAL_CAPITAL"):
        raise InvalidState("the county SOE holds a social-capital shortfall")
    if reason is ProxyReason.MEMBER_NOT_JOINED and await is_admitted(conn, register["id"],
                                                                     owner["id"]):
        raise InvalidState("the member has joined: issue to them directly")
    await conn.execute(
        """INSERT INTO proxy_holding (id, register_id, nominee_party_id, beneficial_party_id,
               reason, created_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (register_id, nominee_party_id, beneficial_party_id)
               WHERE status = 'ACTIVE' DO NOTHING""",
        uuid.uuid4(), register["id"], nominee["id"], owner["id"], reason.value, actor)


@dataclass(frozen=True)
class Transfer:
    register_id: str
    from_holder_id: str
    to_holder_id: str
    share_class: ShareClass
    shares: int
    approval_ref: str | None
    approved_by: str | None
    note: str | None = None


async def transfer(pool: asyncpg.Pool, p: Principal, t: Transfer) -> dict[str, Any]:
    """Moves directly held shares between two holders under the register's transfer rule;
    paid-in capital follows pro rata."""
    rid = parse_id(t.register_id, "registerId")
    src, dst = parse_id(t.from_holder_id, "fromHolderId"), parse_id(t.to_holder_id, "toHolderId")
    shares = validate_shares(t.shares)
    approval_ref = text(t.approval_ref, "approvalRef", required=False)
    approved_by = text(t.approved_by, "approvedBy", required=bool(approval_ref), limit=200)
    note = text(t.note, "note", required=False)
    async with pool.acquire() as conn, conn.transaction():
        register = await ledger.lock_register(conn, rid)
        scope.require_write(p, RegisterKind(register["kind"]), register["region_code"])
        a = await fetch_party(conn, src, "fromHolderId")
        b = await fetch_party(conn, dst, "toHolderId")
        check_transfer(TransferParties(
            rule=TransferRule(register["transfer_rule"]), from_kind=PartyKind(a["kind"]),
            to_kind=PartyKind(b["kind"]), from_admitted=await is_admitted(conn, rid, src),
            to_admitted=await is_admitted(conn, rid, dst), same_holder=src == dst,
            approval_ref=approval_ref))
        positions = await ledger.lock_positions(conn, rid, t.share_class.value,
                                                [(src, src), (dst, dst)])
        held, paid = positions[(src, src)]
        if held < shares:
            raise InvalidState(f"holder {src} holds only {held} {t.share_class.value} shares here",
                               holder=str(src), held=held)
        moved = paid_in_moved(shares, held, paid)
        return await ledger.post(
            conn, register, kind="TRANSFER", share_class=t.share_class.value, shares=shares,
            lines=[(src, src, -shares, -moved), (dst, dst, shares, moved)], actor=p.subject,
            approval=(approval_ref or "", approved_by or ""), note=note, positions=positions)


async def convert_proxy(pool: asyncpg.Pool, p: Principal, proxy_id: str) -> dict[str, Any]:
    """The beneficial owner joins: they are admitted to the register and every share the
    nominee held for them moves to their direct holding, in one ledger entry per class."""
    xid = parse_id(proxy_id, "id")
    async with pool.acquire() as conn, conn.transaction():
        register_id = await conn.fetchval("SELECT register_id FROM proxy_holding WHERE id = $1",
                                          xid)
        if register_id is None:
            raise NotFound(f"proxy holding {proxy_id} not found", field="id")
        register = await ledger.lock_register(conn, register_id)
        scope.require_write(p, RegisterKind(register["kind"]), register["region_code"])
        proxy = await conn.fetchrow("SELECT * FROM proxy_holding WHERE id = $1 FOR UPDATE", xid)
        if proxy["status"] != "ACTIVE":
            raise InvalidState("this proxy holding is already converted")
        owner = await fetch_party(conn, proxy["beneficial_party_id"], "id")
        await _admit(conn, register, owner, p.subject)
        nominee, owner_id = proxy["nominee_party_id"], proxy["beneficial_party_id"]
        classes = await conn.fetch(
            """SELECT share_class FROM holding WHERE register_id = $1 AND holder_party_id = $2
                 AND beneficial_party_id = $3 AND shares > 0 ORDER BY share_class""",
            register_id, nominee, owner_id)
        last: dict[str, Any] | None = None
        for row in classes:
            positions = await ledger.lock_positions(conn, register_id, row["share_class"],
                                                    [(nominee, owner_id), (owner_id, owner_id)])
            shares, paid = positions[(nominee, owner_id)]
            last = await ledger.post(
                conn, register, kind="PROXY_CONVERSION", share_class=row["share_class"],
                shares=shares, lines=[(nominee, owner_id, -shares, -paid),
                                      (owner_id, owner_id, shares, paid)],
                actor=p.subject, note=f"代持转直接持有 proxy {xid}", positions=positions)
        await conn.execute(
            """UPDATE proxy_holding SET status = 'CONVERTED', converted_at = now(),
                   conversion_operation_id = $2 WHERE id = $1""", xid, last["id"] if last else None)
        return dict(await conn.fetchrow("SELECT * FROM proxy_holding WHERE id = $1", xid))
