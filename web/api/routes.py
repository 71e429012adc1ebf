"""The endpoints of /api/v1: parse the request, call one use case, answer JSON.

Nothing here decides anything about a case: roles, states, guards and separation of duties
are the services' (their refusals become JSON errors in `errors.py`).
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import current_app, g, jsonify, request, send_file, url_for

from workflow import services
from workflow.data.runtime import Runtime
from workflow.errors import InvalidInput, NotFound, UnsupportedFile, msg
from workflow.papers import verify as papers_verify
from workflow.process import machine
from workflow.read import cases as queries
from workflow.read import elevators as elevator_register
from workflow.read import installers as installer_record
from workflow.read import money as money_read

from .. import throttle
from . import models
from .auth import caller, token_required
from .blueprint import bp
from .errors import error_response
from .openapi import CASE_READ, CASE_WRITE, WRITE, described, transitions

MAX_ID = models.MAX_ID
MAX_PAGE = models.MAX_PAGE


def rt() -> Runtime:
    return current_app.extensions["jiati"]


@bp.before_request
def ids_in_range() -> None:
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise NotFound(msg("not_found", "请求的资源不存在。", "No such resource."))


def body(model: type[models.Request]) -> dict[str, Any]:
    """The JSON object the request carries, checked by the model the document publishes.

    An empty body is an empty object (triggers without inputs need none)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(
                msg("json", "请求体不是有效的 JSON。", "The body is not valid JSON.")
            ) from exc
    if not isinstance(data, dict):
        raise InvalidInput(msg("json", "请求体应为 JSON 对象。", "The body must be a JSON object."))
    return models.validate(model, data)


def case_json(case_id: int, reveal: bool = False, reason: str = "") -> dict[str, Any]:
    return queries.describe_case(rt(), caller().id, case_id, reveal=reveal, reason=reason)


def with_case(
    case_id: int,
    status: int = 200,
    created_id: int | None = None,
    reveal: bool = False,
    reason: str = "",
):
    case = case_json(case_id, reveal, reason)
    payload = case if created_id is None else {"id": created_id, "case": case}
    response = jsonify(payload)
    response.status_code = status
    response.headers["ETag"] = f'"{case["version"]}"'
    return response


# — tokens ————————————————————————————————————————————————————————————————————


@bp.post("/token")
@described(
    "Exchange a username and password for a bearer token",
    "tokens",
    body=models.TokenRequest,
    reply=models.Token,
    reply_text="A token valid until expires_at",
    errors=(*WRITE, 401, 403, 429),
)
def create_token():
    data = body(models.TokenRequest)
    with throttle.guarded(throttle.LOGIN, data["username"]):
        token, account, expires = services.issue_token(rt(), data["username"], data["password"])
    return jsonify(
        {
            "token": token,
            "role": account.role,
            "expires_at": expires.isoformat(timespec="seconds") + "+08:00",
            "user": {
                "id": account.id,
                "username": account.username,
                "name": account.name,
                "department": account.department,
            },
        }
    )


@bp.delete("/token")
@described(
    "Revoke the token this request carries",
    "tokens",
    status=204,
    reply_text="Revoked",
    errors=(409,),
    operation_id="revoke_token",
)
@token_required
def delete_token():
    services.revoke_token(rt(), g.api_token)
    return "", 204


# — the declaration ————————————————————————————————————————————————————————————


@bp.get("/workflow")
@described(
    "The process: states and transitions, straight from the declaration",
    "workflow",
    reply=models.Workflow,
    reply_text="States with labels; transitions with sources, roles and inputs",
)
def workflow():
    return jsonify(machine.describe())


@bp.get("/openapi.json")
@described("This document", "workflow", reply="application/json", operation_id="openapi")
def openapi_document():
    from .openapi import document

    return jsonify(document())


# — cases ——————————————————————————————————————————————————————————————————————


@bp.post("/cases")
@described(
    "Open an application (homeowners)",
    "cases",
    body=models.CaseRequest,
    reply=models.Case,
    status=201,
    reply_text="The new case, in state draft",
    headers=("ETag", "Location"),
    errors=(*WRITE, 403),
)
@token_required
def create_case():
    data = body(models.CaseRequest)
    case_id = services.create_case(rt(), caller().id, data)
    response = with_case(case_id, 201)
    response.headers["Location"] = url_for("api.get_case", case_id=case_id)
    return response


@bp.patch("/cases/<int:case_id>")
@described(
    "Change the building, roster, estimated cost, coefficients or who runs the elevator (applicant)",
    "cases",
    body=models.CasePatch,
    reply=models.Case,
    reply_text="The case as it now stands",
    headers=("ETag",),
    errors=CASE_WRITE,
)
@token_required
def update_case(case_id: int):
    data = body(models.CasePatch)
    services.patch_case(rt(), caller().id, case_id, data, expected_version=expected_version())
    return with_case(case_id)


