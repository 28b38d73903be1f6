"""The codebook parses into codes, groups and lookups in display order."""

import pytest

from evidence.codebook import CodebookError, load_codebook, parse_codebook


def test_every_format_and_motivation_code_of_the_contract_is_present():
    cb = load_codebook()
    formats = {
        "partnership.north_south", "partnership.south_south", "partnership.north_north",
        "partnership.consortium", "mobility.outbound", "mobility.inbound", "mobility.bilateral",
        "mobility.degree", "mobility.clinical", "mobility.preclinical",
        "at_home.credit_course", "at_home.gh_course", "at_home.gh_curriculum",
        "at_home.extracurricular", "at_home.virtual", "standards.global",
    }  # fmt: skip
    motivations = {
        "market.student", "market.institution", "market.ranking", "liberal.understanding",
        "social.transformation", "enrichment.curricular",
    }  # fmt: skip
    assert formats <= set(cb.codes_of("format"))
    assert motivations <= set(cb.codes_of("motivation"))
    assert cb.groups_of("format") == ["partnership", "mobility", "at_home", "standards"]


@pytest.mark.parametrize(
    ("dimension", "text", "code"),
    [
        ("format", "mobility.outbound", "mobility.outbound"),
        ("format", "Outbound mobility", "mobility.outbound"),
        ("format", "MOBILITY_OUTBOUND", "mobility.outbound"),
        ("format", "mobility", "mobility.unspecified"),
        ("motivation", "market", "market.unspecified"),
        ("motivation", "Social transformation", "social.transformation"),
        ("motivation", "social-transformation", "social.transformation"),
        ("format", "teleportation", None),
        ("motivation", "mobility.outbound", None),
    ],
)
def test_codes_labels_and_group_names_resolve(dimension, text, code):
    assert load_codebook().resolve(dimension, text) == code


def test_group_only_code_is_labelled_unspecified_and_keeps_group_colour():
    cb = load_codebook()
    unspecified = cb.codes["market.unspecified"]
    assert unspecified.group == "market"
    assert "unspecified" in unspecified.label
    assert unspecified.colour == cb.groups["market"].colour


def test_parse_codebook_requires_its_sections():
    with pytest.raises(CodebookError, match="no dimension plays the 'format' role"):
        parse_codebook({"dimensions": {}})
