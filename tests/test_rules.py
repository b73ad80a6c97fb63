import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaser.errors import ChaserError
from chaser.model import Layout
from chaser.rules import DEFAULT_PLACEHOLDERS, Blank, Condition, Rule, compile_rules, compile_scan

LAYOUT = Layout("Opportunity", ("id", "owner", "stage", "account", "amount"), id=0, owner=1)
blank = Blank()
values = st.one_of(st.none(), st.text(max_size=6), st.sampled_from(DEFAULT_PLACEHOLDERS))


def check(rules, row):
    return compile_rules(rules, LAYOUT, blank)(row)


def test_blank_values():
    for v in (None, "", "   ", "N/A", " tbd ", "-", "?", "NONE", "null", "xxx", "na"):
        assert blank(v), v
    for v in ("0", "x", "Acme", "n/a corp", "—"):
        assert not blank(v), v


def test_placeholders_configurable():
    assert not Blank([])("N/A")
    assert Blank(["Unknown"])(" unknown ")


def test_unconditional_rule_lists_missing_in_order():
    rules = [Rule("Opportunity", ("amount", "account"))]
    assert check(rules, ["1", "u", "Won", "", ""]) == ("amount", "account")
    assert check(rules, ["1", "u", "Won", "Acme", "5"]) == ()


def test_rule_for_other_object_ignored():
    assert check([Rule("Lead", ("account",))], ["1", "u", "Won", "", ""]) == ()


def test_when_in_not_in_equals_blank():
    row = ["1", "u", "Won", "", ""]
    assert check([Rule("Opportunity", ("account",), Condition("stage", "in", ("won", "Lost")))],
                 row) == ("account",)
    assert check([Rule("Opportunity", ("account",), Condition("stage", "not_in", ("Won",)))],
                 row) == ()
    assert check([Rule("Opportunity", ("account",), Condition("stage", "equals", "Won"))],
                 row) == ("account",)
    assert check([Rule("Opportunity", ("amount",), Condition("account", "blank", True))],
                 row) == ("amount",)
    assert check([Rule("Opportunity", ("amount",), Condition("account", "blank", False))],
                 row) == ()


def test_field_required_twice_counts_once():
    rules = [Rule("Opportunity", ("account",)),
             Rule("Opportunity", ("account", "amount"), Condition("stage", "equals", "Won"))]
    assert check(rules, ["1", "u", "Won", "", ""]) == ("account", "amount")


def test_absent_column_is_an_error_and_short_row_is_blank():
    with pytest.raises(ChaserError, match="names field 'region'.*5 columns: 'id', 'owner', 'stage'"):
        check([Rule("Opportunity", ("region",))], ["1", "u", "Won", "Acme"])
    assert check([Rule("Opportunity", ("amount",))], ["1", "u", "Won", "Acme"]) == ("amount",)


def test_field_names_match_ignoring_case():
    assert check([Rule("Opportunity", ("Amount",), Condition("STAGE", "equals", "won"))],
                 ["1", "u", "Won", "", ""]) == ("Amount",)


def scan(rules, rows):
    return compile_scan(rules, LAYOUT, blank)(rows)


# Placeholders in any case, with surrounding whitespace; stages that trigger the conditions.
def _respell(word, upper, pad):
    return pad + "".join(c.upper() if up else c for c, up in zip(word, upper, strict=False)) + pad


spelled = st.builds(_respell, st.sampled_from(DEFAULT_PLACEHOLDERS + ("won", "Won", "")),
                    st.lists(st.booleans(), min_size=4, max_size=4),
                    st.sampled_from(("", " ", "\t", " \u00a0")))
cells = st.one_of(values, spelled)
RULE_SETS = [
    [Rule("Opportunity", ("account",)),
     Rule("Opportunity", ("amount", "account"), Condition("stage", "in", ("won", "?"))),
     Rule("Opportunity", ("amount",), Condition("account", "blank", True))],
    # Conditional rules only: rows whose plan requires nothing.
    [Rule("Opportunity", ("amount",), Condition("stage", "not_in", ("won",))),
     Rule("Opportunity", ("account", "amount"), Condition("stage", "equals", " WON "))],
]


@given(st.lists(st.lists(cells, min_size=3, max_size=5), max_size=30),
       st.sampled_from(RULE_SETS))
def test_scan_agrees_with_the_reference_checker(rows, rules):
    ref = compile_rules(rules, LAYOUT, blank)
    expected = [(r, ref(r)) for r in rows if ref(r)]
    assert scan(rules, rows) == expected
    # The same scan again: plans are now cached, the path most rows take.
    again = compile_scan(rules, LAYOUT, blank)
    again(rows)
    assert again(rows) == expected




@given(st.lists(values, min_size=5, max_size=5))
def test_missing_is_exactly_the_blank_required_fields(row):
    rules = [Rule("Opportunity", ("account", "amount"))]
    expected = tuple(f for f, v in (("account", row[3]), ("amount", row[4])) if blank(v))
    assert check(rules, row) == expected


@given(st.lists(values, min_size=5, max_size=5), st.lists(st.text(max_size=4), max_size=3))
def test_in_and_not_in_are_complements(row, stages):
    cond_in = [Rule("Opportunity", ("account",), Condition("stage", "in", tuple(stages)))]
    cond_out = [Rule("Opportunity", ("account",), Condition("stage", "not_in", tuple(stages)))]
    both = set(check(cond_in, row)) | set(check(cond_out, row))
    assert both == ({"account"} if blank(row[3]) else set())
    assert not (set(check(cond_in, row)) & set(check(cond_out, row)))