def _position(cursor: str | None) -> str | None:
    """The API's cursor (`models.CURSOR_PATTERN`) as the position `queries` reads."""
    if cursor is None:
        return None
    micros, _, case_id = cursor.partition("-")
    return queries.encode_cursor(EPOCH + timedelta(microseconds=int(micros)), int(case_id))


def _cursor(position: str | None) -> str | None:
    if position is None:
        return None
    at, case_id = queries.decode_cursor(position)
    return f"{(at - EPOCH) // timedelta(microseconds=1)}-{case_id}"


EPOCH = datetime(1970, 1, 1)


@bp.get("/cases")
@described(
    "The cases the caller may see, paginated",
    "cases",
    query=models.CaseListQuery,
    reply=models.CaseList,
    reply_text="One page of cases",
)
@token_required
def list_cases():
    args = models.query(models.CaseListQuery, request.args)
    listed = queries.list_cases(
        rt(),
        caller().id,
        state=args.get("state"),
        tag=args.get("tag"),
        q=args.get("q") or None,
        page=args.get("page", 1),
        per_page=args.get("per_page", 20),
        after=_position(args.get("after")),
        before=_position(args.get("before")),
        handler=args.get("handler"),
        due=args.get("due"),
        street=args.get("street"),
    )
    listed["next_cursor"] = _cursor(listed["next_cursor"])
    listed["prev_cursor"] = _cursor(listed["prev_cursor"])
    return jsonify(listed)


@bp.put("/cases/<int:case_id>/handler")
@described(
    "Who handles the case at a desk: take it, assign it (the desk's lead), or let it go (null)",
    "cases",
    body=models.HandlerRequest,
    reply=models.Case,
    reply_text="The case",
    errors=(*CASE_WRITE,),
    operation_id="set_case_handler",
)
@token_required
def set_handler(case_id: int):
    data = body(models.HandlerRequest)
    services.set_handler(rt(), caller().id, case_id, data["username"])
    return with_case(case_id)


@bp.get("/cases/<int:case_id>")
@described(
    "The case: facts, quorum, documents, opinions, deadline, actions, letters",
    "cases",
    query=models.CaseQuery,
    reply=models.Case,
    reply_text="The case as the caller may see it",
    headers=("ETag",),
    errors=CASE_READ,
)
@token_required
def get_case(case_id: int):
    args = models.query(models.CaseQuery, request.args)
    return with_case(
        case_id, reveal=args.get("reveal") == "phones", reason=args.get("reason") or ""
    )


@bp.get("/cases/<int:case_id>/history")
@described(
    "Who did what and when (the audit log)",
    "cases",
    reply=models.History,
    reply_text="Events, oldest first",
    errors=CASE_READ,
)
@token_required
def case_history(case_id: int):
    return jsonify({"events": queries.history(rt(), caller().id, case_id)})


# — consent and objections ——————————————————————————————————————————————————————


@bp.get("/cases/<int:case_id>/signing-links")
@described(
    "One signing link per household (applicant, clerk)",
    "consent",
    reply=models.SigningLinks,
    reply_text="Links, in roster order",
    errors=(*CASE_READ, 403),
)
@token_required
def signing_links(case_id: int):
    links = services.signing_links(rt(), caller().id, case_id)
    for link in links:
        link["sign_path"] = url_for("api.sign", token=link["token"])
    return jsonify({"links": links})


def _signing_json(view: services.consent.SigningView) -> dict[str, Any]:
    return {
        "reference": view.reference,
        "address": view.address,
        "room": view.room,
        "owner_masked": view.owner_masked,
        "voting_open": view.voting_open,
        "objections_open": view.objections_open,
        "voted": view.voted,
        "signed_at": view.signed_at,
        "estimated_cost_fen": view.estimated_cost_fen,
        "subsidy_fen": view.subsidy_fen,
        "share_fen": view.share_fen,
        "compensation_paid_fen": view.compensation_paid_fen,
        "compensation_received_fen": view.compensation_received_fen,
        "cost_sharing": view.cost_sharing,
        "shares": list(view.table),
        "owners_explained": view.owners_explained,
        "running_cost_fen": view.running_cost_fen,
        "running_share_fen": view.running_share_fen,
        "running_parts": (
            {"own": view.running_parts[0], "total": view.running_parts[1]}
            if view.running_parts
            else None
        ),
    }


@bp.get("/sign/<token>")
@described(
    "What the household's link shows",
    "consent",
    reply=models.SigningView,
    reply_text="The household's line",
    errors=(404, 429),
)
def signing_view(token: str):
    return jsonify(_signing_json(services.signing_view(rt(), token)))


