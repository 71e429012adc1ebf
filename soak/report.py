"""The printed result: the faults as they happened, the speed of each page in both phases, and
one line per check with ✓ or ✗ and its figures."""

from __future__ import annotations

import os

from .checks import NOISE_FLOOR_MS
from .faults import SETTLE


def print_report(results, rows, windows, timeline, load_end, shared, machine, slowdown) -> None:
    print(
        f"\nfaults (window: injected → every host ready, the jobs it held back done, + {SETTLE} s)"
    )
    for w in windows:
        end = f"{w.end:6.1f}" if w.end is not None else "  open"
        detail = ", ".join(f"{k} {v}" for k, v in w.detail.items())
        print(f"  {w.start:6.1f} → {end} s  {w.name}" + (f"  ({detail})" if detail else ""))

    print(
        f"\np95 per page: quiet run {timeline.warm:.0f}–{timeline.quiet_end:.0f} s against the "
        f"rest of the run {timeline.quiet_end:.0f}–{load_end:.0f} s outside the faults' windows "
        f"(GET answered 200; nearest-rank p95, ms; ratio = p95 under faults / the quiet p95, "
        f"or {NOISE_FLOOR_MS:.0f} ms if that is less)"
    )
    quiet = [x for t, x in machine if timeline.warm <= t < timeline.quiet_end]
    rest = [x for t, x in machine if t >= timeline.quiet_end]
    if quiet and rest:
        print(f"  this machine ({os.cpu_count()} cores, shared): load average "
              f"{sum(quiet) / len(quiet):.1f} in the quiet run, {sum(rest) / len(rest):.1f} after; "
              f"a fixed piece of CPU work {slowdown:.2f}× as slow after (p95) — the judged ratio "
              f"is divided by that when above 1")  # fmt: skip
    print(f"  {'page':<44} {'quiet n':>7} {'p95':>7} {'faults n':>8} {'p95':>7} {'ratio':>6} "
          f"{'judged':>7}")  # fmt: skip
    for route, nq, nl, pq, pl, ratio, judged in rows:
        if ratio is None:
            print(f"  {route:<44} {nq:>7} {'':>7} {nl:>8} {'':>7}  (too few to judge)")
        else:
            print(f"  {route:<44} {nq:>7} {pq:>7.0f} {nl:>8} {pl:>7.0f} {ratio:>5.2f}× "
                  f"{judged:>6.2f}×")  # fmt: skip

    if shared.problems:
        print(f"\nrefusals the actors met ({len(shared.problems)}; 4xx are the app's answers):")
        for line in shared.problems[:10]:
            print(f"  {line}")

    print("\nchecks")
    group = None
    for c in results:
        if c.group != group:
            group = c.group
            print(f"  {group}")
        print(f"    {'✓' if c.ok else '✗'} {c.name}: {c.figures}")
    missed = [c for c in results if not c.ok]
    print(
        f"\n{'PASS' if not missed else 'FAIL'}: {len(results) - len(missed)}/{len(results)} checks"
    )
