from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from rpiq.core.errors import ProfileError, ValidationError
from rpiq.core.profiles import (
    SCHEMA_VERSION,
    AEProfile,
    ProfileStore,
    TlsSettings,
)
from rpiq.core.profiles import store as profiles_module

if TYPE_CHECKING:
    from pathlib import Path


def pacs(name: str = "PACS", **changes: Any) -> AEProfile:
    return replace(AEProfile(name, called_ae="PACS-SCP", host="pacs.local"), **changes)


def write_json(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def store_doc(*profiles: object, version: int = SCHEMA_VERSION) -> object:
    return {"schema_version": version, "profiles": list(profiles)}


def first_problem(profile: AEProfile) -> ValidationError:
    problems = profile.problems()
    assert problems, f"{profile} should be invalid"
    return problems[0]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "profiles.json"


@pytest.fixture
def pem(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return path


# ---------------------------------------------------------------- profile


def test_defaults_are_valid_and_sensible() -> None:
    profile = AEProfile("Local")
    assert profile.validate() is profile
    assert (profile.called_ae, profile.host, profile.port) == (
        "ANY-SCP",
        "127.0.0.1",
        11112,
    )
    assert profile.calling_ae == "RPIQ"
    assert profile.max_pdu == 65536
    assert profile.tls is None
    assert profile.character_set is None


def test_ae_titles_lose_insignificant_spaces() -> None:
    profile = AEProfile("  P ", called_ae="  PACS  ", calling_ae=" ME")
    assert (profile.name, profile.called_ae, profile.calling_ae) == ("P", "PACS", "ME")
    assert profile.problems() == []


@pytest.mark.parametrize("field", ["called_ae", "calling_ae"])
@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("A" * 17, "17 characters"),
        ("PA\\CS", "backslash"),
        ("PA\tCS", "control"),
        ("   ", "empty or only spaces"),
        ("", "empty"),
        ("PACS\x7f", "control"),
        ("PÄCS", "ASCII"),
    ],
)
def test_bad_ae_title_is_reported_at_its_field(
    field: str, title: str, words: str
) -> None:
    changes: dict[str, Any] = {field: title}
    problem = first_problem(replace(AEProfile("P"), **changes))
    assert problem.field == field
    assert words in problem.message
    assert "AE title" in problem.message


def test_ae_title_of_sixteen_characters_is_fine() -> None:
    assert AEProfile("P", called_ae="A" * 16, calling_ae="B" * 16).problems() == []


@pytest.mark.parametrize("port", [0, 65536, -1, True])
def test_out_of_range_port_is_rejected(port: int) -> None:
    problem = first_problem(AEProfile("P", port=port))
    assert problem.field == "port"
    assert "65535" in problem.message


@pytest.mark.parametrize("port", [1, 104, 65535])
def test_port_limits_are_inclusive(port: int) -> None:
    assert AEProfile("P", port=port).problems() == []


def test_text_port_from_a_file_is_a_validation_error_not_a_type_error() -> None:
    with pytest.raises(ValidationError) as info:
        AEProfile.from_dict({"name": "P", "port": "abc"})
    assert info.value.field == "port"
    assert "'abc'" in str(info.value)


@pytest.mark.parametrize("host", ["", "   ", "pacs local"])
def test_bad_host_is_rejected(host: str) -> None:
    assert first_problem(AEProfile("P", host=host)).field == "host"


@pytest.mark.parametrize("name", ["", "  ", "a\nb"])
def test_bad_name_is_rejected(name: str) -> None:
    assert first_problem(AEProfile(name)).field == "name"


@pytest.mark.parametrize(
    "field", ["connect_timeout", "acse_timeout", "dimse_timeout", "network_timeout"]
)
@pytest.mark.parametrize("value", [-1.0, 0.0, float("inf"), float("nan")])
def test_timeouts_must_be_positive_and_finite(field: str, value: float) -> None:
    changes: dict[str, Any] = {field: value}
    problem = first_problem(replace(AEProfile("P"), **changes))
    assert problem.field == field
    assert "timeout" in problem.message


@pytest.mark.parametrize("value", [1, 4095, -5, 2**32])
def test_max_pdu_out_of_range(value: int) -> None:
    problem = first_problem(AEProfile("P", max_pdu=value))
    assert problem.field == "max_pdu"
    assert "4096" in problem.message