@bp.get("/sign/<token>/money")
@described(
    "The household's bill: share, subsidy part, compensation, 公积金 and 出资证明",
    "consent",
    reply=models.HouseholdMoney,
    reply_text="The household's own figures, in fen",
    errors=(404, 429),
)
def household_money(token: str):
    m = money_read.household_money(rt(), token)
    return jsonify({k: m[k] for k in models.HouseholdMoney.model_fields})


@bp.post("/sign/<token>")
@described(
    "An owner signs through the household's link (no account)",
    "consent",
    body=models.SignRequest,
    reply=models.SigningView,
    reply_text="Recorded",
    errors=(*WRITE, 404, 429),
)
def sign(token: str):
    data = body(models.SignRequest)
    with throttle.guarded(throttle.PHONE_TAIL, token):
        view = services.sign(
            rt(),
            token,
            owner_name=data["owner_name"],
            phone_tail=data["phone_tail"],
            choice=data["choice"],
            signature=data["signature"],
            signature_image=data.get("signature_image"),
        )
    return jsonify(_signing_json(view))


def _multipart() -> None:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedFile(
            msg(
                "content_type",
                "请以 multipart/form-data 提交，文件放在 file 字段。",
                "Send multipart/form-data with the file in the `file` field.",
            )
        )


def _file() -> bytes | None:
    upload = request.files.get("file")
    return upload.read() if upload is not None else None


@bp.post("/sign/<token>/proxy")
@described(
    "A family member signs for the owner, with the signed power of attorney",
    "consent",
    form=models.ProxyForm,
    reply=models.SigningView,
    reply_text="Recorded",
    errors=(*WRITE, 404, 415, 429),
)
def sign_for_owner(token: str):
    """A family member signs for the owner, with the signed 授权委托书 as `file`."""
    _multipart()
    f = models.query(models.ProxyForm, request.form)
    name = f["proxy_name"]
    with throttle.guarded(throttle.PHONE_TAIL, token):
        view = services.sign(
            rt(),
            token,
            owner_name=f["owner_name"],
            phone_tail=f["phone_tail"],
            choice=f["choice"],
            signature=f.get("signature") or name,
            proxy=services.Proxy(name.strip(), f["proxy_relationship"], _file() or b""),
        )
    return jsonify(_signing_json(view))


@bp.put("/cases/<int:case_id>/agent")
@described(
    "Record the applicant as the unit's agent, with its authorisation (applicant)",
    "cases",
    form=models.AgentForm,
    reply=models.Case,
    reply_text="The case",
    errors=(*CASE_WRITE, 415),
)
@token_required
def record_agent(case_id: int):
    """The applicant files as the unit's agent, with the unit's authorisation as `file`."""
    _multipart()
    f = models.query(models.AgentForm, request.form)
    services.record_agent(
        rt(), caller().id, case_id, kind=f["kind"], name=f["name"], document=_file()
    )
    return with_case(case_id)


@bp.post("/cases/<int:case_id>/votes")
@described(
    "Record a consent signed on paper (clerk)",
    "consent",
    body=models.VoteRequest,
    reply=models.Created,
    status=201,
    reply_text="The vote's id and the case",
    errors=CASE_WRITE,
    operation_id="record_paper_vote",
)
@token_required
def record_vote(case_id: int):
    data = body(models.VoteRequest)
    vote_id = services.record_paper_vote(
        rt(),
        caller().id,
        case_id,
        room=data["room"],
        choice=data["choice"],
        signature=data["signature"],
    )
    return with_case(case_id, 201, vote_id)


@bp.post("/cases/<int:case_id>/objections")
@described(
    "Record an owner's objection (applicant, clerk)",
    "consent",
    body=models.ObjectionRequest,
    reply=models.Created,
    status=201,
    reply_text="The objection's id and the case",
    errors=CASE_WRITE,
)
@token_required
def lodge_objection(case_id: int):
    data = body(models.ObjectionRequest)
    objection_id = services.lodge_objection(
        rt(), caller().id, case_id, room=data.get("room") or None, text=data["text"]
    )
    return with_case(case_id, 201, objection_id)


@bp.post("/cases/<int:case_id>/objections/<int:objection_id>/mediation")
@described(
    "Refer an open objection to mediation (clerk, applicant); the objector is told by SMS",
    "mediation",
    reply=models.Created,
    status=201,
    reply_text="The mediation's id and the case",
    errors=CASE_WRITE,
)
@token_required
def refer_to_mediation(case_id: int, objection_id: int):
    mediation_id = services.refer(rt(), caller().id, case_id, objection_id)
    return with_case(case_id, 201, mediation_id)


