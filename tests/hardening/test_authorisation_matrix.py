"""Every route × every role, GET and POST alike: who may, may; everyone else is turned away
(login, 401, 403 or 404) without a change to the case; nobody ever gets a 500.

The routes are read from the application's URL map, so a new route joins the matrix by itself
and must be given its allowed roles below (the test fails until it is)."""

from __future__ import annotations

import pytest

from workflow import services
from workflow.data.models import Case

from ..conftest import login

ROLES = ("anonymous", "owner", "neighbour", "clerk", "housing", "admin")
STAFF = {"clerk", "housing"}
PUBLIC = set(ROLES)

# endpoint → roles that may use it (with real ids of a case the owner applied for).
ALLOWED: dict[str, set[str]] = {
    "index": PUBLIC, "auth.login": PUBLIC, "auth.register": PUBLIC, "auth.welcome": PUBLIC,
    "auth.logout": PUBLIC - {"anonymous"}, "auth.password": PUBLIC - {"anonymous"},
    # 政务服务网账号登录 (404 without OIDC_ISSUER; tests/web/test_oidc.py runs the real flow).
    "auth.oidc_login": PUBLIC, "auth.oidc_callback": PUBLIC,
    "public.sign": PUBLIC, "public.objection": PUBLIC, "public.notice": PUBLIC,
    "letters.verify": PUBLIC, "letters.verify_form": PUBLIC,
    "homeowner.cases": {"owner", "neighbour"}, "homeowner.new": {"owner", "neighbour"},
    "staff.queue": {"clerk"}, "staff.review_queue": {"housing"}, "staff.letters": {"clerk"},
    "staff.fire": STAFF, "staff.case": STAFF, "staff.case_letters": STAFF,
    "staff.opinion": {"housing"}, "staff.paper_vote": {"clerk"}, "staff.objection": {"clerk"},
    "staff.resolve": STAFF,
    # After the keys: the elevators' register for staff and the admin, the 使用管理单位's own
    # link, the installers' public record, and the admin's list of barred installers.
    "staff.elevators": STAFF | {"admin"}, "staff.elevators_csv": STAFF | {"admin"},
    "staff.elevator": STAFF | {"admin"}, "public.elevator_link": PUBLIC,
    "staff.inspection_report": STAFF | {"admin"},
    "public.installers": PUBLIC, "public.installers_csv": PUBLIC,
    "admin.installers": {"admin"}, "admin.lift_bar": {"admin"},
    # The owners' money through the household's link (我的费用, 出资证明).
    "public.money": PUBLIC, "public.certificate": PUBLIC,
    "staff.refer": {"clerk"}, "staff.rectifications": STAFF, "staff.rectify": STAFF,
    # The mediator's pages: no role of the matrix is a mediator, so everyone is turned away.
    "staff.mediations": set(), "staff.mediation": set(), "staff.mediation_session": set(),
    "staff.mediation_outcome": set(),
    "public.ratings": PUBLIC, "public.withdraw_objection": PUBLIC,
    "letters.download": {"owner"} | STAFF, "letters.preview": {"owner"} | STAFF,
    "letters.document": {"owner"} | STAFF, "letters.document_preview": {"owner"} | STAFF,
    # Staff ask for a batch print; its page, status and file are the asker's only.
    "letters.batch": STAFF, "letters.batch_status": {"clerk"}, "letters.batch_json": {"clerk"},
    "letters.batch_pdf": {"clerk"},
    "public.track": PUBLIC, "public.projects": PUBLIC, "public.projects_csv": PUBLIC,
    "guide.guide": PUBLIC, "guide.guide_pdf": PUBLIC, "guide.policies": PUBLIC,
    "guide.policy_pdf": PUBLIC, "guide.calculator": PUBLIC, "guide.calculator_live": PUBLIC,
    "guide.calculator_start": PUBLIC, "ops.healthz": PUBLIC, "ops.readyz": PUBLIC,
    "staff.owners": {"clerk"},
    # Everyone signed in reads their own messages; the desks' messages only their staff.
    "inbox.index": PUBLIC - {"anonymous"},
    # Personal information: the notice for all, 我的信息 for each signed-in person (their own)
    # and each household link, the requests' queue for clerks, the notice and log for admins.
    "privacy.notice": PUBLIC, "privacy.notice_version": PUBLIC,
    "privacy.household_data": PUBLIC, "privacy.household_data_json": PUBLIC,
    "privacy.household_data_pdf": PUBLIC, "privacy.household_request": PUBLIC,
    "privacy.my_data": PUBLIC - {"anonymous"}, "privacy.my_data_json": PUBLIC - {"anonymous"},
    "privacy.my_data_pdf": PUBLIC - {"anonymous"}, "privacy.my_request": PUBLIC - {"anonymous"},
    "privacy.admin_notice": {"admin"}, "privacy.access_log": {"admin"},
    "privacy.request_queue": {"clerk"}, "privacy.answer_request": {"clerk"},
    "privacy.reveal": STAFF, "staff.archive_package": STAFF,
    # The residents act through their household's link, like signing (居民监督、居民验收).
    "public.resident_supervisor": PUBLIC, "public.resident_problem": PUBLIC,
    "public.resident_close": PUBLIC, "public.resident_acceptance": PUBLIC,
    "public.resident_photo": PUBLIC,
    "staff.paper_supervisor": {"clerk"}, "staff.problem_photo": STAFF,
    # 代理: each staff member's own absence and stand-in.
    "staff.absence": STAFF, "staff.clear_absence": STAFF,
    # Who has the case: staff take, let go, assign (the desk's lead; the service refuses the
    # others) and save their filters; the workload for desk leads (none here) and the admin.
    "staff.handler": STAFF, "staff.assign": STAFF, "staff.save_view": STAFF,
    "staff.delete_view": STAFF, "staff.workload": {"admin"},
}  # fmt: skip
for endpoint in ("edit", "consent", "costs", "notice", "notice_print", "documents", "upload",
                 "case", "act", "progress", "uploads", "agent", "supervisors", "answer_problem",
                 "answer_opinion", "problem_photo", "rating", "rate", "refer"):  # fmt: skip
    ALLOWED[f"homeowner.{endpoint}"] = {"owner"}
