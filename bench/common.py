"""Timing helpers and the report's lines: figure, floor, ratio, target, and where it stands."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def times(work: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        work()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        out.append(time.perf_counter() - start)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


@dataclass
class Row:
    name: str
    figure: str  # e.g. "min 12.0 ms / median 14.1 ms"
    target: str
    met: bool | None  # None: informational
    floor: str = ""

    def line(self) -> str:
        mark = {True: "meets", False: "MISSES", None: "—"}[self.met]
        floor = f"  [floor {self.floor}]" if self.floor else ""
        return f"  {self.name:<44} {self.figure}{floor}\n  {'':<44} target {self.target}: {mark}"


def summary(values: list[float]) -> str:
    return f"min {ms(min(values))} / median {ms(statistics.median(values))}"