@bp.post("/mediations/<int:mediation_id>/sessions")
@described(
    "Record a mediation session (mediator)",
    "mediation",
    body=models.MediationSessionRequest,
    reply=models.CreatedRecord,
    status=201,
    reply_text="The session's id",
    errors=CASE_WRITE,
)
@token_required
def mediation_session(mediation_id: int):
    data = body(models.MediationSessionRequest)
    session_id = services.record_session(
        rt(),
        caller().id,
        mediation_id,
        held_on=data["held_on"],
        place=data["place"],
        attendees=data["attendees"],
        notes=data["notes"],
    )
    return jsonify({"id": session_id}), 201


@bp.post("/mediations/<int:mediation_id>/outcome")
@described(
    "Record the mediation's outcome and issue the 调解意见书 (mediator)",
    "mediation",
    body=models.MediationOutcomeRequest,
    reply=models.CreatedRecord,
    status=201,
    reply_text="The 调解意见书's document id",
    errors=CASE_WRITE,
)
@token_required
def mediation_outcome(mediation_id: int):
    data = body(models.MediationOutcomeRequest)
    document_id = services.record_outcome(
        rt(), caller().id, mediation_id, agreed=data["agreed"], opinion=data.get("opinion") or ""
    )
    return jsonify({"id": document_id}), 201


@bp.post("/sign/<token>/objections/<int:objection_id>/withdraw")
@described(
    "The objector withdraws its own objection through its household link",
    "mediation",
    status=204,
    reply_text="Withdrawn",
    errors=(409, 404, 429),
)
def withdraw_objection(token: str, objection_id: int):
    services.withdraw_by_link(rt(), token, objection_id)
    return "", 204


# — 好差评 ————————————————————————————————————————————————————————————————————————


@bp.post("/cases/<int:case_id>/ratings")
@described(
    "Rate an act that concluded a step (applicant; once per act and person)",
    "ratings",
    body=models.RatingRequest,
    reply=models.CreatedRecord,
    status=201,
    reply_text="The rating's id",
    errors=CASE_WRITE,
)
@token_required
def rate(case_id: int):
    data = body(models.RatingRequest)
    rating_id = services.rate(
        rt(), caller().id, case_id, data["act"], data["level"], data.get("comment") or ""
    )
    return jsonify({"id": rating_id}), 201


@bp.get("/cases/<int:case_id>/ratings")
@described(
    "The case's rateable acts and their ratings",
    "ratings",
    reply=models.Ratings,
    reply_text="Acts and ratings",
    errors=CASE_READ,
)
@token_required
def ratings(case_id: int):
    return jsonify(services.ratings_of(rt(), caller().id, case_id))


# — the residents: representatives, problems, acceptance (居民监督、居民验收) ——————————————————


def _resident_json(token: str) -> dict[str, Any]:
    view = services.resident_view(rt(), token)
    return {
        "room": view.room,
        "supervision_open": view.supervision_open,
        "representative": view.representative,
        "problems_open": view.problems_open,
        "acceptance_open": view.acceptance_open,
        "opinion": view.opinion,
        "reason": view.reason,
        "answer": view.answer,
        "supervisors": list(view.supervisors),
        "problems": list(view.problems),
    }


@bp.put("/cases/<int:case_id>/supervisors")
@described(
    "Name the unit's residents' representatives, the whole list (applicant)",
    "residents",
    body=models.SupervisorsRequest,
    reply=models.Case,
    reply_text="The case",
    headers=("ETag",),
    errors=CASE_WRITE,
    description="Rooms left out step down (`reason` required for one who had accepted); each "
    "new representative gets an SMS with its household's link to accept.",
)
@token_required
def name_supervisors(case_id: int):
    data = body(models.SupervisorsRequest)
    services.name_supervisors(rt(), caller().id, case_id, data["rooms"], data.get("reason"))
    return with_case(case_id)


@bp.post("/cases/<int:case_id>/supervisors/paper")
@described(
    "Record a representative's acceptance signed on paper (clerk)",
    "residents",
    body=models.PaperSupervisorRequest,
    reply=models.Case,
    reply_text="The case",
    headers=("ETag",),
    errors=CASE_WRITE,
)
@token_required
def record_paper_supervisor(case_id: int):
    data = body(models.PaperSupervisorRequest)
    services.record_paper_supervisor(rt(), caller().id, case_id, data["room"])
    return with_case(case_id)


@bp.get("/sign/<token>/residents")
@described(
    "What the household's link shows of the residents' part",
    "residents",
    reply=models.ResidentLink,
    reply_text="The household's part",
    errors=(404, 429),
)
def resident_view(token: str):
    return jsonify(_resident_json(token))