ADMIN_ENDPOINTS = ("index", "users", "update_user", "sign_out_user", "settings", "holidays",
                   "remove_holiday", "stats", "stats_svg", "stats_csv", "guide_texts", "policies",
                   "remove_policy")  # fmt: skip
for endpoint in ADMIN_ENDPOINTS:
    ALLOWED[f"admin.{endpoint}"] = {"admin"}
# The API is reached with bearer tokens; through a browser session it answers 401.
API_PUBLIC = {"api.create_token", "api.workflow", "api.openapi_document", "api.signing_view",
              "api.sign", "api.sign_for_owner", "api.verify", "api.track",
              "api.household_data", "api.resident_view", "api.list_installers",
              "api.household_money",
              "api.answer_supervisor", "api.report_problem", "api.close_problem",
              "api.give_acceptance_opinion"}  # fmt: skip

DENIED = {302, 401, 403, 404}  # 302 only to the login page


def _url(rule, ids: dict) -> str:
    values = {arg: ids[arg] for arg in rule.arguments}
    path = rule.rule
    for arg, value in values.items():
        path = path.replace(f"<int:{arg}>", str(value)).replace(f"<{arg}>", str(value))
    return path


@pytest.fixture
def world(app, app_people, app_journey):
    """One case in review (letters issued, documents frozen)."""
    rt = app.extensions["jiati"]
    case_id = app_journey.case_in("review")
    objection = 1
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        letter_id = case.letters[0].id
        document_id = case.documents[0].id
    batch_id = services.request_batch(rt, app_people.clerk.id, [letter_id])
    return {
        "case_id": case_id, "objection_id": objection, "letter_id": letter_id,
        "document_id": document_id, "user_id": app_people.neighbour.id, "kind": "design_plan",
        "trigger": "withdraw", "token": "no-such-link", "key": "no-such-notice",
        "code": "NOSUCHCODE", "day": "2030-01-01", "filename": "app.css", "policy_id": 1,
        "batch_id": batch_id, "request_id": 1, "version": 1, "problem_id": 1, "number": 1,
        "credit_code": "91420683MA4F0A1B2Y", "inspection_id": 1,
        "act": 1, "mid": 1, "rating_id": 1, "mediation_id": 1, "view_id": 1,
    }  # fmt: skip