@pytest.mark.parametrize("value", [0, 4096, 16384, 2**32 - 1])
def test_max_pdu_in_range(value: int) -> None:
    assert AEProfile("P", max_pdu=value).problems() == []


def test_tls_cert_without_key_names_the_key_field(pem: Path) -> None:
    profile = AEProfile("P", tls=TlsSettings(cert_file=str(pem)))
    problem = first_problem(profile)
    assert problem.field == "tls.key_file"
    assert "key" in problem.message


def test_tls_key_without_cert_names_the_cert_field(pem: Path) -> None:
    problem = first_problem(AEProfile("P", tls=TlsSettings(key_file=str(pem))))
    assert problem.field == "tls.cert_file"


def test_missing_ca_file_names_field_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "ca.pem"
    profile = AEProfile("P", tls=TlsSettings(ca_file=str(missing)))
    problem = first_problem(profile)
    assert problem.field == "tls.ca_file"
    assert str(missing) in problem.message
    assert "CA certificate" in problem.message
    # the disk is not consulted when asked not to (loading a store)
    assert profile.problems(check_files=False) == []


def test_directory_is_not_a_certificate_file(tmp_path: Path) -> None:
    profile = AEProfile("P", tls=TlsSettings(ca_file=str(tmp_path)))
    assert "not a file" in first_problem(profile).message


def test_complete_tls_settings_are_valid(pem: Path) -> None:
    tls = TlsSettings(ca_file=str(pem), cert_file=str(pem), key_file=str(pem))
    assert AEProfile("P", tls=tls).problems() == []


def test_empty_tls_paths_mean_none() -> None:
    assert TlsSettings(ca_file="", cert_file="  ") == TlsSettings()


@pytest.mark.parametrize("charset", ["ISO_IR 192", "ISO_IR 100", "GB18030"])
def test_known_character_sets_are_accepted(charset: str) -> None:
    assert AEProfile("P", character_set=charset).problems() == []


def test_code_extension_character_sets_may_be_combined() -> None:
    profile = AEProfile("P", character_set="\\ISO 2022 IR 87")
    assert profile.problems() == []
    bad = AEProfile("P", character_set="ISO_IR 192\\ISO_IR 100")
    assert first_problem(bad).field == "character_set"


@pytest.mark.parametrize("charset", ["UTF-8", "latin1", "ISO_IR 999"])
def test_unknown_character_set_is_rejected(charset: str) -> None:
    problem = first_problem(AEProfile("P", character_set=charset))
    assert problem.field == "character_set"
    assert charset in problem.message
    assert "ISO_IR 192" in problem.message


def test_empty_character_set_means_default() -> None:
    assert AEProfile("P", character_set=" ").character_set is None


def test_problems_lists_everything_and_validate_raises_the_first() -> None:
    profile = AEProfile("", called_ae="", port=0, connect_timeout=-1)
    fields = [problem.field for problem in profile.problems()]
    assert fields == ["name", "called_ae", "port", "connect_timeout"]
    with pytest.raises(ValidationError) as info:
        profile.validate()
    assert info.value.field == "name"
    assert str(info.value).startswith("name: ")


def test_dict_round_trip_is_json_ready(pem: Path) -> None:
    profile = pacs(
        tls=TlsSettings(ca_file=str(pem), verify=False),
        character_set="ISO_IR 192",
        max_pdu=0,
    )
    document = json.loads(json.dumps(profile.to_dict()))
    assert AEProfile.from_dict(document) == profile


def test_from_dict_fills_defaults_and_ignores_unknown_keys() -> None:
    profile = AEProfile.from_dict({"name": "P", "colour": "blue", "port": 104})
    assert profile == AEProfile("P", port=104)