@bp.post("/sign/<token>/supervisor")
@described(
    "The household accepts (or declines) the representative's role through its link",
    "residents",
    body=models.SupervisorAnswerRequest,
    reply=models.ResidentLink,
    reply_text="Recorded",
    errors=(*WRITE, 404, 429),
)
def answer_supervisor(token: str):
    data = body(models.SupervisorAnswerRequest)
    services.accept_supervisor_role(rt(), token, data["accept"])
    return jsonify(_resident_json(token))


@bp.post("/sign/<token>/problems")
@described(
    "A household reports a problem with the work: JSON text, or multipart with photos",
    "residents",
    body=models.ProblemRequest,
    form=models.ProblemForm,
    reply=models.ResidentLink,
    status=201,
    reply_text="Recorded; the applicant gets an SMS",
    errors=(*WRITE, 404, 415, 429),
)
def report_problem(token: str):
    if request.mimetype == "multipart/form-data":
        f = models.query(models.ProblemForm, request.form)
        photos = [p.read() for p in request.files.getlist("photos")]
        services.report_problem(rt(), token, f["text"], photos)
    else:
        data = body(models.ProblemRequest)
        services.report_problem(rt(), token, data["text"])
    response = jsonify(_resident_json(token))
    response.status_code = 201
    return response


@bp.get("/cases/<int:case_id>/problems")
@described(
    "The problems the residents reported, with their answers",
    "residents",
    reply=models.Problems,
    reply_text="Oldest first",
    errors=CASE_READ,
)
@token_required
def case_problems(case_id: int):
    return jsonify({"problems": services.residents.problems(rt(), caller().id, case_id)})


@bp.get("/cases/<int:case_id>/problems/<int:problem_id>/photos/<int:number>")
@described(
    "A problem's photo, shrunk for display (applicant, staff; a staff view is audited)",
    "residents",
    query=models.PhotoQuery,
    reply="image/jpeg",
    reply_text="The picture",
    errors=CASE_READ,
)
@token_required
def problem_photo(case_id: int, problem_id: int, number: int):
    reason = models.query(models.PhotoQuery, request.args).get("reason") or ""
    if services.residents.problem_case(rt(), problem_id) != case_id:
        raise NotFound(msg("photo", "未找到该照片。", "No such photo."))
    data = services.residents.photo(rt(), problem_id, number, actor=caller().id, reason=reason)
    return send_file(io.BytesIO(data), mimetype="image/jpeg")


@bp.post("/cases/<int:case_id>/problems/<int:problem_id>/answer")
@described(
    "Answer a problem: what was done (applicant or agent); JSON text, or multipart with photos",
    "residents",
    body=models.ProblemAnswerRequest,
    form=models.ProblemAnswerForm,
    reply=models.Case,
    reply_text="The case; the reporter gets an SMS",
    headers=("ETag",),
    errors=(*CASE_WRITE, 415),
)
@token_required
def answer_problem(case_id: int, problem_id: int):
    if request.mimetype == "multipart/form-data":  # as a problem is reported with its photos
        f = models.query(models.ProblemAnswerForm, request.form)
        photos = [p.read() for p in request.files.getlist("photos")]
        services.answer_problem(rt(), caller().id, case_id, problem_id, f["text"], photos)
    else:
        data = body(models.ProblemAnswerRequest)
        services.answer_problem(rt(), caller().id, case_id, problem_id, data["text"])
    return with_case(case_id)


@bp.post("/sign/<token>/problems/<int:problem_id>/close")
@described(
    "Close a problem as solved, or keep it open with a reason (the reporter or a representative)",
    "residents",
    body=models.CloseProblemRequest,
    reply=models.ResidentLink,
    reply_text="Recorded",
    errors=(*WRITE, 403, 404, 429),
)
def close_problem(token: str, problem_id: int):
    data = body(models.CloseProblemRequest)
    services.close_problem(rt(), token, problem_id, data["solved"], data.get("reason"))
    return jsonify(_resident_json(token))


@bp.post("/sign/<token>/acceptance")
@described(
    "The household's opinion of the finished work (may change until completion is confirmed)",
    "residents",
    body=models.AcceptanceRequest,
    reply=models.ResidentLink,
    reply_text="Recorded",
    errors=(*WRITE, 404, 429),
    description="`reason` is required for `dissatisfied`.",
)
def give_acceptance_opinion(token: str):
    data = body(models.AcceptanceRequest)
    services.give_acceptance_opinion(rt(), token, data["opinion"], data.get("reason"))
    return jsonify(_resident_json(token))


@bp.post("/cases/<int:case_id>/acceptance/answers")
@described(
    "Answer a household's 不满意 (applicant or agent)",
    "residents",
    body=models.OpinionAnswerRequest,
    reply=models.Case,
    reply_text="The case",
    headers=("ETag",),
    errors=CASE_WRITE,
)
@token_required
def answer_opinion(case_id: int):
    data = body(models.OpinionAnswerRequest)
    services.answer_opinion(rt(), caller().id, case_id, data["room"], data["text"])
    return with_case(case_id)


