"""The OpenAPI 3.1 document of /api/v1, generated: the paths from the blueprint's routes (the
Flask url_map), each operation from what its view declares with `@described(...)` beside the
route, the schemas from the pydantic models that check the requests (`models.py`), and one
operation per trigger from the machine declaration (its roles, sources, guards and inputs).

Nothing here lists the paths: a route without `@described` fails the document's test.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from flask import current_app
from pydantic import BaseModel
from werkzeug.routing import Rule

from workflow.process.machine import TRANSITIONS
from workflow.process.states import STATE

from . import models
from .blueprint import PREFIX
from .errors import HTTP_ERRORS

JSON = dict[str, Any]

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

# Path parameters by name: what `ids_in_range` and the services accept.
PATH_PARAMS: dict[str, JSON] = {
    "case_id": {"description": "The case's id"},
    "objection_id": {"description": "The objection's id"},
    "problem_id": {"description": "The problem's id (from the case's problems)"},
    "number": {"description": "The photo's number (from the problem's `photos`)"},
    "letter_id": {"description": "The letter's id (from the case's letters)"},
    "token": {"description": "The household's signing token", "schema": {"maxLength": 64}},
    "code": {"description": "The code printed on the letter", "schema": {"maxLength": 32}},
    "kind": {"description": "The kind of document", "schema": {"enum": models.DOCUMENT_KINDS}},
    "credit_code": {
        "description": "The installer's unified social credit code (GB 32100, 18 characters)",
        "schema": {"maxLength": 18, "minLength": 18},
    },
}

HEADERS: dict[str, JSON] = {
    "ETag": {"description": "The case's version, quoted", "schema": {"type": "string"}},
    "Location": {"description": "The new case's URL", "schema": {"type": "string"}},
    "Preference-Applied": {
        "description": "`return=minimal` when the reply is the outcome only",
        "schema": {"type": "string"},
    },
}

REQUEST_HEADERS: dict[str, JSON] = {
    "If-Match": {
        "description": "The case's version (its ETag); a stale one is refused with 409.",
        "schema": {"type": "string", "pattern": f"^{models.IF_MATCH_PATTERN}$"},
    },
    "Prefer": {
        "description": "`return=minimal` (RFC 7240): reply with the outcome (state, version, "
        "letters) instead of the whole case; the reply then carries Preference-Applied. Other "
        "preferences are ignored (RFC 7240 §2).",
        "schema": {"type": "string"},
    },
}


@dataclass(frozen=True)
class Operation:
    """What a view answers, as the document tells it. Declared beside the route."""

    summary: str
    tag: str
    reply: type[BaseModel] | tuple[type[BaseModel], ...] | str | None = None
    reply_text: str = ""
    status: int = 200
    body: type[BaseModel] | None = None  # JSON, checked by the model
    form: type[BaseModel] | None = None  # multipart/form-data with the paper as `file`
    query: type[BaseModel] | None = None
    headers: tuple[str, ...] = ()  # of the reply, from HEADERS
    request_headers: tuple[str, ...] = ()  # from REQUEST_HEADERS
    errors: tuple[int, ...] = ()
    operation_id: str | None = None
    description: str = ""
    body_required: bool = True
    # One operation per value of a path parameter (the triggers): name and the operations.
    each: tuple[str, Callable[[Operation], Iterator[tuple[str, Operation]]]] | None = None
    extra: JSON = field(default_factory=dict)


def described(summary: str, tag: str, **kw: Any) -> Callable:
    """`@described("Open an application", "cases", body=..., reply=..., errors=...)` under the
    route decorator: the view's entry in the document."""

    def mark(view: Callable) -> Callable:
        view.openapi = Operation(summary, tag, **kw)  # type: ignore[attr-defined]
        return view

    return mark


WRITE = (400, 409, 413)
CASE_READ = (404,)
CASE_WRITE = (*WRITE, 403, 404)


def transitions(base: Operation) -> Iterator[tuple[str, Operation]]:
    """One operation per trigger of the declaration."""
    for t in TRANSITIONS:
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
        yield (
            t.trigger,
            replace(
                base,
                summary=t.label_en,
                operation_id=f"fire_{t.trigger}",
                description="\n".join(lines),
                body=models.transition_request(t.trigger),
                extra={"x-roles": sorted(t.roles)},
            ),
        )


# — building the document ————————————————————————————————————————————————————————————


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def reply_schema(reply: Any) -> JSON:
    if isinstance(reply, tuple):
        return {"anyOf": [ref(m.__name__) for m in reply]}
    return ref(reply.__name__)


