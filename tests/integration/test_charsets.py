"""Character sets end to end: C-STORE → archive → RPI answer → tree → JSON.

Issue #7, part 6. Patient's Name, Patient ID, TEXT and PNAME content items in
ISO_IR 100, ISO_IR 192, ``\\ISO 2022 IR 87`` (all three PN component groups,
the PS3.5 H.3.1 example), ISO_IR 144, ``ISO 2022 IR 6\\ISO 2022 IR 87`` and
``ISO 2022 IR 100`` go through a Comprehensive SR built by
``make_comprehensive_sr``, C-STORE to the embedded SCP, its archive, an RPI
C-FIND with the engine, the parsed tree, the text and JSON renderers and
``rpiq query --format json``. At every stage the decoded text equals the
original. ``ISO 2022 IR 100\\ISO 2022 IR 144`` as pydicom writes it (no
switch back to Latin-1 before a PN ``^``) is checked on its own: our tree
reads it right, the archive and the engine's patient summary do not yet.

What is byte-exact, and why (the decision these tests pin down)
---------------------------------------------------------------
* The stored instance keeps its Specific Character Set and the bytes of every
  value as received: the archive answers C-STORE with Success, not Warning
  B000 "Coercion of Data Elements" (PS3.4 Annex B), and converting the
  character set would change the bytes for no gain.
* The RPI answer is a new identifier, not the stored instance: its Specific
  Character Set (0008,0005) is present only when a value is not ASCII, and the
  SCP may answer in a character set other than the stored one or the request's
  (PS3.4 Q.2.1.1.3.2 and C.4.1.1.3.2: "The SCP may return responses with a
  different Specific Character Set"). Our archive answers in ISO_IR 192 and
  says so. Then only the decoded text must be identical (PS3.5 6.1), and the
  bytes are the UTF-8 encoding of it: ISO_IR 192 has one encoding per
  character and no code extensions (PS3.3 C.12.1.1.2), so they are still
  exact, and equal to the stored bytes when the document was UTF-8 itself.
* When an answer does carry the stored character set (a pass-through SCP
  below), its value bytes equal the stored ones. For ISO 2022 sets this is
  only guaranteed for unchanged bytes: PS3.5 6.1.2.5.3 fixes where value 1's
  set must be active again (before ``^``, ``=``, ``\\`` and the end of a
  value) but not how an encoder switches in between, so a re-encoding SCP
  may legally produce other bytes for the same characters.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from pydicom import dcmread
from pydicom.charset import convert_encodings, encode_string
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.filereader import read_dataset
from pydicom.sr.codedict import codes
from pydicom.uid import ExplicitVRLittleEndian
from pydicom.valuerep import PersonName
from pynetdicom import AE, evt
from pynetdicom.dsutils import encode

from rpiq.cli import main
from rpiq.core.archive import Archive
from rpiq.core.archive.content import rpi_root
from rpiq.core.archive.rows import (
    included,
    language_item,
    row_concept,
    row_item,
    section,
)
from rpiq.core.errors import ValidationError
from rpiq.core.net.reactor import park_reactor, unpark_reactor
from rpiq.core.profiles import AEProfile
from rpiq.core.query.engine import run_query
from rpiq.core.query.events import Done, Match
from rpiq.core.query.request import QueryRequest
from rpiq.core.scp import ScpService, ScpSettings
from rpiq.core.sr.document import make_comprehensive_sr
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode, ValueType
from rpiq.core.sr.render import node_to_json, render_text
from rpiq.core.status import RpiqStatus
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

pytestmark = pytest.mark.network

UTF8 = "ISO_IR 192"
GENERAL = RpiSopClass.GENERAL.uid
AE_TITLE = "CHARSETS"
#: Raw bytes compared: top-level patient keys and the content items' values.
TEXT_TAGS: dict[str, int] = {
    "PatientName": 0x00100010,
    "PatientID": 0x00100020,
    "TextValue": 0x0040A160,
    "PersonName": 0x0040A123,
}
PN_KEYWORDS = frozenset({"PatientName", "PersonName"})
#: PS3.5 H.3.1: "Yamada^Tarou=山田^太郎=やまだ^たろう" in \ISO 2022 IR 87.
ANNEX_H_NAME = (
    b"Yamada^Tarou="
    b"\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B="
    b"\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B"
)


@dataclass(frozen=True)
class Case:
    """One character set and values that need it."""

    id: str
    charset: str
    name: str
    patient_id: str
    text: str
    place: str
    performer: str

    @property
    def terms(self) -> list[str]:
        return self.charset.split("\\")


CASES = (
    Case(
        "latin1",
        "ISO_IR 100",
        "Buc^Jérôme",
        "ÉCOLE-100",
        "Hématome sous-dural opéré; ß Ø ñ ¿ ½ «»",
        "Hôpital Saint-Éloi, Montréal",
        "Müller^Renée",
    ),
    Case(
        "utf8",
        UTF8,
        # PS3.5 Annex J (UTF-8) name; Greek, CJK and symbols beyond Latin-1.
        "Wang^XiaoDong=王^小東",
        "王-192",
        "Ελληνικά: αιμάτωμα; 中文 → 東京 €",
        "Θεσσαλονίκη — 東京",
        "Παπαδόπουλος^Γιώργος",
    ),
    Case(
        "jis",
        "\\ISO 2022 IR 87",
        "Yamada^Tarou=山田^太郎=やまだ^たろう",
        "山田-87",
        # 本 is JIS 0x4B5C and 所/術 hold 0x3D: "\" and "=" bytes inside
        # two-byte runs must not be taken for value or group delimiters.
        "山本先生の手術所見: 異常なし",
        "東京都立病院",
        "Honda^Tokoro=本田^所=ほんだ^ところ",
    ),
    Case(
        "cyrillic",
        "ISO_IR 144",
        # c, e, y, p and a are Latin here (as in pydicom's chrRuss.dcm): G0
        # and G1 of ISO 8859-5 in one value.
        "Люкceмбypг^Гea",
        "ЖК-144",
        "Хирургический анамнез: аппендэктомия (2010) №5",
        "Москва, больница №1",
        "Иванов^Пётр",
    ),
    Case(
        "ir6-ir87",
        "ISO 2022 IR 6\\ISO 2022 IR 87",
        "Yamada^Tarou=山田^太郎=やまだ^たろう",
        "PAT-本-6",
        "CT (2024-03): 術後の所見なし; ASCII と 漢字",
        "Osaka 大阪",
        "Tokoro^Jutsu=所^術=ところ^じゅつ",
    ),
    Case(
        "ir100-2022",
        "ISO 2022 IR 100",
        "Buc^Jérôme",
        "ÉCOLE-2022",
        "Hématome opéré; «voir compte rendu»",
        "Genève",
        "Müller^Renée",
    ),
)
BY_ID = {case.id: case for case in CASES}


def encode_text(keyword: str, text: str, encodings: list[str]) -> bytes:
    """Bytes of a value, padded to even length as on the wire.

    PN values are encoded component by component, as pydicom writes them: a
    JIS X 0208 run is closed before each ``^`` and ``=`` (PS3.5 6.1.2.5.3).
    """
    if keyword in PN_KEYWORDS:
        raw = PersonName(text, encodings).encode(encodings)
    else:
        raw = encode_string(text, encodings)
    return raw + b" " * (len(raw) % 2)


def expected_bytes(
    case: Case, encodings: list[str] | None = None
) -> dict[str, list[bytes]]:
    """:func:`expected_texts` encoded in ``encodings`` (default: the case's)."""
    codecs = convert_encodings(case.terms) if encodings is None else encodings
    return {
        keyword: [encode_text(keyword, text, codecs) for text in texts]
        for keyword, texts in expected_texts(case).items()
    }


# ------------------------------------------------------------ the document


def content(case: Case) -> ContentNode:
    """TID 9007 content: a History TEXT and a TID 3830 procedure (PNAME, TEXT)."""
    procedure = ContentNode(
        "CONTAINS",
        ValueType.CODE.value,
        CodedConcept.from_code(codes.SCT.SurgicalProcedure),
        CodedConcept.from_code(codes.cid3721.CoronaryArteryBypassGraft),
        children=(row_item(3830, 8, case.performer), row_item(3830, 7, case.place)),
    )
    history = included(
        9007,
        3802,
        [
            row_item(3802, 2, case.text),
            section(row_concept(3802, 17), "CONTAINS", [procedure]),
        ],
    )
    root = rpi_root(9007, (language_item(9007), history), "20240315093000")
    return dataclasses.replace(root, template=("DCMR", "9007"))


def document(case: Case) -> Dataset:
    """The Comprehensive SR as an RPIQ user would save it (Save as SR)."""
    identifier = Dataset()
    identifier.SpecificCharacterSet = case.charset
    identifier.PatientName = case.name
    identifier.PatientID = case.patient_id
    identifier.PatientBirthDate = "19800101"
    identifier.PatientSex = "O"
    root = content(case)
    identifier.update(encode_root(root))
    return make_comprehensive_sr(identifier, root)


def on_the_wire(ds: Dataset) -> Dataset:
    """``ds`` encoded as C-STORE sends it, read back without decoding values."""
    encoded = encode(ds, False, True)
    assert encoded is not None
    return read_dataset(io.BytesIO(encoded), False, True)


def text_bytes(ds: Dataset) -> dict[str, list[bytes]]:
    """Raw value bytes of the TEXT_TAGS elements, top level then pre-order."""
    found: dict[str, list[bytes]] = {keyword: [] for keyword in TEXT_TAGS}

    def visit(item: Dataset) -> None:
        for keyword, tag in TEXT_TAGS.items():
            elem: object = item.get_item(tag)  # None when absent, despite overloads
            if elem is None:
                continue
            # Only undecoded elements show what was actually transferred.
            assert isinstance(elem, RawDataElement), f"{keyword} was decoded"
            found[keyword].append(bytes(elem.value or b""))
        for child in item.get("ContentSequence") or ():
            visit(child)

    visit(ds)
    return found


def expected_texts(case: Case) -> dict[str, list[str]]:
    """The strings of TEXT_TAGS in :func:`text_bytes` order."""
    return {
        "PatientName": [case.name],
        "PatientID": [case.patient_id],
        "TextValue": [case.text, case.place],
        "PersonName": [case.performer],
    }


def charset_terms(ds: Dataset) -> list[str]:
    value = ds.get("SpecificCharacterSet")
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [str(term).strip() for term in values]


# ------------------------------------------------------------ the peers


@dataclass
class Stored:
    """The running SCP, its archive and what was sent to it."""

    port: int
    archive: Archive
    sent: dict[str, Dataset]
    files: dict[str, Path]

    def profile(self, port: int | None = None) -> AEProfile:
        return AEProfile(
            name="charsets",
            called_ae=AE_TITLE,
            host="127.0.0.1",
            port=self.port if port is None else port,
            dimse_timeout=15.0,
        )


def store(port: int, datasets: list[Dataset]) -> list[int]:
    """C-STORE ``datasets`` on one association from a plain pynetdicom SCU."""
    ae = AE(ae_title="CHARSET-SCU")
    for uid in {str(ds.SOPClassUID) for ds in datasets}:
        ae.add_requested_context(uid, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", port, ae_title=AE_TITLE)
    assert assoc.is_established
    # As in the SCP tests: keep pynetdicom's reactor from stealing a fast
    # C-STORE-RSP on the reused association.
    park_reactor(assoc)
    try:
        return [int(assoc.send_c_store(ds).Status) for ds in datasets]
    finally:
        unpark_reactor(assoc)
        assoc.release()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stored]:
    """One embedded SCP for the module, every case's document stored once."""
    archive = Archive(tmp_path_factory.mktemp("charsets") / "archive")
    events: list[object] = []
    service = ScpService(ScpSettings(ae_title=AE_TITLE, port=0), archive, events.append)
    service.start()
    try:
        documents = {case.id: document(case) for case in CASES}
        statuses = store(service.address[1], list(documents.values()))
        assert statuses == [int(RpiqStatus.SUCCESS)] * len(CASES)
        by_pid = {i.patient_id: i.path for i in archive.instances()}
        files = {case.id: by_pid[case.patient_id] for case in CASES}
        yield Stored(service.address[1], archive, documents, files)
    finally:
        service.stop()


def find_on_the_wire(port: int, request: QueryRequest) -> Dataset:
    """The Pending identifier of one C-FIND, values still undecoded."""
    ae = AE(ae_title="CHARSET-SCU")
    ae.add_requested_context(request.sop_class.uid, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", port, ae_title=AE_TITLE)
    assert assoc.is_established
    try:
        responses = list(assoc.send_c_find(request.to_identifier(), GENERAL))
    finally:
        assoc.release()
    pending = [ds for status, ds in responses if int(status.Status) == 0xFF00]
    assert len(pending) == 1, responses
    identifier = pending[0]
    assert isinstance(identifier, Dataset)
    return identifier


#: What the pass-through SCP copies from the stored instance (Table Q.4-1).
PASS_THROUGH = (
    "SpecificCharacterSet",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "ValueType",
    "ConceptNameCodeSequence",
    "ObservationDateTime",
    "ContentSequence",
    "ContentTemplateSequence",
)


#: A pydicom-based sender's document in two single-byte ISO 2022 sets: pydicom
#: keeps Cyrillic designated across the PN "^" (no ESC - A before "Renée"),
#: against PS3.5 6.1.2.5.3. Our own writers avoid this set (Save as SR
#: chooses UTF-8), but such bytes arrive from others.
G1_SWITCH = Case(
    "ir100-ir144",
    "ISO 2022 IR 100\\ISO 2022 IR 144",
    "Buc^Jérôme",
    "É-Ж-2022",
    "Jérôme Buc / Жером Бук",
    "Genève / Женева",
    "Иванов^Renée",
)

#: The same with the switch in Patient's Name, which pydicom decodes at the
#: top level of the identifier (archive ingest, the engine's patient summary).
G1_NAME = dataclasses.replace(G1_SWITCH, name="Иванов^Renée", patient_id="É-Ж-PN")


def pydicom_written(case: Case) -> Dataset:
    """``case``'s document encoded by pydicom in the case's own character set."""
    ds = document(case)  # UTF-8: make_comprehensive_sr avoids this set...
    ds.SpecificCharacterSet = case.charset  # ...which a pydicom sender keeps
    sent = on_the_wire(ds)
    sent.file_meta = ds.file_meta
    return sent


@pytest.fixture(scope="module")
def pass_through(stored: Stored) -> Iterator[int]:
    """A pynetdicom RPI SCP answering with stored bytes, charset unchanged.

    An SCP that keeps each instance's Specific Character Set (e.g. a PACS
    answering from its files): the only way our SCU meets ISO 2022 escape
    sequences in an answer, since our archive answers in UTF-8. It also
    serves :data:`G1_SWITCH` as pydicom wrote it.
    """
    sources: dict[str, Callable[[], Dataset]] = {
        BY_ID[cid].patient_id: functools.partial(dcmread, path)
        for cid, path in stored.files.items()
    }
    for case in (G1_SWITCH, G1_NAME):
        sources[case.patient_id] = functools.partial(pydicom_written, case)

    def handle_find(event: evt.Event) -> Iterator[tuple[int, Dataset | None]]:
        source = sources[str(event.identifier.PatientID)]()
        answer = Dataset()
        for keyword in PASS_THROUGH:
            elem = source.get_item(keyword)
            if elem is not None:
                answer[elem.tag] = elem  # still raw: copied byte for byte
        # Declare the bytes' own encoding, or pydicom re-encodes raw values.
        answer.set_original_encoding(
            False, True, convert_encodings(source.get("SpecificCharacterSet"))
        )
        yield int(RpiqStatus.PENDING), answer

    ae = AE(ae_title=AE_TITLE)
    ae.add_supported_context(GENERAL, ExplicitVRLittleEndian)
    server = ae.start_server(
        ("127.0.0.1", 0), block=False, evt_handlers=[(evt.EVT_C_FIND, handle_find)]
    )
    assert server is not None
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()


# ------------------------------------------------------------ checks


def query(profile: AEProfile, request: QueryRequest) -> tuple[Match, Done]:
    events = list(run_query(profile, request))
    matches = [e for e in events if isinstance(e, Match)]
    done = events[-1]
    assert isinstance(done, Done), events
    assert len(matches) == 1, events
    return matches[0], done


def values_in(root: dict[str, Any] | ContentNode) -> dict[str, list[str]]:
    """TEXT and PNAME values of a tree or its JSON form, pre-order."""
    found: dict[str, list[str]] = {"TextValue": [], "PersonName": []}
    keys = {ValueType.TEXT.value: "TextValue", ValueType.PNAME.value: "PersonName"}

    def visit(node: dict[str, Any] | ContentNode) -> None:
        if isinstance(node, ContentNode):
            kind, value, children = node.value_type, node.value, node.children
        else:
            kind, value, children = node["value_type"], node["value"], node["children"]
        if kind in keys:
            found[keys[kind]].append(str(value))
        for child in children:
            visit(child)

    visit(root)
    return found


def assert_same_text(case: Case, match: Match, done: Done) -> None:
    """Decoded identifier, tree, text and JSON renderings equal the originals."""
    expected = expected_texts(case)
    assert match.patient.name == case.name
    assert match.patient.patient_id == case.patient_id
    tree = values_in(match.root)
    assert tree == {k: expected[k] for k in ("TextValue", "PersonName")}
    document_json = json.dumps(node_to_json(match.root), ensure_ascii=False)
    assert values_in(json.loads(document_json.encode("utf-8"))) == tree
    text = render_text(match.root)
    assert f'"{case.text}"' in text
    assert case.performer in text
    assert done.report is not None
    assert [f for f in done.report.findings if f.rule == "content.charset"] == []


def request_for(case: Case, charset: str | None) -> QueryRequest:
    return QueryRequest(case.patient_id, character_set=charset)


# ------------------------------------------------------------ tests


def test_annex_h_name_is_sent_as_the_standard_prints_it() -> None:
    ds = on_the_wire(document(BY_ID["jis"]))
    assert text_bytes(ds)["PatientName"] == [ANNEX_H_NAME]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_stored_instance_keeps_charset_and_bytes(stored: Stored, case: Case) -> None:
    sent = on_the_wire(stored.sent[case.id])
    kept = dcmread(stored.files[case.id])
    assert charset_terms(kept) == case.terms
    assert text_bytes(kept) == text_bytes(sent)
    assert text_bytes(kept) == expected_bytes(case)
    kept = dcmread(stored.files[case.id])  # decoded this time
    assert str(kept.PatientName) == case.name
    assert str(kept.PatientID) == case.patient_id


@pytest.mark.parametrize("charset", ["default", "stored"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_archive_answer_round_trips(stored: Stored, case: Case, charset: str) -> None:
    # The Patient ID is not ASCII: the request declares ISO_IR 192 (default)
    # or the document's own set, and the SCP must decode either (Q.2.1.1.3.1).
    request = request_for(case, None if charset == "default" else case.charset)
    match, done = query(stored.profile(), request)
    assert_same_text(case, match, done)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_archive_answer_bytes(stored: Stored, case: Case) -> None:
    answer = find_on_the_wire(stored.port, request_for(case, case.charset))
    kept = text_bytes(dcmread(stored.files[case.id]))
    # Our archive's choice, allowed by PS3.4 C.4.1.1.3.2: UTF-8, declared.
    assert charset_terms(answer) == [UTF8]
    got = text_bytes(answer)
    assert got == expected_bytes(case, ["utf_8"])
    if case.charset == UTF8:
        assert got == kept  # same character set: the stored bytes themselves


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_answer_in_the_stored_charset_is_byte_exact(
    stored: Stored, pass_through: int, case: Case
) -> None:
    request = request_for(case, None)
    answer = find_on_the_wire(pass_through, request)
    assert charset_terms(answer) == case.terms
    assert text_bytes(answer) == text_bytes(dcmread(stored.files[case.id]))
    match, done = query(stored.profile(pass_through), request)
    assert_same_text(case, match, done)


def test_pydicom_written_g1_switch_reads_right(
    stored: Stored, pass_through: int
) -> None:
    case = G1_SWITCH
    request = request_for(case, None)
    performer = text_bytes(find_on_the_wire(pass_through, request))["PersonName"]
    # What pydicom sends: Cyrillic still designated when "^Renée" follows.
    assert performer == [b"\x1b-L\xb8\xd2\xd0\xdd\xde\xd2^Ren\xe9e "]
    match, done = query(stored.profile(pass_through), request)
    assert_same_text(case, match, done)


def test_pydicom_written_g1_switch_patient_name_in_the_engine(
    stored: Stored, pass_through: int
) -> None:
    match, done = query(stored.profile(pass_through), request_for(G1_NAME, None))
    assert_same_text(G1_NAME, match, done)


def test_pydicom_written_g1_switch_through_the_archive(stored: Stored) -> None:
    case = dataclasses.replace(G1_NAME, patient_id="É-Ж-ARCHIVE")
    assert store(stored.port, [pydicom_written(case)]) == [int(RpiqStatus.SUCCESS)]
    match, done = query(stored.profile(), request_for(case, None))
    assert_same_text(case, match, done)


def cli_json(stored: Stored, case: Case, run: Callable[[list[str]], bytes]) -> Any:
    argv = ["query", "127.0.0.1", str(stored.port), "-aec", AE_TITLE]
    argv += ["--patient-id", case.patient_id, "--format", "json"]
    out = run(argv)
    doc = json.loads(out.decode("utf-8"))  # strict: invalid UTF-8 raises
    match = doc["matches"][0]
    assert match["patient"]["PatientName"] == case.name
    assert match["patient"]["PatientID"] == case.patient_id
    assert values_in(match["root"]) == {
        k: expected_texts(case)[k] for k in ("TextValue", "PersonName")
    }
    return doc


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_json_has_the_exact_characters(
    stored: Stored, case: Case, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    def run(argv: list[str]) -> bytes:
        assert main(argv) == 0
        return capsysbinary.readouterr().out

    cli_json(stored, case, run)


def test_cli_json_is_utf8_from_a_real_process(stored: Stored) -> None:
    """The bytes ``rpiq query --format json`` writes in this machine's locale."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONIOENCODING", "PYTHONUTF8")
    }

    def run(argv: list[str]) -> bytes:
        proc = subprocess.run(
            [sys.executable, "-m", "rpiq", *argv],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    cli_json(stored, BY_ID["jis"], run)


def test_cli_json_is_utf8_on_a_latin1_console(
    stored: Stored, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.BytesIO()
    console = io.TextIOWrapper(buffer, encoding="latin-1", write_through=True)
    monkeypatch.setattr(sys, "stdout", console)

    def run(argv: list[str]) -> bytes:
        code = main(argv)
        console.flush()
        assert code == 0
        return buffer.getvalue()

    cli_json(stored, BY_ID["jis"], run)


@pytest.mark.parametrize(
    ("patient_id", "issuer", "charset", "field"),
    [
        ("王-1", None, "ISO_IR 100", "Patient ID"),
        ("Jérôme", None, "ISO_IR 144", "Patient ID"),
        ("é-1", None, "\\ISO 2022 IR 87", "Patient ID"),
        ("PAT-1", "Hôpital-東", "ISO_IR 100", "Issuer of Patient ID"),
        ("é-1", None, "LATIN1", "Patient ID"),
    ],
)
def test_request_refuses_keys_its_charset_cannot_carry(
    patient_id: str, issuer: str | None, charset: str, field: str
) -> None:
    # pydicom would send "?" for what the set lacks: a wildcard in C-FIND
    # (PS3.4 C.2.2.2.4) that turns one patient's key into a pattern.
    with pytest.raises(ValidationError) as raised:
        QueryRequest(patient_id, issuer, character_set=charset)
    assert raised.value.field == field


def test_profile_preference_applies_only_where_the_request_names_no_set() -> None:
    latin = QueryRequest("Jérôme-1").preferring("ISO_IR 100")
    assert latin.to_identifier().SpecificCharacterSet == "ISO_IR 100"
    own = QueryRequest("Jérôme-1", character_set=UTF8)
    assert own.preferring("ISO_IR 100") is own
    plain = QueryRequest("Jérôme-1")
    assert plain.preferring(None) is plain
    with pytest.raises(ValidationError) as raised:
        QueryRequest("王-1").preferring("ISO_IR 100")
    assert raised.value.field == "Patient ID"
    assert "preferred character set" in raised.value.message


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_request_sends_keys_in_the_declared_charset(case: Case) -> None:
    sent = on_the_wire(request_for(case, case.charset).to_identifier())
    assert charset_terms(sent) == case.terms
    assert text_bytes(sent)["PatientID"] == expected_bytes(case)["PatientID"]
    default = on_the_wire(request_for(case, None).to_identifier())
    assert charset_terms(default) == [UTF8]
    plain = on_the_wire(
        QueryRequest("PAT-1", character_set=case.charset).to_identifier()
    )
    assert "SpecificCharacterSet" not in plain  # ASCII keys: absent (Q.2.1.1.3.1)


@pytest.mark.gui
def test_gui_tree_shows_the_exact_text(stored: Stored, qapp: Any) -> None:
    from rpiq.gui.sr_tree_model import NODE_ROLE, SrTreeModel

    case = BY_ID["jis"]
    match, _ = query(stored.profile(), request_for(case, None))
    model = SrTreeModel()
    model.set_root(match.root)
    cells: dict[str, list[tuple[str, str]]] = {"TEXT": [], "PNAME": []}

    def visit(*parent: Any) -> None:  # no argument: the (invisible) root
        for row in range(model.rowCount(*parent)):
            index = model.index(row, 0, *parent)
            node = index.data(NODE_ROLE)
            value = index.siblingAtColumn(1)
            if node.value_type in cells:
                cells[node.value_type].append(
                    (value.data(), value.data(0x03))  # display, tooltip
                )
            visit(index)

    visit()
    assert [shown for shown, _ in cells["TEXT"]] == [case.text, case.place]
    # The PN cell shows "Family, Given" of the alphabetic group; the full
    # value with its ideographic and phonetic groups is in the tooltip.
    ((shown, tip),) = cells["PNAME"]
    assert shown == "Honda, Tokoro"
    assert case.performer in tip
