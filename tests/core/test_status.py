from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from rpiq.core.status import Category, RpiqStatus, describe, from_dataset

SEED_CODES = {
    # pynetdicom RPI service-class page: general, service and SCP tables
    0x0000: Category.SUCCESS,
    0x0122: Category.FAILURE,
    0xFE00: Category.CANCEL,
    0xFF00: Category.PENDING,
    0xA700: Category.FAILURE,
    0xA900: Category.FAILURE,
    0xC000: Category.FAILURE,
    0xC100: Category.FAILURE,
    0xC200: Category.FAILURE,
    0xC001: Category.FAILURE,
    0xC002: Category.FAILURE,
    0xC310: Category.FAILURE,
    0xC311: Category.FAILURE,
    0xC312: Category.FAILURE,
}


@pytest.mark.parametrize(("code", "category"), sorted(SEED_CODES.items()))
def test_every_seed_code_has_category_and_plain_meaning(code, category):
    info = describe(code)
    assert info.category is category
    assert info.meaning.endswith(".")
    assert "Status code not defined" not in info.meaning
    assert info.hex == f"0x{code:04X}"


def test_every_named_status_is_in_seed_table():
    assert {int(s) for s in RpiqStatus} == set(SEED_CODES)


def test_multiple_match_meaning_tells_user_what_to_do():
    assert "Issuer" in describe(RpiqStatus.MORE_THAN_ONE_MATCH).meaning


def test_no_response_is_its_own_category():
    info = from_dataset(Dataset())
    assert info.code is None
    assert info.category is Category.NO_RESPONSE
    assert "timed out" in info.meaning
    assert info.is_final_failure is False


def test_status_dataset_carries_peer_comment_and_offending_element():
    ds = Dataset()
    ds.Status = int(RpiqStatus.TEMPLATE_NOT_SUPPORTED)
    ds.ErrorComment = "TID 9999 unknown"
    ds.OffendingElement = [0x0040DB00]
    info = from_dataset(ds)
    assert info.offending_elements == ("(0040,DB00)",)
    assert "TID 9999 unknown" in info.describe()
    assert info.is_final_failure


def test_unknown_code_is_described_not_raised():
    info = describe(0xFFF0)
    assert info.code == 0xFFF0
    assert info.meaning