def test_from_dict_accepts_whole_number_timeouts() -> None:
    profile = AEProfile.from_dict({"name": "P", "dimse_timeout": 5})
    assert profile.dimse_timeout == 5.0
    assert isinstance(profile.dimse_timeout, float)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({}, "name"),
        ({"name": 3}, "name"),
        ({"name": "P", "host": None}, "host"),
        ({"name": "P", "port": 104.5}, "port"),
        ({"name": "P", "port": True}, "port"),
        ({"name": "P", "acse_timeout": "30"}, "acse_timeout"),
        ({"name": "P", "tls": "yes"}, "tls"),
        ({"name": "P", "tls": {"verify": "no"}}, "tls.verify"),
        ({"name": "P", "tls": {"ca_file": 7}}, "tls.ca_file"),
        ({"name": "P", "character_set": ["ISO_IR 100"]}, "character_set"),
    ],
)
def test_from_dict_wrong_types_are_validation_errors(
    document: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        AEProfile.from_dict(document)
    assert info.value.field == field


@pytest.mark.parametrize("document", [[], "PACS", None, 5])
def test_from_dict_of_a_non_object_is_a_profile_error(document: object) -> None:
    with pytest.raises(ProfileError, match="JSON object"):
        AEProfile.from_dict(document)


# ---------------------------------------------------------------- store


def test_default_store_lives_under_rpiq_home(rpiq_home: Path) -> None:
    store = ProfileStore.default()
    assert store.path == rpiq_home / "config" / "profiles.json"
    store.add(pacs())
    store.save()
    assert (rpiq_home / "config" / "profiles.json").is_file()


def test_missing_file_loads_empty_without_warning(store_path: Path) -> None:
    store = ProfileStore(store_path)
    result = store.load()
    assert result.profiles == ()
    assert result.warnings == ()
    assert result.backup is None
    assert not store_path.exists()


def test_save_then_load_round_trip(store_path: Path, pem: Path) -> None:
    store = ProfileStore(store_path)
    first = pacs("PACS", tls=TlsSettings(ca_file=str(pem)), character_set="ISO_IR 192")
    second = AEProfile("Test SCP", port=4242, calling_ae="WS1", network_timeout=5.5)
    store.add(first)
    store.add(second)
    store.save()

    document = json.loads(store_path.read_text())
    assert document["schema_version"] == SCHEMA_VERSION
    assert [entry["name"] for entry in document["profiles"]] == ["PACS", "Test SCP"]

    fresh = ProfileStore(store_path)
    result = fresh.load()
    assert result.warnings == ()
    assert fresh.list() == [first, second]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_saved_file_is_owner_only(store_path: Path) -> None:
    store = ProfileStore(store_path)
    store.add(pacs())
    store.save()
    assert store_path.stat().st_mode & 0o777 == 0o600
    store.export_file(store_path.with_name("export.json"))
    assert store_path.with_name("export.json").stat().st_mode & 0o777 == 0o600


def test_store_is_read_on_first_use(store_path: Path) -> None:
    write_json(store_path, store_doc(pacs().to_dict()))
    store = ProfileStore(store_path)
    assert store.get("PACS") == pacs()
    assert store.last_load is not None
    assert "PACS" in store
    assert store.names() == ["PACS"]


def test_get_unknown_name_lists_known_names(store_path: Path) -> None:
    store = ProfileStore(store_path)
    store.add(pacs("a"))
    store.add(pacs("b"))
    with pytest.raises(ProfileError, match=r"no profile named 'x'; known: a, b"):
        store.get("x")


def test_names_are_case_sensitive(store_path: Path) -> None:
    store = ProfileStore(store_path)
    store.add(pacs("PACS"))
    store.add(pacs("pacs", port=104))
    assert store.get("pacs").port == 104
    with pytest.raises(ProfileError):
        store.get("Pacs")


def test_duplicate_name_needs_replace(store_path: Path) -> None:
    store = ProfileStore(store_path)
    store.add(pacs("A"))
    store.add(pacs("B"))
    with pytest.raises(ProfileError, match="already exists"):
        store.add(pacs("A", port=1))
    store.add(pacs("A", port=1), replace=True)
    assert [(p.name, p.port) for p in store.list()] == [("A", 1), ("B", 11112)]


def test_add_validates_and_leaves_store_unchanged(store_path: Path) -> None:
    store = ProfileStore(store_path)
    with pytest.raises(ValidationError) as info:
        store.add(pacs(port=0))
    assert info.value.field == "port"
    assert store.list() == []


def test_add_checks_tls_files(store_path: Path, tmp_path: Path) -> None:
    store = ProfileStore(store_path)
    missing = str(tmp_path / "gone.pem")
    with pytest.raises(ValidationError, match=r"gone\.pem"):
        store.add(pacs(tls=TlsSettings(ca_file=missing)))


def test_remove(store_path: Path) -> None:
    store = ProfileStore(store_path)
    store.add(pacs("A"))
    store.remove("A")
    assert store.list() == []
    with pytest.raises(ProfileError, match="no profile named 'A'"):
        store.remove("A")


def test_save_to_unwritable_place_is_a_profile_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = ProfileStore(blocker / "profiles.json")
    store.add(pacs())
    with pytest.raises(ProfileError, match="could not write"):
        store.save()


# ---------------------------------------------------------------- broken files


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"schema_version": 1, "profiles": [', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "does not hold a profile list"),
        (b'{"schema_version": 1, "profiles": {}}', "not a list"),
        (b'{"schema_version": "one", "profiles": []}', "schema_version"),
        (b"", "not valid JSON"),
    ],
)
def test_unreadable_file_is_backed_up_and_defaults_load(
    store_path: Path, raw: bytes, words: str
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(raw)
    store = ProfileStore(store_path)

    result = store.load()

    backup = store_path.with_name("profiles.json.bak")
    assert result.profiles == ()
    assert result.backup == backup
    assert backup.read_bytes() == raw
    (warning,) = result.warnings
    assert words in warning
    assert str(backup) in warning
    assert str(store_path) in warning

    store.add(pacs())
    store.save()
    assert ProfileStore(store_path).list() == [pacs()]
    assert backup.read_bytes() == raw


def test_newer_schema_version_is_backed_up_not_misread(store_path: Path) -> None:
    write_json(store_path, store_doc(pacs().to_dict(), version=SCHEMA_VERSION + 1))
    original = store_path.read_bytes()
    result = ProfileStore(store_path).load()
    assert result.profiles == ()
    assert "newer version" in result.warnings[0]
    assert result.backup is not None
    assert result.backup.read_bytes() == original


def test_missing_schema_version_is_read_as_current(store_path: Path) -> None:
    write_json(store_path, {"profiles": [pacs().to_dict()]})
    result = ProfileStore(store_path).load()
    assert result.warnings == ()
    assert result.profiles == (pacs(),)


def test_earlier_different_backup_is_not_clobbered(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    old_backup = store_path.with_name("profiles.json.bak")
    old_backup.write_bytes(b"older broken content")
    store_path.write_bytes(b"{not json")

    result = ProfileStore(store_path).load()

    assert old_backup.read_bytes() == b"older broken content"
    expected = store_path.with_name("profiles.json.bak.1")
    assert result.backup == expected
    assert expected.read_bytes() == b"{not json"


def test_loading_the_same_broken_file_twice_reuses_its_backup(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"{not json")
    first = ProfileStore(store_path).load()
    second = ProfileStore(store_path).load()
    assert first.backup == second.backup
    assert sorted(p.name for p in store_path.parent.iterdir()) == [
        "profiles.json",
        "profiles.json.bak",
    ]


def test_one_bad_entry_among_good_ones(store_path: Path) -> None:
    good_a = pacs("A")
    good_b = pacs("B")
    write_json(
        store_path,
        store_doc(
            good_a.to_dict(),
            {**pacs("Broken").to_dict(), "port": 70000},
            "not a profile",
            {**good_a.to_dict(), "port": 1},
            good_b.to_dict(),
        ),
    )
    original = store_path.read_bytes()
    store = ProfileStore(store_path)

    result = store.load()

    assert result.profiles == (good_a, good_b)
    assert result.backup is not None
    assert result.backup.read_bytes() == original
    skipped = [w for w in result.warnings if w.startswith("Skipped")]
    assert len(skipped) == 3
    assert "#2 ('Broken')" in skipped[0]
    assert "port" in skipped[0]
    assert "#3" in skipped[1]
    assert "#4 ('A')" in skipped[2]
    assert "same name" in skipped[2] or "that name" in skipped[2]
    assert str(result.backup) in result.warnings[-1]

    store.save()
    assert ProfileStore(store_path).load().warnings == ()


def test_entry_with_missing_tls_file_still_loads(
    store_path: Path, tmp_path: Path
) -> None:
    missing = str(tmp_path / "unmounted" / "ca.pem")
    profile = pacs(tls=TlsSettings(ca_file=missing))
    write_json(store_path, store_doc(profile.to_dict()))
    result = ProfileStore(store_path).load()
    assert result.profiles == (profile,)
    assert result.warnings == ()


def test_broken_file_that_cannot_be_backed_up_is_not_overwritten(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"{not json")

    def refuse(path: Path, raw: bytes) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(profiles_module, "_write_backup", refuse)
    store = ProfileStore(store_path)
    result = store.load()
    assert result.backup is None
    assert "could not be backed up" in result.warnings[0]
    assert "Permission denied" in result.warnings[0]
    store.add(pacs())
    with pytest.raises(ProfileError, match="not saved"):
        store.save()
    assert store_path.read_bytes() == b"{not json"


# ---------------------------------------------------------------- import/export


def test_import_single_profile_object(store_path: Path, tmp_path: Path) -> None:
    source = write_json(tmp_path / "one.json", pacs("One").to_dict())
    store = ProfileStore(store_path)
    assert store.import_file(source) == ["One"]
    assert store.get("One") == pacs("One")


def test_import_list_of_profiles(store_path: Path, tmp_path: Path) -> None:
    source = write_json(tmp_path / "list.json", [pacs("A").to_dict(), {"name": "B"}])
    store = ProfileStore(store_path)
    assert store.import_file(source) == ["A", "B"]
    assert store.get("B") == AEProfile("B")


def test_import_store_format(store_path: Path, tmp_path: Path) -> None:
    source = write_json(
        tmp_path / "store.json", store_doc(pacs("A").to_dict(), pacs("B").to_dict())
    )
    store = ProfileStore(store_path)
    assert store.import_file(source) == ["A", "B"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("this is not json", "not valid JSON"),
        ('"just text"', "holds text"),
        ("42", "holds a number"),
        ('[{"name": "ok"}, {"name": "bad", "port": 0}]', "profile #2 ('bad')"),
        ('[{"name": "ok"}, {"port": 104}]', "name"),
        ('[{"name": "ok"}, [1]]', "JSON object"),
        ('[{"name": "dup"}, {"name": "dup"}]', "twice"),
        ('{"schema_version": 99, "profiles": []}', "newer version"),
        ('{"host": "x"}', "name"),
    ],
)
def test_import_of_garbage_leaves_store_unchanged(
    store_path: Path, tmp_path: Path, content: str, words: str
) -> None:
    store = ProfileStore(store_path)
    store.add(pacs("Existing"))
    store.save()
    saved = store_path.read_bytes()
    source = tmp_path / "garbage.json"
    source.write_text(content)

    with pytest.raises(ProfileError) as info:
        store.import_file(source)

    assert words in str(info.value)
    assert str(source) in str(info.value)
    assert store.list() == [pacs("Existing")]
    assert store_path.read_bytes() == saved


def test_import_of_missing_file_is_a_profile_error(
    store_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(ProfileError, match="could not read"):
        ProfileStore(store_path).import_file(tmp_path / "absent.json")


def test_import_clash_needs_replace(store_path: Path, tmp_path: Path) -> None:
    store = ProfileStore(store_path)
    store.add(pacs("A"))
    source = write_json(tmp_path / "in.json", [pacs("A", port=5).to_dict()])
    with pytest.raises(ProfileError, match="already exist: A"):
        store.import_file(source)
    assert store.get("A").port == 11112
    assert store.import_file(source, replace=True) == ["A"]
    assert store.get("A").port == 5


def test_import_validates_tls_files(store_path: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "absent-ca.pem")
    source = write_json(
        tmp_path / "in.json", pacs(tls=TlsSettings(ca_file=missing)).to_dict()
    )
    with pytest.raises(ProfileError, match=r"absent-ca\.pem"):
        ProfileStore(store_path).import_file(source)


def test_export_then_import_into_fresh_store_gives_equal_profiles(
    store_path: Path, tmp_path: Path, pem: Path
) -> None:
    store = ProfileStore(store_path)
    profiles = [
        pacs("A", tls=TlsSettings(ca_file=str(pem), verify=False)),
        AEProfile("B", character_set="ISO_IR 100", max_pdu=0),
        AEProfile("C"),
    ]
    for profile in profiles:
        store.add(profile)
    everything = tmp_path / "out" / "all.json"
    store.export_file(everything)

    fresh = ProfileStore(tmp_path / "fresh" / "profiles.json")
    assert fresh.import_file(everything) == ["A", "B", "C"]
    assert fresh.list() == profiles


def test_export_selected_names(store_path: Path, tmp_path: Path) -> None:
    store = ProfileStore(store_path)
    for name in ("A", "B", "C"):
        store.add(pacs(name))
    out = tmp_path / "some.json"
    store.export_file(out, names=["C", "A"])
    document = json.loads(out.read_text())
    assert [entry["name"] for entry in document["profiles"]] == ["C", "A"]
    with pytest.raises(ProfileError, match="no profile named 'Z'"):
        store.export_file(out, names=["Z"])
