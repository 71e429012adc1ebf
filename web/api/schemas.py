"""JSON Schemas of the API's bodies: the OpenAPI document publishes them, and request bodies
are checked against the very same dicts, so the description cannot drift from what is accepted.

Enumerations (states, triggers, roles, document kinds, choices, verdicts) are read from the
workflow declaration, never written out here.
"""

from __future__ import annotations

from typing import Any

from workflow import documents
from workflow.access import ROLES
from workflow.letters import KINDS as LETTER_KINDS
from workflow.machine import STATES, TRANSITIONS, Field
from workflow.services.consent import CHOICES
from workflow.services.review import VERDICTS

STATE_NAMES = [s.name for s in STATES]
TRIGGERS = [t.trigger for t in TRANSITIONS]
STATE_TAGS = sorted({tag for s in STATES for tag in s.tags})
DOCUMENT_KINDS = list(documents.KINDS)
IF_MATCH = '(W/)?"?(?P<version>[0-9]{1,9})"?'  # the case's ETag, or its bare version
NO_NUL = "^[^\\u0000]*$"  # PostgreSQL text cannot hold NUL; refused at the door on every engine

JSON = dict[str, Any]


# — building blocks ————————————————————————————————————————————————————————————


def text(max_length: int = 2000, **extra: Any) -> JSON:
    return {"type": "string", "maxLength": max_length, "pattern": NO_NUL, **extra}


def nullable(schema: JSON) -> JSON:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: JSON, required: list[str] | None = None, **extra: Any) -> JSON:
    """An object; every listed property is required unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


def array(items: JSON, **extra: Any) -> JSON:
    return {"type": "array", "items": items, **extra}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
MINUTE = {"type": "string", "description": "Beijing time, YYYY-MM-DDTHH:MM"}
DAY = {"type": "string", "format": "date"}
RATIO = obj(
    {
        "fraction": {"type": "string", "pattern": "^[0-9]+/[0-9]+$", "examples": ["2/3"]},
        "percent": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}%$", "examples": ["66.67%"]},
    },
    description="An exact ratio: a reduced fraction and a percentage rounded for display.",
)
MESSAGE = obj(
    {"code": STRING, "message": STRING, "message_en": STRING},
    description="One reason, Chinese first, English for clients that switch language.",
)
AMOUNT = {
    "anyOf": [text(32), {"type": "number", "minimum": 0}],
    "description": 'Yuan, exact to the fen: a string such as "586000.00" (preferred) or a number.',
}


# — request bodies ————————————————————————————————————————————————————————————

TOKEN_REQUEST = obj({"username": text(200), "password": text(1024)})

HOUSEHOLD_INPUT = obj(
    {
        "room": text(100),
        "floor": INTEGER,
        "area": {
            "anyOf": [text(32), {"type": "number"}],
            "description": "Exclusive area in m², at most two decimals; a string keeps it exact.",
        },
        "owner_name": text(200),
        "phone": nullable(text(32)),
    },
    required=["room", "floor", "area", "owner_name"],
)

CASE_REQUEST = obj(
    {
        "community": text(1000),
        "address": text(1000),
        "building": text(1000),
        "unit": text(1000),
        "floors": INTEGER,
        "households": array(HOUSEHOLD_INPUT, maxItems=500),
    }
)

SIGN_REQUEST = obj(
    {
        "owner_name": text(200),
        "phone_tail": text(16),
        "choice": {"enum": list(CHOICES)},
        "signature": text(200),
        "signature_image": nullable(
            text(700_000, description="A drawn signature: data:image/png;base64,…")
        ),
    },
    required=["owner_name", "phone_tail", "choice", "signature"],
)

VOTE_REQUEST = obj({"room": text(100), "choice": {"enum": list(CHOICES)}, "signature": text(200)})

OBJECTION_REQUEST = obj({"room": nullable(text(100)), "text": text(10000)}, required=["text"])

RESOLUTION_REQUEST = obj({"resolution": text(10000)})

OPINION_REQUEST = obj(
    {"verdict": {"enum": list(VERDICTS)}, "comment": nullable(text(10000))},
    required=["verdict"],
)

CORRECTION_ITEM = {
    "anyOf": [
        text(2000),
        obj(
            {"document": nullable({"enum": DOCUMENT_KINDS}), "text": nullable(text(2000))},
            required=[],
        ),
    ]
}


def field_schema(f: Field) -> JSON:
    """A trigger's input as declared in the machine, as JSON Schema."""
    by_kind: dict[str, JSON] = {
        "text": text(10000),
        "date": {**text(32), "format": "date"},
        "money": AMOUNT,
        "items": {
            "anyOf": [text(20000), array(CORRECTION_ITEM, maxItems=200)],
            "description": "What to correct: one line each, or {document, text} objects.",
        },
    }
    schema = dict(by_kind.get(f.kind, text(10000)))
    schema["description"] = f"{f.label} ({f.label_en})" + ("" if f.required else "；可不填")
    return nullable(schema)


