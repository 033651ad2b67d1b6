"""The short fuzz campaign of CI: ~2000 malformed cases against the SCP process.

The same campaign as ``benchmarks/fuzz_scp.py`` (100k cases), shortened:
``RPIQ_FUZZ_CASES`` and ``RPIQ_FUZZ_SEED`` change its size and seed. One run
per module; each test checks one promise of issue #7 on its report.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

import pytest
from tests.stress import cases
from tests.stress.campaign import MB, Report, run_campaign

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.network, pytest.mark.slow]

CASES = int(os.environ.get("RPIQ_FUZZ_CASES", "2000"))
SEED = int(os.environ.get("RPIQ_FUZZ_SEED", "7"))
CHECK_EVERY = 1000
MAX_GROWTH = 50 * MB


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RPIQ_HOME", str(tmp_path_factory.mktemp("fuzz-home")))
        yield run_campaign(CASES, SEED, CHECK_EVERY)


def _failures(report: Report) -> str:
    return "\n".join(report.failures[:10])


@pytest.mark.timeout(600)
def test_every_case_ran_without_a_crash_or_hang(report: Report) -> None:
    assert report.cases == CASES, _failures(report)
    assert report.crashes == 0, _failures(report)
    assert report.hangs == 0, _failures(report)
    assert report.silent_answers == 0, _failures(report)


def test_every_category_was_exercised(report: Report) -> None:
    assert set(report.by_category) == set(cases.CATEGORIES)


def test_a_normal_query_is_answered_after_every_thousand_cases(report: Report) -> None:
    assert report.checks_failed == 0, _failures(report)
    assert report.checks_passed == math.ceil(CASES / CHECK_EVERY)


def test_no_handler_error_traceback_or_leaked_thread(report: Report) -> None:
    assert report.scp_findings == 0, _failures(report)
    assert report.thread_leaks == 0, _failures(report)


def test_rss_growth_stays_under_50_mb(report: Report) -> None:
    assert report.rss_growth < MAX_GROWTH, report.as_dict()


def test_the_scp_stops_cleanly_afterwards(report: Report) -> None:
    assert report.exit_code == 0, _failures(report)
    assert report.ok, _failures(report)
