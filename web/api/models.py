"""The API's bodies as pydantic models: requests are validated by them (with the input policy
of `workflow.inputs`), and the OpenAPI document publishes their JSON Schemas, so what is
described cannot drift from what is accepted.

Enumerations (states, triggers, roles, document kinds, choices, verdicts) are read from the
workflow declaration, never written out here.

To add a request field: add it to its model with one of the types below (`Text(n)`, `Amount`,
`Int`, …); `body()` returns it in the dict the route passes on, and the document shows it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workflow import inputs
from workflow.errors import InvalidInput, WorkflowError, msg
from workflow.papers import documents
from workflow.papers.documents import OPINIONS
from workflow.papers.letters import KINDS as LETTER_KINDS
from workflow.process.access import ROLES
from workflow.process.machine import TRANSITIONS
from workflow.process.machine import Field as MachineField
from workflow.process.states import STATES
from workflow.rules.agents import AGENT_KINDS
from workflow.rules.credit_code import credit_code_problem
from workflow.services.agents import RELATIONSHIPS
from workflow.services.consent import CHOICES
from workflow.services.review import VERDICTS

STATE_NAMES = [s.name for s in STATES]
TRIGGERS = [t.trigger for t in TRANSITIONS]
STATE_TAGS = sorted({tag for s in STATES for tag in s.tags})
DOCUMENT_KINDS = list(documents.KINDS)
MAX_ID = 2**31 - 1  # ids are database integers; larger numbers name nothing
MAX_PAGE = 100_000
# A position in the list (`after`, `before`): microseconds since 1970 of the row's update, and
# its id (the API's spelling of `queries.encode_cursor`; any such pair is a valid position).
CURSOR_PATTERN = "[0-9]{1,16}-[0-9]{1,10}"
IF_MATCH = '(W/)?"?(?P<version>[0-9]{1,9})"?'  # the case's ETag, or its bare version
IF_MATCH_PATTERN = IF_MATCH.replace("?P<version>", "")
# What the input policy lets through, as a JSON Schema pattern (for clients and test generators):
# no control characters but tab, line feed and carriage return. (The policy also refuses lone
# surrogates, which a JSON Schema pattern cannot name usably.)
_REFUSED = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
POLICY_PATTERN = f"^[^{_REFUSED}]*$"
# The same, for a field the service requires: something besides white space (it strips).
FILLED_PATTERN = f"^[^{_REFUSED}]*[^\\s{_REFUSED}][^{_REFUSED}]*$"
# Money in yuan as `rules.money.parse_yuan` reads it, within `inputs.MONEY_MAX_FEN`: at most
# two decimals (the fen). The server also takes ¥ and thousands separators; clients need not.
_YUAN_MAX = inputs.MONEY_MAX_FEN // 100
MONEY_PATTERN = f"^([0-9]{{1,{len(str(_YUAN_MAX)) - 1}}}(\\.[0-9]{{1,2}})?|{_YUAN_MAX}(\\.00?)?)$"
POSITIVE_MONEY_PATTERN = (
    f"^([1-9][0-9]{{0,{len(str(_YUAN_MAX)) - 2}}}(\\.[0-9]{{1,2}})?|0\\.(0[1-9]|[1-9][0-9]?)"
    f"|{_YUAN_MAX}(\\.00?)?)$"
)

JSON = dict[str, Any]


def _enum(values) -> Any:
    return Literal[tuple(values)]


State = _enum(STATE_NAMES)
Trigger = _enum(TRIGGERS)
Choice = _enum(CHOICES)
Verdict = _enum(VERDICTS)
Role = _enum(ROLES)
DocumentKind = _enum(DOCUMENT_KINDS)
LetterKind = _enum(LETTER_KINDS)


# — request building blocks ————————————————————————————————————————————————————————


def _policy(max_length: int, label: str = ""):
    def check(value: str) -> str:
        try:
            return inputs.text(value, field="", label=label, max_length=max_length)
        except WorkflowError as exc:
            raise PydanticCustomError("policy", "{reason}", {"reason": exc.message}) from None

    return check


def _filled(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("policy", "{reason}", {"reason": "必须填写"})
    return value


@cache
def Text(max_length: int = 2000, *, filled: bool = False, label: str = "", **extra: Any) -> Any:  # noqa: N802
    """A string under the input policy: no control characters, NFC, at most `max_length`;
    `filled`: more than white space (the services strip text and refuse it empty); `label`:
    what a refusal calls the field, as the pages do (检索词)."""
    pattern = FILLED_PATTERN if filled else POLICY_PATTERN
    checks = [AfterValidator(_policy(max_length, label))]
    if filled:
        checks.append(AfterValidator(_filled))
    return Annotated[
        str,
        Field(
            strict=True,
            json_schema_extra={
                "maxLength": max_length,
                **({"minLength": 1} if filled else {}),
                "pattern": pattern,
                **extra,
            },
        ),
        *checks,
    ]


def Filled(max_length: int) -> Any:  # noqa: N802 - reads as a type
    """Text the service requires (see `Text`)."""
    return Text(max_length, filled=True)


def Matching(pattern: str, max_length: int) -> Any:  # noqa: N802 - reads as a type
    """Text of a fixed shape the service checks (a phone number, an ID number)."""
    return Annotated[
        str,
        Field(strict=True, pattern=pattern, max_length=max_length),
        AfterValidator(_policy(max_length)),
    ]


def _cents(value: float) -> float:
    """A JSON number read as the services read it (`str(value)`): plain digits, two decimals
    at most — 1e-05 or 0.1234 are not amounts of money."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", repr(value).removesuffix(".0")):
        raise PydanticCustomError("cents", "至多两位小数", {})
    return value


def _whole(value: Any) -> Any:
    """28.0 is the integer 28 in JSON (and JSON Schema); "28" and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Whole(**bounds: Any) -> Any:  # noqa: N802 - reads as a type
    """An integer within `bounds` (ge, gt, le), 28.0 included (`_whole`)."""
    return Annotated[int, Field(strict=True, **bounds), BeforeValidator(_whole)]


Int = Whole()
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def Decimal2(low: float, high: float, *, above: bool = False) -> Any:  # noqa: N802
    """A number with at most two decimals in [low, high] (or (low, high] when `above`)."""
    bound = {"gt": low} if above else {"ge": low}
    return Annotated[
        Number,
        # multipleOf tells clients; `_cents` checks it exactly (float remainders are not exact).
        Field(le=high, json_schema_extra={"multipleOf": 0.01}, **bound),
        AfterValidator(_cents),
    ]


def _in_range(above: bool) -> Any:
    """An amount that is money but beyond the range gets the services' own message, not the
    union's "wrong type or format" (each member of the union refuses it for its own reason)."""

    def check(value: Any, handler: Any) -> Any:
        try:
            return handler(value)
        except ValidationError:
            text = str(value).strip() if isinstance(value, str | int | float) else ""
            if not isinstance(value, bool) and re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text):
                low = 0.01 if above else 0.0
                if not low <= float(text) <= _YUAN_MAX:
                    raise PydanticCustomError(
                        "money_range", f"金额须在 {low:.2f} 至 {_YUAN_MAX:,} 元之间。", {}
                    ) from None
            raise

    return WrapValidator(check)


