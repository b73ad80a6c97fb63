from decimal import Decimal

import pytest

from chaser import config
from chaser.errors import ChaserError

GOOD = """\
[source]
kind = "csv"

[source.csv.people]
path = "sales_teams.csv"
key = "sales_agent"
team = "regional_office"
manager = "manager"

[[source.csv.objects]]
object = "Opportunity"
path = "data/sales_pipeline.csv"
id = "opportunity_id"
owner = "sales_agent"
delimiter = "tab"

[[rules]]
object = "Opportunity"
require = ["account"]
when = { field = "deal_stage", in = ["Engaging", "Won", "Lost"] }

[[rules]]
object = "Opportunity"
require = ["close_date", "close_value"]
when = { field = "deal_stage", in = ["Won", "Lost"] }

[placeholders]
values = ["n/a", "tbd"]

[tiers]
grade_a = 90
moderate = 60

[costs]
currency = "eur"
admin_hourly_rate = 60.5
timezone = "Europe/Berlin"
[costs.teams.EMEA]
rep_hourly_rate = 80
"""


def write(tmp_path, text, name="chaser.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(tmp_path, text) -> str:
    with pytest.raises(ChaserError) as e:
        config.load(write(tmp_path, text))
    return str(e.value)


def test_good_config(tmp_path):
    s = config.load(write(tmp_path, GOOD))
    assert s.kind == "csv"
    assert s.csv.people.path == tmp_path / "sales_teams.csv"  # relative to the file's folder
    obj = s.csv.objects[0]
    assert obj.path == tmp_path / "data" / "sales_pipeline.csv"
    assert obj.delimiter == "\t"
    assert [r.require for r in s.rules] == [("account",), ("close_date", "close_value")]
    assert s.rules[0].when.op == "in" and s.rules[0].when.value == ("Engaging", "Won", "Lost")
    assert s.placeholders == ("n/a", "tbd")
    assert s.tiers.grade_a == 90 and s.tiers.moderate == 60
    assert s.costs.currency == "EUR" and s.costs.admin_hourly_rate == Decimal("60.5")
    assert s.costs.teams["EMEA"].rep_hourly_rate == Decimal("80")
    assert s.data_key.startswith("chaser-")


def test_demo_only(tmp_path):
    s = config.load(write(tmp_path, '[source]\nkind = "demo"\n'))
    assert s.kind == "demo" and s.csv is None


def test_missing_file(tmp_path):
    with pytest.raises(ChaserError, match="nope.toml: config file not found"):
        config.load(tmp_path / "nope.toml")


def test_unknown_key_names_file_line_and_key(tmp_path):
    msg = error_of(tmp_path, GOOD.replace('manager = "manager"', 'manger = "manager"'))
    assert "chaser.toml:8:" in msg and "source.csv.people.manger" in msg and "unknown key" in msg


def test_wrong_type(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("grade_a = 90", 'grade_a = "high"'))
    assert "tiers.grade_a" in msg and "must be a number" in msg and ":31:" in msg


def test_duplicate_key_has_line(tmp_path):
    msg = error_of(tmp_path, GOOD.replace('key = "sales_agent"', 'key = "a"\nkey = "b"'))
    assert "chaser.toml" in msg and "line 7" in msg


def test_unknown_operator(tmp_path):
    msg = error_of(tmp_path, GOOD.replace('in = ["Won", "Lost"]', 'gt = 3'))
    assert "rules[1].when" in msg and "unknown operator 'gt'" in msg and ":25:" in msg


def test_missing_required_key_points_at_table(tmp_path):
    msg = error_of(tmp_path, GOOD.replace('owner = "sales_agent"\n', ""))
    assert "source.csv.objects[0].owner" in msg and "is required" in msg and ":10:" in msg


def test_unknown_kind_and_timezone(tmp_path):
    assert "unknown source kind 'sap'" in error_of(tmp_path, GOOD.replace('kind = "csv"', 'kind = "sap"'))
    assert "unknown time zone" in error_of(tmp_path, GOOD.replace("Europe/Berlin", "Mars/Base"))


def test_invalid_toml(tmp_path):
    assert "invalid TOML" in error_of(tmp_path, "[source\nkind=1")


def test_thresholds_order(tmp_path):
    assert "must not be above grade_a" in error_of(tmp_path, GOOD.replace("moderate = 60", "moderate = 99"))


def test_find_line():
    text = "[a]\nx = 1\n[[b]]\ny = 1\n[[b]]\ny = 2\nz = { q = 1 }\n"
    assert config.find_line(text, "a.x") == 2
    assert config.find_line(text, "b[1].y") == 6
    assert config.find_line(text, "b[1].z.q") == 7
    assert config.find_line(text, "b[0].missing") == 3


def test_a_key_or_table_given_twice_is_named(tmp_path):
    msg = error_of(tmp_path, GOOD.replace('key = "sales_agent"', 'key = "a"\nkey = "b"'))
    assert msg.startswith(f"{tmp_path / 'chaser.toml'}:7: key 'source.csv.people.key' is given "
                          "twice")
    msg = error_of(tmp_path, GOOD + "[tiers]\nmoderate = 50\n")
    assert ":40: table [tiers] is declared twice" in msg
    msg = error_of(tmp_path, GOOD.replace("grade_a = 90", "grade_a = 90\ngrade_a = 91"))
    assert ":32: key 'tiers.grade_a' is given twice" in msg


def test_rules_remember_where_they_were_written(tmp_path):
    s = config.load(write(tmp_path, GOOD))
    assert [r.origin for r in s.rules] == [f"{tmp_path / 'chaser.toml'}:17: key 'rules[0]'",
                                           f"{tmp_path / 'chaser.toml'}:22: key 'rules[1]'"]


def test_a_rule_on_an_object_without_a_csv_file_is_an_error(tmp_path):
    msg = error_of(tmp_path, GOOD.replace('object = "Opportunity"\nrequire = ["close_date"',
                                          'object = "opportunity"\nrequire = ["close_date"'))
    assert ":23: key 'rules[1].object': no [[source.csv.objects]] has object 'opportunity'" in msg


def test_a_quoted_number_is_a_type_error(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("admin_hourly_rate = 60.5", 'admin_hourly_rate = "60"'))
    assert "costs.admin_hourly_rate" in msg and "write it without quotes" in msg
