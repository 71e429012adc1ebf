"""Settings an admin may change, with the defaults of DESIGN §1, §3, §5 and §7.

Resolution order: these defaults, then the deployment's configuration (instance/config.py,
`FLASK_*` variables, e.g. `FLASK_CITY_NAME=宜城市`), then what an admin saved in the database.

The city's names (authority, document-number prefixes, reconsideration body, court, the
departments' full names) default to 枣阳市's. Configuring only `CITY_NAME` derives all of them
for another county-level city of the province; each may still be set on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Annotated, Any, get_type_hints

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    HttpUrl,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, Message, msg
from .models import Setting

# Short labels for tight spots of the UI; letters print the full names (`department_names`).
DEPARTMENTS = {
    "housing": ("住建", "Housing and Urban-Rural Development"),
    "planning": ("自然资源和规划", "Natural Resources and Planning"),
    "market": ("市场监管", "Market Regulation"),
}
# Where a case can wait on staff: the window (clerks) or a department (its approvers).
DESKS = {"window": ("窗口", "Window"), **DEPARTMENTS}
# The bodies' names after the city's, e.g. 枣阳市 + 自然资源和规划局.
DEPARTMENT_SUFFIXES = {
    "housing": "住房和城乡建设局",
    "planning": "自然资源和规划局",
    "market": "市场监督管理局",
}
# Document numbers: city short name + 住建梯 + the kind's character (枣阳住建梯受〔2026〕3号).
PREFIX_MARKS = {
    "acceptance_notice": "受",
    "correction_notice": "补",
    "approval_decision": "准",
    "rejection_decision": "驳",
    "subsidy_notice": "贴",
    "not_accepted_decision": "不受",
    "subsidy_return_notice": "退",
    "review_extension": "延",
    "funding_certificate": "资",  # 出资证明, a document of each paying household
}

CITY = "枣阳市"


def city_short(city: str) -> str:
    """枣阳市 → 枣阳: the short name that leads document numbers."""
    for suffix in ("自治县", "市", "县", "区"):
        if city.endswith(suffix) and len(city) > len(suffix) + 1:
            return city[: -len(suffix)]
    return city


def city_names(city: str) -> dict[str, Any]:
    """Every name a letter prints that follows from the city (DESIGN §1, §5)."""
    short = city_short(city)
    return {
        "city_name": city,
        "authority_name": f"{city}{DEPARTMENT_SUFFIXES['housing']}",
        "letter_prefixes": {k: f"{short}住建梯{v}" for k, v in PREFIX_MARKS.items()},
        # 行政复议法（2023年修订）第二十四条：对本级人民政府工作部门的行政行为，由本级人民政府管辖。
        "reconsideration_body": f"{city}人民政府",
        # 行政诉讼法第十四条、第十八条：基层人民法院，被告所在地。
        "court": f"{city}人民法院",
        "department_names": {k: f"{city}{v}" for k, v in DEPARTMENT_SUFFIXES.items()},
    }


_CITY = city_names(CITY)
LETTER_PREFIXES: dict[str, str] = _CITY["letter_prefixes"]
DEPARTMENT_NAMES: dict[str, str] = _CITY["department_names"]
# The period the rule sets for the public notice may not be shortened below this in real use.
PUBLICITY_MIN_DAYS = 1
LOCAL_HOSTS = ("localhost", "127.", "::1", "[::1]", "0.0.0.0")  # nosec B104  # hosts that mark a local address; binds nothing

COST_SHARING = {
    "agreeing": ("同意的住户分摊（反对、弃权和未参与表决的不分摊）", "Agreeing households share"),
    "everyone": ("全体住户分摊", "Every household shares"),
}


# What each setting accepts, declared on its field below and enforced by pydantic when a value
# comes from the configuration (`FLASK_PUBLICITY_DAYS=0`, instance/config.py) or the database.


def _one_of(known: Mapping[str, Any]) -> Callable[[str], str]:
    def check(code: str) -> str:
        if code not in known:
            raise ValueError(f"not one of {', '.join(known)}")
        return code

    return check


def _known_keys(known: Mapping[str, Any]) -> Callable[[dict[str, str]], dict[str, str]]:
    """A mapping setting keeps only known keys with a value; `_overlay` lays it over the base's."""

    def keep(given: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in given.items() if k in known and v}

    return keep


