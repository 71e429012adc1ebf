"""Settings an admin may change, with the defaults of DESIGN §3, §5 and §7.

Resolution order: these defaults, then the deployment's configuration (instance/config.py,
`FLASK_*` variables, e.g. `FLASK_PUBLICITY_DAYS=0`), then what an admin saved in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import InvalidInput, msg
from .models import Setting

DEPARTMENTS = {
    "housing": ("住建", "Housing and Urban-Rural Development"),
    "planning": ("自然资源和规划", "Natural Resources and Planning"),
    "market": ("市场监管", "Market Regulation"),
}

LETTER_PREFIXES = {
    "acceptance_notice": "枣住建梯受",
    "correction_notice": "枣住建梯补",
    "approval_decision": "枣住建梯准",
    "rejection_decision": "枣住建梯驳",
    "subsidy_notice": "枣住建梯贴",
}


@dataclass(frozen=True)
class Settings:
    publicity_days: int = 10
    acceptance_workdays: int = 2
    review_workdays: int = 10
    participation: Fraction = Fraction(2, 3)
    agreement: Fraction = Fraction(3, 4)
    # (minimum floors, yuan per elevator), highest first; DESIGN §3.3.
    subsidy_tiers: tuple[tuple[int, int], ...] = ((6, 100_000), (5, 90_000), (0, 80_000))
    required_departments: tuple[str, ...] = ("housing", "planning", "market")
    lead_department: str = "housing"
    upload_max_mb: int = 20
    # A design plan runs to tens of pages; thousands are an attack on whoever opens it.
    upload_max_pages: int = 300
    authority_name: str = "枣庄市住房和城乡建设局"
    letter_prefixes: dict[str, str] = field(default_factory=lambda: dict(LETTER_PREFIXES))
    public_base_url: str = "http://127.0.0.1:5000"

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024

    @property
    def subsidy_tiers_fen(self) -> tuple[tuple[int, int], ...]:
        return tuple((floors, yuan * 100) for floors, yuan in self.subsidy_tiers)

    def department_label(self, code: str) -> str:
        return DEPARTMENTS.get(code, (code, code))[0]


ADMIN_KEYS = (
    "publicity_days",
    "acceptance_workdays",
    "review_workdays",
    "participation",
    "agreement",
    "subsidy_tiers",
    "required_departments",
    "lead_department",
    "upload_max_mb",
    "authority_name",
    "letter_prefixes",
)


def _coerce(name: str, value: Any) -> Any:
    """Turn a configured or stored value (str, int, list) into the field's type."""
    try:
        if name in ("participation", "agreement"):
            f = Fraction(str(value))
            if not 0 < f <= 1:
                raise ValueError
            return f
        if name in (
            "publicity_days",
            "acceptance_workdays",
            "review_workdays",
            "upload_max_mb",
            "upload_max_pages",
        ):
            n = int(value)
            if n < 0 or (name in ("upload_max_mb", "upload_max_pages") and n == 0):
                raise ValueError
            return n
        if name == "subsidy_tiers":
            tiers = tuple(sorted(((int(a), int(b)) for a, b in value), reverse=True))
            if not tiers or tiers[-1][0] != 0 or any(y <= 0 for _, y in tiers):
                raise ValueError
            return tiers
        if name == "required_departments":
            items = value.split(",") if isinstance(value, str) else value
            codes = tuple(c.strip() for c in items if c.strip())
            if not codes or any(c not in DEPARTMENTS for c in codes):
                raise ValueError
            return codes
        if name == "lead_department":
            if value not in DEPARTMENTS:
                raise ValueError
            return value
        if name == "letter_prefixes":
            merged = dict(LETTER_PREFIXES)
            merged.update({k: str(v) for k, v in dict(value).items() if k in LETTER_PREFIXES})
            return merged
        return str(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidInput(
            msg(
                "setting",
                f"设置项 {name} 的值无效：{value!r}",
                f"Invalid value for {name}: {value!r}",
            )
        ) from exc


def _to_json(name: str, value: Any) -> Any:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, tuple):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    return value


def from_config(config: dict[str, Any]) -> Settings:
    """Settings from a Flask-style config mapping (upper-case keys)."""
    changes = {}
    for f in fields(Settings):
        key = f.name.upper()
        if key in config and config[key] is not None:
            changes[f.name] = _coerce(f.name, config[key])
    return replace(Settings(), **changes)


def load(session: Session, base: Settings) -> Settings:
    """`base` (defaults and configuration) overlaid with what an admin saved."""
    rows = session.scalars(select(Setting)).all()
    changes = {r.key: _coerce(r.key, r.value) for r in rows if r.key in ADMIN_KEYS}
    return replace(base, **changes)


def save(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and store an admin's changes; returns them as stored (JSON-ready)."""
    stored = {}
    for key, raw in changes.items():
        if key not in ADMIN_KEYS:
            raise InvalidInput(msg("setting", f"未知设置项：{key}", f"Unknown setting: {key}"))
        value = _to_json(key, _coerce(key, raw))
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
        stored[key] = value
    return stored