# — documents and opinions ————————————————————————————————————————————————————————


@bp.put("/cases/<int:case_id>/documents/<kind>")
@described(
    "Upload a new version of a document (applicant; checked by content)",
    "documents",
    form=models.UploadForm,
    reply=models.Created,
    status=201,
    reply_text="The document's id and the case",
    errors=(*CASE_WRITE, 415),
)
@token_required
def upload_document(case_id: int, kind: str):
    if request.mimetype != "multipart/form-data":
        raise UnsupportedFile(
            msg(
                "content_type",
                "请以 multipart/form-data 上传，文件放在 file 字段。",
                "Send multipart/form-data with the file in the `file` field.",
            )
        )
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(msg("file", "请在 file 字段中附上文件。", "Attach the file as `file`."))
    document_id = services.upload_document(
        rt(), caller().id, case_id, kind, upload.read(), upload.filename or ""
    )
    return with_case(case_id, 201, document_id)


@bp.post("/cases/<int:case_id>/opinions")
@described(
    "The department's opinion in the joint review (approver)",
    "review",
    body=models.OpinionRequest,
    reply=models.Created,
    status=201,
    reply_text="The opinion's id and the case",
    errors=CASE_WRITE,
)
@token_required
def give_opinion(case_id: int):
    data = body(models.OpinionRequest)
    opinion_id = services.give_opinion(
        rt(), caller().id, case_id, verdict=data["verdict"], comment=data.get("comment") or ""
    )
    return with_case(case_id, 201, opinion_id)


# — transitions ——————————————————————————————————————————————————————————————————