def _exact_ratio(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a ratio, not a yes or no")
    # A float in a config file (0.75) means the decimal written, not its binary neighbour.
    return str(value) if isinstance(value, float) else value


def _blank_is_false(value: Any) -> Any:
    # An empty `FLASK_DEMO_SHORT_PUBLICITY=` leaves the demo setting off.
    if isinstance(value, str):
        return value.strip() or False
    return value


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        return [code for code in value.split(",") if code.strip()]
    return value


def _highest_first(tiers: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    tiers = tuple(sorted(tiers, reverse=True))
    if tiers[-1][0] != 0:
        raise ValueError("the lowest tier starts at floor 0")
    return tiers


_HTTP_URL = TypeAdapter(HttpUrl)


def _public_url(url: str) -> str:
    _HTTP_URL.validate_python(url)  # checked as a URL, kept as written: QR codes print it
    return url.rstrip("/")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Days = NonNegativeInt
Ratio = Annotated[Fraction, BeforeValidator(_exact_ratio), Field(gt=0, le=1)]
Flag = Annotated[bool, BeforeValidator(_blank_is_false)]
Department = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_one_of(DEPARTMENTS))
]
Departments = Annotated[
    tuple[Department, ...], BeforeValidator(_comma_separated), Field(min_length=1)
]
SubsidyTiers = Annotated[
    tuple[tuple[NonNegativeInt, PositiveInt], ...],
    Field(min_length=1),
    AfterValidator(_highest_first),
]
Names = dict[str, Annotated[str, StringConstraints(strip_whitespace=True)]]
PublicUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_public_url)]


@dataclass(frozen=True)
class Settings:
    publicity_days: Days = 10
    acceptance_workdays: Days = 2
    review_workdays: Days = 10
    # The review may be extended once, by at most this many working days (行政许可法第四十二条).
    review_extension_max_workdays: Days = 10
    # A bad 好差评 rating is rectified and answered within these working days (DESIGN §3.4).
    rating_rectify_workdays: Days = 15
    participation: Ratio = Fraction(2, 3)
    agreement: Ratio = Fraction(3, 4)
    # (minimum floors, yuan per elevator), highest first; DESIGN §3.3.
    subsidy_tiers: SubsidyTiers = ((6, 100_000), (5, 90_000), (0, 80_000))
    required_departments: Departments = ("housing", "planning", "market")
    lead_department: Department = "housing"
    upload_max_mb: PositiveInt = 20
    # A design plan runs to tens of pages; thousands are an attack on whoever opens it.
    upload_max_pages: PositiveInt = 300
    city_name: Text = CITY
    authority_name: Text = _CITY["authority_name"]
    letter_prefixes: Annotated[Names, AfterValidator(_known_keys(PREFIX_MARKS))] = field(
        default_factory=lambda: dict(LETTER_PREFIXES)
    )
    reconsideration_body: Text = _CITY["reconsideration_body"]
    court: Text = _CITY["court"]
    department_names: Annotated[Names, AfterValidator(_known_keys(DEPARTMENTS))] = field(
        default_factory=lambda: dict(DEPARTMENT_NAMES)
    )
    public_base_url: PublicUrl = "http://127.0.0.1:5000"
    # Each desk's lead (a username), who assigns its cases; the admin always may.
    desk_leads: Annotated[Names, AfterValidator(_known_keys(DESKS))] = field(default_factory=dict)
    # DESIGN §3.2: who shares the owners' part of the cost. "agreeing": households that vote
    # against, abstain or do not take part pay nothing; "everyone": every household, as before.
    cost_sharing: Annotated[str, AfterValidator(_one_of(COST_SHARING))] = "agreeing"
    # Who runs the site, as every page's footer says (政府网站发展指引): the host's address and
    # phone, and the site's identifiers once it has them (blank: not shown).
    authority_address: str = ""
    authority_phone: str = ""
    site_id: str = ""  # 政府网站标识码
    icp_number: str = ""  # ICP备案号
    psb_number: str = ""  # 公安机关备案号
    # 个人信息保护法第十九条: personal data of a closed case kept no longer than needed, then
    # removed or masked by the daily job; 第五十条: a request answered within these working days.
    retention_days: Days = 180
    privacy_request_workdays: PositiveInt = 15
    # DESIGN §3.3a: an owner may withdraw from the 公积金 for its part of the elevator within
    # this many months of the use registration (湖北各市的通行做法：登记后一年内).
    provident_fund_months: PositiveInt = 12
    # Off in production: lets demos and tests run a public notice shorter than the rule's
    # minimum (even 0 days), and every page says so while it is on.
    demo_short_publicity: Flag = False
    # Residents' representatives (居民监督代表) a unit names before construction starts: 3 to
    # 5 households in 枣阳's practice; a unit with fewer households names all of them.
    supervisors_min: PositiveInt = 3
    supervisors_max: PositiveInt = 5

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024

    @property
    def subsidy_tiers_fen(self) -> tuple[tuple[int, int], ...]:
        return tuple((floors, yuan * 100) for floors, yuan in self.subsidy_tiers)

    def department_label(self, code: str) -> str:
        return DEPARTMENTS.get(code, (code, code))[0]

    def department_name(self, code: str) -> str:
        """The body's full name, as letters print it (枣阳市自然资源和规划局)."""
        return self.department_names.get(code) or self.department_label(code)

    @property
    def publicity_period_days(self) -> int:
        """The notice's length: never under the rule's minimum unless the demo setting is on."""
        if self.demo_short_publicity:
            return self.publicity_days
        return max(self.publicity_days, PUBLICITY_MIN_DAYS)

    @property
    def public_url_is_local(self) -> bool:
        return is_local_address(self.public_base_url)


