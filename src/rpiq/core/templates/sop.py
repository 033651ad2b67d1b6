"""The three RPI Query SOP Classes and the root templates each one allows.

PS3.4 Q.4.3.3 (Table Q.4-3): the General Relevant Patient Information Query SOP
Class uses TID 9007 or another PS3.16 Annex K root template; the Breast Imaging
SOP Class fixes TID 9000; the Cardiac SOP Class fixes TID 3802.
"""

from __future__ import annotations

import enum

from pynetdicom import sop_class

from rpiq.core.templates.annex_k import ANNEX_K_ROOTS

__all__ = ["RpiSopClass", "template_error_for"]


class RpiSopClass(enum.Enum):
    """A Relevant Patient Information Query SOP Class (PS3.4 Annex Q).

    The member value is the short keyword used on the command line and in
    profiles ("general", "breast", "cardiac").
    """

    GENERAL = "general"
    BREAST = "breast"
    CARDIAC = "cardiac"

    @property
    def keyword(self) -> str:
        """Short keyword: "general", "breast" or "cardiac"."""
        return str(self.value)

    @property
    def uid(self) -> str:
        """SOP Class UID (1.2.840.10008.5.1.4.37.1, .2 or .3)."""
        return _UIDS[self]

    @property
    def label(self) -> str:
        """Display label: "General", "Breast Imaging" or "Cardiac"."""
        return _LABELS[self]

    @property
    def default_tid(self) -> int:
        """Root template requested when the user names none (9007, 9000, 3802)."""
        return self.allowed_tids[0]

    @property
    def allowed_tids(self) -> tuple[int, ...]:
        """Root templates this SOP class may request (PS3.4 Table Q.4-3)."""
        return _ALLOWED[self]

    @classmethod
    def from_uid(cls, uid: str) -> RpiSopClass:
        """The SOP class with this UID.

        Raises
        ------
        ValueError
            If the UID is not an RPI Query SOP Class UID.
        """
        for member in cls:
            if member.uid == uid.strip():
                return member
        known = ", ".join(m.uid for m in cls)
        raise ValueError(
            f"{uid!r} is not a Relevant Patient Information Query SOP Class UID "
            f"(expected one of {known})"
        )

    @classmethod
    def from_keyword(cls, keyword: str) -> RpiSopClass:
        """The SOP class with this keyword (case-insensitive).

        Raises
        ------
        ValueError
            If the keyword is not "general", "breast" or "cardiac".
        """
        for member in cls:
            if member.keyword == keyword.strip().lower():
                return member
        known = ", ".join(m.keyword for m in cls)
        raise ValueError(
            f"{keyword!r} is not an RPI SOP class keyword (expected one of {known})"
        )


def _pynetdicom_uid(keyword: str) -> str:
    """UID of a pynetdicom SOP class keyword.

    pynetdicom generates the :mod:`pynetdicom.sop_class` attributes at import
    time, so they are looked up by name (mypy cannot see them).
    """
    return str(getattr(sop_class, keyword))


_UIDS: dict[RpiSopClass, str] = {
    RpiSopClass.GENERAL: _pynetdicom_uid("GeneralRelevantPatientInformationQuery"),
    RpiSopClass.BREAST: _pynetdicom_uid("BreastImagingRelevantPatientInformationQuery"),
    RpiSopClass.CARDIAC: _pynetdicom_uid("CardiacRelevantPatientInformationQuery"),
}
_LABELS: dict[RpiSopClass, str] = {
    RpiSopClass.GENERAL: "General",
    RpiSopClass.BREAST: "Breast Imaging",
    RpiSopClass.CARDIAC: "Cardiac",
}
_ALLOWED: dict[RpiSopClass, tuple[int, ...]] = {
    RpiSopClass.GENERAL: ANNEX_K_ROOTS,
    RpiSopClass.BREAST: (9000,),
    RpiSopClass.CARDIAC: (3802,),
}


def template_error_for(sop: RpiSopClass, tid: int) -> str | None:
    """Why ``tid`` cannot be requested with ``sop``, or ``None`` if it can.

    Parameters
    ----------
    sop : RpiSopClass
        The SOP class of the query.
    tid : int
        The requested root template (Content Template Sequence, DCMR).

    Returns
    -------
    str or None
        ``None`` when PS3.4 Table Q.4-3 allows the combination, otherwise a
        sentence for the user.
    """
    if tid in sop.allowed_tids:
        return None
    if tid not in ANNEX_K_ROOTS:
        return (
            f"TID {tid} is not a PS3.16 Annex K relevant patient information "
            "root template (PS3.4 Q.4.3.3)."
        )
    return (
        f"TID {tid} cannot be requested with the {sop.label} SOP class, "
        f"which fixes TID {sop.default_tid} (PS3.4 Q.4.3.3)."
    )