def _amount(pattern: str, above: bool) -> Any:
    return Annotated[
        Annotated[str, Field(strict=True, pattern=pattern, max_length=32)]
        | Whole(le=_YUAN_MAX, **({"gt": 0} if above else {"ge": 0}))
        | Decimal2(0, _YUAN_MAX, above=above),
        Field(
            description='Yuan, exact to the fen: a string such as "586000.00" (preferred) or a '
            f"number, at most {_YUAN_MAX:,} yuan."
        ),
        _in_range(above),
    ]


Amount = _amount(MONEY_PATTERN, above=False)
PositiveAmount = _amount(POSITIVE_MONEY_PATTERN, above=True)


class Request(BaseModel):
    """A request body: strict types (no "3" for 3), unknown keys ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


# — request bodies ————————————————————————————————————————————————————————————————


class TokenRequest(Request):
    username: Text(200)
    password: Text(1024)


# The roster as `services.cases.parse_household` reads it.
MOBILE_PATTERN = "^1[3-9][0-9]{9}$"
ID_NUMBER_PATTERN = "^([0-9]{17}[0-9Xx]|[0-9]{15})$"
MIN_FLOORS, MAX_FLOORS = 2, 40
Floors = Whole(ge=MIN_FLOORS, le=MAX_FLOORS)


class HouseholdInput(Request):
    room: Filled(16)
    floor: Annotated[
        Whole(ge=1, le=MAX_FLOORS), Field(description="At most the building's `floors`")
    ]
    area: Annotated[
        Annotated[
            str,
            Field(
                strict=True,
                pattern="^([1-9][0-9]{0,2}(\\.[0-9]{1,2})?|1000(\\.00?)?|0?\\.(0[1-9]|[1-9][0-9]?))$",
            ),
        ]
        | Whole(gt=0, le=1000)
        | Decimal2(0, 1000, above=True),
        Field(
            description="Exclusive area in m², more than 0 and at most 1000, two decimals at "
            "most; a string keeps it exact."
        ),
    ]
    owner_name: Filled(64)
    phone: Matching(MOBILE_PATTERN, 11) | None = None
    id_number: (
        Annotated[
            Matching(ID_NUMBER_PATTERN, 18),
            Field(description="The owner's ID number, optional: one owner across flats"),
        ]
        | None
    ) = None
    developer_held: Annotated[
        bool | None,
        Field(description="Not sold or not handed over: such flats count as one owner together"),
    ] = None


EstimatedCost = Annotated[
    PositiveAmount | None, Field(description='The estimated total cost in yuan, e.g. "480000.00"')
]


def _rooms_once(households: list[HouseholdInput]) -> list[HouseholdInput]:
    seen: set[str] = set()
    for i, h in enumerate(households):
        if h.room.strip() in seen:
            raise PydanticCustomError(
                "policy", "{reason}", {"reason": "室号重复", "field": f"households[{i}].room"}
            )
        seen.add(h.room.strip())
    return households


Roster = Annotated[
    list[HouseholdInput],
    Field(max_length=500, description="One row per flat; each room once"),
    AfterValidator(_rooms_once),
]


Compensations = Annotated[
    Annotated[
        dict[Annotated[str, Field(strict=True, min_length=1, max_length=16)], Amount],
        Field(max_length=500),
    ]
    | None,
    Field(
        description="Compensation each flat receives from the households that carry a share "
        '(低层补偿), room → yuan: {"101": "6000.00", "102": "6000.00"}; a flat left out '
        "receives nothing"
    ),
]


UnitKind = Literal["property", "entrusted", "community", "owners"]


class ManagementUnitInput(Request):
    """Who will run the elevator (使用管理单位): a property company, a unit the owners entrust,
    the community, or the owners themselves with one named contact. `credit_code` (GB 32100)
    is required for organisations, checked by its check character; not for `owners`."""

    kind: UnitKind
    name: Filled(100)
    credit_code: Text(18) | None = None
    phone: Matching("^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$", 13)

    @model_validator(mode="after")
    def _organisations_carry_a_valid_code(self) -> ManagementUnitInput:
        if self.kind != "owners" and credit_code_problem(self.credit_code or ""):
            raise PydanticCustomError(
                "policy",
                "{reason}",
                {
                    "reason": "单位须填写有效的统一社会信用代码",
                    "field": "management_unit.credit_code",
                },
            )
        return self


RunningCost = Annotated[
    PositiveAmount | None,
    Field(
        description='The yearly running cost in yuan (shared like the building cost), e.g. "12000.00"'
    ),
]


RunningCostShares = Annotated[
    Annotated[
        dict[
            Annotated[str, Field(strict=True, min_length=1, max_length=16)],
            Whole(ge=0, le=10_000),
        ],
        Field(max_length=500),
    ]
    | None,
    Field(
        description="The owners' agreement's own shares of the yearly running cost, room → whole "
        'parts (份): {"301": 2, "401": 3, "501": 3, "601": 4}; a percentage is parts of 100. '
        "Each room must be one of the roster; a room left out (or 0) pays no part; only the "
        "households that carry a share of the "
        "building cost pay. Left out, the running cost is shared by the same ratios as the "
        "building cost; on PATCH, null goes back to those ratios. Signed with the votes: "
        "changing it once anyone has voted restarts the consultation"
    ),
]


class CaseRequest(Request):
    """Three rules JSON Schema cannot say are checked here and described in words: no flat
    above the top floor, each room once, compensation and running-cost parts only for a room
    of the roster."""

    community: Filled(100)
    address: Filled(200)
    building: Filled(32)
    unit: Filled(32)
    street: Text(32) | None = None
    floors: Floors
    households: Roster
    estimated_cost: EstimatedCost = None
    compensations: Compensations = None
    management_unit: ManagementUnitInput | None = None
    running_cost: RunningCost = None
    running_cost_shares: RunningCostShares = None

    @model_validator(mode="after")
    def _no_flat_above_the_top(self) -> CaseRequest:
        for i, h in enumerate(self.households):
            if h.floor > self.floors:
                raise PydanticCustomError(
                    "policy",
                    "{reason}",
                    {"reason": "楼层超过楼栋层数", "field": f"households[{i}].floor"},
                )
        rooms = {h.room.strip() for h in self.households}
        for room in self.compensations or {}:
            if room.strip() not in rooms:
                raise PydanticCustomError(
                    "policy",
                    "{reason}",
                    {"reason": "补偿的室号不在住户名单中", "field": f"compensations.{room}"},
                )
        for room in self.running_cost_shares or {}:
            if room.strip() not in rooms:
                raise PydanticCustomError(
                    "policy",
                    "{reason}",
                    {
                        "reason": "运行费用份数的室号不在住户名单中",
                        "field": f"running_cost_shares.{room}",
                    },
                )
        return self


class CasePatch(Request):
    """Only the fields sent change. Building and roster while the case is a draft; the estimate
    and coefficients also during the consultation, restarting it once anyone has voted.
    The building and the roster cannot be emptied (no null); a null estimate clears it."""

    community: Filled(100) = None
    address: Filled(200) = None
    building: Filled(32) = None
    unit: Filled(32) = None
    street: Text(32) | None = None
    floors: Floors = None
    households: Roster = None
    estimated_cost: EstimatedCost = None
    # Until completion is reported, whatever the state (null clears it).
    management_unit: ManagementUnitInput | None = None
    running_cost: RunningCost = None
    coefficients: Annotated[
        Annotated[
            dict[
                Annotated[str, Field(strict=True, pattern="^[0-9]{1,2}$")],
                Annotated[str, Field(strict=True, pattern="^(10(\\.00?)?|[0-9](\\.[0-9]{1,2})?)$")]
                | Decimal2(0, 10),
            ],
            Field(json_schema_extra={"additionalProperties": False}),  # keys are floors
        ]
        | None,
        Field(description='Floor coefficients for cost sharing, 0 to 10, {"3": "0.7", …}'),
    ] = None
    compensations: Compensations = None
    running_cost_shares: RunningCostShares = None
    restart_consultation: Annotated[
        bool | None,
        Field(description="Confirms that changing the figures after a vote clears every vote"),
    ] = None
    reason: Annotated[
        Text(2000) | None, Field(description="Why the figures change (kept in the audit log)")
    ] = None


class SignRequest(Request):
    owner_name: Filled(200)
    phone_tail: Matching("^[0-9]{4}$", 4)
    choice: Choice
    signature: Filled(200)
    signature_image: (
        Annotated[
            Text(inputs.SIGNATURE_IMAGE_MAX),
            Field(description="A drawn signature: data:image/png;base64,…"),
        ]
        | None
    ) = None


class VoteRequest(Request):
    room: Filled(100)
    choice: Choice
    signature: Filled(200)


class ObjectionRequest(Request):
    room: Text(100) | None = None
    text: Filled(10000)


def _comment_when_dissatisfied(schema: JSON) -> None:
    schema["if"] = {"properties": {"level": {"maximum": 2}}}
    schema["then"] = {
        "required": ["comment"],
        "properties": {"comment": {"type": "string", "pattern": FILLED_PATTERN}},
    }


def _opinion_when_not_agreed(schema: JSON) -> None:
    schema["if"] = {"properties": {"agreed": {"const": False}}}
    schema["then"] = {
        "required": ["opinion"],
        "properties": {"opinion": {"type": "string", "pattern": FILLED_PATTERN}},
    }


class RatingRequest(Request):
    """好差评: level 5 非常满意 … 1 非常不满意; 1 and 2 need a comment."""

    model_config = ConfigDict(json_schema_extra=_comment_when_dissatisfied)

    act: Annotated[Whole(ge=1, le=MAX_ID), Field(description="The act's seq in the history")]
    level: Whole(ge=1, le=5)
    comment: Text(2000) | None = None


class MediationSessionRequest(Request):
    held_on: Annotated[
        Text(32),
        Field(
            json_schema_extra={
                "format": "date",
                "description": "YYYY-MM-DD, the day the session was held",
                "x-years": list(inputs.DATE_YEARS["held_on"]),
            }
        ),
    ]
    place: Filled(200)
    attendees: Annotated[list[Text(64, filled=True)], Field(min_length=1, max_length=30)]
    notes: Filled(4000)


class MediationOutcomeRequest(Request):
    """agreed: the objector has withdrawn (by its link); not agreed: `opinion` is the 调解意见."""

    model_config = ConfigDict(json_schema_extra=_opinion_when_not_agreed)

    agreed: bool
    opinion: Text(4000) | None = None


class PrivacyRequestBody(Request):
    """A request to correct or delete one's personal data (个人信息保护法第四十六、四十七条)."""

    kind: Literal["correct", "delete"]
    text: Filled(2000)