def is_local_address(url: str) -> bool:
    """True for an address only this machine can reach (127.x, localhost, ::1): printed in a
    letter's QR code, it leads nowhere for the person holding the paper."""
    from urllib.parse import urlsplit

    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    return (
        not host
        or host == "localhost"
        or host.endswith(".localhost")
        or host.startswith("127.")
        or host in ("::1", "0.0.0.0")  # nosec B104  # compares a host; binds nothing
    )


def public_url_warning(settings: Settings) -> Message | None:
    """What `flask check` and the admin pages say while letters would print a local address
    (None once the address is a public one)."""
    if not settings.public_url_is_local:
        return None
    url = settings.public_base_url
    return msg(
        "public_base_url",
        f"对外访问地址仍是本机地址（{url}）：文书二维码在别处无法打开。"
        "请在系统设置中填写公众可访问的地址。",
        f"The public address is still a local one ({url}): the QR codes on letters open "
        "nowhere else. Set the address the public can reach in the settings.",
    )


def demo_publicity_warning(settings: Settings) -> Message | None:
    """Said on every page while the demo setting lets a notice run shorter than the rule."""
    if not settings.demo_short_publicity:
        return None
    return msg(
        "demo_short_publicity",
        f"演示设置已开启（DEMO_SHORT_PUBLICITY）：公示期可短于法定的 {PUBLICITY_MIN_DAYS} 天"
        f"（现为 {settings.publicity_days} 天），不得用于正式办理。",
        f"Demo setting on (DEMO_SHORT_PUBLICITY): the public notice may run shorter than the "
        f"{PUBLICITY_MIN_DAYS}-day minimum (now {settings.publicity_days} days); not for real use.",
    )


ADMIN_KEYS = (
    "publicity_days",
    "acceptance_workdays",
    "review_workdays",
    "review_extension_max_workdays",
    "rating_rectify_workdays",
    "participation",
    "agreement",
    "subsidy_tiers",
    "required_departments",
    "lead_department",
    "upload_max_mb",
    "city_name",
    "authority_name",
    "letter_prefixes",
    "cost_sharing",
    "reconsideration_body",
    "court",
    "department_names",
    "public_base_url",
    "desk_leads",
    "supervisors_min",
    "supervisors_max",
    "provident_fund_months",
    "retention_days",
    "privacy_request_workdays",
    "authority_address",
    "authority_phone",
    "site_id",
    "icp_number",
    "psb_number",
)


# One validator per setting, read from the field's declared type.
_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(hint) for name, hint in get_type_hints(Settings, include_extras=True).items()
}


