"""``rpiq profiles`` and ``--profile NAME`` end to end (RPIQ_HOME is a tmp dir)."""

from __future__ import annotations

import json

from rpiq.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_show_remove(capsys, rpiq_home):
    assert (
        run(capsys, "profiles", "add", "pacs", "10.0.0.5", "104", "-aec", "PACS")[0]
        == 0
    )
    code, out, _ = run(capsys, "profiles", "list")
    assert code == 0
    assert "pacs: PACS@10.0.0.5:104" in out
    code, out, _ = run(capsys, "profiles", "show", "pacs")
    assert json.loads(out)["called_ae"] == "PACS"
    assert run(capsys, "profiles", "remove", "pacs")[0] == 0
    assert "No profiles" in run(capsys, "profiles", "list")[1]


def test_invalid_profile_is_a_usage_error_naming_the_field(capsys):
    code, _, err = run(capsys, "profiles", "add", "x", "host", "104", "-aec", "A" * 17)
    assert code == 2
    assert "AE" in err
    assert "16" in err


def test_unknown_profile_is_a_clear_error(capsys):
    code, _, err = run(capsys, "query", "--profile", "nope", "--patient-id", "P")
    assert code == 2
    assert "nope" in err


def test_query_by_profile(fake_scp, capsys):
    run(
        capsys,
        "profiles",
        "add",
        "fake",
        "127.0.0.1",
        fake_scp.port,
        "-aec",
        "FAKE-RPI",
    )
    code, out, _ = run(capsys, "query", "--profile", "fake", "--patient-id", "PAT-1")
    assert code == 0
    assert "DEMO^ALICE" in out


def test_export_import_round_trip(capsys, tmp_path):
    run(capsys, "profiles", "add", "a", "h1", "104")
    run(capsys, "profiles", "add", "b", "h2", "105")
    out_file = tmp_path / "export.json"
    assert run(capsys, "profiles", "export", out_file)[0] == 0
    run(capsys, "profiles", "remove", "a")
    run(capsys, "profiles", "remove", "b")
    code, out, _ = run(capsys, "profiles", "import", out_file)
    assert code == 0
    assert "2 profile" in out


def test_corrupt_store_warns_and_keeps_backup(capsys, rpiq_home):
    store = rpiq_home / "config" / "profiles.json"
    store.parent.mkdir(parents=True)
    store.write_text("{not json")
    code, _, err = run(capsys, "profiles", "list")
    assert code == 0
    assert "warning" in err
    assert ".bak" in err
    assert (store.parent / "profiles.json.bak").read_text() == "{not json"
