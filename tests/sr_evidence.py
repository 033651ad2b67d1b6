"""SR evidence sequences for the tests (PS3.3 C.17.2: SOP Instance Reference)."""

from __future__ import annotations

from pydicom.dataset import Dataset


def evidence_study(
    sop_class_uid: str, sop_instance_uid: str, series_uid: str, study_uid: str
) -> Dataset:
    """One study item referencing one instance in one series.

    An item of Current Requested Procedure Evidence Sequence or Pertinent
    Other Evidence Sequence (0040,A375 / 0040,A385).
    """
    sop = Dataset()
    sop.ReferencedSOPClassUID = sop_class_uid
    sop.ReferencedSOPInstanceUID = sop_instance_uid
    series = Dataset()
    series.SeriesInstanceUID = series_uid
    series.ReferencedSOPSequence = [sop]
    study = Dataset()
    study.StudyInstanceUID = study_uid
    study.ReferencedSeriesSequence = [series]
    return study
