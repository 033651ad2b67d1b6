from __future__ import annotations

import itertools

import pytest
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from rpiq.core.templates import (
    ANNEX_K_ROOTS,
    TID_9002_RPI_ROOT_CONCEPT,
    UNENCODED_TIDS,
    Binding,
    CodeSet,
    ContextGroup,
    FixedCode,
    FreeText,
    Parameter,
    Row,
    RpiSopClass,
    Template,
    all_templates,
    get_template,
    included_template,
    same_code,
    template_error_for,
)
from rpiq.core.templates import extra_codes as x

ROW_COUNTS = {
    9007: 14,
    9000: 8,
    9001: 22,
    9002: 17,
    9003: 13,
    9004: 10,
    9005: 12,
    9006: 4,
    3802: 37,
    3829: 14,
    3830: 11,
    3831: 5,
    1204: 2,
    351: 2,
    3114: 15,
    4301: 26,
}

ROOTS = {
    9007: ("111517", "DCM", "CONTAINER"),
    9000: ("111511", "DCM", "CONTAINER"),
    3802: ("11329-0", "LN", "CONTAINER"),
    9001: ("267011001", "SCT", "CONTAINER"),
    9003: ("111513", "DCM", "CONTAINER"),
    9004: ("11450-4", "LN", "CONTAINER"),
    9005: ("111515", "DCM", "CONTAINER"),
    9006: ("248983002", "SCT", "CONTAINER"),
    3829: ("121430", "DCM", "CONTAINER"),
    3831: ("121436", "DCM", "CODE"),
    1204: ("121049", "DCM", "CODE"),
    351: ("111549", "DCM", "CONTAINER"),
    3114: ("121123", "DCM", "CODE"),
    4301: ("130548", "DCM", "CONTAINER"),
}


def vs(code: Code) -> tuple[str, str]:
    return (code.value, code.scheme_designator)


def all_rows() -> list[tuple[Template, Row]]:
    return [(t, r) for t in all_templates() for r in t.rows]


def every_term(row: Row) -> list[object]:
    terms: list[object] = [row.concept, row.value_set, row.units]
    for b in row.bindings:
        terms += [*b.values, b.default]
    return terms


def codes_of(row: Row) -> list[Code]:
    found = list(row.condition_codes)
    for term in every_term(row):
        if isinstance(term, FixedCode):
            found.append(term.code)
        elif isinstance(term, CodeSet):
            found += [item.code for item in term.items]
    return found


def cids_of(row: Row) -> set[int]:
    return {t.cid for t in every_term(row) if isinstance(t, ContextGroup)}


def in_pydicom(code: Code) -> bool:
    scheme = getattr(codes, code.scheme_designator)
    return any(getattr(scheme, kw).value == code.value for kw in scheme.dir())


# ------------------------------------------------------------------ catalogue


def test_sixteen_templates_in_section_4_order() -> None:
    assert [t.tid for t in all_templates()] == list(ROW_COUNTS)


@pytest.mark.parametrize(("tid", "count"), ROW_COUNTS.items())
def test_row_count_matches_digest(tid: int, count: int) -> None:
    assert len(get_template(tid).rows) == count


def test_total_row_count() -> None:
    assert sum(len(t.rows) for t in all_templates()) == 212


def test_unknown_tid_raises_key_error() -> None:
    with pytest.raises(KeyError, match="1234"):
        get_template(1234)


def test_annex_k_roots() -> None:
    assert ANNEX_K_ROOTS == (9007, 9000, 9001, 9002, 9003, 9004, 9005, 9006, 3802)
    assert all(get_template(tid) for tid in ANNEX_K_ROOTS)


@pytest.mark.parametrize(("tid", "root"), ROOTS.items())
def test_root_concepts(tid: int, root: tuple[str, str, str]) -> None:
    template = get_template(tid)
    assert template.root is template.rows[0]
    assert template.root_concept is not None
    assert (*vs(template.root_concept), template.root_value_type) == root


