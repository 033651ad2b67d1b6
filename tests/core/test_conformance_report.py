"""Report, Finding and Level: ordering, exit codes, JSON and text."""

from __future__ import annotations

from rpiq.core.conformance import Finding, Level, Report


def finding(level, rule="x.y", path=None):
    return Finding(level, rule, f"{rule} happened", "PS3.4 Q.4.2", path)


def test_empty_report_is_clean():
    report = Report()
    assert report.worst is None
    assert report.ok
    assert report.exit_code() == 0
    assert report.problems() == []


def test_exit_code_follows_the_worst_level():
    assert Report.of([finding(Level.INFO)]).exit_code() == 0
    assert Report.of([finding(Level.INFO), finding(Level.WARN)]).exit_code() == 1
    report = Report.of([finding(Level.WARN), finding(Level.FAIL), finding(Level.INFO)])
    assert report.exit_code() == 3
    assert report.worst is Level.FAIL
    assert not report.ok


def test_problems_hold_fail_and_warn_messages_only():
    report = Report.of(
        [
            finding(Level.INFO, "a.b"),
            finding(Level.WARN, "c.d"),
            finding(Level.FAIL, "e.f"),
        ]
    )
    assert report.problems() == ["WARN: c.d happened", "FAIL: e.f happened"]
    assert report.summary() == "1 FAIL, 1 WARN, 1 INFO"


def test_json_has_the_documented_keys():
    report = Report.of([finding(Level.FAIL, "identity.patient-id-mismatch", "root")])
    assert report.to_json() == [
        {
            "level": "FAIL",
            "rule": "identity.patient-id-mismatch",
            "message": "identity.patient-id-mismatch happened",
            "section": "PS3.4 Q.4.2",
            "path": "root",
        }
    ]


def test_lines_put_the_worst_first_and_name_the_template():
    report = Report.of(
        [finding(Level.INFO, "i.i"), finding(Level.FAIL, "f.f", "1.2")], 9007
    )
    lines = report.lines()
    assert lines[0].startswith("Conformance")
    assert "TID 9007" in lines[0]
    assert lines[1].strip().startswith("FAIL [1.2] f.f happened")
    assert report.for_path("1.2") == (report.findings[1],)


def test_lines_can_be_limited():
    report = Report.of([finding(Level.WARN, f"w.{n}") for n in range(5)])
    lines = report.lines(limit=2)
    assert len(lines) == 4
    assert lines[-1].strip() == "... and 3 more findings"


def test_every_rule_id_is_documented():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = "".join(
        p.read_text() for p in (root / "src/rpiq/core/conformance").glob("*.py")
    )
    ids = set(
        re.findall(
            r'"((?:status|identity|identifier|content|checker)\.[a-z0-9-]+)"', source
        )
    )
    doc = (root / "docs/conformance-checker.md").read_text()
    assert len(ids) > 30
    assert sorted(i for i in ids if f"`{i}`" not in doc) == []
