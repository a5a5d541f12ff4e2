"""Ticket categories, and the rule 一般性问题网协员处理、专业问题专人处理: general, low-risk
work goes to a village network coordinator; professional work to the partner's specialists."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum


class TicketCategory(Enum):
    FAULT_REPAIR = "FAULT_REPAIR"            # 故障检修 (professional)
    LINE_MAINTENANCE = "LINE_MAINTENANCE"    # 线路维护 (professional)
    ORDER_KEEPING = "ORDER_KEEPING"          # 秩序维护: e.g. keeping people off a worksite
    SAFETY_PUBLICITY = "SAFETY_PUBLICITY"    # 安全宣传
    SIMPLE_CHECK = "SIMPLE_CHECK"            # 简单巡查/排查
    METER_READING = "METER_READING"          # 抄表
    SERVICE_AGENCY = "SERVICE_AGENCY"        # 业务代办: bills, applications on a resident's behalf

    @property
    def professional(self) -> bool:
        return self in PROFESSIONAL


PROFESSIONAL = frozenset({TicketCategory.FAULT_REPAIR, TicketCategory.LINE_MAINTENANCE})
GENERAL = frozenset(set(TicketCategory) - PROFESSIONAL)

# Deadline from reporting, per category: faults first.
SLA = {
    TicketCategory.FAULT_REPAIR: timedelta(hours=24),
    TicketCategory.LINE_MAINTENANCE: timedelta(hours=72),
    TicketCategory.ORDER_KEEPING: timedelta(hours=12),
    TicketCategory.SAFETY_PUBLICITY: timedelta(days=7),
    TicketCategory.SIMPLE_CHECK: timedelta(hours=48),
    TicketCategory.METER_READING: timedelta(days=5),
    TicketCategory.SERVICE_AGENCY: timedelta(days=3),
}

# A grid matter about a utility is first checked on site: a coordinator's simple check,
# which a specialist takes over if it turns out to be a fault (see tickets.escalate).
MATTER_TICKET_CATEGORY = TicketCategory.SIMPLE_CHECK
