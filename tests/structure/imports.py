"""The project's imports as a graph, read from the source (no module is run).

`python -m tests.structure.imports` prints the count of import circles and of imports of the
project's modules placed inside functions in `workflow/`; the tests beside it keep both at 0
and the rooms' dependencies pointing one way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workflow", "web", "forms")


@dataclass
class Module:
    name: str
    path: Path
    imports: set[str] = field(default_factory=set)  # at import time
    typing_only: set[str] = field(default_factory=set)  # under `if TYPE_CHECKING:`
    in_functions: list[tuple[int, str]] = field(default_factory=list)  # (line, target)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _target(mod: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.name.split(".")
    if mod.path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def modules() -> dict[str, Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            mod = Module(module_name(path), path)
            found[mod.name] = mod
    for mod in found.values():
        _read(mod, found)
    return found


def _resolve(names: list[str], known: dict[str, Module]) -> Iterator[str]:
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            yield name


def _read(mod: Module, known: dict[str, Module]) -> None:
    tree = ast.parse(mod.path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, in_function: bool, typing: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom | ast.Import):
                if isinstance(child, ast.ImportFrom):
                    base = _target(mod, child)
                    names = [f"{base}.{a.name}" for a in child.names]
                    targets = set(_resolve(names, known))
                else:
                    targets = set(_resolve([a.name for a in child.names], known))
                targets.discard(mod.name)
                if in_function:
                    mod.in_functions.extend((child.lineno, t) for t in sorted(targets))
                elif typing:
                    mod.typing_only |= targets
                else:
                    mod.imports |= targets
            fn = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            tc = isinstance(child, ast.If) and _is_type_checking(child)
            visit(child, in_function or fn, typing or tc)

    visit(tree, False, False)
    # Importing a submodule runs its package's __init__ first.
    for target in list(mod.imports):
        parts = target.split(".")
        for i in range(1, len(parts)):
            parent = ".".join(parts[:i])
            if parent in known and parent != mod.name and not mod.name.startswith(parent + "."):
                mod.imports.add(parent)


def circles(mods: dict[str, Module]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), plus self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(mods[v].imports):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(mods):
        if v not in index:
            strong(v)
    return out


def imports_in_functions(mods: dict[str, Module]) -> list[tuple[str, int, str]]:
    """Project modules imported inside functions in workflow/ (the adapters may import their
    optional third-party libraries late; they are not counted, as they import none of ours)."""
    return [
        (m.name, line, target)
        for m in mods.values()
        if m.name.startswith("workflow")
        for line, target in m.in_functions
    ]


if __name__ == "__main__":
    mods = modules()
    found = circles(mods)
    late = imports_in_functions(mods)
    print(f"{len(mods)} modules read; import circles: {len(found)}; "
          f"imports of project modules inside functions in workflow/: {len(late)}")  # fmt: skip
    for c in found:
        print("  circle:", " ↔ ".join(c))
    for name, line, target in late:
        print(f"  {name}:{line} imports {target} inside a function")
