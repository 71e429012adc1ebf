"""Use cases: one function each, taking the acting user; each is one transaction."""

from ..rules.agents import AGENT_KINDS, agent_label
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
from .files import document_file, store_scan, upload_document
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
from .review import give_opinion
from .transitions import Action, Outcome, actions, fire
from .users import (
    Account,
    authenticate,
    change_password,
    create_user,
    get_account,
    issue_token,
    register,
    revoke_token,
    sign_out,
    sign_out_user,
    token_account,
    update_user,
)

__all__ = [
    "Account", "Action", "Outcome", "actions", "authenticate", "change_settings", "create_case",
    "create_user", "document_file", "effective_settings", "fire", "get_account", "give_opinion",
    "issue_token", "letter_context", "letter_file", "request_batch", "batch_status", "batch_file", "lodge_objection", "lodge_objection_as_owner", "public_notice", "lodge_objection_by_link", "record_paper_vote", "register",
    "remove_holiday", "revoke_token", "set_costs", "set_holiday", "sign", "signing_links",
    "signing_view", "store_scan", "token_account", "update_case", "update_user", "upload_document",
    "validate_application", "mark_same_owner", "record_standing_vote", "separate_owner",
    "patch_case", "change_password", "sign_out", "sign_out_user",
    "AGENT_KINDS", "RELATIONSHIPS", "Proxy", "agent_label", "record_agent",
    "rate", "rate_answer", "ratings_of", "rectification_queue", "rectify",
    "refer", "record_session", "record_outcome", "withdraw_by_link", "mediation_queue",
    "mediation_view",
]  # fmt: skip