# — the residents (居民监督、居民验收) —


Opinion = _enum(OPINIONS)


class SupervisorsRequest(Request):
    """The unit's residents' representatives, the whole list (those left out step down)."""

    rooms: Annotated[list[Filled(16)], Field(max_length=40)]
    reason: Text(500) | None = None


class SupervisorAnswerRequest(Request):
    accept: bool


class ProblemRequest(Request):
    text: Filled(2000)


class ProblemAnswerRequest(Request):
    text: Filled(2000)


def _reason_when(field: str, value: Any) -> Any:
    def extra(schema: JSON) -> None:
        schema["if"] = {"properties": {field: {"const": value}}, "required": [field]}
        schema["then"] = {
            "required": ["reason"],
            "properties": {"reason": {"type": "string", "pattern": FILLED_PATTERN}},
        }

    return extra


def _reason_given(reason: str | None, why: str) -> None:
    if not (reason or "").strip():
        raise PydanticCustomError("policy", "{reason}", {"reason": why, "field": "reason"})


class CloseProblemRequest(Request):
    """A problem kept open (`solved`: false) needs its reason."""

    model_config = ConfigDict(json_schema_extra=_reason_when("solved", False))

    solved: bool
    reason: Text(2000) | None = None

    @model_validator(mode="after")
    def _kept_open_says_why(self) -> CloseProblemRequest:
        if not self.solved:
            _reason_given(self.reason, "问题未解决时请说明理由")
        return self


class AcceptanceRequest(Request):
    """不满意 (`dissatisfied`) needs its reason."""

    model_config = ConfigDict(json_schema_extra=_reason_when("opinion", "dissatisfied"))

    opinion: Opinion
    reason: Text(2000) | None = None

    @model_validator(mode="after")
    def _dissatisfied_says_why(self) -> AcceptanceRequest:
        if self.opinion == "dissatisfied":
            _reason_given(self.reason, "不满意时请说明理由")
        return self


class OpinionAnswerRequest(Request):
    room: Filled(16)
    text: Filled(2000)


def _reason_for_disagreeing(schema: JSON) -> None:
    schema["if"] = {"properties": {"verdict": {"const": "disagree"}}}
    schema["then"] = {
        "required": ["comment"],
        "properties": {"comment": {"type": "string", "pattern": FILLED_PATTERN}},
    }


class OpinionRequest(Request):
    """A disagreement needs its reason in `comment`."""

    model_config = ConfigDict(json_schema_extra=_reason_for_disagreeing)

    verdict: Verdict
    comment: Text(10000) | None = None

    @model_validator(mode="after")
    def _disagreeing_says_why(self) -> OpinionRequest:
        if self.verdict == "disagree" and not (self.comment or "").strip():
            raise PydanticCustomError(
                "policy", "{reason}", {"reason": "不同意时请说明理由", "field": "comment"}
            )
        return self


class CorrectionItem(Request):
    document: DocumentKind | None = None
    text: Text(2000) | None = None


def _field_type(f: MachineField) -> Any:
    """A trigger's input as declared in the machine."""
    if f.kind == "date":
        # The range moves with the day: the document turns `x-years` into a pattern of the
        # dates `inputs.day` accepts today (`openapi.dated`).
        years = inputs.DATE_YEARS.get(f.name, inputs.DEFAULT_DATE_YEARS)
        return Annotated[
            Text(32),
            Field(
                json_schema_extra={
                    "format": "date",
                    "description": f"YYYY-MM-DD, {years[0]} years back to {years[1]} ahead",
                    "x-years": list(years),
                }
            ),
        ]
    if f.kind == "money":
        return Amount
    if f.kind == "workdays":
        return Annotated[
            Whole(ge=0) | Matching("^[0-9]{1,8}$", 8),
            Field(description="working days"),
        ]
    if f.kind == "items":
        return Annotated[
            Text(20000) | Annotated[list[Text(2000) | CorrectionItem], Field(max_length=200)],
            Field(description="What to correct: one line each, or {document, text} objects."),
        ]
    return Text(10000)


