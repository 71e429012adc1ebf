"""The rules of the one-stop service as pure functions: quorum, cost sharing, subsidy,
working-day deadlines, money. No database, no web, no clock: callers pass everything in."""

from workflow.rules.cost import default_coefficient, default_coefficients, share_costs, weight
from workflow.rules.money import capital_yuan, chinese_date, chinese_date_numerals, parse_yuan, yuan
from workflow.rules.quorum import (
    Ballot,
    QuorumResult,
    QuorumThresholds,
    consent_quorum,
    format_ratio,
    ratio_str,
)
from workflow.rules.subsidy import DEFAULT_TIERS, check_grant, subsidy_cap, tier_amount
from workflow.rules.workdays import Deadline, WorkCalendar

__all__ = [
    "DEFAULT_TIERS",
    "Ballot",
    "Deadline",
    "QuorumResult",
    "QuorumThresholds",
    "WorkCalendar",
    "capital_yuan",
    "check_grant",
    "chinese_date",
    "chinese_date_numerals",
    "consent_quorum",
    "default_coefficient",
    "default_coefficients",
    "format_ratio",
    "parse_yuan",
    "ratio_str",
    "share_costs",
    "subsidy_cap",
    "tier_amount",
    "weight",
    "yuan",
]
