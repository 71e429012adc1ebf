"""One house a newcomer can read: no import circle, no import hidden inside a function, and
the rooms of `workflow/` depending one way (DESIGN §6)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from .imports import ROOT, circles, imports_in_functions, modules

MODULES = modules()

# What each room of workflow/ may import besides itself; anything else is a layer crossed the
# wrong way. Read bottom up: rules know nothing of ours, services know everything below them.
MAY_IMPORT = {
    "errors": set(),
    "rules": set(),
    "inputs": {"errors"},
    "data": {"errors", "rules"},
    "jobs.queue": set(),
    "papers": {"errors", "rules", "data", "jobs.queue"},
    "process": {"errors", "inputs", "rules", "data", "papers", "jobs.queue"},
    "notify": {"errors", "rules", "data", "process", "jobs.queue"},
    "read": {"errors", "inputs", "rules", "data", "papers", "process", "notify"},
    "jobs.registry": {"errors", "rules", "data", "papers", "process", "notify", "read", "jobs.queue"},
    "services": {
        "errors", "inputs", "rules", "data", "papers", "process", "notify", "read", "jobs.queue",
    },
    "adapters": {"errors", "data", "notify", "jobs.queue", "jobs.registry"},
    "demo": {"errors", "rules", "data", "papers", "process", "read", "services"},
}  # fmt: skip


def room(name: str) -> str:
    parts = name.split(".")
    if parts[0] != "workflow" or len(parts) == 1:
        return parts[0]
    if parts[1] == "jobs":
        return "jobs" if len(parts) == 2 else f"jobs.{parts[2]}"
    return parts[1]


def test_no_import_circle_anywhere():
    assert circles(MODULES) == []


def test_no_project_module_is_imported_inside_a_function_of_the_domain():
    assert imports_in_functions(MODULES) == []


def test_the_domain_imports_no_web_framework_and_nothing_of_web_or_forms():
    wrong = [
        (m.name, t)
        for m in MODULES.values()
        if m.name.startswith("workflow")
        for t in m.imports
        if not t.startswith("workflow")
    ]
    assert wrong == []
    for path in (ROOT / "workflow").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for framework in ("flask", "werkzeug", "wtforms", "flask_wtf"):
            assert f"import {framework}" not in text and f"from {framework}" not in text, path


def test_each_room_of_the_domain_imports_only_the_rooms_below_it():
    crossed = []
    for m in MODULES.values():
        if not m.name.startswith("workflow.") or room(m.name) in ("workflow", "jobs"):
            continue  # the packages' own __init__ modules import nothing
        here = room(m.name)
        allowed = MAY_IMPORT[here] | {here}
        for target in m.imports:
            there = room(target)
            if there not in allowed and there not in ("workflow", "jobs"):
                crossed.append(f"{m.name} → {target}")
    assert crossed == []


def test_forms_import_nothing_of_the_web():
    assert [
        (m.name, t) for m in MODULES.values() if m.name.startswith("forms")
        for t in m.imports if t.startswith("web")
    ] == []  # fmt: skip


def _import_alone(name: str) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import {name}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return name, done.stderr.strip().splitlines()[-1] if done.returncode else ""


def test_every_module_of_the_domain_imports_on_its_own_in_a_fresh_interpreter():
    """An import circle shows here as a module that fails when it is the first one imported."""
    names = sorted(n for n in MODULES if n.startswith("workflow"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = {n: err for n, err in pool.map(_import_alone, names) if err}
    assert failed == {}


@pytest.mark.parametrize("package", ["workflow"])
def test_no_more_than_a_handful_of_modules_stand_outside_a_room(package):
    loose = sorted(p.name for p in (ROOT / package).glob("*.py") if p.name != "__init__.py")
    assert loose == ["errors.py", "inputs.py"]
