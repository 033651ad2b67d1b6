"""``rpiq archive`` end to end: seed, import, list, show, exit codes."""

from __future__ import annotations

import json

from pydicom import dcmwrite

from rpiq.cli import main
from rpiq.core.archive import Archive
from rpiq.core.archive.demo import build_demo_datasets
from rpiq.core.paths import AppPaths


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_seed_demo_then_list_and_show(capsys, tmp_path):
    where = tmp_path / "arch"
    code, out, _ = run(capsys, "archive", "seed-demo", "--archive", where)
    assert code == 0
    assert "7 patients" in out
    code, out, _ = run(capsys, "archive", "list", "--archive", where)
    assert code == 0
    assert "DEMO-100" in out
    assert "TID 9007" in out
    code, out, _ = run(
        capsys, "archive", "show", "--archive", where, "--patient-id", "DEMO-100"
    )
    assert code == 0
    assert "issuer HOSP-A" in out
    assert "issuer HOSP-B" in out


def test_list_instances_json_has_every_sop_instance_uid(capsys, tmp_path):
    where = tmp_path / "arch"
    run(capsys, "archive", "seed-demo", "--archive", where)
    code, out, _ = run(
        capsys, "archive", "list", "--instances", "--format", "json", "--archive", where
    )
    assert code == 0
    data = json.loads(out)
    uids = {i["sop_instance_uid"] for i in data["instances"]}
    assert uids == {ds.SOPInstanceUID for ds in build_demo_datasets()}
    assert {p["patient_id"] for p in data["patients"]} >= {"DEMO-001", "DEMO-100"}


def test_show_json_and_unknown_patient(capsys, tmp_path):
    where = tmp_path / "arch"
    run(capsys, "archive", "seed-demo", "--archive", where)
    code, out, _ = run(
        capsys,
        "archive",
        "show",
        "--archive",
        where,
        "--patient-id",
        "DEMO-004",
        "--issuer",
        "HOSP-B",
        "--format",
        "json",
    )
    assert code == 0
    [patient] = json.loads(out)
    assert patient["attributes"]["PregnancyStatus"]["value"] == 3
    assert patient["attributes"]["PatientName"]["source_uid"]
    code, out, _ = run(
        capsys, "archive", "show", "--archive", where, "--patient-id", "NOBODY"
    )
    assert code == 1
    assert "No patient" in out


def test_import_reports_problems_by_name_and_sums_up(capsys, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for n, ds in enumerate(build_demo_datasets()[:3]):
        dcmwrite(source / f"{n}.dcm", ds, enforce_file_format=True)
    (source / "notes.txt").write_text("hello")
    (source / "bad.dcm").write_bytes(bytes(128) + b"DICM" + b"\x00" * 3)
    code, out, err = run(
        capsys, "archive", "import", "--archive", tmp_path / "arch", source
    )
    assert code == 1
    assert "bad.dcm" in err
    assert "3 stored" in out
    assert "1 not DICOM" in out
    code, out, _ = run(
        capsys,
        "archive",
        "import",
        "--archive",
        tmp_path / "arch",
        source / "0.dcm",
    )
    assert code == 0
    assert "1 replaced" in out


def test_default_archive_is_under_rpiq_home(capsys, rpiq_home):
    code, _, _ = run(capsys, "archive", "seed-demo")
    assert code == 0
    assert AppPaths.default().archive_dir.is_relative_to(rpiq_home)
    assert len(Archive.default().patients()) == 7


def test_unusable_archive_is_a_clear_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "archive", "list", "--archive", blocker)
    assert code == 2
    assert "rpiq: error:" in err
    assert "cannot be used" in err
    assert "Traceback" not in err


def test_empty_archive_list(capsys, tmp_path):
    code, out, _ = run(capsys, "archive", "list", "--archive", tmp_path / "new")
    assert code == 0
    assert "empty" in out