@cache
def transition_request(trigger: str) -> type[Request]:
    """The body of one trigger. Missing inputs are not refused here: the guards name them (422)."""
    t = next(t for t in TRANSITIONS if t.trigger == trigger)
    fields = {
        f.name: (
            _field_type(f) | None,
            Field(
                default=None,
                description=f"{f.label} ({f.label_en})" + ("" if f.required else "；可不填"),
            ),
        )
        for f in t.fields
    }
    return create_model(f"{trigger.title().replace('_', '')}Request", __base__=Request, **fields)


# — query strings and forms ————————————————————————————————————————————————————————


class Query(Request):
    """Query-string or form arguments: text as sent, numbers read from their digits; an
    argument the operation does not take is refused (a typo would otherwise pass silently)."""

    model_config = ConfigDict(strict=False, extra="forbid")


# Cursors are `after`/`before` positions, opaque to clients: what `next_cursor` carried.
Cursor = Annotated[
    str,
    Field(
        strict=True,
        pattern=f"^{CURSOR_PATTERN}$",
        max_length=40,
        description="A `next_cursor`/`prev_cursor` as given (keyset paging: any page costs what "
        "the first does)",
    ),
]


def _digits(value: Any) -> int:
    if not isinstance(value, str) or not re.fullmatch("[0-9]{1,9}", value):
        raise PydanticCustomError("policy", "{reason}", {"reason": "应为整数（仅数字）"})
    return int(value)


def _page_number(high: int) -> Any:
    """A whole number in the query string: digits only (not 1e3, 5.0 or +5), 1 to `high`."""
    return Annotated[
        int,
        Field(strict=True, ge=1, le=high),
        BeforeValidator(_digits),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": high}),
    ]


class CaseListQuery(Query):
    state: State | None = None
    tag: Annotated[
        _enum(STATE_TAGS) | None,
        Field(
            description="A group of states from the declaration, e.g. `window` (waiting on the "
            "clerk) or `review` (waiting on the approvers)"
        ),
    ] = None
    q: Annotated[
        Text(200, label="检索词") | None,
        Field(description="Reference, address, community, owner name or phone"),
    ] = None
    page: _page_number(MAX_PAGE) | None = None
    per_page: _page_number(100) | None = None
    after: Annotated[Cursor | None, Field(description="The `next_cursor` of the page before")] = (
        None
    )
    before: Annotated[Cursor | None, Field(description="The `prev_cursor` of the page after")] = (
        None
    )
    handler: Annotated[
        Text(64) | None,
        Field(
            description="`me`: the caller's cases (and those of anyone they stand in for); "
            "`none`: no handler at the caller's desk; or a staff member's username"
        ),
    ] = None
    due: Annotated[
        Literal["soon", "overdue"] | None,
        Field(description="`soon`: due within 2 working days; `overdue`: past the deadline"),
    ] = None
    street: Annotated[Text(32, label="街道") | None, Field(description="The 街道")] = None


class HandlerRequest(Request):
    """`username`: who handles the case at their desk; `null`: the caller's desk lets it go."""

    username: Annotated[Text(64) | None, Field(description="A staff member's username")]


def _absence_day(description: str) -> Any:
    # An absence may have begun a little before it is recorded and is planned months ahead:
    # the document offers real days of last year to next (the service refuses, 422, a period
    # already over or too long).
    return Annotated[
        Text(32),
        Field(
            json_schema_extra={
                "format": "date",
                "description": f"YYYY-MM-DD, {description}",
                "x-years": [1, 2],
            }
        ),
    ]


# 代理: "from" is a Python keyword, so the model is made by name (the body's own spelling).
AbsenceRequest = create_model(
    "AbsenceRequest",
    __base__=Request,
    __doc__="An absence (请假) from `from` to `to`, both inclusive, with `stand_in` (a colleague's "
    "username, same desk and role) acting on the caller's cases meanwhile. Refused (422) for "
    "oneself, another desk or role, a stand-in away at the time, while the caller stands in "
    "for someone, or a period already over or longer than a year.",
    **{
        "from": (_absence_day("the first day away"), ...),
        "to": (_absence_day("the last day away, not before today"), ...),
        "stand_in": (
            Annotated[Filled(64), Field(description="The stand-in's username")],
            ...,
        ),
    },
)


class CaseQuery(Query):
    reveal: Annotated[
        Literal["phones"] | None,
        Field(
            description="`phones`: a clerk sees owners' numbers in full (audited); otherwise "
            "they are masked (138****0001) except for the applicant."
        ),
    ] = None
    reason: Annotated[
        Text(200) | None,
        Field(description="Why the numbers are needed; recorded with the reveal (who, when)"),
    ] = None


class PhotoQuery(Query):
    reason: Annotated[
        Text(200) | None,
        Field(
            description="Why a staff member needs the photo; recorded with the view (who, "
            "when, which case) before it is sent"
        ),
    ] = None


class TrackQuery(Query):
    reference: Annotated[Filled(32), Field(description="The case's reference")]
    phone_tail: Annotated[
        Matching("^[0-9]{4}$", 4),
        Field(description="The last four digits of the applicant's phone"),
    ]


class ProxyForm(Query):
    """A family member signs for the owner; the signed 授权委托书 goes as `file`."""

    owner_name: Filled(200)
    phone_tail: Matching("^[0-9]{4}$", 4)
    choice: Choice
    proxy_name: Filled(64)
    proxy_relationship: _enum(RELATIONSHIPS)
    signature: Text(200) | None = None


class AgentForm(Query):
    """The unit the applicant acts for; its authorisation goes as `file`."""

    kind: _enum(AGENT_KINDS)
    name: Filled(100)


class ProblemForm(Query):
    """A problem with photos: `text`, and up to 6 images as `photos` (checked by content)."""

    FILES: ClassVar[tuple[str, str, int]] = ("photos", "image/jpeg", 6)

    text: Filled(2000)


class ProblemAnswerForm(Query):
    """An answer with photos of what was done: `text`, and up to 6 images as `photos`
    (checked by content, shrunk for display)."""

    FILES: ClassVar[tuple[str, str, int]] = ("photos", "image/jpeg", 6)

    text: Filled(2000)


class UploadForm(Query):
    """The document itself goes as `file` (checked by content)."""


class InspectionForm(Query):
    """A yearly periodic inspection; its report (PDF) goes as `file`."""

    inspected_on: Annotated[
        str,
        Field(
            pattern="^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            json_schema_extra={"format": "date"},
            description="The day of the inspection: a real day, not after today",
        ),
    ]
    result: Literal["合格", "不合格"]


class InstallerQuery(Query):
    sort: Literal["name", "started", "completed", "on_time", "days"] | None = Field(
        None, description="Best first: most projects, highest on-time share, shortest time"
    )