def transition_request(trigger: str) -> JSON:
    t = next(t for t in TRANSITIONS if t.trigger == trigger)
    return obj(
        {f.name: field_schema(f) for f in t.fields},
        required=[],
        description="Missing inputs are not refused here: the guards name them (422).",
    )


# — responses ——————————————————————————————————————————————————————————————

ERROR = obj(
    {
        "error": STRING,
        "message": {"type": "string", "description": "Chinese text for the user"},
        "details": array(MESSAGE),
    }
)

TOKEN = obj(
    {
        "token": STRING,
        "role": {"enum": list(ROLES)},
        "expires_at": {"type": "string", "description": "Beijing time, ISO 8601"},
        "user": obj(
            {
                "id": INTEGER,
                "username": STRING,
                "name": STRING,
                "department": nullable(STRING),
            }
        ),
    }
)

WORKFLOW = obj(
    {
        "states": array(
            obj(
                {
                    "name": {"enum": STATE_NAMES},
                    "label": STRING,
                    "label_en": STRING,
                    "final": BOOLEAN,
                    "tags": array(STRING),
                }
            )
        ),
        "transitions": array(
            obj(
                {
                    "trigger": {"enum": TRIGGERS},
                    "label": STRING,
                    "label_en": STRING,
                    "sources": array({"enum": STATE_NAMES}),
                    "dest": {"enum": STATE_NAMES},
                    "roles": array(STRING),
                    "guards": array(STRING),
                    "fields": array(
                        obj({"name": STRING, "kind": STRING, "label": STRING, "required": BOOLEAN})
                    ),
                    "letter": nullable({"enum": list(LETTER_KINDS)}),
                }
            )
        ),
    }
)

DEADLINE = nullable(
    obj({"due": DAY, "workdays_left": INTEGER, "overdue": BOOLEAN, "estimated": BOOLEAN})
)

VOTE = obj(
    {
        "choice": {"enum": list(CHOICES)},
        "signature_name": STRING,
        "signed_at": MINUTE,
        "channel": {"enum": ["online", "paper"]},
    }
)

HOUSEHOLD = obj(
    {
        "id": INTEGER,
        "room": STRING,
        "floor": INTEGER,
        "area": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
        "owner_name": STRING,
        "phone": nullable(STRING),
        "vote": nullable(VOTE),
    }
)

DOCUMENT_STATUS = obj(
    {
        "kind": {"enum": DOCUMENT_KINDS},
        "label": STRING,
        "label_en": STRING,
        "status": {"enum": ["generated", "uploaded", "preview", "missing"]},
        "document_id": nullable(INTEGER),
        "sha256": nullable(STRING),
        "created_at": nullable(MINUTE),
    }
)

ACTION = obj(
    {
        "trigger": {"enum": TRIGGERS},
        "label": STRING,
        "label_en": STRING,
        "allowed": BOOLEAN,
        "blocked_by": array(MESSAGE),
        "fields": array(
            obj(
                {
                    "name": STRING,
                    "kind": STRING,
                    "label": STRING,
                    "label_en": STRING,
                    "required": BOOLEAN,
                }
            )
        ),
        "confirm": BOOLEAN,
    },
    description="A trigger this caller may fire in the case's state; `allowed` when nothing blocks it.",
)

LETTER = obj(
    {
        "id": INTEGER,
        "kind": {"enum": list(LETTER_KINDS)},
        "title": STRING,
        "number": STRING,
        "issued_at": MINUTE,
        "verify_code": STRING,
        "rendered": {"type": "boolean", "description": "false: no PDF stored (download is 404)"},
    }
)

