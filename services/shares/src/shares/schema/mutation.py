"""Mutations: each is one use case (one transaction: state + outbox event, or nothing).
Amounts are decimal yuan strings: a fraction of a fen or a negative amount is refused."""

from __future__ import annotations

import strawberry
from xiangzhi_shared.context import Info

from .. import distributions, projects, reads, registers
from ..domain.registers import (
    Appraisal,
    Basis,
    PartyKind,
    ProxyReason,
    RegisterKind,
    ShareClass,
    TransferRule,
)
from .types import (
    BasisGQL,
    ConsortiumProject,
    DistributionRun,
    LedgerEntry,
    Party,
    PartyKindGQL,
    ProxyHolding,
    ProxyReasonGQL,
    RegisterKindGQL,
    ShareClassGQL,
    ShareRegister,
    TransferRuleGQL,
)


@strawberry.input
class RegisterPartyInput:
    kind: PartyKindGQL  # type: ignore[valid-type]
    name: str
    region_code: str | None = None
    id: strawberry.ID | None = strawberry.field(
        default=None, description="A member: their grid resident id; a collective: its village id.")


@strawberry.input
class OpenRegisterInput:
    kind: RegisterKindGQL  # type: ignore[valid-type]
    name: str
    region_code: str
    external_ref: str
    owner_party_id: strawberry.ID | None = None
    transfer_rule: TransferRuleGQL | None = None  # type: ignore[valid-type]


@strawberry.input
class AppraisalInput:
    reference: str
    appraiser: str
    description: str


@strawberry.input
class IssueSharesInput:
    register_id: strawberry.ID
    holder_id: strawberry.ID
    share_class: ShareClassGQL  # type: ignore[valid-type]
    shares: int
    basis: BasisGQL  # type: ignore[valid-type]
    basis_value: str = "0"
    beneficial_owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Set when the holder is a nominee holding for this owner.")
    proxy_reason: ProxyReasonGQL | None = None  # type: ignore[valid-type]
    appraisal: AppraisalInput | None = None
    note: str | None = None


@strawberry.input
class TransferSharesInput:
    register_id: strawberry.ID
    from_holder_id: strawberry.ID
    to_holder_id: strawberry.ID
    share_class: ShareClassGQL  # type: ignore[valid-type]
    shares: int
    approval_ref: str | None = None
    approved_by: str | None = None
    note: str | None = None


@strawberry.input
class StakeInput:
    party_id: strawberry.ID
    share: str = strawberry.field(description='"0.35" or "1/3"; all shares sum to exactly 1.')


@strawberry.input
class CreateProjectInput:
    name: str
    host_region_code: str
    total_capital: str
    decision_ref: str
    stakes: list[StakeInput]


