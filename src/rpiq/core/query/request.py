"""The RPI C-FIND request: validated keys → identifier (PS3.4 Q.2.1.1.3.1, Q.4.3.1.2.1).

A :class:`QueryRequest` cannot exist with an invalid Patient ID or a template
that contradicts its SOP class: validation happens when it is built, so nothing
invalid is ever sent, and every message names the field the user must fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset

from rpiq.core.errors import ValidationError
from rpiq.core.sr.charset import charset_problem
from rpiq.core.templates import RpiSopClass, template_error_for

if TYPE_CHECKING:
    from collections.abc import Iterable

MAPPING_RESOURCE = "DCMR"
UTF8_CHARSET = "ISO_IR 192"
_LO_MAX = 64
_WILDCARDS = ("*", "?")

# Return keys every request carries zero-length (PS3.4 Table Q.4-1): the
# patient's identity (to show and to check against the request) and the root
# content item. Concept Name Code Sequence and Content Sequence must be empty.
BASE_RETURN_KEYS: tuple[str, ...] = (
    "PatientName",
    "PatientBirthDate",
    "PatientSex",
    "ObservationDateTime",
    "ValueType",
)
_SEQUENCE_KEYS = ("ConceptNameCodeSequence", "ContentSequence")


def _check_single_value(name: str, value: str) -> str:
    """Validate a Single Value Matching key (PS3.4 C.2.2.2.1): no wildcard, VM 1."""
    text = value.strip()
    if "\\" in text:
        raise ValidationError(name, "must be a single value (no backslash '\\').")
    if any(w in text for w in _WILDCARDS):
        raise ValidationError(
            name, "wildcards '*' and '?' are not allowed: RPI matches one patient."
        )
    if len(text) > _LO_MAX:
        raise ValidationError(name, f"at most {_LO_MAX} characters (LO).")
    if any(ord(ch) < 32 for ch in text):
        raise ValidationError(name, "must not contain control characters.")
    return text


def _check_return_key(keyword: str) -> str:
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise ValidationError("Return keys", f"'{keyword}' is not a DICOM keyword.")
    if keyword in (
        *BASE_RETURN_KEYS,
        *_SEQUENCE_KEYS,
        "PatientID",
        "IssuerOfPatientID",
        "ContentTemplateSequence",
    ):
        raise ValidationError("Return keys", f"'{keyword}' is always requested.")
    return keyword


def _is_ascii(values: Iterable[str]) -> bool:
    return all(value.isascii() for value in values)


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """One RPI query: patient keys, SOP class and template.

    Parameters
    ----------
    patient_id : str
        Patient ID (0010,0020): required, single value, no wildcards.
    issuer : str or None
        Issuer of Patient ID (0010,0021). ``None`` asks for it zero-length, so
        the answer says which issuer's patient matched (universal matching).
    sop_class : RpiSopClass
        General, Breast Imaging or Cardiac (PS3.4 Table Q.4-3).
    template : int or None
        TID to request; ``None`` means the SOP class's own (9007/9000/3802).
    return_keys : tuple of str
        Extra Patient Identification/Demographic keywords to request (type 3).
    character_set : str or None
        Specific Character Set to declare when a key is not plain ASCII;
        default ISO_IR 192 (UTF-8). Every character of the keys must be in it.

    Raises
    ------
    ValidationError
        Naming the field: Patient ID, Issuer of Patient ID, Template, Return keys
        (a key the character set cannot carry names the key).
    """

    patient_id: str
    issuer: str | None = None
    sop_class: RpiSopClass = RpiSopClass.GENERAL
    template: int | None = None
    return_keys: tuple[str, ...] = field(default=())
    character_set: str | None = None

    def __post_init__(self) -> None:
        pid = _check_single_value("Patient ID", self.patient_id)
        if not pid:
            raise ValidationError("Patient ID", "is required.")
        object.__setattr__(self, "patient_id", pid)
        if self.issuer is not None:
            object.__setattr__(
                self, "issuer", _check_single_value("Issuer of Patient ID", self.issuer)
            )
        if self.needs_character_set:
            # pydicom would write what the set lacks as "?", a wildcard here.
            charset = self.character_set or UTF8_CHARSET
            for name, text in (
                ("Patient ID", pid),
                ("Issuer of Patient ID", self.issuer),
            ):
                problem = charset_problem(text or "", charset)
                if problem is not None:
                    raise ValidationError(name, problem)
        tid = self.sop_class.default_tid if self.template is None else self.template
        problem = template_error_for(self.sop_class, tid)
        if problem is not None:
            raise ValidationError("Template", problem)
        object.__setattr__(self, "template", tid)
        keys = tuple(_check_return_key(k) for k in self.return_keys)
        object.__setattr__(self, "return_keys", keys)

    def preferring(self, character_set: str | None) -> QueryRequest:
        """The request in a profile's preferred character set (AEProfile).

        The set is declared, as Specific Character Set, only when a key needs
        it (:attr:`needs_character_set`). A request that names its own set,
        or no preferred set, is returned unchanged.

        Raises
        ------
        ValidationError
            Naming the key that the preferred set cannot carry.
        """
        if not character_set or self.character_set is not None:
            return self
        try:
            return replace(self, character_set=character_set)
        except ValidationError as exc:
            raise ValidationError(
                exc.field,
                f"{exc.message}. {character_set} is the profile's preferred "
                "character set.",
            ) from None

    @property
    def tid(self) -> int:
        """The requested template identifier (never ``None`` after validation)."""
        assert self.template is not None  # set in __post_init__
        return self.template

    @property
    def needs_character_set(self) -> bool:
        """True when a key is not plain ASCII (PS3.4 Q.2.1.1.3.1 item 3)."""
        return not _is_ascii([self.patient_id, self.issuer or ""])

    def to_identifier(self) -> Dataset:
        """Build the C-FIND request identifier.

        Patient ID (with value), Issuer (value or zero-length), the base return
        keys zero-length, Concept Name Code Sequence and Content Sequence empty
        (Q.4.3.1.2.1), one Content Template Sequence item DCMR/TID (Q.2.1.1.3.1)
        and Specific Character Set only when needed.
        """
        ds = Dataset()
        if self.needs_character_set:
            ds.SpecificCharacterSet = self.character_set or UTF8_CHARSET
        ds.PatientID = self.patient_id
        ds.IssuerOfPatientID = self.issuer or ""
        for keyword in (*BASE_RETURN_KEYS, *self.return_keys):
            setattr(ds, keyword, [] if _is_sequence(keyword) else "")
        for keyword in _SEQUENCE_KEYS:
            setattr(ds, keyword, [])
        item = Dataset()
        item.MappingResource = MAPPING_RESOURCE
        item.TemplateIdentifier = str(self.tid)
        ds.ContentTemplateSequence = [item]
        return ds

    def describe(self) -> str:
        """Short text for logs and history: ``ID [issuer] SOP TID n``."""
        issuer = f" [{self.issuer}]" if self.issuer else ""
        return f"{self.patient_id}{issuer} {self.sop_class.label} TID {self.tid}"


def _is_sequence(keyword: str) -> bool:
    tag = tag_for_keyword(keyword)
    return tag is not None and dictionary_VR(tag) == "SQ"
