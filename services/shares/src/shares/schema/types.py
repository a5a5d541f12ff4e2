"""GraphQL types of the shares subgraph. Grid's Village and Resident are extended with the
village's collective register and the resident's holdings (federation: key id only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.errors import ValidationFailed
from xiangzhi_shared.ids import parse_id

from .. import reads
from ..domain import scope
from ..domain.money import yuan
from ..domain.proportions import as_text
from ..domain.registers import (
    Basis,
    PartyKind,
    ProxyReason,
    RegisterKind,
    ShareClass,
    TransferRule,
)

RegisterKindGQL = strawberry.enum(RegisterKind, name="RegisterKind")
PartyKindGQL = strawberry.enum(PartyKind, name="PartyKind")
ShareClassGQL = strawberry.enum(ShareClass, name="ShareClass")
BasisGQL = strawberry.enum(Basis, name="ContributionBasis")
TransferRuleGQL = strawberry.enum(TransferRule, name="TransferRule")
ProxyReasonGQL = strawberry.enum(ProxyReason, name="ProxyReason")

MAX_LINES_PAGE = 1000


@strawberry.type(description="Anyone who holds shares or receives dividends. A member's id is "
                 "their grid resident id; a collective's id is its village's id.")
class Party:
    id: strawberry.ID
    kind: PartyKindGQL  # type: ignore[valid-type]
    name: str
    region_code: str | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Party:
        return cls(id=strawberry.ID(str(d["id"])), kind=PartyKind(d["kind"]), name=d["name"],
                   region_code=d.get("region_code"))


@strawberry.type(description="Shares of one class held by a holder for a beneficial owner. "
                 "holder = owner for a direct holding; otherwise the holder is a nominee (代持).")
class Holding:
    register_id: strawberry.ID
    register_name: str
    register_kind: RegisterKindGQL  # type: ignore[valid-type]
    share_class: ShareClassGQL  # type: ignore[valid-type]
    shares: int
    paid_in: Decimal
    holder: Party
    beneficial_owner: Party

    @strawberry.field(description="True when a nominee holds these shares on the owner's behalf.")
    def proxy(self) -> bool:
        return self.holder.id != self.beneficial_owner.id

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> Holding:
        return cls(register_id=strawberry.ID(str(r["register_id"])),
                   register_name=r["register_name"], register_kind=RegisterKind(r["register_kind"]),
                   share_class=ShareClass(r["share_class"]), shares=r["shares"],
                   paid_in=yuan(r["paid_in_fen"]), holder=Party.from_json(r["holder"]),
                   beneficial_owner=Party.from_json(r["beneficial"]))


@strawberry.type
class LedgerLine:
    holder_id: strawberry.ID
    beneficial_owner_id: strawberry.ID
    shares_delta: int
    paid_in_delta: Decimal


@strawberry.type(description="One change of a register: append-only, never edited.")
class LedgerEntry:
    id: strawberry.ID
    sequence: int
    kind: str
    share_class: ShareClassGQL  # type: ignore[valid-type]
    shares: int
    basis: BasisGQL | None  # type: ignore[valid-type]
    basis_value: Decimal
    appraisal_ref: str | None
    appraiser: str | None
    asset_description: str | None
    approval_ref: str | None
    approved_by: str | None
    note: str | None
    actor: str
    created_at: datetime
    lines: list[LedgerLine]

    @classmethod
    def from_row(cls, r: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> LedgerEntry:
        return cls(
            id=strawberry.ID(str(r["id"])), sequence=r["seq"], kind=r["kind"],
            share_class=ShareClass(r["share_class"]), shares=r["shares"],
            basis=Basis(r["basis"]) if r["basis"] else None, basis_value=yuan(r["basis_value_fen"]),
            appraisal_ref=r["appraisal_ref"], appraiser=r["appraiser"],
            asset_description=r["asset_description"], approval_ref=r["approval_ref"],
            approved_by=r["approved_by"], note=r["note"], actor=r["actor"],
            created_at=r["created_at"],
            lines=[LedgerLine(holder_id=strawberry.ID(str(x["holder_party_id"])),
                              beneficial_owner_id=strawberry.ID(str(x["beneficial_party_id"])),
                              shares_delta=x["shares_delta"],
                              paid_in_delta=Decimal(x["paid_in_delta_fen"]) / 100)
                   for x in (lines if lines is not None else r.get("lines") or [])])


@strawberry.type
class LedgerPage:
    nodes: list[LedgerEntry]
    total_count: int
    end_cursor: str | None
    has_next_page: bool


@strawberry.type
class HoldingMismatch:
    holder_id: strawberry.ID
    beneficial_owner_id: strawberry.ID
    share_class: str
    held_shares: int
    ledger_shares: int


@strawberry.type(description="Proof that current holdings equal the sum of the history.")
class Reconciliation:
    consistent: bool
    mismatches: list[HoldingMismatch]


@strawberry.type(description="代持: a nominee holding shares on behalf of a beneficial owner.")
class ProxyHolding:
    id: strawberry.ID
    register_id: strawberry.ID
    register_name: str
    nominee: Party
    beneficial_owner: Party
    reason: ProxyReasonGQL  # type: ignore[valid-type]
    status: str
    shares: int
    created_at: datetime
    converted_at: datetime | None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> ProxyHolding:
        return cls(id=strawberry.ID(str(r["id"])), register_id=strawberry.ID(str(r["register_id"])),
                   register_name=r["register_name"], nominee=Party.from_json(r["nominee"]),
                   beneficial_owner=Party.from_json(r["beneficial"]),
                   reason=ProxyReason(r["reason"]), status=r["status"], shares=r["shares"],
                   created_at=r["created_at"], converted_at=r["converted_at"])


@strawberry.type
class DistributionLine:
    holder: Party
    beneficial_owner: Party
    share_class: ShareClassGQL  # type: ignore[valid-type]
    shares: int
    paid_in: Decimal
    amount: Decimal


@strawberry.type(description="A distribution run 固定分红+盈利: DRAFT -> REVIEWED -> POSTED.")
class DistributionRun:
    id: strawberry.ID
    register_id: strawberry.ID
    kind: str
    status: str
    declared_amount: Decimal
    fixed_rate: str
    period: str
    source: str
    source_ref: str | None
    reverses_run_id: strawberry.ID | None
    note: str | None
    created_by: str
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    posted_by: str | None
    posted_at: datetime | None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> DistributionRun:
        return cls(
            id=strawberry.ID(str(r["id"])), register_id=strawberry.ID(str(r["register_id"])),
            kind=r["kind"], status=r["status"], declared_amount=yuan(r["declared_fen"]),
            fixed_rate=format(r["fixed_rate"].normalize(), "f"), period=r["period"],
            source=r["source"], source_ref=r["source_ref"],
            reverses_run_id=strawberry.ID(str(r["reverses_run_id"])) if r["reverses_run_id"]
            else None, note=r["note"], created_by=r["created_by"], created_at=r["created_at"],
            reviewed_by=r["reviewed_by"], reviewed_at=r["reviewed_at"], posted_by=r["posted_by"],
            posted_at=r["posted_at"])

    @strawberry.field(description="How many holders the run allocates to.")
    async def line_count(self, info: Info) -> int:
        async with info.context.pool.acquire() as conn:
            return (await reads.run_totals(conn, uuid.UUID(self.id)))["lines"]

    @strawberry.field(description="The sum of the lines: always exactly the declared amount.")
    async def allocated_total(self, info: Info) -> Decimal:
        async with info.context.pool.acquire() as conn:
            return yuan((await reads.run_totals(conn, uuid.UUID(self.id)))["allocated"])

    @strawberry.field
    async def lines(self, info: Info, first: int = 100, offset: int = 0) -> list[DistributionLine]:
        if not 1 <= first <= MAX_LINES_PAGE or offset < 0:
            raise ValidationFailed(f"first must be 1..{MAX_LINES_PAGE}, offset >= 0", field="first")
        async with info.context.pool.acquire() as conn:
            rows = await reads.run_lines(conn, uuid.UUID(self.id), first, offset)
        return [DistributionLine(holder=Party.from_json(r["holder"]),
                                 beneficial_owner=Party.from_json(r["beneficial"]),
                                 share_class=ShareClass(r["share_class"]), shares=r["shares"],
                                 paid_in=yuan(r["paid_in_fen"]), amount=yuan(r["amount_fen"]))
                for r in rows]


@strawberry.type(description="A dividend credited to (or reversed from) an owner's account.")
class DividendEntry:
    run_id: strawberry.ID
    register_id: strawberry.ID
    register_name: str
    period: str
    kind: str
    amount: Decimal
    held_by: Party
    created_at: datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> DividendEntry:
        return cls(run_id=strawberry.ID(str(r["run_id"])),
                   register_id=strawberry.ID(str(r["register_id"])),
                   register_name=r["register_name"], period=r["period"], kind=r["kind"],
                   amount=yuan(r["amount_fen"]), held_by=Party.from_json(r["held_by"]),
                   created_at=r["created_at"])


@strawberry.type(description="An owner's dividend balance held by one holder (the owner, or "
                 "the nominee that holds shares for them).")
class DividendAccount:
    held_by: Party
    balance: Decimal


@strawberry.type(description="A share register 股权登记簿 of one holding entity.")
class ShareRegister:
    id: strawberry.ID
    kind: RegisterKindGQL  # type: ignore[valid-type]
    name: str
    region_code: str
    external_ref: str
    transfer_rule: TransferRuleGQL  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> ShareRegister:
        return cls(id=strawberry.ID(str(r["id"])), kind=RegisterKind(r["kind"]), name=r["name"],
                   region_code=r["region_code"], external_ref=r["external_ref"],
                   transfer_rule=TransferRule(r["transfer_rule"]), created_at=r["created_at"])

    @property
    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(self.id)

    @strawberry.field(description="Parties on the register (members, project parties).")
    async def holders(self, info: Info) -> list[Party]:
        async with info.context.pool.acquire() as conn:
            return [Party.from_json(r) for r in await reads.holders(conn, self._uuid)]

    @strawberry.field
    async def holdings(self, info: Info) -> list[Holding]:
        async with info.context.pool.acquire() as conn:
            return [Holding.from_row(r) for r in await reads.holdings_of_register(conn, self._uuid)]

    @strawberry.field
    async def total_shares(self, info: Info) -> int:
        async with info.context.pool.acquire() as conn:
            return await conn.fetchval("SELECT coalesce(sum(shares), 0) FROM holding "
                                       "WHERE register_id = $1", self._uuid)

    @strawberry.field(description="The append-only history, oldest first.")
    async def ledger(self, info: Info, first: int = 50, after: str | None = None) -> LedgerPage:
        if not 1 <= first <= 200:
            raise ValidationFailed("first must be between 1 and 200", field="first")
        after_seq = None
        if after is not None:
            if not after.isdigit():
                raise ValidationFailed("invalid cursor", field="after")
            after_seq = int(after)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.ledger_page(conn, self._uuid, after_seq, first + 1)
        nodes = [LedgerEntry.from_row(r) for r in rows[:first]]
        return LedgerPage(nodes=nodes, total_count=total,
                          end_cursor=str(nodes[-1].sequence) if nodes else None,
                          has_next_page=len(rows) > first)

    @strawberry.field
    async def reconciliation(self, info: Info) -> Reconciliation:
        async with info.context.pool.acquire() as conn:
            rows = await reads.mismatches(conn, self._uuid)
        return Reconciliation(consistent=not rows, mismatches=[
            HoldingMismatch(holder_id=strawberry.ID(str(r["holder_party_id"])),
                            beneficial_owner_id=strawberry.ID(str(r["beneficial_party_id"])),
                            share_class=r["share_class"], held_shares=r["held_shares"],
                            ledger_shares=r["ledger_shares"]) for r in rows])

    @strawberry.field
    async def proxy_holdings(self, info: Info) -> list[ProxyHolding]:
        async with info.context.pool.acquire() as conn:
            return [ProxyHolding.from_row(r) for r in await reads.proxies(conn,
                                                                           register_id=self._uuid)]

    @strawberry.field
    async def distribution_runs(self, info: Info) -> list[DistributionRun]:
        async with info.context.pool.acquire() as conn:
            return [DistributionRun.from_row(r) for r in await reads.runs_of_register(conn,
                                                                                      self._uuid)]


@strawberry.type(description="A party of a consortium project with its agreed proportion.")
class ProjectParty:
    party: Party
    proportion: str
    subscribed: Decimal
    paid_in: Decimal
    outstanding: Decimal
    shares: int
    enclave: bool = strawberry.field(description="飞地抱团: a collective of another village "
                                     "investing in this village's project.")


@strawberry.type
class ProportionVersion:
    version: int
    decision_ref: str
    recorded_by: str
    decided_at: datetime
    stakes: list[ProjectParty]


def _project_party(r: dict[str, Any], host_code: str) -> ProjectParty:
    from fractions import Fraction

    party = Party.from_json(r["party"])
    village = host_code.split(".")[:3]
    enclave = party.kind is PartyKind.COLLECTIVE and bool(party.region_code) and \
        (party.region_code or "").split(".")[:3] != village
    return ProjectParty(party=party, proportion=as_text(Fraction(r["numerator"], r["denominator"])),
                        subscribed=yuan(r["subscribed_fen"]), paid_in=yuan(r["paid_in_fen"]),
                        outstanding=yuan(max(r["subscribed_fen"] - r["paid_in_fen"], 0)),
                        shares=r["shares"], enclave=enclave)


@strawberry.type(description='A consortium project "x+N" 联合体.')
class ConsortiumProject:
    id: strawberry.ID
    name: str
    host_region_code: str
    total_capital: Decimal
    register_id: strawberry.ID
    current_version: int

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> ConsortiumProject:
        return cls(id=strawberry.ID(str(r["id"])), name=r["name"],
                   host_region_code=r["host_region_code"], total_capital=yuan(r["total_capital_fen"]),
                   register_id=strawberry.ID(str(r["register_id"])),
                   current_version=r["current_version"])

    @strawberry.field(description="Parties under the current proportions: subscribed vs paid-in.")
    async def parties(self, info: Info) -> list[ProjectParty]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.project_parties(conn, uuid.UUID(self.id), self.current_version,
                                               uuid.UUID(self.register_id))
        return [_project_party(r, self.host_region_code) for r in rows]

    @strawberry.field(description="Every version of the proportions with its decision record.")
    async def proportion_versions(self, info: Info) -> list[ProportionVersion]:
        async with info.context.pool.acquire() as conn:
            versions = await reads.proportion_versions(conn, uuid.UUID(self.id))
            out = []
            for v in versions:
                rows = await reads.project_parties(conn, uuid.UUID(self.id), v["version"],
                                                   uuid.UUID(self.register_id))
                out.append(ProportionVersion(
                    version=v["version"], decision_ref=v["decision_ref"],
                    recorded_by=v["recorded_by"], decided_at=v["decided_at"],
                    stakes=[_project_party(r, self.host_region_code) for r in rows]))
        return out

    @strawberry.field
    async def register(self, info: Info) -> ShareRegister:
        async with info.context.pool.acquire() as conn:
            return ShareRegister.from_row(await reads.register(conn, uuid.UUID(self.register_id)))


@strawberry.federation.type(keys=["id"], description="A village (owned by grid), extended "
                            "with its collective economic organisation's share register.")
class Village:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **_: Any) -> Village:
        return cls(id=id)

    @strawberry.field(description="村集体经济组织: the village collective's register (cadres of "
                      "the village, township and county admins of its subtree).")
    async def collective_register(self, info: Info) -> ShareRegister | None:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await reads.register_by_ref(conn, "COLLECTIVE", str(parse_id(self.id)))
        if row is None:
            return None
        scope.require_read(p, RegisterKind.COLLECTIVE, row["region_code"])
        return ShareRegister.from_row(row)


async def holdings_for(info: Info, party_id: str) -> tuple[list[Holding], list[DividendAccount]]:
    """A party's holdings and accounts: the resident themself, or staff whose scope covers
    the party's region (each holding also only if its register is in the caller's scope)."""
    p = info.context.principal.require()
    pid = parse_id(party_id)
    async with info.context.pool.acquire() as conn:
        party = await reads.party(conn, pid)
        if not scope.resident_self(p, str(pid)):
            scope.require_self_or_staff(p, str(pid), party["region_code"] if party else None)
        holdings = await reads.holdings_of_owner(conn, pid)
        accounts = await reads.accounts_of(conn, pid)
    if not scope.resident_self(p, str(pid)):
        holdings = [h for h in holdings if p.sees_region(h["region_code"])]
    return ([Holding.from_row(r) for r in holdings],
            [DividendAccount(held_by=Party.from_json(a["held_by"]), balance=yuan(a["balance_fen"]))
             for a in accounts])


@strawberry.federation.type(keys=["id"], description="A resident (owned by grid), extended "
                            "with their shareholdings 农民变股民.")
class Resident:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **_: Any) -> Resident:
        return cls(id=id)

    @strawberry.field(description="Shares held for this resident, directly or by a nominee.")
    async def holdings(self, info: Info) -> list[Holding]:
        return (await holdings_for(info, self.id))[0]

    @strawberry.field(description="Dividend balances, per holder of the account.")
    async def dividend_accounts(self, info: Info) -> list[DividendAccount]:
        return (await holdings_for(info, self.id))[1]
