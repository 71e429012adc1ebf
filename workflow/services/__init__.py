"""Use cases: one function each, taking the acting user; each is one transaction."""

from ..rules.agents import AGENT_KINDS, agent_label
from . import privacy
from .absences import clear_absence, my_absence, set_absence, stand_in_choices, standing_in
from .admin import change_settings, effective_settings, remove_holiday, set_holiday
from .agents import RELATIONSHIPS, Proxy, record_agent
from .batches import batch_file, batch_status, request_batch
from .cases import create_case, patch_case, set_costs, update_case, validate_application
from .consent import (
    lodge_objection,
    lodge_objection_by_link,
    record_paper_vote,
    sign,
    signing_links,
    signing_view,
)
from .elevators import (
    UNIT_KINDS,
    before_completion,
    elevator_by_link,
    inspection_link,
    record_inspection,
    record_inspection_by_link,
    set_management_unit,
    unit_label,
)
from .files import document_file, household_certificate, store_scan, upload_document
from .handlers import assign_many, delete_view, save_view, saved_views, set_handler
from .installers import bar_installer, lift_bar
from .letters import letter_context, letter_file
from .mediation import (
    mediation_queue,
    mediation_view,
    record_outcome,
    record_session,
    refer,
    withdraw_by_link,
)
from .owner_rulings import mark_same_owner, record_standing_vote, separate_owner
from .owners import lodge_objection_as_owner, public_notice
from .ratings import rate, rate_answer, ratings_of, rectification_queue, rectify
from .residents import (
    accept_supervisor_role,
    answer_opinion,
    answer_problem,
    close_problem,
    name_supervisors,
    record_paper_supervisor,
    report_problem,
    resident_view,
)
from .residents import give_opinion as give_acceptance_opinion
from .review import give_opinion
from .transitions import Action, Outcome, actions, fire
from .users import (
    Account,
    authenticate,
    change_password,
    create_user,
    get_account,
    issue_token,
    link_oidc,
    oidc_account,
    register,
    revoke_token,
    sign_out,
    sign_out_user,
    token_account,
    update_user,
)

__all__ = [
    "assign_many", "delete_view", "save_view", "saved_views", "set_handler",
    "Account", "Action", "Outcome", "actions", "authenticate", "change_settings", "create_case",
    "create_user", "document_file", "effective_settings", "fire", "get_account", "give_opinion",
    "issue_token", "letter_context", "letter_file", "request_batch", "batch_status", "batch_file", "lodge_objection", "lodge_objection_as_owner", "public_notice", "lodge_objection_by_link", "record_paper_vote", "register",
    "remove_holiday", "revoke_token", "set_costs", "set_holiday", "sign", "signing_links",
    "signing_view", "store_scan", "token_account", "update_case", "update_user", "upload_document",
    "validate_application", "mark_same_owner", "record_standing_vote", "separate_owner",
    "patch_case", "change_password", "sign_out", "sign_out_user", "link_oidc", "oidc_account",
    "AGENT_KINDS", "RELATIONSHIPS", "Proxy", "agent_label", "record_agent", "privacy",
    "household_certificate",
    "UNIT_KINDS", "elevator_by_link", "inspection_link", "record_inspection",
    "record_inspection_by_link", "set_management_unit", "before_completion", "unit_label",
    "bar_installer", "lift_bar",
    "accept_supervisor_role", "answer_opinion", "answer_problem", "close_problem",
    "give_acceptance_opinion", "name_supervisors", "record_paper_supervisor", "report_problem",
    "resident_view",
    "rate", "rate_answer", "ratings_of", "rectification_queue", "rectify",
    "refer", "record_session", "record_outcome", "withdraw_by_link", "mediation_queue",
    "mediation_view",
    "clear_absence", "my_absence", "set_absence", "stand_in_choices", "standing_in",
]  # fmt: skip