CASE = obj(
    {
        "id": INTEGER,
        "reference": STRING,
        "state": {"enum": STATE_NAMES},
        "state_label": STRING,
        "state_label_en": STRING,
        "final": BOOLEAN,
        "hint": STRING,
        "hint_en": STRING,
        "version": {"type": "integer", "description": "Send as If-Match to fire a trigger safely"},
        "community": STRING,
        "address": STRING,
        "building": STRING,
        "unit": STRING,
        "floors": INTEGER,
        "applicant": obj({"id": INTEGER, "name": STRING, "phone": nullable(STRING)}),
        "created_at": MINUTE,
        "households": array(HOUSEHOLD),
        "quorum": obj(
            {
                "participation_area": RATIO,
                "participation_count": RATIO,
                "agree_area": RATIO,
                "agree_count": RATIO,
                "thresholds": obj(
                    {
                        "participation": {"type": "string", "pattern": "^[0-9]+/[0-9]+$"},
                        "agreement": {"type": "string", "pattern": "^[0-9]+/[0-9]+$"},
                    }
                ),
                "met": BOOLEAN,
                "missing": array(STRING),
                "missing_en": array(STRING),
            },
            description="民法典第二百七十八条: participation and agreement, by area and by owners.",
        ),
        "costs": obj(
            {
                "estimated_cost_fen": nullable(INTEGER),
                "coefficients": {"type": "object", "additionalProperties": STRING},
                "shares_fen": {"type": "object", "additionalProperties": INTEGER},
            }
        ),
        "publicity": obj(
            {
                "start": nullable(MINUTE),
                "end": nullable(MINUTE),
                "place": nullable(STRING),
                "over": BOOLEAN,
            }
        ),
        "objections": array(
            obj(
                {
                    "id": INTEGER,
                    "room": nullable(STRING),
                    "text": STRING,
                    "channel": STRING,
                    "lodged_at": MINUTE,
                    "resolution": nullable(STRING),
                    "resolved_at": nullable(MINUTE),
                }
            )
        ),
        "documents": obj({k: DOCUMENT_STATUS for k in documents.FOUR}),
        "other_documents": {
            "type": "object",
            "additionalProperties": obj(
                {"document_id": INTEGER, "label": STRING, "created_at": MINUTE}
            ),
        },
        "review_round": INTEGER,
        "opinions": array(
            obj(
                {
                    "department": STRING,
                    "department_label": STRING,
                    "round": INTEGER,
                    "verdict": {"enum": list(VERDICTS)},
                    "comment": STRING,
                    "given_at": MINUTE,
                }
            )
        ),
        "corrections": array(
            obj(
                {
                    "id": INTEGER,
                    "items": array({"type": "object"}),
                    "requested_at": MINUTE,
                    "answered_at": nullable(MINUTE),
                }
            )
        ),
        "construction": obj({"contractor": nullable(STRING), "start_date": nullable(DAY)}),
        "subsidy": obj(
            {
                "actual_cost_fen": nullable(INTEGER),
                "payee": nullable(STRING),
                "amount_fen": nullable(INTEGER),
                "reason": nullable(STRING),
            }
        ),
        "deadline": DEADLINE,
        "actions": array(ACTION),
        "letters": array(LETTER),
        "stepper": array(
            obj(
                {
                    "state": {"enum": STATE_NAMES},
                    "label": STRING,
                    "label_en": STRING,
                    "status": {"enum": ["done", "current", "todo"]},
                }
            )
        ),
    }
)

CASE_SUMMARY = obj(
    {
        "id": INTEGER,
        "reference": STRING,
        "state": {"enum": STATE_NAMES},
        "state_label": STRING,
        "state_label_en": STRING,
        "community": STRING,
        "address": STRING,
        "building": STRING,
        "unit": STRING,
        "hint": STRING,
        "hint_en": STRING,
        "updated_at": MINUTE,
        "version": INTEGER,
        "deadline": DEADLINE,
    }
)

CASE_LIST = obj(
    {
        "items": array(CASE_SUMMARY),
        "page": INTEGER,
        "per_page": INTEGER,
        "total": INTEGER,
        "pages": INTEGER,
        "next_cursor": nullable(
            {"type": "string", "description": "Pass as `after` for the next page (keyset)"}
        ),
        "prev_cursor": nullable(
            {"type": "string", "description": "Pass as `before` for the previous page"}
        ),
    }
)

CREATED = obj(
    {"id": {"type": "integer", "description": "The new record's id"}, "case": CASE},
    description="The recorded fact's id and the case as it now stands.",
)

SIGNING_LINKS = obj(
    {
        "links": array(
            obj(
                {
                    "room": STRING,
                    "owner_name": STRING,
                    "phone": nullable(STRING),
                    "token": STRING,
                    "sign_path": {"type": "string", "description": "POST here to sign (no token)"},
                    "voted": nullable({"enum": list(CHOICES)}),
                }
            )
        )
    }
)

SIGNING_VIEW = obj(
    {
        "reference": STRING,
        "address": STRING,
        "room": STRING,
        "owner_masked": STRING,
        "voting_open": BOOLEAN,
        "objections_open": BOOLEAN,
        "voted": nullable({"enum": list(CHOICES)}),
        "signed_at": nullable(STRING),
    },
    description="What an owner sees through their household's link, and nothing more.",
)

HISTORY = obj(
    {
        "events": array(
            obj(
                {
                    "seq": INTEGER,
                    "at": MINUTE,
                    "kind": STRING,
                    "who": STRING,
                    "role": STRING,
                    "from": nullable({"enum": STATE_NAMES}),
                    "to": nullable({"enum": STATE_NAMES}),
                    "from_label": nullable(STRING),
                    "to_label": nullable(STRING),
                    "payload": {"type": "object"},
                }
            )
        )
    }
)

LETTERS = obj({"letters": array(LETTER)})

VERIFICATION = obj(
    {
        "valid": {"type": "boolean", "description": "The code belongs to a letter we issued"},
        "kind": {"enum": list(LETTER_KINDS)},
        "title": STRING,
        "number": STRING,
        "date": DAY,
        "reference": STRING,
        "addressee": {"type": "string", "description": "Owners' names masked (陈**)"},
        "authority": STRING,
        "file": {
            "enum": ["intact", "altered", "not_rendered"],
            "description": "Whether the stored PDF still hashes to the SHA-256 recorded at issue",
        },
        "sha256": nullable(STRING),
    }
)
