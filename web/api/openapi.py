"""The OpenAPI 3.1 document of /api/v1, built from the request and response schemas the API uses
and from the machine declaration: one operation per trigger, with its roles, sources, guards and
inputs read from `workflow.machine`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from workflow.process.machine import TRANSITIONS, Transition
from workflow.process.states import STATE
from workflow.services import RELATIONSHIPS

from . import models
from .errors import HTTP_ERRORS

JSON = dict[str, Any]
IF_MATCH_PATTERN = models.IF_MATCH.replace("?P<version>", "")

ERROR_TEXT = {
    400: "Malformed JSON, a field of the wrong type, or input the use case refuses",
    401: "No bearer token, or one that is invalid, expired or revoked",
    403: "The caller's role may not do this, or separation of duties forbids it",
    404: "Not found — also a case the caller may not see",
    409: "Not allowed in the case's current state, already done, or a stale If-Match version",
    413: "The body or file is larger than the upload limit",
    415: "The file is not of a type this document accepts (checked by content)",
    422: "Guards failed: `details` lists every failing guard's message",
    429: "Too many attempts from this address; Retry-After says when to try again",
}

WRITE = (400, 409, 413)


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(name: str, description: str = "") -> JSON:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": ref(name)}},
    }


def ok(name: str, description: str, status: int = 200, headers: JSON | None = None) -> JSON:
    response: JSON = {
        "description": description,
        "content": {"application/json": {"schema": ref(name)}},
    }
    if headers:
        response["headers"] = headers
    return {str(status): response}


def multipart_body(fields: JSON, required: list[str]) -> JSON:
    """Form fields and the signed paper as `file` (checked by content)."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {**fields, "file": {"type": "string", "format": "binary"}},
                    "required": [*required, "file"],
                }
            }
        },
    }


def errors(*statuses: int) -> JSON:
    return {str(s): {"$ref": f"#/components/responses/E{s}"} for s in sorted(set(statuses))}


def op(
    op_id: str,
    summary: str,
    responses: JSON,
    *,
    tag: str,
    public: bool = False,
    params: list[JSON] | None = None,
    body: JSON | None = None,
    description: str = "",
) -> JSON:
    out: JSON = {"operationId": op_id, "summary": summary, "tags": [tag], "responses": responses}
    if description:
        out["description"] = description
    if public:
        out["security"] = []
    if params:
        out["parameters"] = params
    if body:
        out["requestBody"] = body
    return out


def id_param(name: str, description: str) -> JSON:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


CASE_ID = id_param("case_id", "The case's id")
ETAG = {"ETag": {"description": "The case's version, quoted", "schema": {"type": "string"}}}
LOCATION = {"Location": {"description": "The new case's URL", "schema": {"type": "string"}}}
CASE_READ = (401, 404)
CASE_WRITE = (*WRITE, 401, 403, 404)


def transition_operation(t: Transition) -> JSON:
    sources = "、".join(f"{STATE[s].label} `{s}`" for s in t.sources)
    lines = [
        f"{t.label} ({t.label_en}): {sources} → {STATE[t.dest].label} `{t.dest}`.",
        "",
        f"Who: {', '.join(sorted(t.roles))}.",
    ]
    if t.guards:
        lines.append(
            f"Guards (each failure listed in a 422): {', '.join(g.name for g in t.guards)}."
        )
    if t.letter:
        lines.append(f"Issues the letter `{t.letter}`.")
    if_match = {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": "The case's version (its ETag); a stale one is refused with 409.",
        "schema": {"type": "string", "pattern": f"^{IF_MATCH_PATTERN}$"},
    }
    prefer = {
        "name": "Prefer",
        "in": "header",
        "required": False,
        "description": "`return=minimal` (RFC 7240): reply with the outcome (state, version, "
        "letters) instead of the whole case; the reply then carries Preference-Applied.",
        "schema": {"type": "string", "maxLength": 200},
    }
    reply = ok("Case", "The case after the transition", headers=ETAG)
    reply["200"]["content"]["application/json"]["schema"] = {
        "anyOf": [ref("Case"), ref("TransitionOutcome")]
    }
    return op(
        f"fire_{t.trigger}",
        t.label_en,
        {**reply, **errors(*CASE_WRITE, 422)},
        tag="transitions",
        params=[CASE_ID, if_match, prefer],
        body={
            "required": False,
            "content": {
                "application/json": {
                    "schema": models.schema_of(models.transition_request(t.trigger))
                }
            },
        },
        description="\n".join(lines),
    )