def test_parameterised_roots() -> None:
    assert get_template(9002).root_concept is None
    assert get_template(9002).root.concept == Parameter("$ContainerConcept")
    assert get_template(3830).root.concept == Parameter("$ProcType")
    assert get_template(3830).root_value_type == "CODE"


def test_root_concept_for_rpi() -> None:
    chosen = get_template(9002).root_concept_for_rpi()
    assert chosen == TID_9002_RPI_ROOT_CONCEPT
    assert (*vs(chosen), chosen.meaning) == (
        "10160-0",
        "LN",
        "History of Medication Use",
    )
    assert vs(get_template(9007).root_concept_for_rpi()) == ("111517", "DCM")
    with pytest.raises(ValueError, match="Annex K"):
        get_template(3829).root_concept_for_rpi()


def test_extensibility_and_order() -> None:
    assert all(t.order_significant for t in all_templates())
    assert [t.tid for t in all_templates() if not t.extensible] == [1204]


def test_template_parameters() -> None:
    assert get_template(9007).parameters == ("$ProblemList", "$RiskList")
    assert get_template(9002).parameters == (
        "$ContainerConcept",
        "$CodeConcept",
        "$CodeValue",
        "$Classification",
        "$Route",
        "$Site",
    )
    assert get_template(3831).parameters == ("$Device",)
    assert get_template(9000).parameters == ()


# ------------------------------------------------------------------ structure


@pytest.mark.parametrize("template", all_templates(), ids=lambda t: str(t.tid))
def test_rows_numbered_and_nested(template: Template) -> None:
    assert [r.number for r in template.rows] == list(range(1, len(template.rows) + 1))
    assert template.rows[0].nl == 0
    assert all(r.nl >= 1 for r in template.rows[1:])
    levels = [r.nl for r in template.rows]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_include_rows_point_to_known_templates() -> None:
    encoded = {t.tid for t in all_templates()}
    assert sorted(UNENCODED_TIDS) == [300, 1700, 4207]
    targets = {r.include for _, r in all_rows() if r.is_include}
    assert targets <= encoded | UNENCODED_TIDS
    assert targets >= UNENCODED_TIDS


def test_bindings_name_parameters_of_included_template() -> None:
    for _, row in all_rows():
        target = included_template(row) if row.is_include else None
        if target is not None:
            for binding in row.bindings:
                assert binding.parameter in target.parameters, (row, binding)


def test_included_template() -> None:
    t9007 = get_template(9007)
    assert included_template(t9007.row(12)) is get_template(3802)
    assert included_template(get_template(3114).row(2)) is None
    with pytest.raises(ValueError, match="includes no template"):
        included_template(t9007.row(1))


def test_only_num_rows_have_units_and_only_include_rows_bindings() -> None:
    for _, row in all_rows():
        assert row.units is None or row.value_type == "NUM"
        assert not row.bindings or row.is_include
        assert row.is_include == (row.include is not None)
        assert row.is_conditional == (row.condition is not None)


def test_children_parent_and_top_level() -> None:
    t9001 = get_template(9001)
    assert [r.number for r in t9001.children_of(t9001.row(15))] == [16]
    assert [r.number for r in t9001.children_of(t9001.row(19))] == [20]
    assert t9001.children_of(t9001.row(16)) == ()
    assert t9001.parent_of(t9001.row(16)) == t9001.row(15)
    assert t9001.parent_of(t9001.root) is None
    top = [r.number for r in t9001.top_level_rows()]
    assert top == [n for n in range(2, 23) if n not in (16, 20)]
    t3802 = get_template(3802)
    assert [r.number for r in t3802.top_level_rows()] == [2, 3, 12, 17, 20, 25, 31, 35]
    assert [r.number for r in t3802.children_of(t3802.row(25))] == [26, 28]
    t9002 = get_template(9002)
    assert [r.number for r in t9002.children_of(t9002.row(2))] == list(range(3, 16))
    assert [r.number for r in t9002.children_of(t9002.row(16))] == [17]