def expected_version() -> int | None:
    """`If-Match: 7`, `"7"` or `W/"7"` (the case's ETag) → 7; absent → no version check."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip():
        return None
    found = re.fullmatch(models.IF_MATCH, raw.strip())
    if found is None:
        raise InvalidInput(
            msg(
                "if_match",
                "If-Match 应为案件的版本号（整数）。",
                "If-Match must be the case's version number.",
            )
        )
    return int(found["version"])


@bp.post("/cases/<int:case_id>/transitions/<trigger>")
@described(
    "A trigger of the declaration",
    "transitions",
    body_required=False,
    request_headers=("If-Match", "Prefer"),
    reply=(models.Case, models.TransitionOutcome),
    reply_text="The case after the transition (or, with Prefer: return=minimal, the outcome)",
    headers=("ETag", "Preference-Applied"),
    errors=(*CASE_WRITE, 422),
    each=("trigger", transitions),
)
@token_required
def fire(case_id: int, trigger: str):
    if trigger not in machine.TRANSITION:
        raise NotFound(msg("trigger", f"未知操作：{trigger[:40]}", "Unknown trigger."))
    data = body(models.transition_request(trigger))
    version = expected_version()
    # The token's account, checked by token_required a moment ago, is the actor as it is.
    outcome = services.fire(rt(), caller(), case_id, trigger, data, expected_version=version)
    if not prefers_minimal():
        return with_case(case_id)
    response = jsonify(
        {
            "id": outcome.case_id,
            "reference": outcome.reference,
            "state": outcome.state,
            "version": outcome.version,
            "letters": outcome.letters,
        }
    )
    response.headers["ETag"] = f'"{outcome.version}"'
    response.headers["Preference-Applied"] = "return=minimal"
    return response


def prefers_minimal() -> bool:
    """`Prefer: return=minimal` (RFC 7240): the client needs the outcome, not the whole case
    (which costs a dozen queries more to describe)."""
    for preference in request.headers.get("Prefer", "").split(","):
        if preference.split(";", 1)[0].strip().lower() == "return=minimal":
            return True
    return False


# — letters ——————————————————————————————————————————————————————————————————————


@bp.get("/cases/<int:case_id>/letters")
@described(
    "The letters issued on the case",
    "letters",
    reply=models.Letters,
    reply_text="Letters, in order of issue",
    errors=CASE_READ,
)
@token_required
def case_letters(case_id: int):
    return jsonify({"letters": case_json(case_id)["letters"]})


@bp.get("/cases/<int:case_id>/letters/<int:letter_id>")
@described(
    "The letter's PDF: the bytes stored at issue, unchanged",
    "letters",
    reply="application/pdf",
    reply_text="The PDF",
    errors=CASE_READ,
    description="404 `letter_not_rendered` when no PDF was stored for the letter.",
)
@token_required
def letter_pdf(case_id: int, letter_id: int):
    letter = queries.letter_for(rt(), caller().id, letter_id)
    if letter.case_id != case_id:
        raise NotFound(msg("letter", "未找到该信函。", "No such letter."))
    if letter.sha256 is None:
        # Its render job has not run yet (or was lost): render it now, once — the safety net.
        try:
            services.letter_file(rt(), caller().id, letter_id)
            letter = queries.letter_for(rt(), caller().id, letter_id)
        except NotFound:
            pass  # no PDF engine configured
    if letter.sha256 is None:
        return error_response(
            404, "letter_not_rendered", "该信函尚未生成 PDF 文件。",
            [{"code": "not_rendered", "message": "该信函尚未生成 PDF 文件。",
              "message_en": "No PDF was rendered for this letter."}],
        )  # fmt: skip
    if not rt().store.matches(letter.sha256):
        return error_response(
            404, "letter_file_missing", "信函文件缺失或与登记的哈希值不符。",
            [{"code": "file_missing", "message": "信函文件缺失或与登记的哈希值不符。",
              "message_en": "The stored file is missing or no longer matches its hash."}],
        )  # fmt: skip
    response = send_file(
        io.BytesIO(rt().store.read(letter.sha256)),
        mimetype="application/pdf",
        etag=letter.sha256,
        conditional=False,  # always the whole file: the document promises 200 or 404
    )
    # The document number (枣阳住建梯准〔2026〕7号) names the file; plain ASCII for old clients.
    fallback = f"{letter.kind}-{letter.year}-{letter.serial}.pdf"
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(letter.number + '.pdf')}"
    )
    return response


@bp.get("/verify/<code>")
@described(
    "Check a letter's or document's authenticity from the code on it (public)",
    "letters",
    reply=models.Verification,
    reply_text="The letter or document as issued",
    errors=(404, 429),
    operation_id="verify_letter",
)
def verify(code: str):
    found = papers_verify.verify(rt(), code)
    if found is None:
        raise NotFound(
            msg(
                "verify_code",
                "未找到该核验码对应的文书。",
                "No letter or document has this verification code.",
            )
        )
    return jsonify(
        {
            "valid": True,
            "what": found.what,
            "kind": found.kind,
            "title": found.title,
            "number": found.number,
            "replaced_by": found.replaced_by,
            "date": found.issued_on,
            "reference": found.reference,
            "addressee": found.addressee,
            "authority": found.authority,
            "file": found.file,
            "sha256": found.sha256,
        }
    )


@bp.get("/track")
@described(
    "A case's progress by reference and the applicant's phone tail (public)",
    "cases",
    query=models.TrackQuery,
    reply=models.Track,
    reply_text="Steps, dates, next deadline and what is awaited",
    errors=(404, 429),
    operation_id="track_case",
    description="Failed lookups are limited per reference and client address (429).",
)
def track():
    """A case's progress by reference and the applicant's phone tail: no token, throttled."""
    from workflow.read import tracking

    args = models.query(models.TrackQuery, request.args)
    with throttle.guarded(throttle.TRACK, args["reference"]):
        return jsonify(tracking.track(rt(), args["reference"], args["phone_tail"]))


# — personal information (个人信息保护法第四十五至四十七条) ——————————————————————————————————


@bp.get("/me/data")
@described(
    "Everything held about the caller (我的信息): only the caller's own",
    "personal data",
    reply=models.PersonalData,
    reply_text=(
        "The caller's account, cases, flats, votes, representative roles, problems, acceptance"
        " opinions, ratings, uploads, messages, requests, views"
    ),
    errors=(),
)
@token_required
def my_data():
    return jsonify(services.privacy.my_data(rt(), caller().id))


@bp.get("/sign/<token>/data")
@described(
    "Everything held about the household of this signing link (masked)",
    "personal data",
    reply=models.PersonalData,
    reply_text="The household's data",
    errors=(404, 429),
)
def household_data(token: str):
    return jsonify(services.privacy.household_data(rt(), token))


@bp.post("/me/requests")
@described(
    "Ask to correct or delete one's data; answered in writing within the set working days",
    "personal data",
    body=models.PrivacyRequestBody,
    reply=models.PrivacyRequestInfo,
    status=201,
    reply_text="The request, with its due date",
    errors=(400, 413),
)
@token_required
def my_request():
    data = body(models.PrivacyRequestBody)
    made = services.privacy.make_request(rt(), caller().id, data["kind"], data["text"])
    return jsonify(made), 201


# — stand-ins (代理) ——————————————————————————————————————————————————————————————————————


@bp.get("/me/absence")
@described(
    "The caller's absence (请假) and stand-in, and the colleagues the caller stands in for",
    "staff",
    reply=models.MyAbsence,
    reply_text="The absence now or to come (null if none) and whom the caller stands in for",
    errors=(403,),
    operation_id="my_absence",
)
@token_required
def my_absence():
    return jsonify(
        {
            "absence": services.my_absence(rt(), caller().id),
            "standing_in_for": services.standing_in(rt(), caller().id),
        }
    )


@bp.put("/me/absence")
@described(
    "Record (or replace) the caller's absence and name a stand-in of the same desk and role, "
    "who has the caller's cases meanwhile; every act of theirs on them reads 李四（代张三）",
    "staff",
    body=models.AbsenceRequest,
    reply=models.Absence,
    reply_text="The absence recorded; the stand-in is told (inbox and SMS)",
    errors=(400, 403, 409, 422),
    operation_id="set_absence",
)
@token_required
def set_absence():
    data = body(models.AbsenceRequest)
    answer = services.set_absence(rt(), caller().id, data["from"], data["to"], data["stand_in"])
    return jsonify(answer)


@bp.delete("/me/absence")
@described(
    "Withdraw the caller's absence (back early, or the leave cancelled); the stand-in is told",
    "staff",
    status=204,
    reply_text="No absence any more (also when there was none)",
    errors=(403, 409),
    operation_id="clear_absence",
)
@token_required
def clear_absence():
    services.clear_absence(rt(), caller().id)
    return "", 204


# — the elevator register ——————————————————————————————————————————————————————————————


def _elevator_item(row: dict[str, Any]) -> dict[str, Any]:
    unit = row["management_unit"]
    return {
        **{k: v for k, v in row.items() if k not in ("community", "address")},
        "management_unit": {"name": unit["name"], "kind": unit["kind"], "phone": unit["phone"]},
    }


@bp.get("/elevators")
@described(
    "The register of elevators in use: who runs each, its maintenance, its yearly inspection "
    "(staff)",
    "elevators",
    query=models.ElevatorQuery,
    reply=models.ElevatorList,
    reply_text="Every registered elevator, soonest inspection first",
    errors=(400, 403),
)
@token_required
def list_elevators():
    args = models.query(models.ElevatorQuery, request.args)
    rows = elevator_register.elevators(rt(), caller().id, args.get("which"))
    return jsonify({"items": [_elevator_item(r) for r in rows]})


@bp.post("/elevators/<int:case_id>/inspections")
@described(
    "Record a yearly periodic inspection with its report (clerk)",
    "elevators",
    form=models.InspectionForm,
    reply=models.InspectionCreated,
    status=201,
    reply_text="The inspection's id and the elevator, its next inspection moved a year on",
    errors=(*WRITE, 403, 404, 415),
)
@token_required
def record_inspection(case_id: int):
    if request.mimetype != "multipart/form-data":
        raise UnsupportedFile(
            msg(
                "content_type",
                "请以 multipart/form-data 上传，检验报告放在 file 字段。",
                "Send multipart/form-data with the report in the `file` field.",
            )
        )
    fields = models.query(
        models.InspectionForm, {k: v for k, v in request.form.items() if k != "file"}
    )
    upload = request.files.get("file") or request.files.get("report")
    inspection_id = services.record_inspection(
        rt(),
        caller().id,
        case_id,
        fields["inspected_on"],
        fields["result"],
        upload.read() if upload is not None else b"",
    )
    row = elevator_register.elevator(rt(), caller().id, case_id)
    response = jsonify({"id": inspection_id, "elevator": _elevator_item(row)})
    response.status_code = 201
    return response


# — the installers' record ——————————————————————————————————————————————————————————————


@bp.get("/installers")
@described(
    "The installers' record: figures from the cases and any bar in force (public, no personal "
    "data)",
    "installers",
    query=models.InstallerQuery,
    reply=models.InstallerList,
    reply_text="Each installer, sorted",
    errors=(400,),
)
def list_installers():
    args = models.query(models.InstallerQuery, request.args)
    return jsonify({"items": installer_record.installers(rt(), args.get("sort"))})


def _installer(code: str) -> dict[str, Any]:
    return installer_record.installer(rt(), code)


@bp.put("/installers/<credit_code>/bar")
@described(
    "Bar an installer from new work until a date (admin); the history stays in the audit log",
    "installers",
    body=models.BarRequest,
    reply=models.Installer,
    reply_text="The installer's record with the bar",
    errors=(*WRITE, 403),
)
@token_required
def bar_installer(credit_code: str):
    data = body(models.BarRequest)
    services.bar_installer(
        rt(), caller().id, credit_code, data["reason"], data["document_number"], data["until"]
    )
    return jsonify(_installer(credit_code))


@bp.delete("/installers/<credit_code>/bar")
@described(
    "Lift an installer's bar (admin)",
    "installers",
    reply=models.Installer,
    reply_text="The installer's record without the bar",
    errors=(400, 403, 404),
)
@token_required
def lift_installer_bar(credit_code: str):
    services.lift_bar(rt(), caller().id, credit_code)
    return jsonify(_installer(credit_code))
