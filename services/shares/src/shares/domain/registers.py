"""Share registers, holders, share classes and the rules for changing holdings.

资源变股权、资金变股金、农民变股民: resources become equity (RESOURCE shares), funds become
capital (CAPITAL shares), farmers become shareholders (MEMBER shares). Every holding entity
keeps one register: a village collective economic organisation 村集体经济组织, a consortium
project "x+N" 联合体, a village investment company 村投企业, or a base supply co-op 基层供销社
(whose holders are village collectives).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from xiangzhi_shared.errors import InvalidState, ValidationFailed

# A register never holds more shares than a GraphQL Int can show.
MAX_SHARES = 2_000_000_000
TEXT_MAX = 500


class RegisterKind(Enum):
    COLLECTIVE = "COLLECTIVE"
    CONSORTIUM = "CONSORTIUM"
    VILLAGE_COMPANY = "VILLAGE_COMPANY"
    BASE_COOP = "BASE_COOP"


class PartyKind(Enum):
    MEMBER = "MEMBER"  # a collective member 集体经济组织成员 (a grid resident)
    COLLECTIVE = "COLLECTIVE"  # a village collective economic organisation
    COUNTY_SOE = "COUNTY_SOE"  # 县属国企
    FINANCE = "FINANCE"
    LEADING_ENTERPRISE = "LEADING_ENTERPRISE"  # 龙头企业
    SOCIAL_CAPITAL = "SOCIAL_CAPITAL"


class ShareClass(Enum):
    RESOURCE = "RESOURCE"  # 资源变股权
    CAPITAL = "CAPITAL"  # 资金变股金
    MEMBER = "MEMBER"  # 农民变股民


class Basis(Enum):
    """What an issuance is paid with. Anything but CASH is a quantified contribution
    资产资源盘活量化入股 and needs a recorded appraisal."""

    CASH = "CASH"
    ASSET = "ASSET"  # idle office, school building ...
    RESOURCE = "RESOURCE"  # abandoned land, ecological resources ...
    FISCAL_FUNDS = "FISCAL_FUNDS"  # fiscal support funds quantified into shares (飞地抱团)
    NONE = "NONE"  # member shares allotted by membership, no contribution


class TransferRule(Enum):
    WITHIN_COLLECTIVE_WITH_APPROVAL = "WITHIN_COLLECTIVE_WITH_APPROVAL"
    WITH_APPROVAL = "WITH_APPROVAL"
    NOT_TRANSFERABLE = "NOT_TRANSFERABLE"


class ProxyReason(Enum):
    """代持: why a nominee holds on behalf of a beneficial owner."""

    MEMBER_NOT_JOINED = "MEMBER_NOT_JOINED"  # the collective for members not yet joined
    SOCIAL_CAPITAL_SHORTFALL = "SOCIAL_CAPITAL_SHORTFALL"  # the county SOE for a shortfall


DEFAULT_RULE = {
    RegisterKind.COLLECTIVE: TransferRule.WITHIN_COLLECTIVE_WITH_APPROVAL,
    RegisterKind.CONSORTIUM: TransferRule.WITH_APPROVAL,
    RegisterKind.VILLAGE_COMPANY: TransferRule.WITH_APPROVAL,
    RegisterKind.BASE_COOP: TransferRule.NOT_TRANSFERABLE,
}


def text(value: str | None, field: str, *, required: bool = True,
         limit: int = TEXT_MAX) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise ValidationFailed(f"{field} is required", field=field)
        return None
    if len(cleaned) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters", field=field)
    return cleaned


def validate_shares(shares: int, field: str = "shares") -> int:
    if isinstance(shares, bool) or not isinstance(shares, int) or not 0 < shares <= MAX_SHARES:
        raise ValidationFailed(f"{field} must be a whole number between 1 and {MAX_SHARES}",
                               field=field)
    return shares


@dataclass(frozen=True)
class Appraisal:
    """The recorded valuation behind a quantified contribution."""

    reference: str
    appraiser: str
    description: str


def validate_basis(basis: Basis, value_fen: int, appraisal: Appraisal | None,
                   share_class: ShareClass) -> None:
    if basis is Basis.NONE:
        if value_fen:
            raise ValidationFailed("an issuance without contribution has no basis value",
                                   field="basisValue")
        if share_class is not ShareClass.MEMBER:
            raise ValidationFailed("only member shares are allotted without a contribution",
                                   field="basis")
        return
    if value_fen <= 0:
        raise ValidationFailed("the contribution's value must be more than zero",
                               field="basisValue")
    if basis is not Basis.CASH and appraisal is None:
        raise ValidationFailed(f"a {basis.value} contribution needs a recorded appraisal",
                               field="appraisal")


@dataclass(frozen=True)
class TransferParties:
    rule: TransferRule
    from_kind: PartyKind
    to_kind: PartyKind
    from_admitted: bool
    to_admitted: bool
    same_holder: bool
    approval_ref: str | None


def check_transfer(t: TransferParties) -> None:
    """Per-register transfer rules: member shares stay within the collective, and every
    transfer carries its approval record."""
    if t.rule is TransferRule.NOT_TRANSFERABLE:
        raise InvalidState("shares of this register are not transferable")
    if t.same_holder:
        raise ValidationFailed("a transfer needs two different holders", field="toHolderId")
    if not t.from_admitted:
        raise InvalidState("the transferring holder is not on this register")
    if not t.to_admitted:
        raise InvalidState("the receiving holder is not on this register")
    if t.rule is TransferRule.WITHIN_COLLECTIVE_WITH_APPROVAL and (
            t.from_kind is not PartyKind.MEMBER or t.to_kind is not PartyKind.MEMBER):
        raise InvalidState("shares of a collective pass only between its members")
    if not t.approval_ref:
        raise ValidationFailed("a transfer needs its approval record", field="approvalRef")


def paid_in_moved(shares_moved: int, shares_held: int, paid_in_fen: int) -> int:
    """Paid-in capital follows the shares pro rata, rounded down to the fen; a transfer of
    every share moves all of it, so nothing is ever stranded or created."""
    if shares_moved == shares_held:
        return paid_in_fen
    return paid_in_fen * shares_moved // shares_held
