"""The endpoints of /api/v1: parse the request, call one use case, answer JSON.

Nothing here decides anything about a case: roles, states, guards and separation of duties
are the services' (their refusals become JSON errors in `errors.py`).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import quote

from flask import current_app, g, jsonify, request, send_file, url_for

from workflow import inputs, services
from workflow.data.runtime import Runtime
from workflow.errors import InvalidInput, NotFound, UnsupportedFile, msg
from workflow.papers import verify as papers_verify
from workflow.process import machine
from workflow.read import cases as queries

from . import bp, models
from .auth import caller, token_required
from .errors import error_response

MAX_ID = 2**31 - 1  # ids are database integers; larger numbers name nothing
MAX_PAGE = 100_000


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


def case_json(case_id: int, reveal: bool = False) -> dict[str, Any]:
    return queries.describe_case(rt(), caller().id, case_id, reveal=reveal)


def with_case(case_id: int, status: int = 200, created_id: int | None = None, reveal: bool = False):
    case = case_json(case_id, reveal)
    payload = case if created_id is None else {"id": created_id, "case": case}
    response = jsonify(payload)
    response.status_code = status
    response.headers["ETag"] = f'"{case["version"]}"'
    return response


# — tokens ————————————————————————————————————————————————————————————————————


@bp.post("/token")
def create_token():
    data = body(models.TokenRequest)
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
@token_required
def delete_token():
    services.revoke_token(rt(), g.api_token)
    return "", 204


# — the declaration ————————————————————————————————————————————————————————————


@bp.get("/workflow")
def workflow():
    return jsonify(machine.describe())


@bp.get("/openapi.json")
def openapi_document():
    from .openapi import document

    return jsonify(document())


# — cases ——————————————————————————————————————————————————————————————————————


@bp.post("/cases")
@token_required
def create_case():
    data = body(models.CaseRequest)
    case_id = services.create_case(rt(), caller().id, data)
    response = with_case(case_id, 201)
    response.headers["Location"] = url_for("api.get_case", case_id=case_id)
    return response


@bp.patch("/cases/<int:case_id>")
@token_required
def update_case(case_id: int):
    data = body(models.CasePatch)
    services.patch_case(rt(), caller().id, case_id, data, expected_version=expected_version())
    return with_case(case_id)


def _int_arg(name: str, default: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= high:
        raise InvalidInput(
            msg(name, f"参数 {name} 应为 1 到 {high} 之间的整数。", f"{name}: 1 to {high}.")
        )
    return int(raw)


def _cursor_arg(name: str) -> str | None:
    raw = request.args.get(name) or None
    if raw is not None and (len(raw) > 200 or not raw.isascii()):
        raise InvalidInput(msg(name, "分页位置无效。", "Bad cursor."))
    return raw


@bp.get("/cases")
@token_required
def list_cases():
    state = request.args.get("state") or None
    if state is not None and state not in models.STATE_NAMES:
        raise InvalidInput(msg("state", f"未知状态：{state[:40]}", "Unknown state."))
    tag = request.args.get("tag") or None
    if tag is not None and tag not in models.STATE_TAGS:
        raise InvalidInput(msg("tag", f"未知分组：{tag[:40]}", "Unknown tag."))
    q = request.args.get("q") or None
    if q is not None:
        q = inputs.text(q, field="q", label="检索词", max_length=200)
    return jsonify(
        queries.list_cases(
            rt(),
            caller().id,
            state=state,
            tag=tag,
            q=q,
            page=_int_arg("page", 1, MAX_PAGE),
            per_page=_int_arg("per_page", 20, 100),
            after=_cursor_arg("after"),
            before=_cursor_arg("before"),
        )
    )


@bp.get("/cases/<int:case_id>")
@token_required
def get_case(case_id: int):
    return with_case(case_id, reveal=request.args.get("reveal") == "phones")


@bp.get("/cases/<int:case_id>/history")
@token_required
def case_history(case_id: int):
    return jsonify({"events": queries.history(rt(), caller().id, case_id)})


# — consent and objections ——————————————————————————————————————————————————————


@bp.get("/cases/<int:case_id>/signing-links")
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
        "cost_sharing": view.cost_sharing,
        "shares": list(view.table),
        "owners_explained": view.owners_explained,
    }


@bp.get("/sign/<token>")
def signing_view(token: str):
    return jsonify(_signing_json(services.signing_view(rt(), token)))


@bp.post("/sign/<token>")
def sign(token: str):
    data = body(models.SignRequest)
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
def sign_for_owner(token: str):
    """A family member signs for the owner, with the signed 授权委托书 as `file`."""
    _multipart()
    f = request.form
    name = f.get("proxy_name", "")
    view = services.sign(
        rt(),
        token,
        owner_name=f.get("owner_name", ""),
        phone_tail=f.get("phone_tail", ""),
        choice=f.get("choice", ""),
        signature=f.get("signature") or name,
        proxy=services.Proxy(name.strip(), f.get("proxy_relationship", ""), _file() or b""),
    )
    return jsonify(_signing_json(view))


@bp.put("/cases/<int:case_id>/agent")
@token_required
def record_agent(case_id: int):
    """The applicant files as the unit's agent, with the unit's authorisation as `file`."""
    _multipart()
    services.record_agent(
        rt(),
        caller().id,
        case_id,
        kind=request.form.get("kind", ""),
        name=request.form.get("name", ""),
        document=_file(),
    )
    return with_case(case_id)


@bp.post("/cases/<int:case_id>/votes")
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
@token_required
def lodge_objection(case_id: int):
    data = body(models.ObjectionRequest)
    objection_id = services.lodge_objection(
        rt(), caller().id, case_id, room=data.get("room") or None, text=data["text"]
    )
    return with_case(case_id, 201, objection_id)


@bp.post("/cases/<int:case_id>/objections/<int:objection_id>/resolution")
@token_required
def resolve_objection(case_id: int, objection_id: int):
    data = body(models.ResolutionRequest)
    services.resolve_objection(rt(), caller().id, case_id, objection_id, data["resolution"])
    return with_case(case_id)


# — documents and opinions ————————————————————————————————————————————————————————


@bp.put("/cases/<int:case_id>/documents/<kind>")
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
@token_required
def case_letters(case_id: int):
    return jsonify({"letters": case_json(case_id)["letters"]})


@bp.get("/cases/<int:case_id>/letters/<int:letter_id>")
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
def verify(code: str):
    found = papers_verify.verify(rt(), code)
    if found is None:
        raise NotFound(
            msg(
                "verify_code", "未找到该核验码对应的信函。", "No letter has this verification code."
            )
        )
    return jsonify(
        {
            "valid": True,
            "what": found.what,
            "kind": found.kind,
            "title": found.title,
            "number": found.number,
            "date": found.issued_on,
            "reference": found.reference,
            "addressee": found.addressee,
            "authority": found.authority,
            "file": found.file,
            "sha256": found.sha256,
        }
    )


@bp.get("/track")
def track():
    """A case's progress by reference and the applicant's phone tail: no token, throttled."""
    from workflow.read import tracking

    from ..public.throttle import too_many_lookups

    if too_many_lookups():
        response = error_response(429, "too_many_requests", "查询过于频繁，请稍后再试。")
        response.headers["Retry-After"] = "600"
        return response
    return jsonify(
        tracking.track(rt(), request.args.get("reference", ""), request.args.get("phone_tail", ""))
    )
