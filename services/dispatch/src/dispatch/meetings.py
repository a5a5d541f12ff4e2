"""Joint meetings 联席会议 of companies, township and villages, and their action items, each
optionally linked to the ticket it follows up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal, region_contains
from xiangzhi_shared.errors import InvalidState, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from .clock import Clock, utc_now
from .domain import scope
from .domain.tickets import TITLE_MAX, text


@dataclass(frozen=True)
class ActionItemDraft:
    description: str
    owner: str
    due_on: date | None = None
    ticket_id: str | None = None


async def _item(conn: asyncpg.Connection, meeting: dict[str, Any], draft: ActionItemDraft) -> None:
    desc = text(draft.description, "description", required=True)
    owner = text(draft.owner, "owner", required=True, limit=100)
    ticket_id = parse_id(draft.ticket_id, "ticketId") if draft.ticket_id else None
    if ticket_id is not None:
        code = await conn.fetchval("SELECT region_code FROM ticket WHERE id=$1", ticket_id)
        if code is None:
            raise NotFound(f"ticket {ticket_id} not found", field="ticketId")
        if not region_contains(meeting["region_code"], code):
            raise ValidationFailed("the ticket is not in the meeting's area", field="ticketId")
    await conn.execute(
        """INSERT INTO action_item (id, meeting_id, description, owner, due_on, ticket_id)
           VALUES ($1, $2, $3, $4, $5, $6)""", uuid.uuid4(), meeting["id"], desc, owner,
        draft.due_on, ticket_id)


async def hold_meeting(pool: asyncpg.Pool, p: Principal, *, region_code: str, title: str,
                       held_on: date, partners: list[str], minutes: str | None,
                       items: list[ActionItemDraft]) -> dict[str, Any]:
    scope.require_admin_in(p, region_code)
    title_ = text(title, "title", required=True, limit=TITLE_MAX)
    minutes_ = text(minutes, "minutes", required=False)
    async with pool.acquire() as conn, conn.transaction():
        known = {r["code"] for r in await conn.fetch(
            "SELECT code FROM partner WHERE code = ANY($1)", partners)}
        if unknown := sorted(set(partners) - known):
            raise NotFound(f"unknown partners {unknown}", field="partners")
        row = dict(await conn.fetchrow(
            """INSERT INTO meeting (id, region_code, title, held_on, partner_codes, minutes,
                   created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
            uuid.uuid4(), region_code, title_, held_on, sorted(known), minutes_, p.subject))
        for draft in items:
            await _item(conn, row, draft)
        return row


async def add_action_item(pool: asyncpg.Pool, p: Principal, meeting_id: str,
                          draft: ActionItemDraft) -> dict[str, Any]:
    mid = parse_id(meeting_id, "meetingId")
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow("SELECT * FROM meeting WHERE id=$1 FOR UPDATE", mid)
        if row is None:
            raise NotFound(f"meeting {meeting_id} not found")
        scope.require_admin_in(p, row["region_code"])
        await _item(conn, dict(row), draft)
        return dict(row)


async def complete_action_item(pool: asyncpg.Pool, p: Principal, item_id: str,
                               clock: Clock = utc_now) -> dict[str, Any]:
    """逐一销号: ticked off one by one."""
    iid = parse_id(item_id)
    async with pool.acquire() as conn, conn.transaction():
        item = await conn.fetchrow(
            """SELECT i.*, m.region_code FROM action_item i JOIN meeting m ON m.id = i.meeting_id
               WHERE i.id=$1 FOR UPDATE OF i""", iid)
        if item is None:
            raise NotFound(f"action item {item_id} not found")
        scope.require_admin_in(p, item["region_code"])
        if item["status"] == "DONE":
            raise InvalidState("the action item is already done")
        return dict(await conn.fetchrow(
            "UPDATE action_item SET status='DONE', done_at=$2 WHERE id=$1 RETURNING *",
            iid, clock()))