class BarRequest(Request):
    reason: Filled(500)
    document_number: Filled(64)
    until: Annotated[
        str,
        Field(
            pattern="^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            json_schema_extra={"format": "date"},
            description="The last day of the bar, not before today",
        ),
    ]


class ElevatorQuery(Query):
    which: Literal["due", "overdue", "contract"] | None = Field(
        None,
        description="due: inspection due within 30 days; overdue; contract: maintenance "
        "contract ending within 30 days",
    )


def query(model: type[Query], args: Any) -> dict[str, Any]:
    """Query-string or form arguments checked by `model` (the first value of each)."""
    return validate(model, dict(args.items()))


def without_null(schema: JSON) -> JSON:
    """An optional argument's schema without the `null` branch (a query string has no null)."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" not in schema or len(branches) != 1:
        return schema
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**branches[0], **rest}


# — parsing a body ———————————————————————————————————————————————————————————————

_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_ALL_FIELDS: set[str] = set()


def _field_names() -> set[str]:
    if not _ALL_FIELDS:
        for model in (*REQUESTS, *(transition_request(t) for t in TRIGGERS)):
            _ALL_FIELDS.update(model.model_fields)
        _ALL_FIELDS.update(HouseholdInput.model_fields, CorrectionItem.model_fields)
        for model in (CaseListQuery, CaseQuery, TrackQuery, ProxyForm, AgentForm):
            _ALL_FIELDS.update(model.model_fields)
    return _ALL_FIELDS


def _where(loc: tuple) -> str:
    """The field's path (households[2].area), without pydantic's union branch tags."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _FIELD_NAME.match(part) and part in _field_names():
            out += f".{part}" if out else part
    return out


