"""ScpSettings validation, fault descriptions and event log lines."""

from __future__ import annotations

import pytest

from rpiq.core.errors import ValidationError
from rpiq.core.scp import (
    AssociationRejected,
    FaultInjection,
    HandlerError,
    InstanceStored,
    QueryServed,
    ScpSettings,
    ScpTlsSettings,
    Started,
    describe_event,
    mask,
)
from rpiq.core.scp.service import storage_sop_class_uids
from rpiq.core.status import RpiqStatus, describe


def test_defaults_are_valid_and_faults_off():
    settings = ScpSettings().validate()
    assert settings.port == 11112
    assert settings.faults.active is False
    assert settings.faults.describe() == "none"


def test_ae_titles_are_trimmed():
    settings = ScpSettings(ae_title=" RPIQ ", allowed_calling_aets=(" A ",))
    assert settings.ae_title == "RPIQ"
    assert settings.allowed_calling_aets == ("A",)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ae_title": ""}, "ae_title"),
        ({"ae_title": "X" * 17}, "ae_title"),
        ({"ae_title": "A\\B"}, "ae_title"),
        ({"allowed_calling_aets": ("",)}, "allowed_calling_aets"),
        ({"port": 70000}, "port"),
        ({"port": -1}, "port"),
        ({"host": " "}, "host"),
        ({"max_associations": 0}, "max_associations"),
        ({"dimse_timeout": 0}, "dimse_timeout"),
        ({"faults": FaultInjection(delay_ms=-1)}, "faults.delay_ms"),
        ({"faults": FaultInjection(status=70000)}, "faults.status"),
        ({"tls": ScpTlsSettings("/nope.pem", "/nope.key")}, "tls.cert_file"),
    ],
)
def test_invalid_settings_name_the_field(kwargs, field):
    with pytest.raises(ValidationError) as info:
        ScpSettings(**kwargs).validate()
    assert info.value.field == field


def test_tls_settings_files_checked(tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    tls = ScpTlsSettings(str(cert), str(key))
    assert tls.problems() == []
    assert tls.verifies_clients is False
    with_ca = ScpTlsSettings(str(cert), str(key), str(tmp_path / "ca.pem"))
    assert [p.field for p in with_ca.problems()] == ["tls.ca_file"]


def test_fault_description_lists_every_fault():
    faults = FaultInjection(
        status=RpiqStatus.MORE_THAN_ONE_MATCH,
        delay_ms=250,
        double_pending=True,
        abort=True,
    )
    assert faults.active
    text = faults.describe()
    for part in ("C100", "250 ms", "two Pending", "abort"):
        assert part in text


def test_mask_hides_patient_ids():
    assert mask("PAT-12345") == "***45"
    assert mask("AB") == "***"
    assert mask(None) == "-"


def test_query_line_masks_unless_revealed():
    event = QueryServed("PAT-12345", 9007, describe(RpiqStatus.PENDING), 3.2, "", "SCU")
    assert "PAT-12345" not in describe_event(event)
    assert "***45" in describe_event(event)
    assert "PAT-12345" in describe_event(event, reveal=True)
    assert "TID 9007" in describe_event(event)


def test_store_line_masks_unless_revealed():
    event = InstanceStored("1.2.3", "SECRET-ID", replaced=True)
    assert "SECRET-ID" not in describe_event(event)
    assert "replaced" in describe_event(event)
    assert "SECRET-ID" in describe_event(event, reveal=True)


def test_other_event_lines():
    assert describe_event(Started("127.0.0.1", 104, "RPIQ", tls=True)) == (
        "listening on 127.0.0.1:104 as RPIQ (TLS)"
    )
    rejected = AssociationRejected("BAD", "127.0.0.1", 5, "Calling AE title not X")
    assert "BAD" in describe_event(rejected)
    assert describe_event(HandlerError("x", "C-STORE")) == "C-STORE handler error: x"


def test_storage_classes_include_sr_and_images():
    uids = storage_sop_class_uids()
    assert len(uids) == len(set(uids))
    assert "1.2.840.10008.5.1.4.1.1.88.33" in uids  # Comprehensive SR
    assert "1.2.840.10008.5.1.4.1.1.88.34" in uids  # Comprehensive 3D SR
    assert "1.2.840.10008.5.1.4.1.1.2" in uids  # CT Image
