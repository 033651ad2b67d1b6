"""Fuzz the embedded RPI SCP over loopback: malformed identifiers, DIMSE and PDUs.

Starts the SCP (``tests/stress/scp_process.py``: ``ScpService`` over a demo
archive, 2 s timeouts) in its own process and sends N seeded fuzz cases (see
``tests/stress/cases.py`` for the 15 categories). Every ``--check-every``
cases a normal RPI query must get the right answer, the SCP's threads must
return to their idle level and its RSS (VmRSS) is sampled.

Targets (exit 1 when missed): 0 process crashes, 0 hangs, every check passed,
no handler error, exception raised in rpiq or escaping a thread in the SCP,
RSS growth (end minus start, after warm-up) under ``--max-growth-mb`` (50).

Run time: about 6.5 ms per case on 2 shared cores (measured: 100 000 cases in
640 s, seed 1, RSS +16.5 MB); the CI run in tests/stress (2000 cases) takes
about 15 s.

A failing or odd case is printed with its index: ``--replay INDEX ...`` runs
just those cases of the same seed against a fresh SCP.

Usage: python benchmarks/fuzz_scp.py [--cases N] [--seed S] [--check-every N]
       [--json FILE] [--quiet] [--replay INDEX ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stress.campaign import MB, Report, environment, run_campaign


def _progress(report: Report) -> None:
    rss = report.rss_end / MB
    print(
        f"  {report.cases:>7} cases  checks {report.checks_passed} ok"
        f" / {report.checks_failed} failed  RSS {rss:.1f} MB"
        f"  failures {len(report.failures)}",
        flush=True,
    )


def _print_summary(report: Report) -> None:
    data = report.as_dict()
    planned = f"{report.cases_planned} (seed {report.seed})"
    print(f"cases run        {report.cases} of {planned}")
    print("per category:")
    for name, count in data["by_category"].items():
        outcomes = ", ".join(
            f"{k} {v}" for k, v in sorted(data["outcomes"][name].items())[:6]
        )
        print(f"  {name:<22}{count:>7}   {outcomes}")
    print(f"crashes          {report.crashes}")
    print(f"hangs            {report.hangs}")
    print(f"checks passed    {report.checks_passed} (failed {report.checks_failed})")
    print(f"thread leaks     {report.thread_leaks} (idle level {report.threads_idle})")
    print(f"SCP findings     {report.scp_findings}")
    print(
        f"RSS              start {data['rss_start_mb']} MB,"
        f" end {data['rss_end_mb']} MB, growth {data['rss_growth_mb']} MB,"
        f" peak {data['rss_peak_mb']} MB"
    )
    print(f"slowest close    {data['close_latency_max_s']} s")
    per_case = 1000 * report.wall_s / max(1, report.cases)
    print(f"wall time        {report.wall_s:.1f} s ({per_case:.2f} ms/case)")
    print(f"environment      {environment()}")
    for remark in report.notable[:20]:
        print(f"note {remark}")
    for failure in report.failures[:20]:
        print(f"FAIL {failure}")
    print("RESULT", "PASS" if report.ok else "FAIL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check-every", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=2.0, help="SCP timeouts, s")
    parser.add_argument("--max-growth-mb", type=float, default=50.0)
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--replay",
        type=int,
        nargs="+",
        metavar="INDEX",
        help="run only these case indices of the seed (from a report's lines)",
    )
    args = parser.parse_args(argv)

    progress = None if args.quiet else _progress
    only = None if args.replay is None else frozenset(args.replay)
    count = args.cases if only is None else max(only) + 1
    report = run_campaign(
        count, args.seed, args.check_every, args.timeout, progress, only
    )
    _print_summary(report)
    if args.json is not None:
        args.json.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    grew_too_much = report.rss_growth > args.max_growth_mb * MB
    if grew_too_much:
        print(f"RSS grew more than {args.max_growth_mb} MB")
    return 0 if report.ok and not grew_too_much else 1


if __name__ == "__main__":
    sys.exit(main())