def paths() -> JSON:
    out: JSON = {
        "/token": {
            "post": op(
                "create_token",
                "Exchange a username and password for a bearer token",
                {**ok("Token", "A token valid until expires_at"), **errors(*WRITE, 401, 403, 429)},
                tag="tokens",
                public=True,
                body=json_body("TokenRequest"),
            ),
            "delete": op(
                "revoke_token",
                "Revoke the token this request carries",
                {"204": {"description": "Revoked"}, **errors(401, 409)},
                tag="tokens",
            ),
        },
        "/workflow": {
            "get": op(
                "workflow",
                "The process: states and transitions, straight from the declaration",
                ok("Workflow", "States with labels; transitions with sources, roles and inputs"),
                tag="workflow",
                public=True,
            )
        },
        "/openapi.json": {
            "get": op(
                "openapi",
                "This document",
                {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                tag="workflow",
                public=True,
            )
        },
        "/cases": {
            "post": op(
                "create_case",
                "Open an application (homeowners)",
                {
                    **ok("Case", "The new case, in state draft", 201, headers=ETAG | LOCATION),
                    **errors(*WRITE, 401, 403),
                },
                tag="cases",
                body=json_body("CaseRequest"),
            ),
            "get": op(
                "list_cases",
                "The cases the caller may see, paginated",
                {**ok("CaseList", "One page of cases"), **errors(400, 401)},
                tag="cases",
                params=[
                    {
                        "name": "state",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": models.STATE_NAMES},
                    },
                    {
                        "name": "tag",
                        "in": "query",
                        "required": False,
                        "description": "A group of states from the declaration, e.g. `window` "
                        "(waiting on the clerk) or `review` (waiting on the approvers)",
                        "schema": {"enum": models.STATE_TAGS},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "description": "Reference, address, community, owner name or phone",
                        "schema": {
                            "type": "string",
                            "maxLength": 200,
                            "pattern": models.POLICY_PATTERN,
                        },
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100_000},
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "description": "The `next_cursor` of the page before: the rows after it "
                        "(keyset paging; any page costs what the first does)",
                        "schema": {
                            "type": "string",
                            "maxLength": 200,
                            "pattern": models.POLICY_PATTERN,
                        },
                    },
                    {
                        "name": "before",
                        "in": "query",
                        "required": False,
                        "description": "The `prev_cursor` of the page after: the rows before it",
                        "schema": {
                            "type": "string",
                            "maxLength": 200,
                            "pattern": models.POLICY_PATTERN,
                        },
                    },
                ],
            ),
        },
        "/cases/{case_id}": {
            "get": op(
                "get_case",
                "The case: facts, quorum, documents, opinions, deadline, actions, letters",
                {
                    **ok("Case", "The case as the caller may see it", headers=ETAG),
                    **errors(*CASE_READ),
                },
                tag="cases",
                params=[
                    CASE_ID,
                    {
                        "name": "reveal",
                        "in": "query",
                        "required": False,
                        "description": "`phones`: a clerk sees owners' numbers in full (audited); "
                        "otherwise they are masked (138****0001) except for the applicant.",
                        "schema": {"enum": ["phones"]},
                    },
                ],
            ),
            "patch": op(
                "update_case",
                "Change the building, roster, estimated cost or coefficients (applicant)",
                {
                    **ok("Case", "The case as it now stands", headers=ETAG),
                    **errors(*CASE_WRITE),
                },
                tag="cases",
                params=[CASE_ID],
                body=json_body("CasePatch"),
            ),
        },
        "/cases/{case_id}/history": {
            "get": op(
                "case_history",
                "Who did what and when (the audit log)",
                {**ok("History", "Events, oldest first"), **errors(*CASE_READ)},
                tag="cases",
                params=[CASE_ID],
            )
        },
        "/cases/{case_id}/signing-links": {
            "get": op(
                "signing_links",
                "One signing link per household (applicant, clerk)",
                {**ok("SigningLinks", "Links, in roster order"), **errors(*CASE_READ, 403)},
                tag="consent",
                params=[CASE_ID],
            )
        },
        "/sign/{token}": {
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "description": "The household's signing token",
                    "schema": {"type": "string", "maxLength": 64},
                }
            ],
            "get": op(
                "signing_view",
                "What the household's link shows",
                {**ok("SigningView", "The household's line"), **errors(404, 429)},
                tag="consent",
                public=True,
            ),
            "post": op(
                "sign",
                "An owner signs through the household's link (no account)",
                {**ok("SigningView", "Recorded"), **errors(*WRITE, 404, 429)},
                tag="consent",
                public=True,
                body=json_body("SignRequest"),
            ),
        },
        "/sign/{token}/proxy": {
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "description": "The household's signing token",
                    "schema": {"type": "string", "maxLength": 64},
                }
            ],
            "post": op(
                "sign_for_owner",
                "A family member signs for the owner, with the signed power of attorney",
                {**ok("SigningView", "Recorded"), **errors(*WRITE, 404, 415, 429)},
                tag="consent",
                public=True,
                body=multipart_body(
                    {
                        "owner_name": {"type": "string", "maxLength": 200},
                        "phone_tail": {"type": "string", "maxLength": 16},
                        "choice": {"enum": ["agree", "object", "abstain"]},
                        "proxy_name": {"type": "string", "maxLength": 64},
                        "proxy_relationship": {"enum": list(RELATIONSHIPS)},
                    },
                    ["owner_name", "phone_tail", "choice", "proxy_name", "proxy_relationship"],
                ),
            ),
        },
        "/cases/{case_id}/agent": {
            "put": op(
                "record_agent",
                "Record the applicant as the unit's agent, with its authorisation (applicant)",
                {**ok("Case", "The case"), **errors(*CASE_WRITE, 415)},
                tag="cases",
                params=[CASE_ID],
                body=multipart_body(
                    {
                        "kind": {"enum": ["community", "property", "installer", "owner"]},
                        "name": {"type": "string", "maxLength": 100},
                    },
                    ["kind", "name"],
                ),
            )
        },
        "/cases/{case_id}/votes": {
            "post": op(
                "record_paper_vote",
                "Record a consent signed on paper (clerk)",
                {**ok("Created", "The vote's id and the case", 201), **errors(*CASE_WRITE)},
                tag="consent",
                params=[CASE_ID],
                body=json_body("VoteRequest"),
            )
        },
        "/cases/{case_id}/objections": {
            "post": op(
                "lodge_objection",
                "Record an owner's objection (applicant, clerk)",
                {**ok("Created", "The objection's id and the case", 201), **errors(*CASE_WRITE)},
                tag="consent",
                params=[CASE_ID],
                body=json_body("ObjectionRequest"),
            )
        },
        "/cases/{case_id}/objections/{objection_id}/resolution": {
            "post": op(
                "resolve_objection",
                "Record how an objection was settled (clerk)",
                {**ok("Case", "The case", headers=ETAG), **errors(*CASE_WRITE)},
                tag="consent",
                params=[CASE_ID, id_param("objection_id", "The objection's id")],
                body=json_body("ResolutionRequest"),
            )
        },
        "/cases/{case_id}/documents/{kind}": {
            "put": op(
                "upload_document",
                "Upload a new version of a document (applicant; checked by content)",
                {
                    **ok("Created", "The document's id and the case", 201),
                    **errors(*CASE_WRITE, 415),
                },
                tag="documents",
                params=[
                    CASE_ID,
                    {
                        "name": "kind",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": models.DOCUMENT_KINDS},
                    },
                ],
                body={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                                "required": ["file"],
                            }
                        }
                    },
                },
            )
        },
        "/cases/{case_id}/opinions": {
            "post": op(
                "give_opinion",
                "The department's opinion in the joint review (approver)",
                {**ok("Created", "The opinion's id and the case", 201), **errors(*CASE_WRITE)},
                tag="review",
                params=[CASE_ID],
                body=json_body("OpinionRequest"),
            )
        },
        "/cases/{case_id}/letters": {
            "get": op(
                "case_letters",
                "The letters issued on the case",
                {**ok("Letters", "Letters, in order of issue"), **errors(*CASE_READ)},
                tag="letters",
                params=[CASE_ID],
            )
        },
        "/cases/{case_id}/letters/{letter_id}": {
            "get": op(
                "letter_pdf",
                "The letter's PDF: the bytes stored at issue, unchanged",
                {
                    "200": {
                        "description": "The PDF",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    **errors(*CASE_READ),
                },
                tag="letters",
                params=[
                    CASE_ID,
                    id_param("letter_id", "The letter's id (from the case's letters)"),
                ],
                description="404 `letter_not_rendered` when no PDF was stored for the letter.",
            )
        },
        "/verify/{code}": {
            "get": op(
                "verify_letter",
                "Check a letter's authenticity from the code on it (public)",
                {**ok("Verification", "The letter as issued"), **errors(404, 429)},
                tag="letters",
                public=True,
                params=[
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 32},
                    }
                ],
            )
        },
        "/track": {
            "get": op(
                "track_case",
                "A case's progress by reference and the applicant's phone tail (public)",
                {
                    **ok("Track", "Steps, dates, next deadline and what is awaited"),
                    **errors(400, 404, 429),
                },
                tag="cases",
                public=True,
                params=[
                    {
                        "name": "reference",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 32},
                    },
                    {
                        "name": "phone_tail",
                        "in": "query",
                        "required": True,
                        "description": "The last four digits of the applicant's phone",
                        "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
                    },
                ],
                description="Lookups are limited per client address (429).",
            )
        },
    }
    for t in TRANSITIONS:
        out[f"/cases/{{case_id}}/transitions/{t.trigger}"] = {"post": transition_operation(t)}
    return out


@cache
def document() -> JSON:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "加梯一站办 API",
            "version": "1.0.0",
            "description": (
                "Cases of the one-stop service for adding elevators to old residential "
                "buildings. Authenticate with `POST /token`, then send "
                "`Authorization: Bearer <token>`. Errors are JSON "
                '`{"error", "message", "details"}` (a method a path does not take: 405). '
                "Ratios are exact strings (fractions and percentages), money is integer fen "
                "in answers and yuan strings in requests."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": models.components(),
            "responses": {
                f"E{status}": {
                    "description": f"{text} (`{HTTP_ERRORS[status][0]}` or a more precise code)",
                    "content": {"application/json": {"schema": ref("Error")}},
                    **(
                        {"headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}}
                        if status == 401
                        else {}
                    ),
                }
                for status, text in ERROR_TEXT.items()
            },
        },
    }
