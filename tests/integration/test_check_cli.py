"""``rpiq check`` on the corpus, and conformance findings of ``rpiq query``."""

from __future__ import annotations

import json

import pytest

from rpiq.cli import main
from rpiq.core.conformance.corpus import cases
from rpiq.core.conformance.examples import annex_ee, good_9000
from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Done
from rpiq.core.query.export import write_identifier
from rpiq.core.query.request import QueryRequest

FILE_CASES = {c.name: c for c in cases() if c.identifier is not None}


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def save(tmp_path, name, ds, sop_uid, suffix):
    path = tmp_path / f"{name}{suffix}"
    write_identifier(path, ds, sop_uid)
    return path


@pytest.mark.parametrize("suffix", [".dcm", ".json"])
@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_check_gives_the_documented_exit_code(tmp_path, capsys, name, suffix):
    case = FILE_CASES[name]
    uid = case.sop_class.uid
    answer = save(tmp_path, "answer", case.identifier, uid, suffix)
    request = save(tmp_path, "request", case.request, uid, suffix)
    code, out, err = run(
        capsys,
        "check",
        answer,
        "--request",
        request,
        "--sop",
        case.sop_class.keyword,
        "--format",
        "json",
    )
    assert code == case.exit_code, out + err
    doc = json.loads(out)
    assert doc["exit_code"] == case.exit_code
    assert case.rules <= {f["rule"] for f in doc["findings"]}


def test_annex_ee_text_report(tmp_path, capsys):
    example = annex_ee()
    path = save(tmp_path, "ee", example.response, example.sop_class.uid, ".dcm")
    code, out, _ = run(capsys, "check", path)
    assert code == 1
    assert "Breast Imaging" in out  # SOP class read from the file meta
    assert "0 FAIL, 1 WARN" in out
    assert "Subject Age" in out
    assert "content.extension" in out


def test_template_and_sop_options(tmp_path, capsys):
    example = good_9000()
    path = save(tmp_path, "answer", example.response, example.sop_class.uid, ".json")
    code, out, _ = run(capsys, "check", path, "--sop", "general", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["template"] == 9000
    code, out, _ = run(capsys, "check", path, "--template", "9007", "--format", "json")
    assert code == 3
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert {"identifier.root-concept", "identifier.template-sequence"} <= rules


@pytest.mark.parametrize(
    "content", [b"not dicom at all", b"{not json", b"[1, 2, 3]", b""]
)
def test_unreadable_input_exits_2(tmp_path, capsys, content):
    for suffix in (".dcm", ".json"):
        path = tmp_path / f"bad{suffix}"
        path.write_bytes(content)
        code, _, err = run(capsys, "check", path)
        assert code == 2, (suffix, content)
        assert "rpiq: error:" in err


def test_missing_file_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "check", tmp_path / "absent.dcm")
    assert code == 2
    assert "absent.dcm" in err


# ------------------------------------------------------------ rpiq query


def peer(fake_scp):
    return ["127.0.0.1", fake_scp.port, "-aec", "FAKE-RPI"]


def query_json(capsys, fake_scp):
    code, out, _ = run(
        capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1", "--format", "json"
    )
    return code, json.loads(out)


@pytest.mark.network
@pytest.mark.parametrize(
    ("mode", "rule"),
    [
        ("double", "status.multiple-pending"),
        ("wrong_id", "identity.patient-id-mismatch"),
        ("wrong_root", "identifier.root-concept"),
    ],
)
def test_query_json_shows_the_fail(fake_scp, capsys, mode, rule):
    fake_scp.mode = mode
    _, doc = query_json(capsys, fake_scp)
    fails = [f for f in doc["findings"] if f["level"] == "FAIL"]
    assert rule in {f["rule"] for f in fails}
    finding = next(f for f in fails if f["rule"] == rule)
    assert set(finding) == {"level", "rule", "message", "section", "path"}
    assert f"FAIL: {finding['message']}" in doc["problems"]


@pytest.mark.network
def test_query_json_of_a_normal_answer_has_no_identity_or_status_fail(fake_scp, capsys):
    code, doc = query_json(capsys, fake_scp)
    assert code == 0
    families = {
        f["rule"].split(".")[0] for f in doc["findings"] if f["level"] == "FAIL"
    }
    assert families <= {"content"}  # the sample tree omits some vital signs
    assert all(f["section"] for f in doc["findings"])


@pytest.mark.network
def test_query_tree_prints_findings_under_the_tree(fake_scp, capsys):
    fake_scp.mode = "wrong_id"
    code, out, _ = run(capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1")
    assert code == 0
    tree_end = out.index("Conformance (PS3.4 Annex Q, PS3.16)")
    assert out.index("DEMO^ALICE") < tree_end
    assert "FAIL" in out[tree_end:]
    assert "identity.patient-id-mismatch" in out[tree_end:]


@pytest.mark.network
def test_engine_attaches_the_report_to_done(fake_profile, fake_scp):
    fake_scp.mode = "wrong_root"
    events = list(run_query(fake_profile, QueryRequest("PAT-1")))
    done = events[-1]
    assert isinstance(done, Done)
    assert done.report is not None
    assert "identifier.root-concept" in done.report.rules()
    assert done.report.template == 9007


@pytest.mark.network
def test_failure_answer_has_only_info(fake_profile, fake_scp):
    fake_scp.mode = "c100"
    done = list(run_query(fake_profile, QueryRequest("PAT-1")))[-1]
    assert isinstance(done, Done)
    assert done.report is not None
    assert done.report.rules() == {"status.failure"}
    assert done.report.exit_code() == 0


def test_check_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: rpiq check" in out
    for text in ("0 no findings above INFO", "1 warnings", "3 at least one FAIL", "2"):
        assert text in " ".join(out.split()), text