def test_children_of_foreign_row_rejected() -> None:
    with pytest.raises(ValueError, match="does not belong"):
        get_template(9001).children_of(get_template(9000).row(2))


def test_row_lookup_out_of_range() -> None:
    with pytest.raises(IndexError):
        get_template(351).row(3)


def test_include_rows() -> None:
    assert [r.number for r in get_template(9007).include_rows()] == list(range(2, 15))


def test_malformed_template_rejected() -> None:
    good = get_template(351).rows
    with pytest.raises(ValueError, match="numbered"):
        Template(1, "bad", True, True, (), (good[1], good[0]))
    with pytest.raises(ValueError, match="undeclared parameters"):
        Template(3831, "bad", True, True, (), get_template(3831).rows)


def test_malformed_row_rejected() -> None:
    with pytest.raises(ValueError, match="relationship"):
        Row(1, 0, "OWNS", "TEXT", None, "1", "U")
    with pytest.raises(ValueError, match="condition"):
        Row(1, 0, None, "TEXT", None, "1", "MC")
    with pytest.raises(ValueError, match="units"):
        Row(1, 0, None, "TEXT", None, "1", "U", units=FreeText("x"))


# ------------------------------------------------------------------ spot checks


def test_9001_row_21_pregnancy_status() -> None:
    row = get_template(9001).row(21)
    assert (row.nl, row.relationship, row.value_type) == (1, "CONTAINS", "CODE")
    assert row.concept == FixedCode(codes.SCT.PregnancyObservable, "EV")
    assert vs(row.concept.code) == ("364320009", "SCT")
    assert row.value_set == ContextGroup(6096, "DCID", "Pregnancy Status")
    assert (row.vm, row.requirement) == ("1", "U")


def test_3802_row_15_smoking() -> None:
    row = get_template(3802).row(15)
    assert row.nl == 2
    assert row.concept_code is not None
    assert vs(row.concept_code) == ("365981007", "SCT")
    assert row.value_set == ContextGroup(3724, "DCID", "Smoking History")


def test_9007_row_2_language_include() -> None:
    row = get_template(9007).row(2)
    assert (row.nl, row.relationship, row.value_type) == (
        1,
        "HAS CONCEPT MOD",
        "INCLUDE",
    )
    assert row.include == 1204
    assert row.requirement == "MC"
    assert row.condition == (
        "IFF TID 9007 is the Root Template for the Relevant Patient Information "
        "Query Service Class"
    )
    assert get_template(9000).row(2).requirement == "M"


def test_9005_row_4_gestational_age_condition() -> None:
    row = get_template(9005).row(4)
    assert (row.nl, row.relationship, row.value_type) == (2, "HAS PROPERTIES", "NUM")
    assert row.requirement == "UC"
    assert row.condition == (
        'IFF value of Row 2 = (161765003, SCT, "History of - premature delivery")'
    )
    assert [vs(c) for c in row.condition_codes] == [("161765003", "SCT")]
    assert vs(row.concept_code or Code("", "", "")) == ("18185-9", "LN")


def test_3114_row_4_heart_rate_bindings() -> None:
    row = get_template(3114).row(4)
    assert (row.include, row.requirement) == (300, "MC")
    assert [b.parameter for b in row.bindings] == ["$Measurement", "$Units"]
    measurement = row.binding("$Measurement")
    units = row.binding("$Units")
    assert measurement is not None
    assert units is not None
    assert measurement.value == FixedCode(codes.LN.HeartRate, "EV")
    assert units.value == FixedCode(x.BEATS_PER_MINUTE, "EV")
    assert vs(units.value.code) == ("{H.B.}/min", "UCUM")
    assert [vs(c) for c in row.condition_codes] == [("61746007", "SCT")]


def test_9001_row_6_units() -> None:
    row = get_template(9001).row(6)
    assert row.concept_code == x.PARA
    assert row.units == FixedCode(Code("1", "UCUM", "no units"), "EV")
    assert row.value_set is None


