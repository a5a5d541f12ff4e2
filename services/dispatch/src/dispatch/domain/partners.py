"""Partner utilities 要素保障企业 and how a grid matter's category names one of them."""

from __future__ import annotations

from enum import Enum


class Partner(Enum):
    """The seven utilities that sign a cooperation agreement with the district."""

    POWER = "power"          # 供电
    GAS = "gas"              # 燃气
    WATER = "water"          # 水务/自来水
    MOBILE = "mobile"        # 移动
    TELECOM = "telecom"      # 电信
    BROADCAST = "broadcast"  # 广电
    POST = "post"            # 邮政


PARTNER_NAMES = {
    Partner.POWER: "供电公司", Partner.GAS: "燃气公司", Partner.WATER: "水务公司",
    Partner.MOBILE: "移动公司", Partner.TELECOM: "电信公司", Partner.BROADCAST: "广电公司",
    Partner.POST: "邮政公司",
}

# Grid's MatterCategory values (UTILITY_<X>) → the partner that owns the network.
_MATTER_PREFIX = "UTILITY_"


def partner_of_matter_category(category: str) -> Partner | None:
    """UTILITY_POWER → power, ...; None for a matter that is not a utility problem."""
    if not category.startswith(_MATTER_PREFIX):
        return None
    try:
        return Partner(category[len(_MATTER_PREFIX):].lower())
    except ValueError:
        return None


def partner_of_topic(topic: str) -> str | None:
    """partner.<code>.updates.v1 → <code>."""
    parts = topic.split(".")
    if len(parts) == 4 and parts[0] == "partner" and parts[3] == "v1":
        return parts[1]
    return None