def _coerce(name: str, value: Any) -> Any:
    """A configured or stored value (str, int, list, mapping) as the field's type."""
    try:
        return _ADAPTERS[name].validate_python(value)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise InvalidInput(
            msg(
                "setting",
                f"设置项 {name} 的值无效：{value!r}",
                f"Invalid value for {name}: {value!r} ({reason})",
            )
        ) from exc


def _to_json(name: str, value: Any) -> Any:
    """As stored: fractions as "2/3", tuples as lists."""
    return _ADAPTERS[name].dump_python(value, mode="json")


def from_config(config: dict[str, Any]) -> Settings:
    """Settings from a Flask-style config mapping (upper-case keys).

    A configured `CITY_NAME` first sets every name that follows from it; names configured on
    their own then win. A notice shorter than the rule's minimum needs `DEMO_SHORT_PUBLICITY`.
    """
    changes: dict[str, Any] = {}
    if config.get("CITY_NAME"):
        changes.update(city_names(_coerce("city_name", config["CITY_NAME"])))
    for f in fields(Settings):
        key = f.name.upper()
        if key in config and config[key] is not None:
            value = _coerce(f.name, config[key])
            if isinstance(value, dict) and isinstance(changes.get(f.name), dict):
                value = {**changes[f.name], **value}
            changes[f.name] = value
    settings = _overlay(Settings(), changes)
    _check_publicity(settings.publicity_days, settings.demo_short_publicity)
    return settings


def _check_publicity(days: int, demo_short: bool) -> None:
    if days < PUBLICITY_MIN_DAYS and not demo_short:
        raise InvalidInput(
            msg(
                "publicity_days",
                f"公示期不得少于 {PUBLICITY_MIN_DAYS} 天；演示或测试需缩短公示期时，"
                "请同时开启 DEMO_SHORT_PUBLICITY。",
                f"The public notice lasts at least {PUBLICITY_MIN_DAYS} day; demos and tests "
                "that need a shorter one must also turn on DEMO_SHORT_PUBLICITY.",
            )
        )


_ROWS = select(Setting.key, Setting.value)


def load(session: Session, base: Settings) -> Settings:
    """`base` (defaults and configuration) overlaid with what an admin saved. Uncached: each
    process keeps the result for a few seconds in `data.config.current_settings`."""
    rows = session.execute(_ROWS)
    return _overlay(base, {k: _coerce(k, v) for k, v in rows if k in ADMIN_KEYS})


def _overlay(base: Settings, changes: dict[str, Any]) -> Settings:
    """`changes` over `base`; a mapping setting changes only the keys it names."""
    for name in ("letter_prefixes", "department_names", "desk_leads"):
        if name in changes:
            changes[name] = {**getattr(base, name), **changes[name]}
    return replace(base, **changes)


def save(session: Session, changes: dict[str, Any], base: Settings | None = None) -> dict[str, Any]:
    """Validate and store an admin's changes; returns them as stored (JSON-ready).

    `base` is the configuration they apply to: only a deployment configured for demos may
    shorten the public notice below the rule's minimum."""
    stored: dict[str, Any] = {}
    stored_values: dict[str, Any] = {}
    for key, raw in changes.items():
        if key not in ADMIN_KEYS:
            raise InvalidInput(msg("setting", f"未知设置项：{key}", f"Unknown setting: {key}"))
        coerced = _coerce(key, raw)
        if key == "publicity_days":
            _check_publicity(coerced, bool(base and base.demo_short_publicity))
        stored_values[key] = coerced
        value = _to_json(key, coerced)
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
        stored[key] = value
    _check_supervisors(session, stored_values, base)
    return stored


def _check_supervisors(session: Session, changes: dict[str, Any], base: Settings | None) -> None:
    """The residents' representatives: at least as many may be named as must be."""
    if "supervisors_min" not in changes and "supervisors_max" not in changes:
        return
    current = load(session, base) if base is not None else None
    low = changes.get("supervisors_min", current.supervisors_min if current else 3)
    high = changes.get("supervisors_max", current.supervisors_max if current else 5)
    if low > high:
        raise InvalidInput(
            msg(
                "supervisors_max",
                f"居民监督代表最多人数（{high}）不能少于最少人数（{low}）。",
                f"At most {high} representatives is fewer than the least, {low}.",
            )
        )