@strawberry.input
class CreateRunInput:
    register_id: strawberry.ID
    declared_amount: str
    period: str
    idempotency_key: str
    fixed_rate: str | None = None
    note: str | None = None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a party (idempotent by id).")
    async def register_party(self, info: Info, input: RegisterPartyInput) -> Party:
        row = await registers.register_party(
            info.context.pool, info.context.principal, party_id=input.id,
            kind=PartyKind(input.kind), name=input.name, region_code=input.region_code)
        return Party.from_json(row)

    @strawberry.mutation
    async def open_register(self, info: Info, input: OpenRegisterInput) -> ShareRegister:
        row = await registers.open_register(
            info.context.pool, info.context.principal, kind=RegisterKind(input.kind),
            name=input.name, region_code=input.region_code, external_ref=input.external_ref,
            owner_party_id=input.owner_party_id,
            transfer_rule=TransferRule(input.transfer_rule) if input.transfer_rule else None)
        return ShareRegister.from_row(row)

    @strawberry.mutation(description="Put a party on a register (a member joins).")
    async def admit_holder(self, info: Info, register_id: strawberry.ID,
                           party_id: strawberry.ID) -> Party:
        return Party.from_json(await registers.admit_holder(
            info.context.pool, info.context.principal, register_id, party_id))

    @strawberry.mutation(description="Issue shares for cash or a quantified contribution.")
    async def issue_shares(self, info: Info, input: IssueSharesInput) -> LedgerEntry:
        a = input.appraisal
        op = await registers.issue(info.context.pool, info.context.principal, registers.Issuance(
            register_id=input.register_id, holder_id=input.holder_id,
            share_class=ShareClass(input.share_class), shares=input.shares,
            basis=Basis(input.basis), basis_value=input.basis_value,
            beneficial_owner_id=input.beneficial_owner_id,
            proxy_reason=ProxyReason(input.proxy_reason) if input.proxy_reason else None,
            appraisal=Appraisal(a.reference, a.appraiser, a.description) if a else None,
            note=input.note))
        return LedgerEntry.from_row(op, [])

    @strawberry.mutation(description="Transfer shares under the register's rule, with approval.")
    async def transfer_shares(self, info: Info, input: TransferSharesInput) -> LedgerEntry:
        op = await registers.transfer(info.context.pool, info.context.principal, registers.Transfer(
            register_id=input.register_id, from_holder_id=input.from_holder_id,
            to_holder_id=input.to_holder_id, share_class=ShareClass(input.share_class),
            shares=input.shares, approval_ref=input.approval_ref, approved_by=input.approved_by,
            note=input.note))
        return LedgerEntry.from_row(op, [])

    @strawberry.mutation(description="The beneficial owner joins: proxy-held shares become "
                         "their direct holding.")
    async def convert_proxy_holding(self, info: Info, id: strawberry.ID) -> ProxyHolding:
        row = await registers.convert_proxy(info.context.pool, info.context.principal, id)
        async with info.context.pool.acquire() as conn:
            found = [r for r in await reads.proxies(conn, register_id=row["register_id"])
                     if r["id"] == row["id"]]
        return ProxyHolding.from_row(found[0])

    @strawberry.mutation(description='Create a consortium project "x+N" with its first '
                         "proportions and decision record.")
    async def create_project(self, info: Info, input: CreateProjectInput) -> ConsortiumProject:
        row = await projects.create_project(
            info.context.pool, info.context.principal, name=input.name,
            host_region_code=input.host_region_code, total_capital=input.total_capital,
            decision_ref=input.decision_ref, stakes=[(s.party_id, s.share) for s in input.stakes])
        return ConsortiumProject.from_row(row)

    @strawberry.mutation(description="Adjust a project's proportions: a new version.")
    async def adjust_proportions(self, info: Info, project_id: strawberry.ID, decision_ref: str,
                                 stakes: list[StakeInput]) -> ConsortiumProject:
        row = await projects.adjust_proportions(
            info.context.pool, info.context.principal, project_id=project_id,
            decision_ref=decision_ref, stakes=[(s.party_id, s.share) for s in stakes])
        return ConsortiumProject.from_row(row)

    @strawberry.mutation(description="A draft run with its allocations; the same idempotency "
                         "key returns the same run.")
    async def create_distribution_run(self, info: Info, input: CreateRunInput) -> DistributionRun:
        row = await distributions.create_run(
            info.context.pool, info.context.principal, register_id=input.register_id,
            declared_amount=input.declared_amount, fixed_rate=input.fixed_rate,
            period=input.period, idempotency_key=input.idempotency_key, note=input.note)
        return DistributionRun.from_row(row)

    @strawberry.mutation(description="Change a draft's amounts (refused once reviewed).")
    async def revise_distribution_run(self, info: Info, id: strawberry.ID, declared_amount: str,
                                      fixed_rate: str | None = None) -> DistributionRun:
        return DistributionRun.from_row(await distributions.revise_run(
            info.context.pool, info.context.principal, run_id=id,
            declared_amount=declared_amount, fixed_rate=fixed_rate))

    @strawberry.mutation
    async def review_distribution_run(self, info: Info, id: strawberry.ID) -> DistributionRun:
        return DistributionRun.from_row(await distributions.review_run(
            info.context.pool, info.context.principal, id))

    @strawberry.mutation
    async def post_distribution_run(self, info: Info, id: strawberry.ID) -> DistributionRun:
        return DistributionRun.from_row(await distributions.post_run(
            info.context.pool, info.context.principal, id))

    @strawberry.mutation(description="Correct a posted run: a reversing run, posted at once.")
    async def reverse_distribution_run(self, info: Info, id: strawberry.ID,
                                       reason: str) -> DistributionRun:
        return DistributionRun.from_row(await distributions.reverse_run(
            info.context.pool, info.context.principal, id, reason))
