"""Patient names and IDs never reach an INFO log line or the log file."""

from __future__ import annotations

import io
import logging
import os
import stat
import sys
from typing import TYPE_CHECKING

import pytest
from pydicom.dataset import Dataset
from pynetdicom.dsutils import pretty_dataset

from rpiq.core.archive.demo import DEMO_PATIENTS
from rpiq.core.logmask import (
    LogSetup,
    MaskingFormatter,
    PrivateRotatingFileHandler,
    configure_logging,
    mask_id,
    mask_name,
    mask_text,
    reset_logging,
)
from rpiq.core.scp.events import mask as scp_mask

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def demo_dataset(index: int = 0) -> Dataset:
    patient = DEMO_PATIENTS[index]
    ds = Dataset()
    ds.PatientName = patient.name
    ds.PatientID = patient.patient_id
    ds.IssuerOfPatientID = patient.issuer
    ds.PatientBirthDate = patient.birth_date
    ds.ReferringPhysicianName = "WHO^DOCTOR"
    ds.AccessionNumber = "ACC-778899"
    ds.StudyDescription = "Chest PA"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.37.1"
    return ds


def identities(index: int = 0) -> list[str]:
    patient = DEMO_PATIENTS[index]
    given = patient.name.split("^")[1]
    return [patient.patient_id, patient.name, given, patient.birth_date]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("value", "shown"),
    [("DEMO-100", "***00"), ("PAT-12345", "***45"), ("1234", "***"), ("", "-")],
)
def test_mask_id_keeps_only_the_last_two_characters(value, shown):
    assert mask_id(value) == shown
    assert mask_id(shown) == shown  # masking twice changes nothing


def test_mask_id_reads_like_the_scp_event_lines():
    for patient in DEMO_PATIENTS:
        assert mask_id(patient.patient_id) == scp_mask(patient.patient_id)


def test_mask_name_hides_the_whole_name():
    assert mask_name("DEMO^ALICE") == "***"
    assert mask_name(None) == "-"


# ------------------------------------------------------ the safety net


def test_pynetdicom_identifier_dump_is_masked_but_stays_readable():
    lines = [
        f"INFO pynetdicom.service_class: {x}" for x in pretty_dataset(demo_dataset())
    ]
    text = mask_text("\n".join(lines))
    for secret in [*identities(), "WHO^DOCTOR", "ACC-778899"]:
        assert secret not in text
    assert "(0010,0020) LO [***]" in text
    assert "# 1 PatientID" in text
    assert "[Chest PA]" in text  # non-identifying values stay for debugging
    assert "[1.2.840.10008.5.1.4.37.1]" in text


def test_pydicom_dataset_dump_is_masked():
    text = mask_text(str(demo_dataset(2)))
    for secret in identities(2):
        assert secret not in text
    assert "PN: '***'" in text
    assert "'Chest PA'" in text


@pytest.mark.parametrize(
    "line",
    [
        "query from RPIQ: patient DEMO-001, TID 9007 -> 0xFF00 Pending",
        "stored instance 1.2.3 (patient DEMO-001)",
        "Patient ID: DEMO-001 not found",
        "PatientID=DEMO-001",
        "answer for DEMO^ALICE ready",
    ],
)
def test_identifiers_in_message_text_are_masked(line):
    masked = mask_text(line)
    assert "DEMO-001" not in masked
    assert "ALICE" not in masked
    assert "***" in masked


@pytest.mark.parametrize(
    "line",
    [
        "Requesting Association",
        "Abstract Syntax: =General Relevant Patient Information Query",
        "Patient Root Query/Retrieve Information Model - FIND",
        "the patient information was not found",
        "query from RPIQ: patient ***01, TID 9007",
        "stored instance 2.25.1234 (patient -)",
    ],
)
def test_lines_without_identifiers_are_unchanged(line):
    assert mask_text(line) == line


def test_formatter_masks_unless_it_reveals():
    record = logging.LogRecord(
        "rpiq.test", logging.INFO, __file__, 1, "patient %s", ("DEMO-004",), None
    )
    assert MaskingFormatter("%(message)s", reveal=False).format(record) == (
        "patient ***04"
    )
    assert MaskingFormatter("%(message)s", reveal=True).format(record) == (
        "patient DEMO-004"
    )