def responses(op: Operation, needs_token: bool) -> JSON:
    if op.reply is None:
        ok: JSON = {"description": op.reply_text or "Done"}
    elif isinstance(op.reply, str):  # a media type: bytes
        ok = {
            "description": op.reply_text,
            "content": {op.reply: {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        ok = {
            "description": op.reply_text,
            "content": {"application/json": {"schema": reply_schema(op.reply)}},
        }
    if op.headers:
        ok["headers"] = {name: HEADERS[name] for name in op.headers}
    statuses = {*op.errors, *((401,) if needs_token else ())}
    if op.body is not None or op.query is not None or op.form is not None:
        statuses.add(400)
    return {
        str(op.status): ok,
        **{str(s): {"$ref": f"#/components/responses/E{s}"} for s in sorted(statuses)},
    }


def parameter(name: str, where: str, schema: JSON, required: bool) -> JSON:
    schema = dict(schema)
    out = {"name": name, "in": where, "required": required}
    if "description" in schema:
        out["description"] = schema.pop("description")
    out["schema"] = schema
    return out


RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>[a-z_]+)>")


def path_parameters(rule: Rule, fixed: str | None) -> list[JSON]:
    out = []
    for found in RULE_ARGUMENT.finditer(rule.rule):
        name = found["name"]
        if name == fixed:
            continue
        if found["converter"] == "int":
            schema: JSON = {"type": "integer", "minimum": 1, "maximum": models.MAX_ID}
        else:
            schema = {"type": "string"}
        known = PATH_PARAMS.get(name, {})
        schema.update(known.get("schema", {}))
        if "description" in known:
            schema["description"] = known["description"]
        out.append(parameter(name, "path", schema, True))
    return out


def query_parameters(model: type[BaseModel]) -> list[JSON]:
    schema = models.schema_of(model)
    required = set(schema.get("required", []))
    return [
        parameter(name, "query", models.without_null(sub), name in required)
        for name, sub in schema["properties"].items()
    ]


def request_body(op: Operation) -> JSON | None:
    """JSON, multipart with the paper as `file`, or both on one path (a problem's text alone,
    or with the photos: a form model names its files in `FILES`)."""
    content: JSON = {}
    if op.body is not None:
        content["application/json"] = {"schema": models.schema_of(op.body)}
    if op.form is not None:
        schema = models.schema_of(op.form)
        files = getattr(op.form, "FILES", None)
        if files:
            name, kinds, most = files
            schema["properties"][name] = {
                "type": "array",
                "maxItems": most,
                "items": {"type": "string", "format": "binary", "contentMediaType": kinds},
                "description": f"Up to {most} pictures, checked by content (otherwise 415)",
            }
        else:
            schema["properties"]["file"] = {
                "type": "string",
                "format": "binary",
                "contentMediaType": "application/pdf",
                "description": "A PDF, checked by content (otherwise 415)",
            }
            schema["required"] = [*schema.get("required", []), "file"]
        content["multipart/form-data"] = {"schema": schema}
    if not content:
        return None
    return {"required": op.body_required if op.form is None else True, "content": content}


def operation(op: Operation, endpoint: str, rule: Rule, view: Callable, fixed: str | None) -> JSON:
    needs_token = getattr(view, "needs_token", False)
    out: JSON = {
        "operationId": op.operation_id or endpoint,
        "summary": op.summary,
        "tags": [op.tag],
    }
    if op.description:
        out["description"] = op.description
    if not needs_token:
        out["security"] = []
    params = path_parameters(rule, fixed)
    if op.query is not None:
        params += query_parameters(op.query)
    for name in op.request_headers:
        header = REQUEST_HEADERS[name]
        schema = {**header["schema"], "description": header["description"]}
        params.append(parameter(name, "header", schema, False))
    if params:
        out["parameters"] = params
    body = request_body(op)
    if body is not None:
        out["requestBody"] = body
    out["responses"] = responses(op, needs_token)
    out.update(op.extra)
    return out


def openapi_path(rule: Rule) -> str:
    return RULE_ARGUMENT.sub(r"{\g<name>}", rule.rule.removeprefix(PREFIX))


def paths(app: Any) -> JSON:
    out: JSON = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "openapi", None)
        if op is None:
            raise LookupError(f"{rule.endpoint} has no @described entry for the document")
        endpoint = rule.endpoint.removeprefix("api.")
        variants = [(None, None, op)]
        if op.each is not None:
            name, expand = op.each
            variants = [(name, value, each) for value, each in expand(op)]
        for name, value, each in variants:
            path = openapi_path(rule)
            if name is not None:
                path = path.replace(f"{{{name}}}", value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.setdefault(path, {})[method.lower()] = operation(
                    each, endpoint, rule, view, name
                )
    return out


def _date_pattern(today: date, back: int, ahead: int) -> str:
    """Every YYYY-MM-DD `inputs.day` accepts today: whole years inside the range, with their
    real month lengths (no 2 月 30 日)."""
    years = range(today.year - back + 1, today.year + ahead)
    leap = "|".join(str(y) for y in years if calendar.isleap(y))
    days = (
        "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
        "|02-(0[1-9]|1[0-9]|2[0-8]))"
    )
    every = "|".join(str(y) for y in years)
    if not leap:  # a short range may hold no leap year: no 2 月 29 日 at all
        return f"^({every})-{days}$"
    return f"^(({every})-{days}|({leap})-02-29)$"


def dated(node: Any, today: date) -> Any:
    """`x-years` (a date field's range) as the pattern of the dates accepted today."""
    if isinstance(node, list):
        return [dated(v, today) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: dated(v, today) for k, v in node.items() if k != "x-years"}
    if "x-years" in node:
        out["pattern"] = _date_pattern(today, *node["x-years"])
        out.pop("format", None)  # the pattern says it exactly
    return out


def document() -> JSON:
    rt = current_app.extensions["jiati"]
    return _document(current_app._get_current_object(), rt.clock().date())


@lru_cache(maxsize=4)
def _document(app: Any, today: date) -> JSON:
    return dated(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "加梯一站办 API",
                "version": "1.0.0",
                "description": (
                    "Cases of the one-stop service for adding elevators to old residential "
                    "buildings. Authenticate with `POST /token`, then send "
                    "`Authorization: Bearer <token>`. Errors are JSON "
                    '`{"error", "message", "details"}` (a method a path does not take: 405, '
                    "with `Allow`). Ratios are exact strings (fractions and percentages), money "
                    "is integer fen in answers and yuan strings in requests."
                ),
            },
            "servers": [{"url": PREFIX}],
            "security": [{"bearer": []}],
            "paths": paths(app),
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": models.components(),
                "responses": {
                    f"E{status}": {
                        "description": f"{text} (`{HTTP_ERRORS[status][0]}` or a more precise "
                        "code)",
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
        },
        today,
    )
