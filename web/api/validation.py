"""Checking a request body against its schema (the subset of JSON Schema `schemas` uses).

The API checks what it receives against the very dicts the OpenAPI document publishes; a
validator library is a test-time dependency only, so the few keywords used are checked here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "number" and isinstance(value, float) and value != value:  # NaN
        return False
    return isinstance(value, _TYPES[kind])


def problems(schema: dict[str, Any], value: Any, where: str = "") -> list[str]:
    """Where `value` departs from `schema` (the subset of JSON Schema used by `schemas`)."""
    out: list[str] = []
    here = where or "请求体"
    if "anyOf" in schema:
        if all(problems(s, value, where) for s in schema["anyOf"]):
            out.append(f"{here}：类型或格式不正确")
        return out
    if "enum" in schema and value not in schema["enum"]:
        return [f"{here}：应为 {' / '.join(map(str, schema['enum']))} 之一"]
    kind = schema.get("type")
    if kind and not _is(value, kind):
        return [f"{here}：类型应为 {kind}"]
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            out.append(f"{here}：超过 {schema['maxLength']} 个字符")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{here}：含有不允许的字符")
        if schema.get("format") == "date":
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                out.append(f"{here}：日期应为 YYYY-MM-DD")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{here}：不能小于 {schema['minimum']}")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            out.append(f"{here}：最多 {schema['maxItems']} 项")
        for i, item in enumerate(value):
            out += problems(schema.get("items", {}), item, f"{where}[{i}]" if where else f"[{i}]")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{where + '.' if where else ''}{name}：必须填写")
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                out += problems(sub, value[name], f"{where}.{name}" if where else name)
    return out