def _version(app, case_id: int) -> tuple[int, str]:
    with app.extensions["jiati"].db.session() as s:
        case = s.get(Case, case_id)
        return case.version, case.state


def test_every_route_for_every_role_get_and_post(app, app_people, world):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    unknown = {
        r.endpoint for r in rules if r.endpoint not in ALLOWED and not r.endpoint.startswith("api.")
    }
    assert not unknown, f"give these routes their roles in ALLOWED: {sorted(unknown)}"

    pairs = 0
    problems = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, getattr(app_people, role).username)
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.endpoint == "auth.logout":
                    continue  # would end this client's session; its own tests cover it
                url = _url(rule, world)
                before = _version(app, world["case_id"])
                data = {"letter_ids": str(world["letter_id"])} if method == "POST" else None
                r = client.open(url, method=method, data=data)
                pairs += 1
                allowed = (
                    role in ALLOWED.get(rule.endpoint, set())
                    if not rule.endpoint.startswith("api.")
                    else rule.endpoint in API_PUBLIC
                )
                where = f"{role} {method} {url} → {r.status_code}"
                if r.status_code >= 500:
                    problems.append(f"server error: {where}")
                elif not allowed:
                    to_login = r.status_code == 302 and "/auth/login" in r.headers["Location"]
                    if r.status_code not in DENIED or (r.status_code == 302 and not to_login):
                        problems.append(f"not turned away: {where}")
                    if _version(app, world["case_id"]) != before:
                        problems.append(f"changed the case: {where}")
    assert not problems, "\n".join(problems)
    print(f"\nroute × role × method pairs tried: {pairs}")
    assert pairs > 300


def test_every_api_operation_for_every_role_with_a_token(app, api, world):
    """With bearer tokens: staff-only and applicant-only operations refuse the others."""
    case_id = world["case_id"]
    denied = {
        ("GET", f"/cases/{case_id}"): {"neighbour"},
        ("GET", f"/cases/{case_id}/history"): {"neighbour"},
        ("GET", f"/cases/{case_id}/signing-links"): {"neighbour", "admin", "housing"},
        ("POST", f"/cases/{case_id}/votes"): {"owner", "neighbour", "admin", "housing"},
        ("POST", f"/cases/{case_id}/opinions"): {"owner", "neighbour", "admin", "clerk"},
        ("PUT", f"/cases/{case_id}/documents/design_plan"): {"neighbour", "admin", "clerk",
                                                             "housing"},
        ("POST", f"/cases/{case_id}/transitions/approve"): {"owner", "neighbour", "admin",
                                                            "clerk"},
        ("POST", f"/cases/{case_id}/transitions/withdraw"): {"neighbour", "admin", "clerk",
                                                             "housing"},
        ("GET", f"/cases/{case_id}/letters"): {"neighbour"},
        ("POST", f"/cases/{case_id}/ratings"): {"neighbour", "admin", "clerk", "housing"},
        ("GET", f"/cases/{case_id}/ratings"): {"neighbour"},
        # 代理: staff record their own absence and stand-in; nobody else has one.
        ("GET", "/me/absence"): {"owner", "neighbour", "admin"},
        ("PUT", "/me/absence"): {"owner", "neighbour", "admin"},
        ("DELETE", "/me/absence"): {"owner", "neighbour", "admin"},
    }  # fmt: skip
    bodies = {
        "votes": {"room": "101", "choice": "agree", "signature": "陈桂兰"},
        "opinions": {"verdict": "agree"},
        "ratings": {"act": 1, "level": 5},
        "absence": {"from": "2026-11-23", "to": "2026-11-27", "stand_in": "clerk"},
    }
    problems = []
    for (method, path), who in denied.items():
        for role in ("owner", "neighbour", "clerk", "housing", "admin"):
            before = _version(app, case_id)
            body = bodies.get(path.rsplit("/", 1)[-1], {}) if method in ("POST", "PUT") else None
            r = api.call(method, path, role, json=body)
            if r.status_code >= 500:
                problems.append(f"server error: {role} {method} {path}")
            if role in who:
                if r.status_code not in (401, 403, 404, 409, 415):
                    problems.append(f"not refused: {role} {method} {path} → {r.status_code}")
                if _version(app, case_id) != before:
                    problems.append(f"changed the case: {role} {method} {path}")
    assert not problems, "\n".join(problems)
