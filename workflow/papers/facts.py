"""The facts of a case that letters and documents both print, written once for both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..data import ownership
from ..data.models import Case, Household
from ..data.settings import Settings
from ..rules import quorum as quorum_rule


def case_facts(case: Case, households: int | None = None) -> dict[str, Any]:
    """The case's identifying facts; `households`: their number when the caller has it."""
    return {
        "reference": case.reference,
        "community": case.community,
        "address": case.address,
        "building": case.building,
        "unit": case.unit,
        "floors": case.floors,
        "households": len(case.households) if households is None else households,
    }


def mask_phone(phone: str | None) -> str:
    if not phone or len(phone) < 7:
        return phone or ""
    return phone[:3] + "****" + phone[-4:]


def applicant_facts(case: Case) -> dict[str, str]:
    """Who applied, as a letter or a document prints them: the phone masked."""
    return {
        "name": case.applicant.name or case.applicant.username,
        "phone_masked": mask_phone(case.applicant.phone or case.applicant.username),
    }


def quorum_figures(
    case: Case, settings: Settings, hs: Sequence[Household | ownership.Flat] | None = None
) -> dict[str, str]:
    # Owners as the law counts them (法释〔2009〕7号第九条): one person for several flats.
    hs = ownership.flats(case) if hs is None else hs
    result = ownership.case_quorum(case, settings, hs)
    return {
        "owners": ownership.explain(case, hs)["text"],
        "participation_area": quorum_rule.format_ratio(result.participation_area),
        "participation_count": quorum_rule.format_ratio(result.participation_count),
        "agree_area": quorum_rule.format_ratio(result.agree_area),
        "agree_count": quorum_rule.format_ratio(result.agree_count),
    }
