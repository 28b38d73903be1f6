"""The alignment rubric: precedence of specific rules and clear validation errors."""

from __future__ import annotations

import pytest

from evidence.codebook import load_codebook
from evidence.rubric import STATUSES, RubricError, load_rubric, parse_rubric


def _rule(motivation, fmt, status="aligned", rationale="because"):
    return {"motivation": motivation, "format": fmt, "status": status, "rationale": rationale}


def test_most_specific_rule_wins():
    rubric = parse_rubric(
        {
            "default": "not_assessed",
            "rules": [
                _rule("social", "mobility", "tension", "group x group"),
                _rule("social.transformation", "mobility", "aligned", "code x group"),
                _rule("social", "mobility.outbound", "misaligned", "group x code"),
                _rule("social.transformation", "mobility.degree", "aligned", "code x code"),
            ],
        }
    )
    assert rubric.status("social.transformation", "mobility.degree") == ("aligned", "code x code")
    assert rubric.status("social.transformation", "mobility.outbound")[1] == "group x code"
    assert rubric.status("social.transformation", "mobility.inbound")[1] == "code x group"
    assert rubric.status("social.unspecified", "mobility.inbound")[1] == "group x group"
    assert rubric.status("social", "mobility") == ("tension", "group x group")
    assert rubric.status("market", "mobility")[0] == "not_assessed"


def test_group_query_ignores_code_rules():
    rubric = parse_rubric({"rules": [_rule("social", "mobility.outbound", "tension")]})
    assert rubric.status("social", "mobility")[0] == "not_assessed"


def test_table_covers_every_pair_in_codebook_order():
    cb = load_codebook()
    table = load_rubric().table("group")
    assert len(table) == len(cb.groups_of("motivation")) * len(cb.groups_of("format"))
    assert table["status"].isin(STATUSES).all()
    assert list(table["motivation"].unique()) == cb.groups_of("motivation")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_rule("socail", "mobility"), r"rule 1 \(socail x mobility\): unknown motivation"),
        (_rule("social", "mobility.teleport"), "unknown format 'mobility.teleport'"),
        (_rule("mobility", "social"), "unknown motivation 'mobility'"),
        (_rule("social", "mobility", "great"), "unknown status 'great'"),
        (_rule("social", "mobility", rationale=" "), "rationale"),
        ({"format": "mobility", "status": "aligned", "rationale": "x"}, "'motivation' is missing"),
    ],
)
def test_validation_names_the_entry(entry, message):
    with pytest.raises(RubricError, match=message):
        parse_rubric({"rules": [entry]})


def test_duplicate_rules_are_rejected():
    with pytest.raises(RubricError, match=r"rule 2 .*duplicates rule 1"):
        parse_rubric({"rules": [_rule("social", "mobility"), _rule("social", "mobility")]})


def test_unknown_default_is_rejected():
    with pytest.raises(RubricError, match="default: unknown status"):
        parse_rubric({"default": "maybe", "rules": []})


def test_load_rubric_reports_the_file(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(
        "rules:\n  - {motivation: social, format: nope, status: aligned, rationale: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(RubricError, match=r"rubric\.yaml: rule 1"):
        load_rubric(path)


def test_shipped_rubric_encodes_the_review():
    rubric = load_rubric()
    assert rubric is load_rubric()  # cached
    assert rubric.status("social.transformation", "mobility.outbound")[0] == "tension"
    assert rubric.status("social.transformation", "mobility.clinical")[0] == "tension"
    assert rubric.status("social", "at_home")[0] == "aligned"
    assert rubric.status("market.student", "mobility.degree")[0] == "aligned"
    assert rubric.status("liberal.understanding", "mobility.bilateral")[0] == "aligned"
    assert rubric.status("social.transformation", "mobility.degree")[0] == "misaligned"
    for rule in rubric.rules:
        assert "Wu et al. 2022" in rule.rationale