def test_9001_row_16_code_set() -> None:
    row = get_template(9001).row(16)
    assert row.nl == 2
    assert isinstance(row.value_set, CodeSet)
    assert [vs(i.code) for i in row.value_set.items] == [
        ("255594003", "SCT"),
        ("255609007", "SCT"),
    ]
    assert row.value_set.contains(codes.SCT.Partial)
    assert not row.value_set.contains(codes.SCT.Yes)


def test_9007_bindings() -> None:
    t9007 = get_template(9007)
    row4 = t9007.row(4)
    container = row4.binding("$ContainerConcept")
    assert container is not None
    assert container.value == FixedCode(x.HISTORY_OF_MEDICATION_USE, "EV")
    assert row4.binding("$CodeValue") is None
    risk = t9007.row(9).binding("$RiskList")
    assert risk == Binding(
        "$RiskList",
        (Parameter("$RiskList"),),
        ContextGroup(6087, "BCID", "General Risk Factor"),
    )
    assert t9007.row(8).binding("$ProblemList") == Binding(
        "$ProblemList", (Parameter("$ProblemList"),)
    )


def test_9000_row_7_multi_valued_binding() -> None:
    location = get_template(9000).row(7).binding("$LocationValue")
    assert location is not None
    assert [v.cid for v in location.values if isinstance(v, ContextGroup)] == [
        6018,
        6020,
    ]
    with pytest.raises(ValueError, match="2 values"):
        _ = location.value


def test_9002_special_rows() -> None:
    t9002 = get_template(9002)
    assert t9002.row(2).value_set == Parameter("$CodeValue")
    assert t9002.row(2).vm == "1-n"
    assert t9002.row(5).units == ContextGroup(7456, "DCID", "Age Unit")
    assert isinstance(t9002.row(12).units, FreeText)
    assert t9002.row(12).concept == ContextGroup(
        6092, "DCID", "Usage/Exposure Qualitative Concept"
    )
    assert (t9002.row(17).nl, t9002.row(17).requirement) == (4, "MC")


def test_3802_and_4301_spot_checks() -> None:
    t3802 = get_template(3802)
    assert t3802.row(22).binding("$ProcType") == Binding(
        "$ProcType", (FixedCode(codes.SCT.DiagnosticIntent, "DT"),)
    )
    assert t3802.row(34).requirement == "M"
    assert t3802.row(23).units == FixedCode(x.MG_PER_DL, "EV")
    t4301 = get_template(4301)
    assert t4301.row(14).vm == "1-n"
    assert t4301.row(16).binding("$ProcedureResult") == Binding(
        "$ProcedureResult", (ContextGroup(242, "DCID", "Normal-Abnormal"),)
    )
    assert t4301.row(15).include == 1700


def test_3830_and_351_rows() -> None:
    t3830 = get_template(3830)
    assert t3830.row(1).value_set == Parameter("$Procedure")
    assert (t3830.row(8).value_type, t3830.row(8).requirement) == ("PNAME", "UC")
    assert t3830.row(6).value_set == FreeText(
        "Description of report with URL or other reference for report"
    )
    assert get_template(351).row(2).concept is None
    assert get_template(9006).root.relationship == "CONTAINS"


# ------------------------------------------------------------------ codes


def test_every_cid_exists_in_pydicom_except_language_and_country() -> None:
    cids = set().union(*(cids_of(r) for _, r in all_rows()))
    assert len(cids) > 60
    missing = {cid for cid in cids if not hasattr(codes, f"cid{cid}")}
    assert missing == {5000, 5001}


def test_context_group_members() -> None:
    assert ContextGroup(244, "BCID", "Laterality").contains(codes.SCT.Left)
    assert (
        ContextGroup(6096, "DCID", "Pregnancy Status").contains(codes.SCT.Yes) is False
    )
    assert ContextGroup(5000, "DCID", "Language").members() is None
    assert ContextGroup(5000, "DCID", "Language").contains(codes.SCT.Yes) is None


