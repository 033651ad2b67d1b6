"""``rpiq query/echo/probe`` end to end, with the documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from rpiq.cli import main

pytestmark = pytest.mark.network


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def peer(fake_scp):
    return ["127.0.0.1", fake_scp.port, "-aec", "FAKE-RPI"]


def test_tree_output_shows_every_value_type(fake_scp, capsys):
    code, out, _ = run(capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1")
    assert code == 0
    assert "DEMO^ALICE" in out
    for vt in (
        "CONTAINER",
        "TEXT",
        "CODE",
        "NUM",
        "DATE",
        "TIME",
        "DATETIME",
        "PNAME",
        "UIDREF",
        "COMPOSITE",
        "IMAGE",
        "WAVEFORM",
        "SCOORD",
        "SCOORD3D",
        "TCOORD",
    ):
        assert vt in out, vt
    assert "Success" in out


def test_json_output_schema(fake_scp, capsys):
    code, out, _ = run(
        capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1", "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["status"] == {
        "code": 0,
        "category": "Success",
        "meaning": doc["status"]["meaning"],
    }
    match = doc["matches"][0]
    assert match["patient"]["PatientID"] == "PAT-1"
    assert match["template"] == "9007"
    root = match["root"]
    assert root["value_type"] == "CONTAINER"
    assert root["concept"]["value"] == "111517"
    values: dict[str, dict] = {}  # type: ignore[type-arg]

    def walk(node):
        values.setdefault(node["value_type"], node)
        for child in node["children"]:
            walk(child)

    walk(root)
    assert (
        isinstance(values["NUM"]["value"], (int, float))
        or values["NUM"]["value"] is None
    )
    assert set(values["CODE"]["value"]) == {"value", "scheme", "meaning"}
    # The sample carries every value type, so it has WARN-level extensions of
    # TID 9007 (SCOORD, TCOORD …) but nothing that breaks the template.
    assert not [p for p in doc["problems"] if not p.startswith("WARN: ")]
    assert {f["level"] for f in doc["findings"]} <= {"WARN", "INFO"}
    assert all(
        set(f) == {"level", "rule", "message", "section", "path"}
        for f in doc["findings"]
    )
    assert doc["timing_ms"]["runs"] == 1


def test_dump_output_is_the_raw_identifier(fake_scp, capsys):
    code, out, _ = run(
        capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1", "--format", "dump"
    )
    assert code == 0
    assert "(0040,A730)  Content Sequence" in out
    assert "(0040,A504)  Content Template Sequence" in out
    assert "(0040,A168)  Concept Code Sequence" in out


def test_no_match_exits_1(fake_scp, capsys):
    fake_scp.mode = "none"
    code, out, _ = run(capsys, "query", *peer(fake_scp), "--patient-id", "X")
    assert code == 1
    assert "No patient matched" in out


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("c100", "More than one patient"),
        ("c200", "cannot supply the requested template"),
    ],
)
def test_failure_status_exits_3_with_meaning(fake_scp, capsys, mode, words):
    fake_scp.mode = mode
    code, out, _ = run(capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1")
    assert code == 3
    assert words in out


def test_refused_port_exits_4(unused_port, capsys):
    code, _, err = run(capsys, "query", "127.0.0.1", unused_port, "--patient-id", "P")
    assert code == 4
    assert "refused" in err.lower() or "refused" in _


def test_json_names_the_failure_kind(unused_port, capsys):
    args = ["query", "127.0.0.1", unused_port, "--patient-id", "P", "--format", "json"]
    code, out, _ = run(capsys, *args)
    assert code == 4
    doc = json.loads(out)
    assert doc["status"]["code"] is None
    assert doc["failure"]["kind"] == "refused"
    assert "refused" in doc["failure"]["message"].lower()


@pytest.mark.parametrize("bad", ["12*", "1?3", "A\\B", "", "   "])
def test_invalid_patient_id_exits_2_before_sending(fake_scp, capsys, bad):
    code, _, err = run(capsys, "query", *peer(fake_scp), "--patient-id", bad)
    assert code == 2
    assert "Patient ID" in err
    assert fake_scp.requests == []


def test_contradicting_template_rejected_locally(fake_scp, capsys):
    code, _, err = run(
        capsys,
        "query",
        *peer(fake_scp),
        "--patient-id",
        "P",
        "--sop",
        "cardiac",
        "--template",
        "9000",
    )
    assert code == 2
    assert "9000" in err
    assert "3802" in err
    assert fake_scp.requests == []


def test_general_accepts_any_annex_k_root(fake_scp, capsys):
    code, _, _ = run(
        capsys, "query", *peer(fake_scp), "--patient-id", "P", "--template", "9001"
    )
    assert code == 0
    assert fake_scp.requests[0].ContentTemplateSequence[0].TemplateIdentifier == "9001"


def test_output_files_are_readable(fake_scp, capsys, tmp_path):
    dcm, js = tmp_path / "a.dcm", tmp_path / "a.json"
    run(capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1", "--output", dcm)
    run(capsys, "query", *peer(fake_scp), "--patient-id", "PAT-1", "--output", js)
    assert dcmread(dcm).PatientID == "PAT-1"
    assert Dataset.from_json(js.read_text()).PatientID == "PAT-1"


def test_repeat_reports_median_and_p95(fake_scp, capsys):
    code, out, _ = run(
        capsys,
        "query",
        *peer(fake_scp),
        "--patient-id",
        "PAT-1",
        "--repeat",
        "5",
        "--keep-association",
        "--format",
        "json",
    )
    assert code == 0
    timing = json.loads(out)["timing_ms"]
    assert timing["runs"] == 5
    assert 0 < timing["median"] <= timing["p95"]
    assert len(fake_scp.requests) == 5


def test_echo_and_probe(fake_scp, capsys):
    code, out, _ = run(capsys, "echo", *peer(fake_scp))
    assert code == 0
    assert "Success" in out
    code, out, _ = run(capsys, "probe", *peer(fake_scp))
    assert code == 0
    assert "Cardiac" in out
    assert "accepted" in out


def test_echo_against_dcmtk_storescp(dcmtk_storescp, capsys):
    code, out, _ = run(capsys, "echo", "127.0.0.1", dcmtk_storescp, "-aec", "DCMTK")
    assert code == 0
    assert "Success" in out


def test_console_script_runs_in_subprocess(fake_scp):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "rpiq",
            "query",
            *map(str, peer(fake_scp)),
            "--patient-id",
            "PAT-1",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["matches"][0]["patient"]["PatientID"] == "PAT-1"


def test_help_of_every_subcommand_is_complete(capsys):
    for cmd in ("echo", "probe", "query", "profiles"):
        with pytest.raises(SystemExit) as info:
            main([cmd, "--help"])
        assert info.value.code == 0
        assert "usage: rpiq" in capsys.readouterr().out


def _save_profile(fake_scp, character_set):
    from rpiq.core.profiles import AEProfile, ProfileStore

    store = ProfileStore.default()
    store.load()
    store.add(
        AEProfile(
            name="latin1",
            called_ae="FAKE-RPI",
            port=fake_scp.port,
            character_set=character_set,
        )
    )
    store.save()


def test_profile_character_set_is_declared_for_keys_that_need_it(fake_scp, capsys):
    _save_profile(fake_scp, "ISO_IR 100")
    code, out, _ = run(capsys, "query", "--profile", "latin1", "-k", "Jérôme-1")
    assert code == 0, out
    sent = fake_scp.requests[-1]
    assert sent.SpecificCharacterSet == "ISO_IR 100"
    assert sent.PatientID == "Jérôme-1"
    code, _, _ = run(capsys, "query", "--profile", "latin1", "-k", "PAT-1")
    assert code == 0
    assert "SpecificCharacterSet" not in fake_scp.requests[-1]  # plain ASCII


def test_key_outside_the_profile_character_set_is_refused(fake_scp, capsys):
    _save_profile(fake_scp, "ISO_IR 100")
    code, _, err = run(capsys, "query", "--profile", "latin1", "-k", "王-1")
    assert code == 2
    assert "Patient ID" in err
    assert "ISO_IR 100" in err
    assert "preferred character set" in err
    assert fake_scp.requests == []  # nothing was sent
