"""GUI responsiveness: start-up, event-loop stalls and a 1000-item tree.

Every measurement runs in a fresh subprocess with ``QT_QPA_PLATFORM=offscreen``
through :mod:`rpiq.gui.bench_probe` (Qt code lives in ``rpiq.gui``; this
driver imports no Qt):

1. Start-up: process start (the parent's ``time.time()``, passed on the
   command line) until ``create_main_window(home)`` is shown and one
   ``processEvents`` pass is done, vs a floor: a process that imports
   PySide6.QtWidgets and pynetdicom and shows a bare QMainWindow. Median of
   5 runs each (interleaved). Target: ratio <= 1.5x.
2. Longest event-loop stall: a 5 ms heartbeat's longest gap minus 5 ms while
   the demo window runs 20 queries against its SCP and the SCP panel imports
   1000 small Secondary Capture files. Target: < 50 ms.
3. A 1000-item answer: ``ResultsView.show_answer`` of ``sized_tree(1000)``
   plus one ``processEvents`` pass (median of 5). Target: <= 100 ms.

Prints a table; exits 1 when a target is missed.

Usage: python benchmarks/gui_responsiveness.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PROBE = "rpiq.gui.bench_probe"
STARTUP_RATIO_TARGET = 1.5
STALL_TARGET_MS = 50.0
TREE_TARGET_MS = 100.0
TIMEOUT_S = 300


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _probe(*args: str, stamp: bool = False) -> dict[str, object]:
    """Run one probe in a fresh interpreter; its JSON result."""
    command = [sys.executable, "-m", PROBE, *args]
    if stamp:
        command.append(repr(time.time()))
    done = subprocess.run(
        command,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stderr[-2000:])
        raise SystemExit(f"probe {args[0]} failed (exit {done.returncode})")
    result = json.loads(lines[-1])
    assert isinstance(result, dict)
    return result


def _number(result: dict[str, object], key: str) -> float:
    value = result[key]
    assert isinstance(value, int | float)
    return float(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs each")
    options = parser.parse_args()

    _probe("floor", stamp=True)  # warm the disk cache for both
    app: list[float] = []
    floor: list[float] = []
    for _ in range(options.runs):
        floor.append(_number(_probe("floor", stamp=True), "ms"))
        app.append(_number(_probe("startup", stamp=True), "ms"))
    app_ms = statistics.median(app)
    floor_ms = statistics.median(floor)
    ratio = app_ms / floor_ms

    stall = _probe("stall")
    if "error" in stall:
        raise SystemExit(f"stall probe: {stall['error']}")
    stall_ms = _number(stall, "stall_ms")
    tree = _probe("tree")
    tree_ms = _number(tree, "tree_ms")

    rows = [
        (
            "start-up: window shown / floor",
            f"{app_ms:.0f} / {floor_ms:.0f} ms = {ratio:.2f}x",
            f"<= {STARTUP_RATIO_TARGET}x",
            ratio <= STARTUP_RATIO_TARGET,
        ),
        (
            "longest stall (20 queries + 1000-file import)",
            f"{stall_ms:.1f} ms",
            f"< {STALL_TARGET_MS:.0f} ms",
            stall_ms < STALL_TARGET_MS and not stall["problems"],
        ),
        (
            "1000-item answer shown in the tree",
            f"{tree_ms:.1f} ms (max {_number(tree, 'max_ms'):.1f})",
            f"<= {TREE_TARGET_MS:.0f} ms",
            tree_ms <= TREE_TARGET_MS,
        ),
    ]
    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    print(f"{'measurement':<{width}}  {'measured':<{value_width}}  target     result")
    for name, value, target, ok in rows:
        verdict = "ok" if ok else "MISSED"
        print(f"{name:<{width}}  {value:<{value_width}}  {target:<9}  {verdict}")
    print()
    print(f"start-up runs (ms): window {[round(v) for v in app]}")
    print(f"                    floor  {[round(v) for v in floor]}")
    print(
        f"stall run: {stall['ticks']} heartbeats; 20 queries in "
        f"{_number(stall, 'queries_ms'):.0f} ms; import {stall['import']}; "
        f"all done in {_number(stall, 'total_ms'):.0f} ms"
    )
    problems = stall["problems"]
    for problem in problems if isinstance(problems, list) else [problems]:
        print(f"stall run problem: {problem}")
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