def test_distinct_codes_and_pydicom_coverage() -> None:
    distinct = {vs(c) for _, r in all_rows() for c in codes_of(r)}
    assert len(distinct) == 138
    lacking = {key for key in distinct if not in_pydicom(Code(key[0], key[1], ""))}
    assert lacking == {vs(c) for c in x.TEMPLATE_CODES}
    assert len(lacking) == 22


def test_meanings_come_from_the_template_tables() -> None:
    root = get_template(9001).root_concept
    assert root is not None
    assert root.meaning == "Gynecological History"
    assert codes.SCT.GynecologicalHistory.meaning != root.meaning
    assert root == codes.SCT.GynecologicalHistory  # value + scheme only
    assert same_code(root, codes.SCT.GynecologicalHistory)
    lmp = get_template(9001).row(3).concept_code
    assert lmp is not None
    assert lmp.meaning == "Last menstrual period"
    assert lmp == codes.LN.LMP
    assert Code("1", "UCUM", "a") != Code("1", "DCM", "a")


def test_fixed_code_matching_ignores_meaning() -> None:
    term = FixedCode(Code("111517", "DCM", "Relevant Patient Information"), "EV")
    assert term.matches(Code("111517", "DCM", "anything"))
    assert not term.matches(Code("111517", "SCT", "Relevant Patient Information"))


# ------------------------------------------------------------------ SOP classes


@pytest.mark.parametrize(
    ("sop", "uid", "keyword", "label", "tid"),
    [
        (RpiSopClass.GENERAL, "1.2.840.10008.5.1.4.37.1", "general", "General", 9007),
        (
            RpiSopClass.BREAST,
            "1.2.840.10008.5.1.4.37.2",
            "breast",
            "Breast Imaging",
            9000,
        ),
        (RpiSopClass.CARDIAC, "1.2.840.10008.5.1.4.37.3", "cardiac", "Cardiac", 3802),
    ],
)
def test_sop_class_attributes(
    sop: RpiSopClass, uid: str, keyword: str, label: str, tid: int
) -> None:
    assert (sop.uid, sop.keyword, sop.label, sop.default_tid) == (
        uid,
        keyword,
        label,
        tid,
    )
    assert RpiSopClass.from_uid(sop.uid) is sop
    assert RpiSopClass.from_keyword(sop.keyword) is sop
    assert RpiSopClass.from_keyword(sop.keyword.upper()) is sop
    assert template_error_for(sop, tid) is None


def test_allowed_tids() -> None:
    assert RpiSopClass.GENERAL.allowed_tids == ANNEX_K_ROOTS
    assert RpiSopClass.BREAST.allowed_tids == (9000,)
    assert RpiSopClass.CARDIAC.allowed_tids == (3802,)


def test_unknown_sop_class_identifiers() -> None:
    with pytest.raises(ValueError, match="not a Relevant Patient Information"):
        RpiSopClass.from_uid("1.2.840.10008.5.1.4.1.2.1.1")
    with pytest.raises(ValueError, match="general, breast, cardiac"):
        RpiSopClass.from_keyword("mammo")


@pytest.mark.parametrize("tid", ANNEX_K_ROOTS)
def test_general_allows_every_annex_k_root(tid: int) -> None:
    assert template_error_for(RpiSopClass.GENERAL, tid) is None


def test_contradicting_templates() -> None:
    assert template_error_for(RpiSopClass.CARDIAC, 9000) == (
        "TID 9000 cannot be requested with the Cardiac SOP class, which fixes "
        "TID 3802 (PS3.4 Q.4.3.3)."
    )
    message = template_error_for(RpiSopClass.BREAST, 9007)
    assert message is not None
    assert "Breast Imaging SOP class" in message
    assert "TID 9000" in message


@pytest.mark.parametrize("sop", list(RpiSopClass))
@pytest.mark.parametrize("tid", [1234, 3829, 300])
def test_non_root_templates(sop: RpiSopClass, tid: int) -> None:
    message = template_error_for(sop, tid)
    assert message is not None
    assert message.startswith(
        f"TID {tid} is not a PS3.16 Annex K relevant patient information root"
    )
