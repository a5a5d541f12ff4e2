"""Network coordinators 网协员: chosen per village from former and reserve cadres, trained
jointly by township and companies 镇企共训, certified (结业许可证) and authorised per utility
(岗位授权书: a scope of task categories and an expiry). Only a currently valid authorisation
of a certified, active coordinator allows new assignments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from xiangzhi_shared.errors import InvalidState, ValidationFailed

from .categories import TicketCategory


class Background(Enum):
    FORMER_CADRE = "FORMER_CADRE"    # 退职村干部
    RESERVE_CADRE = "RESERVE_CADRE"  # 村级后备干部
    OTHER = "OTHER"


@dataclass(frozen=True)
class Certificate:
    """结业许可证: issued after joint training; may expire or be revoked."""

    issued_on: date
    expires_on: date | None = None
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        today = now.date()
        return (self.revoked_at is None or self.revoked_at > now) and self.issued_on <= today \
            and (self.expires_on is None or today <= self.expires_on)


@dataclass(frozen=True)
class Authorisation:
    """岗位授权书 from one partner: which categories, from when, until when."""

    partner: str
    scope: frozenset[TicketCategory]
    valid_from: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.valid_from <= now < self.expires_at and (
            self.revoked_at is None or self.revoked_at > now)

    def allows(self, partner: str, category: TicketCategory, now: datetime) -> bool:
        return self.partner == partner and category in self.scope and self.valid_at(now)


@dataclass(frozen=True)
class Candidate:
    """What routing needs to know about one coordinator of the village."""

    coordinator_id: str
    active: bool
    certificate: Certificate | None
    authorisations: tuple[Authorisation, ...] = field(default_factory=tuple)
    open_load: int = 0  # tickets assigned and not yet resolved

    def may_take(self, partner: str, category: TicketCategory, now: datetime) -> bool:
        return (self.active and self.certificate is not None and self.certificate.valid_at(now)
                and any(a.allows(partner, category, now) for a in self.authorisations))


def validate_authorisation(scope: frozenset[TicketCategory], valid_from: datetime,
                           expires_at: datetime) -> None:
    if not scope:
        raise ValidationFailed("an authorisation needs at least one task category", field="scope")
    if any(c.professional for c in scope):
        raise ValidationFailed("professional work (故障检修, 线路维护) is never delegated to a "
                               "coordinator", field="scope")
    if expires_at <= valid_from:
        raise ValidationFailed("an authorisation must expire after it starts", field="expiresAt")


def require_certified(certificate: Certificate | None, now: datetime) -> None:
    if certificate is None or not certificate.valid_at(now):
        raise InvalidState("only a coordinator with a valid certificate (结业许可证) can be "
                           "authorised")
