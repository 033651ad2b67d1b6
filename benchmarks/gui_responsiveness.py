"""GUI responsiveness: start-up, event-loop stalls and a 1000-item tree.

Every measurement runs in a fresh subprocess with ``QT_QPA_PLATFORM=offscreen``
through :mod:`rpiq.gui.bench_probe` (Qt code lives in ``rpiq.gui``; this
driver imports no Qt):

1. Start-up: process start (the parent's ``time.time()``, passed on the
   command line) until the window of ``create_main_window(home, start=False)``
   is shown by ``show_main_window`` (as ``rpiq-gui`` does) and one
   ``processEvents`` pass (its first paint) is done, vs a floor: a process
   that imports PySide6.QtWidgets and pynetdicom and shows a bare
   QMainWindow. Median of 5 runs each (interleaved). Target: ratio <= 1.5x.
   Loading (profiles, history, archive; superqt with the first worker) starts
   after that first frame; the time until the profiles are loaded and the
   form is usable is printed too, without a target.
2. Longest event-loop stall: a 5 ms heartbeat's longest gap minus 5 ms while
   the demo window runs 20 queries against its SCP and the SCP panel imports
   1000 small Secondary Capture files. Target: < 50 ms.
3. A 1000-item answer: ``ResultsView.show_answer`` of ``sized_tree(1000)``
   until the tree has painted (one ``processEvents`` pass, more if its
   viewport has not received a paint event yet), its History container
   expanded as the user sees it (median of 5). Target: <= 100 ms. The raw
   dump is not part of it: the Raw dataset tab builds it when first shown.

Every probe imports from bytecode, as an installed application does: the
children get a private ``PYTHONPYCACHEPREFIX`` (a temporary directory, warmed
by one run of each start-up probe) even when ``PYTHONDONTWRITEBYTECODE`` is
set. Otherwise every start-up run would compile rpiq from source (~150 ms)
while the floor reads the pre-compiled PySide6 and pynetdicom. ``--no-pyc``
keeps the environment as it is, to see that cost.

Prints a table; exits 1 when a target is missed.

Usage: python benchmarks/gui_responsiveness.py [--runs N] [--no-pyc]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PROBE = "rpiq.gui.bench_probe"
STARTUP_RATIO_TARGET = 1.5
STALL_TARGET_MS = 50.0
TREE_TARGET_MS = 100.0
TIMEOUT_S = 300


_PYC_PREFIX: list[str] = []  # the private bytecode cache, when used


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if _PYC_PREFIX:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = _PYC_PREFIX[0]
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
    parser.add_argument(
        "--no-pyc",
        action="store_true",
        help="no private bytecode cache: keep PYTHONDONTWRITEBYTECODE as set",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rpiq-bench-pyc-") as prefix:
        if not options.no_pyc:
            _PYC_PREFIX.append(prefix)
        return _measure(options.runs, bytecode=not options.no_pyc)


def _measure(runs: int, *, bytecode: bool) -> int:
    """Run every probe; print the table; 0 when every target is met."""
    # Warm the disk cache (and the bytecode cache) for both start-up probes.
    _probe("floor", stamp=True)
    _probe("startup", stamp=True)
    app: list[float] = []
    ready: list[float] = []
    floor: list[float] = []
    unpainted = 0
    for _ in range(runs):
        floor_run = _probe("floor", stamp=True)
        floor.append(_number(floor_run, "ms"))
        app_run = _probe("startup", stamp=True)
        app.append(_number(app_run, "ms"))
        ready.append(_number(app_run, "ready_ms"))
        unpainted += not (app_run["painted"] and floor_run["painted"])
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
            ratio <= STARTUP_RATIO_TARGET and not unpainted,
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
            tree_ms <= TREE_TARGET_MS and bool(tree["painted"]),
        ),
    ]
    width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    print(f"{'measurement':<{width}}  {'measured':<{value_width}}  target     result")
    for name, value, target, ok in rows:
        verdict = "ok" if ok else "MISSED"
        print(f"{name:<{width}}  {value:<{value_width}}  {target:<9}  {verdict}")
    print()
    source = "bytecode (private cache)" if bytecode else "as the environment says"
    print(f"start-up runs (ms), imports from {source}:")
    print(f"                    window {[round(v) for v in app]}")
    print(f"                    floor  {[round(v) for v in floor]}")
    print(
        f"                    profiles loaded {[round(v) for v in ready]} "
        f"(median {statistics.median(ready):.0f} ms, no target)"
    )
    if unpainted:
        print(f"start-up problem: {unpainted} run(s) without a paint event")
    print(
        f"tree run: {tree['rows']} rows shown (expanded); "
        f"painted: {'yes' if tree['painted'] else 'NO'}"
    )
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