def _say(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "policy":
        return ctx["reason"]
    if kind in ("money_range", "cents"):
        return error["msg"]
    if kind == "missing":
        return "必须填写"
    if kind == "extra_forbidden":
        return "不接受此参数"
    if kind == "literal_error":
        return f"应为 {ctx.get('expected', '')} 之一"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    return "类型或格式不正确"


def _code(where: str) -> str:
    """households[1].room → households.1.room, as the services name a field at fault."""
    return re.sub(r"\[(\d+)\]", r".\1", where).lstrip(".") or "body"


def problems(error: ValidationError) -> list[tuple[str, str]]:
    """One (code, line) per field at fault: the policy's reason or a missing field first."""
    by_field: dict[str, list[dict]] = {}
    for e in error.errors():
        where = (e.get("ctx") or {}).get("field") or _where(e["loc"])
        by_field.setdefault(where, []).append(e)
    out = []
    rank = {"policy": 0, "missing": 1}
    for where, errors in by_field.items():
        best = min(errors, key=lambda e: rank.get(e["type"], 2))
        out.append((_code(where), f"{where or '请求体'}：{_say(best)}"))
    return out


def validate(model: type[Request], data: Any) -> dict[str, Any]:
    """`data` checked by `model`, as the dict the services take (only the fields sent)."""
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(*(msg(code, p, p) for code, p in problems(exc))) from None
    return parsed.model_dump(exclude_unset=True)


# — responses (documentation: the document's promise, checked by the schemathesis tests) ———


class Response(BaseModel):
    pass


Minute = Annotated[str, Field(description="Beijing time, YYYY-MM-DDTHH:MM")]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
FractionText = Annotated[str, Field(pattern="^[0-9]+/[0-9]+$")]


class Ratio(Response):
    """An exact ratio: a reduced fraction and a percentage rounded for display."""

    fraction: Annotated[str, Field(pattern="^[0-9]+/[0-9]+$", examples=["2/3"])]
    percent: Annotated[str, Field(pattern="^[0-9]+\\.[0-9]{2}%$", examples=["66.67%"])]


class Message(Response):
    """One reason, Chinese first, English for clients that switch language."""

    code: str
    message: str
    message_en: str


class Error(Response):
    error: str
    message: Annotated[str, Field(description="Chinese text for the user")]
    details: list[Message]


class TokenUser(Response):
    id: int
    username: str
    name: str
    department: str | None


class Token(Response):
    token: str
    role: Role
    expires_at: Annotated[str, Field(description="Beijing time, ISO 8601")]
    user: TokenUser


class WorkflowState(Response):
    name: State
    label: str
    label_en: str
    final: bool
    tags: list[str]


class WorkflowField(Response):
    name: str
    kind: str
    label: str
    required: bool


class WorkflowTransition(Response):
    trigger: Trigger
    label: str
    label_en: str
    sources: list[State]
    dest: State
    roles: list[str]
    guards: list[str]
    fields: list[WorkflowField]
    letter: LetterKind | None


class Workflow(Response):
    states: list[WorkflowState]
    transitions: list[WorkflowTransition]


class DeadlineInfo(Response):
    due: Day
    workdays_left: int
    overdue: bool
    estimated: bool


class Vote(Response):
    choice: Choice
    signature_name: str
    signed_at: Minute
    channel: Literal["online", "paper"]


class Household(Response):
    id: int
    room: str
    floor: int
    area: Annotated[str, Field(pattern="^[0-9]+\\.[0-9]{2}$")]
    owner_name: str
    phone: str | None
    id_number_masked: Annotated[str, Field(description="Last four characters only")]
    developer_held: bool
    owner_group: str | None
    vote_stands: bool
    vote: Vote | None


class DocumentStatus(Response):
    kind: DocumentKind
    label: str
    label_en: str
    status: Literal["generated", "uploaded", "preview", "missing"]
    document_id: int | None
    sha256: str | None
    created_at: Minute | None


class ActionField(Response):
    name: str
    kind: str
    label: str
    label_en: str
    required: bool


class Action(Response):
    """A trigger this caller may fire in the case's state; `allowed` when nothing blocks it."""

    trigger: Trigger
    label: str
    label_en: str
    allowed: bool
    blocked_by: list[Message]
    fields: list[ActionField]
    confirm: bool


class LetterInfo(Response):
    id: int
    kind: LetterKind
    title: str
    number: str
    issued_at: Minute
    verify_code: str
    rendered: Annotated[bool, Field(description="false: no PDF stored (download is 404)")]


class Applicant(Response):
    id: int
    name: str
    phone: str | None


class Thresholds(Response):
    participation: FractionText
    agreement: FractionText


class OwnerConflict(Response):
    rooms: list[str]
    text: str
    text_en: str


class Quorum(Response):
    """民法典第二百七十八条: participation and agreement, by area and by owners."""

    participation_area: Ratio
    participation_count: Ratio
    agree_area: Ratio
    agree_count: Ratio
    thresholds: Thresholds
    met: bool
    missing: list[str]
    missing_en: list[str]
    households: int
    owners: Annotated[
        int, Field(description="Owners as 法释〔2009〕7号第九条 counts them: one per person")
    ]
    owners_voted: int
    owners_agreed: int
    owners_explained: str
    owners_explained_en: str
    conflicts: Annotated[
        list[OwnerConflict],
        Field(description="Owners whose flats voted differently, no standing vote yet"),
    ]


CostSharing = Literal["agreeing", "everyone"]


class Costs(Response):
    estimated_cost_fen: int | None
    coefficients: dict[str, str]
    shares_fen: dict[str, int]
    subsidy_fen: int
    owners_pay_fen: int
    cost_sharing: CostSharing
    paying: Annotated[list[str], Field(description="Household ids whose shares cover the cost")]
    compensation_paid_fen: Annotated[
        dict[str, int], Field(description="By household id: compensation it pays to the low floors")
    ]
    compensation_received_fen: Annotated[
        dict[str, int], Field(description="By household id: compensation it receives")
    ]
    compensations: Annotated[dict[str, int], Field(description="By room: compensation received")]
    running_cost_fen: Annotated[int | None, Field(description="The yearly running cost")] = None
    running_shares_fen: Annotated[
        dict[str, int], Field(description="By household id: its part of the yearly running cost")
    ] = {}
    running_cost_shares: Annotated[
        dict[str, int] | None,
        Field(description="The agreement's own parts by room; null: the same ratios as the cost"),
    ] = None


class Publicity(Response):
    start: Minute | None
    end: Minute | None
    place: str | None
    over: bool


class ObjectionMediation(Response):
    id: int
    state: Literal["open", "agreed", "not_agreed"]
    document_id: Annotated[int | None, Field(description="The 调解意见书 (mediation_record)")]


class ObjectionInfo(Response):
    id: int
    room: str | None
    text: str
    channel: str
    lodged_at: Minute
    resolution: str | None
    resolved_at: Minute | None
    settled_by: Literal["withdrawal", "mediation"] | None
    mediation: ObjectionMediation | None


class Rating(Response):
    id: int
    act: int
    trigger: Trigger
    desk: str
    level: int
    label: str
    comment: str
    rated_at: Minute
    rectify_due: Day | None
    late: bool
    rectification: str | None
    rectified_at: Minute | None
    followup_level: int | None
    followup_comment: str | None


class RateableAct(Response):
    act: int
    trigger: Trigger
    label: str
    at: Minute
    desk: str
    desk_label: str
    rated: bool
    may_rate: bool
    may_rate_answer: bool
    rating: Rating | None


class Ratings(Response):
    acts: Annotated[list[RateableAct], Field(description="The acts the machine marks rateable")]
    ratings: list[Rating]


class CreatedRecord(Response):
    id: int


class OtherDocument(Response):
    document_id: int
    label: str
    created_at: Minute


class OpinionInfo(Response):
    department: str
    department_label: str
    round: int
    verdict: Verdict
    comment: str
    given_at: Minute


class CorrectionInfo(Response):
    id: int
    items: list[dict[str, Any]]
    requested_at: Minute
    answered_at: Minute | None


class Construction(Response):
    contractor: str | None
    start_date: Day | None
    planned_completion: Day | None = None


class ManagementUnit(Response):
    kind: UnitKind
    name: str
    credit_code: str
    phone: Annotated[str, Field(description="In full for the applicant, masked for others")]


class Maintenance(Response):
    company: str | None
    credit_code: str | None
    starts_on: Day | None
    ends_on: Day | None


class Subsidy(Response):
    actual_cost_fen: int | None
    payee: str | None
    amount_fen: int | None
    reason: str | None


class Step(Response):
    state: State
    label: str
    label_en: str
    status: Literal["done", "current", "todo"]


class SupervisorInfo(Response):
    room: str
    name: Annotated[str, Field(description="Masked: 吴**")]
    accepted: bool


class ProblemReplyInfo(Response):
    kind: Literal["answer", "kept_open", "solved"]
    text: str
    photos: Annotated[list[int], Field(description="Numbers of the problem's photos")]
    at: Minute


class ProblemInfo(Response):
    id: int
    room: str
    text: str
    photos: list[int]
    reported_at: Minute
    open: bool
    closed_at: Minute | None
    replies: list[ProblemReplyInfo]


class Problems(Response):
    problems: list[ProblemInfo]


class PaperSupervisorRequest(Request):
    room: Filled(16)


OpinionCounts = create_model(
    "OpinionCounts", __base__=Response, **{k: (int, ...) for k in OPINIONS}
)


class ResidentOpinion(Response):
    room: str
    representative: bool
    opinion: Opinion | None
    reason: str
    answer: str | None
    given_at: Minute | None


class Acceptance(Response):
    """The residents' acceptance: `ready` is true when confirmation may go."""

    round: int
    open: bool
    supervision_open: Annotated[bool, Field(description="Representatives may be named now")]
    supervisors_needed: Annotated[int, Field(description="How many must have accepted")]
    problems_open: Annotated[bool, Field(description="Households may report problems now")]
    counts: OpinionCounts
    not_given: int
    open_problems: int
    ready: bool
    blocked_by: list[Message]
    opinions: list[ResidentOpinion]


class ResidentLink(Response):
    """What a household's link shows of the residents' part."""

    room: str
    supervision_open: bool
    representative: Literal["proposed", "accepted"] | None
    problems_open: bool
    acceptance_open: bool
    opinion: Opinion | None
    reason: str
    answer: str | None
    supervisors: list[SupervisorInfo]
    problems: list[ProblemInfo]


CaseDocuments = create_model(
    "CaseDocuments", __base__=Response, **{k: (DocumentStatus, ...) for k in documents.FOUR}
)


class Case(Response):
    id: int
    reference: str
    state: State
    state_label: str
    state_label_en: str
    final: bool
    hint: str
    hint_en: str
    version: Annotated[int, Field(description="Send as If-Match to fire a trigger safely")]
    community: str
    address: str
    building: str
    unit: str
    street: str | None
    floors: int
    applicant: Applicant
    created_at: Minute
    households: list[Household]
    quorum: Quorum
    costs: Costs
    publicity: Publicity
    objections: list[ObjectionInfo]
    documents: CaseDocuments
    other_documents: dict[str, OtherDocument]
    review_round: int
    opinions: list[OpinionInfo]
    corrections: list[CorrectionInfo]
    construction: Construction
    management_unit: ManagementUnit | None = None
    running_cost_fen: int | None = None
    maintenance: Maintenance | None = None
    subsidy: Subsidy
    deadline: DeadlineInfo | None
    actions: list[Action]
    letters: list[LetterInfo]
    stepper: list[Step]
    supervisors: list[SupervisorInfo]
    problems: list[ProblemInfo]
    acceptance: Acceptance


class HandlerInfo(Response):
    desk: Annotated[str, Field(description="`window`, or a department's code")]
    username: str
    name: str


class CaseSummary(Response):
    id: int
    reference: str
    state: State
    state_label: str
    state_label_en: str
    community: str
    address: str
    building: str
    unit: str
    hint: str
    hint_en: str
    updated_at: Minute
    version: int
    deadline: DeadlineInfo | None
    handlers: Annotated[
        list[HandlerInfo], Field(description="The named handler at each desk that has one")
    ]


class CaseList(Response):
    items: list[CaseSummary]
    page: int
    per_page: int
    total: int
    pages: int
    next_cursor: Annotated[
        str | None, Field(description="Pass as `after` for the next page (keyset)")
    ]
    prev_cursor: Annotated[str | None, Field(description="Pass as `before` for the previous page")]


class ElevatorUnit(Response):
    name: str
    kind: UnitKind | Literal[""]
    phone: Annotated[str, Field(description="Masked")]


class Elevator(Response):
    case_id: int
    reference: str
    registration_number: str
    registered_on: Day
    management_unit: ElevatorUnit
    maintenance_company: str | None
    contract_ends_on: Day | None
    last_inspected_on: Day | None
    next_inspection_due: Day
    overdue: bool
    due_soon: bool
    contract_ending: bool


class ElevatorList(Response):
    items: list[Elevator]


class InspectionCreated(Response):
    id: Annotated[int, Field(description="The inspection's id")]
    elevator: Elevator


class InstallerBarInfo(Response):
    reason: str
    document_number: str
    since: Day
    until: Day


class Installer(Response):
    """Figures from recorded facts only; `null` where nothing is recorded yet."""

    credit_code: str
    name: str
    started: int
    completed: int
    average_days: str | None
    on_time: int
    on_time_share: str | None
    average_days_late: str | None
    problems_reported: int | None
    problems_closed_average_days: str | None
    returns_for_rectification: int | None
    acceptance_opinions: dict[str, str] | None
    bar: InstallerBarInfo | None


class InstallerList(Response):
    items: list[Installer]


class Created(Response):
    """The recorded fact's id and the case as it now stands."""

    id: Annotated[int, Field(description="The new record's id")]
    case: Case


class SigningLink(Response):
    room: str
    owner_name: str
    phone: str | None
    token: str
    sign_path: Annotated[str, Field(description="POST here to sign (no token)")]
    voted: Choice | None


class SigningLinks(Response):
    links: list[SigningLink]


class ShareRow(Response):
    room: str
    floor: int
    area: str
    coefficient: str
    share_fen: int
    pays: bool
    own: bool
    compensation_paid_fen: int
    compensation_received_fen: int
    running_share_fen: Annotated[
        int, Field(description="This row's part of the yearly running cost, in fen")
    ] = 0
    running_parts: Annotated[
        int | None,
        Field(description="Its parts (份) when the agreement sets its own running-cost shares"),
    ] = None


class RunningParts(Response):
    own: Annotated[int, Field(description="This household's parts (份)")]
    total: Annotated[int, Field(description="Every room's parts together")]


class SigningView(Response):
    """What an owner sees through their household's link, and nothing more."""

    reference: str
    address: str
    room: str
    owner_masked: str
    voting_open: bool
    objections_open: bool
    voted: Choice | None
    signed_at: str | None
    estimated_cost_fen: int | None
    subsidy_fen: int
    share_fen: Annotated[
        int | None, Field(description="What this household pays on agreeing, in fen")
    ]
    cost_sharing: CostSharing
    shares: Annotated[list[ShareRow], Field(description="The whole sharing table, without names")]
    owners_explained: str
    compensation_paid_fen: Annotated[
        int, Field(description="What this household pays in compensation to the low floors")
    ]
    compensation_received_fen: Annotated[
        int, Field(description="What this household receives in compensation")
    ]
    running_cost_fen: Annotated[
        int | None, Field(description="The elevator's yearly running cost, once entered")
    ] = None
    running_share_fen: Annotated[
        int | None, Field(description="This household's part of it each year, in fen")
    ] = None
    running_parts: Annotated[
        RunningParts | None,
        Field(description="The agreement's own shares; null: the same ratios as the cost"),
    ] = None


class Certificate(Response):
    number: Annotated[str, Field(description="The 出资证明's number, e.g. 枣阳住建梯资〔2026〕3号")]
    verify_url: Annotated[str, Field(description="Where its QR code leads: /verify/<code>")]


class HouseholdMoney(Response):
    """One household's bill (我的费用, DESIGN §3.3a). Sums hold exactly across the unit:
    shares add up to the cost, subsidy parts to the subsidy, compensation paid to received."""

    share_fen: Annotated[
        int, Field(description="Its share of the actual cost once known, else of the estimate")
    ]
    subsidy_fen: Annotated[
        int, Field(description="Its part of the subsidy, apportioned by the shares")
    ]
    final: Annotated[
        bool, Field(description="The subsidy is approved; before, subsidy_fen is the expected one")
    ]
    compensation_paid_fen: int
    compensation_received_fen: int
    net_fen: Annotated[
        int, Field(description="What it pays in the end (negative: it receives on balance)")
    ]
    provident_fund_max_fen: Annotated[
        int, Field(description="The most it may withdraw from the 公积金: share less subsidy part")
    ]
    provident_fund_deadline: Annotated[
        Day | None,
        Field(description="Last day to apply: PROVIDENT_FUND_MONTHS after the use registration"),
    ]
    certificate: Certificate | None
    running_share_fen: Annotated[
        int | None,
        Field(description="Its yearly part of the elevator's running cost; null until entered"),
    ] = None
    running_parts: Annotated[
        int | None,
        Field(description="Its parts (份) when the agreement sets its own running-cost shares"),
    ] = None


class Pause(Response):
    clock: Literal["acceptance", "review"]
    label: str
    label_en: str
    paused_on: Day
    resumed_on: Day | None
    workdays_left: Annotated[int, Field(description="kept while the clock stands still")]
    due_when_resumed: Day | None


class TrackStep(Response):
    state: State
    label: str
    label_en: str
    status: Literal["done", "current", "todo"]
    date: Day | None
    pauses: list[Pause]


class TrackDate(Response):
    date: Day
    trigger: Trigger
    label: str
    label_en: str
    state_label: str
    state_label_en: str


class Track(Response):
    """A case's progress for the public: no names, no addresses."""

    reference: str
    state: State
    state_label: str
    state_label_en: str
    final: bool
    awaited: Annotated[str, Field(description="Who the case waits on, in plain words")]
    awaited_en: str
    stepper: list[TrackStep]
    dates: list[TrackDate]
    deadline: DeadlineInfo | None
    paused: Pause | None
    review_extended_days: int | None


class Event(Response):
    model_config = ConfigDict(populate_by_name=True)

    seq: int
    at: Minute
    kind: str
    who: str
    role: str
    from_: Annotated[State | None, Field(alias="from")]
    to: State | None
    from_label: str | None
    to_label: str | None
    payload: dict[str, Any]


class History(Response):
    events: list[Event]


class Letters(Response):
    letters: list[LetterInfo]


class Verification(Response):
    valid: Annotated[bool, Field(description="The code belongs to a letter or document we issued")]
    what: Annotated[
        Literal["letter", "document"],
        Field(description="A letter (numbered) or a generated document of the case"),
    ]
    kind: LetterKind | DocumentKind
    title: str
    number: Annotated[
        str,
        Field(description="The letter's document number; a 出资证明's number; else empty"),
    ]
    replaced_by: Annotated[
        str,
        Field(description="A 出资证明 replaced by a newer one: the newer one's number; else empty"),
    ]
    date: Day
    reference: str
    addressee: Annotated[str, Field(description="Owners' and the applicant's names masked (陈**)")]
    authority: str
    file: Annotated[
        Literal["intact", "altered", "not_rendered"],
        Field(description="Whether the stored PDF still hashes to the SHA-256 recorded at issue"),
    ]
    sha256: str | None


class StandIn(Response):
    username: str
    name: str


class Absence(Response):
    """An absence now or to come, and who stands in meanwhile."""

    model_config = ConfigDict(populate_by_name=True)

    from_: Annotated[Day, Field(alias="from", description="The first day away")]
    to: Annotated[Day, Field(description="The last day away, inclusive")]
    stand_in: StandIn
    current: Annotated[bool, Field(description="Today lies within the absence")]


class StandingIn(Response):
    """A colleague the caller stands in for: their cases are the caller's meanwhile."""

    model_config = ConfigDict(populate_by_name=True)

    from_: Annotated[Day, Field(alias="from")]
    to: Day
    username: str
    name: str
    current: bool


class MyAbsence(Response):
    absence: Annotated[Absence | None, Field(description="The caller's absence, if any")]
    standing_in_for: list[StandingIn]


REQUESTS = (
    TokenRequest,
    CaseRequest,
    CasePatch,
    SignRequest,
    VoteRequest,
    ObjectionRequest,
    OpinionRequest,
    RatingRequest,
    MediationSessionRequest,
    MediationOutcomeRequest,
    AbsenceRequest,
)


class TransitionOutcome(Response):
    """A transition's reply under `Prefer: return=minimal`: what changed, not the whole case."""

    model_config = {"extra": "forbid"}
    id: int
    reference: str
    state: State
    version: Annotated[int, Field(description="Send as If-Match to fire the next trigger")]
    letters: Annotated[list[int], Field(description="Ids of the letters this transition issued")]


RESPONSES = (
    Error,
    Token,
    Workflow,
    Case,
    TransitionOutcome,
    CaseList,
    Created,
    SigningLinks,
    SigningView,
    History,
    Letters,
    Verification,
    Track,
    Ratings,
    CreatedRecord,
    Absence,
    MyAbsence,
)


# — JSON Schema for the document ————————————————————————————————————————————————————


def _inline(node: Any, defs: JSON) -> Any:
    """Replace every $ref into $defs by its schema (the document's components read whole),
    without pydantic's generated titles."""
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    out = {}
    for k, v in node.items():
        if k in ("$defs", "title"):
            continue
        if k == "properties":
            out[k] = {name: _inline(sub, defs) for name, sub in v.items()}
        else:
            out[k] = _inline(v, defs)
    return out


def schema_of(model: type[BaseModel]) -> JSON:
    """The model's JSON Schema with nested models inlined, in the document's spelling."""
    raw = model.model_json_schema(by_alias=True, mode="validation")
    return _inline(raw, raw.get("$defs", {}))


def _descendants(base: type[BaseModel]) -> list[type[BaseModel]]:
    out = []
    for sub in base.__subclasses__():
        out += [sub, *_descendants(sub)]
    return out


def components() -> JSON:
    """Every answer and body model, listed or not in RESPONSES/REQUESTS: a route's reference
    to a model declared later in this module resolves all the same."""
    extra = [
        m for m in (*_descendants(Response), *_descendants(Request)) if m.__module__ == __name__
    ]
    return {m.__name__: schema_of(m) for m in dict.fromkeys((*RESPONSES, *REQUESTS, *extra))}


# — personal information (我的信息) ———————————————————————————————————————————————————


class PersonalAccount(Response):
    username: str
    name: str
    phone: str | None
    role: Role
    created_at: str | None


class PersonalCase(Response):
    reference: str
    address: str
    state: State
    state_label: str
    role: Literal["applicant", "household"]
    created_at: str | None


class PersonalHousehold(Response):
    reference: str
    room: str
    floor: int
    area: str
    owner_name: str
    phone: str | None
    id_number: str | None


class PersonalVote(Response):
    reference: str
    room: str
    choice: Choice
    choice_label: str
    channel: str
    signed_at: str | None
    signed_by: str
    drawn_signature: bool
    proxy_document: bool


class PersonalObjection(Response):
    reference: str
    text: str
    lodged_at: str | None
    resolution: str | None


class PersonalUpload(Response):
    reference: str
    kind: str
    label: str
    filename: str | None = None
    uploaded_at: str | None = None
    size: int | None = None
    sha256: str | None = None


class PersonalMessage(Response):
    at: str | None
    kind: str
    text: str
    phone: str | None
    status: str


class NoticeSeen(Response):
    version: int
    action: Literal["register", "vote", "upload"]
    action_label: str
    at: str | None


class PrivacyRequestInfo(Response):
    id: int
    kind: Literal["correct", "delete"]
    kind_label: str
    text: str
    made_at: str | None
    due: Day
    state: Literal["open", "done", "refused"]
    state_label: str
    answer: str | None
    legal_reason: Annotated[str | None, Field(description="The law a refusal rests on")]
    answered_at: str | None


class DataView(Response):
    at: str | None
    reference: str
    desk: str
    fields: list[Literal["phone", "problem_photo", "archive_package"]]
    what: Annotated[str, Field(description="What was shown, in words")]
    reason: str


class PersonalSupervision(Response):
    """The household named as residents' representative (居民监督代表)."""

    reference: str
    room: str
    proposed_at: str | None
    accepted_at: str | None
    accepted_channel: Literal["link", "paper"] | None
    stepped_down_at: str | None
    stepped_down_reason: str | None


class PersonalProblemReply(Response):
    kind: Literal["answer", "kept_open", "solved"]
    by: Annotated[
        Literal["own", "representative", "applicant"],
        Field(description="Who replied, by role only: a representative is a neighbour"),
    ]
    by_label: str
    text: str
    photos: Annotated[int, Field(description="How many photos came with it")]
    at: str | None


class PersonalProblem(Response):
    """A problem the household reported during construction."""

    reference: str
    room: str
    text: str
    photos: Annotated[int, Field(description="How many photos were sent with it")]
    reported_at: str | None
    closed_at: str | None
    close_reason: str | None
    replies: list[PersonalProblemReply]


class PersonalAcceptance(Response):
    """The household's opinion in a round of the residents' acceptance (居民验收)."""

    reference: str
    room: str
    round: int
    opinion: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    opinion_label: str
    reason: str
    given_at: str | None
    answer: Annotated[str | None, Field(description="The applicant's answer")]
    answered_at: str | None


class PersonalRating(Response):
    """The caller's rating (好差评) of an act on their case, and what followed."""

    reference: str
    act: str
    desk: str
    level: Annotated[int, Field(ge=1, le=5)]
    level_label: str
    comment: str
    rated_at: str | None
    rectification: str | None
    rectified_at: str | None
    followup_level: Annotated[int | None, Field(ge=1, le=5)]
    followup_label: str | None
    followup_comment: str | None


class PersonalData(Response):
    """Everything held about one person: the caller, or the household of a signing link (its
    names and numbers masked)."""

    subject: Literal["account", "household"]
    generated_at: str | None
    account: PersonalAccount | None = None
    cases: list[PersonalCase]
    households: list[PersonalHousehold]
    votes: list[PersonalVote]
    objections: list[PersonalObjection]
    supervision: list[PersonalSupervision]
    problems: list[PersonalProblem]
    acceptance: list[PersonalAcceptance]
    ratings: list[PersonalRating]
    uploads: list[PersonalUpload]
    messages: list[PersonalMessage]
    notices_seen: list[NoticeSeen]
    requests: list[PrivacyRequestInfo]
    data_views: list[DataView]