def test_formatter_masks_exception_text():
    try:
        raise ValueError("no answer for patient DEMO-005")
    except ValueError:
        record = logging.LogRecord(
            "rpiq.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    text = MaskingFormatter("%(message)s", reveal=False).format(record)
    assert "ValueError" in text
    assert "DEMO-005" not in text


# ------------------------------------------------- configure_logging


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    reset_logging()


def log_all(name: str = "rpiq.core.scp") -> None:
    logger = logging.getLogger(name)
    logger.debug("debug line for patient %s", "DEMO-002")
    logger.info("query from RPIQ: patient %s, TID 9007", "DEMO-002")
    logger.warning("warning about %s", "DEMO^BEATRICE")


@POSIX
def test_log_file_is_owner_only_masked_and_info_level(tmp_path, console):
    log = tmp_path / "logs" / "rpiq.log"
    configure_logging(
        LogSetup(console_level=logging.DEBUG, reveal=True, log_file=log), console
    )
    log_all()
    reset_logging()
    text = log.read_text()
    assert "query from RPIQ: patient ***02" in text
    assert "DEMO-002" not in text
    assert "BEATRICE" not in text
    assert "debug line" not in text  # DEBUG stays out of the file
    assert mode(log) == 0o600
    assert mode(log.parent) == 0o700
    # The debug console showed everything the user asked for.
    assert "DEMO-002" in console.getvalue()
    assert "debug line" in console.getvalue()


def test_console_masks_at_info(console):
    configure_logging(LogSetup(console_level=logging.INFO), console)
    log_all("rpiq")
    text = console.getvalue()
    assert "patient ***02" in text
    assert "DEMO-002" not in text
    assert "BEATRICE" not in text
    assert "debug line" not in text


def test_sub_logger_levels_pick_what_the_console_shows(console):
    configure_logging(
        LogSetup(levels={"rpiq.core.scp": logging.INFO}, console_level=logging.WARNING),
        console,
    )
    logging.getLogger("rpiq.core.scp").info("scp event")
    logging.getLogger("rpiq.core.archive").info("archive detail")
    logging.getLogger("pynetdicom.acse").info("Association Accepted")
    logging.getLogger("rpiq.core.archive").warning("archive warning")
    assert console.getvalue().splitlines() == [
        "INFO rpiq.core.scp: scp event",
        "WARNING rpiq.core.archive: archive warning",
    ]


def test_configuring_twice_replaces_instead_of_doubling(console):
    configure_logging(LogSetup(console_level=logging.INFO), io.StringIO())
    configure_logging(LogSetup(console_level=logging.INFO), console)
    logging.getLogger("rpiq").info("once")
    assert console.getvalue().count("once") == 1


def test_reset_restores_levels_and_removes_handlers(console):
    rpiq_logger = logging.getLogger("rpiq")
    before = rpiq_logger.level
    handlers = list(logging.getLogger().handlers)
    configure_logging(LogSetup(console_level=logging.DEBUG), console)
    assert rpiq_logger.level == logging.DEBUG
    reset_logging()
    assert rpiq_logger.level == before
    assert logging.getLogger().handlers == handlers


@POSIX
def test_rotated_log_files_stay_owner_only(tmp_path):
    path = tmp_path / "logs" / "rpiq.log"
    handler = PrivateRotatingFileHandler(path)
    handler.maxBytes = 200
    logger = logging.getLogger("rpiq.test.rotation")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for number in range(40):
            logger.info("line %d about patient %s", number, "DEMO-003")
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(path.parent.iterdir())
    assert len(files) == 4  # the file and three backups, no more
    for file in files:
        assert mode(file) == 0o600
        assert "DEMO-003" not in file.read_text()


@POSIX
def test_existing_wider_log_file_is_narrowed(tmp_path, console):
    path = tmp_path / "rpiq.log"
    path.write_text("old line\n")
    path.chmod(0o644)
    configure_logging(LogSetup(log_file=path), console)
    logging.getLogger("rpiq").info("new line")
    reset_logging()
    assert mode(path) == 0o600
    assert path.read_text().startswith("old line\n")


def test_unwritable_log_file_warns_once_and_never_breaks_logging(
    tmp_path, console, capsys
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    configure_logging(
        LogSetup(console_level=logging.INFO, log_file=blocker / "rpiq.log"), console
    )
    logging.getLogger("rpiq").info("first")
    logging.getLogger("rpiq").info("second")
    err = capsys.readouterr().err
    assert err.count("not logging to") == 1
    assert "Traceback" not in err
    assert "second" in console.getvalue()  # the console goes on


def test_log_file_formats_and_masks_each_record_once(tmp_path, monkeypatch):
    handler = PrivateRotatingFileHandler(tmp_path / "rpiq.log")
    formatter = handler.formatter
    assert isinstance(formatter, MaskingFormatter)
    formatted: list[logging.LogRecord] = []
    real = formatter.format

    def counting(record: logging.LogRecord) -> str:
        formatted.append(record)
        return real(record)

    monkeypatch.setattr(formatter, "format", counting)
    records = [
        logging.makeLogRecord(
            {
                "name": "rpiq.core.scp",
                "levelno": logging.INFO,
                "levelname": "INFO",
                "msg": "stored instance %s (patient %s)",
                "args": (f"1.2.3.{n}", "DEMO-003"),
            }
        )
        for n in range(3)
    ]
    try:
        for record in records:
            handler.handle(record)
    finally:
        handler.close()
    # The size check before each write used to format (and mask) it again.
    assert formatted == records
    lines = (tmp_path / "rpiq.log").read_text().splitlines()
    assert [line.split("rpiq.core.scp: ")[1] for line in lines] == [
        f"stored instance 1.2.3.{n} (patient ***03)" for n in range(3)
    ]
