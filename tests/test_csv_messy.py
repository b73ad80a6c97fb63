"""CSV exports as they really arrive (issue 9): NULs in rich-text cells, repeated ids and header
rows, duplicated header names, mixed encodings, FIFOs, report date formats, and owners matched
as people mean them (case, spacing, 15/18-character ids, deactivated users, joined names,
excluded system users)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import csv_org, run_cli

from chaser.audit import Auditor
from chaser.config import CsvObject, CsvPeople, CsvSource
from chaser.connectors.base import Cancel, ConnectorError
from chaser.connectors.csv import CsvConnector
from chaser.model import Bucket
from chaser.rules import Blank, Condition, Rule

HEADER = "Id,Owner,Stage,Amount,Modified\r\n"
RULES = (Rule("Deal", ("Amount",), Condition("Stage", "equals", "Won"), origin="chaser.toml:9"),)


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def deal(path: Path, **kw) -> CsvObject:
    return CsvObject("Deal", path, "Id", "Owner", **kw)


def audit(src: CsvSource, rules=RULES):
    """(snapshot, connector notes, audit notes)."""
    connector = CsvConnector(src, rules)
    auditor = Auditor(connector.directory(Cancel()), rules, Blank())
    for batch in connector.batches("Deal", lambda p: None, Cancel()):
        auditor.add(batch)
    snap = auditor.snapshot("s", datetime(2026, 11, 20, tzinfo=UTC), "test")
    return snap, connector.notes(), auditor.notes()


def error(src: CsvSource) -> str:
    with pytest.raises(ConnectorError) as e:
        audit(src)
    assert "\n" not in str(e.value)
    return str(e.value)


# ---- bytes ------------------------------------------------------------------------------------


def test_nul_characters_in_cells_are_dropped_with_a_note(tmp_path):
    # A Salesforce weekly Data Export: rich-text cells start with a NUL.
    rows = "".join(f'00{i},Ann,Won,"\x00{i}00",\r\n' for i in range(48))
    snap, notes, _ = audit(CsvSource((deal(write(tmp_path / "o.csv", HEADER + rows)),)))
    assert snap.objects == {"Deal": 48} and not snap.gaps
    assert "o.csv: 48 NUL characters removed" in notes


def test_a_mostly_binary_file_is_still_refused(tmp_path):
    path = write(tmp_path / "o.csv", b"Id,Owner\r\n" + b"\x00\x01\x02\x03" * 200)
    assert "is a binary file, not CSV" in error(CsvSource((deal(path),)))


def test_utf8_with_one_stray_cp1252_byte_is_an_error_naming_the_line(tmp_path):
    data = (HEADER + "001,José Pérez,Won,5,\r\n").encode() + b"002,Ren\xe9,Won,5,\r\n"
    path = write(tmp_path / "o.csv", data)
    message = error(CsvSource((deal(path),)))
    assert message.startswith(f"{path}:3: byte 0xE9 is not valid utf-8")
    assert 'encoding = "cp1252"' in message


def test_plain_cp1252_is_still_read(tmp_path):
    path = write(tmp_path / "o.csv", HEADER + "001,René,Won,5,\r\n", "cp1252")
    snap, _, _ = audit(CsvSource((deal(path),)))
    assert [p.key for p in snap.people] == ["René"]


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_fifo_folder_or_device_is_an_error_before_opening(tmp_path, kind):
    path = tmp_path / "o.csv"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would wait for a writer for ever
    elif kind == "folder":
        path.mkdir()
    else:
        path = Path("/dev/null")
    message = error(CsvSource((deal(path),)))
    assert message.startswith(f"{path}: is ")
    assert {"fifo": "FIFO", "folder": "folder", "device": "device"}[kind] in message


# ---- one record per id ------------------------------------------------------------------------


def test_a_file_concatenated_twice_counts_each_record_once(tmp_path):
    body = HEADER + "001,Ann,Won,,\r\n002,Bob,Lost,,\r\n"
    path = write(tmp_path / "o.csv", body + body)
    snap, notes, _ = audit(CsvSource((deal(path),)))
    assert snap.objects == {"Deal": 2} and len(snap.gaps) == 1
    assert "o.csv: skipped 1 repeated header row (files pasted together?)" in notes
    assert ("o.csv: 2 rows repeat an earlier Deal id and were counted once (e.g. id '001' on "
            "lines 2 and 5; id '002' on lines 3 and 6)") in notes
    assert not any(n.startswith("warning") for n in notes)


def test_repeated_id_differing_in_a_rule_field_is_a_warning_naming_both_lines(tmp_path):
    # "Opportunities with Products": one line per product; differing Amount is suspicious.
    path = write(tmp_path / "o.csv", HEADER + "001,Ann,Won,5,\r\n002,Ann,Won,7,\r\n"
                 "001,Ann,Won,,\r\n")
    snap, notes, _ = audit(CsvSource((deal(path),)))
    assert snap.objects == {"Deal": 2} and not snap.gaps  # the first row is the one counted
    assert ("warning: o.csv: 1 repeated id differ in a rule field; the first row is counted: "
            "id '001' on lines 2 and 4 (Amount '5' vs '')") in notes


def test_repeated_ids_in_the_row_by_row_path(tmp_path, monkeypatch):
    import chaser.connectors.csv_read as csvread

    monkeypatch.setattr(csvread, "BATCH", 2)
    path = write(tmp_path / "o.csv", HEADER + "001,Ann,Won,5,\r\n001,Ann,Won,5,\r\n,,,,\r\n"
                 "002,Ann,Won,5,\r\n002,Ann,Won,5,\r\n003,Ann,Won,5,\r\n")
    snap, _, _ = audit(CsvSource((deal(path),)))
    assert snap.objects == {"Deal": 3}


def test_a_mapping_naming_a_duplicated_header_names_both_columns(tmp_path):
    path = write(tmp_path / "o.csv", "Id,Owner,Stage,Owner,Amount\r\n001,Ann,Won,Bob,5\r\n")
    assert error(CsvSource((deal(path),))) == (
        f"{path}: column 'Owner' (source.csv.objects[0].owner) is in the header more than once "
        "(columns 2 and 4); rename one in the file")


def test_a_rule_naming_a_duplicated_header_names_both_columns(tmp_path):
    path = write(tmp_path / "o.csv", "Id,Owner,Stage,Amount,Amount\r\n001,Ann,Won,5,\r\n")
    with pytest.raises(Exception, match=r"names field 'Amount', which .*o.csv has more than "
                                        r"once \(columns 4 and 5\)"):
        audit(CsvSource((deal(path),)))


# ---- modified dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cells", "iso", "note"), [
    (["2014-02-24T17:03:00.000Z"], "2014-02-24T17:03:00.000Z", None),
    (["2/24/2014 5:03 PM", "1/3/2014 9:00 AM"], "2014-02-24T17:03:00", None),
    (["20.12.2013 04:13", "1.2.2014 10:00"], "2013-12-20T04:13:00", None),
    (["3/4/2014"], "2014-03-04", "read as month/day"),
    (["yesterday"], None, "holds no dates chaser reads (e.g. 'yesterday')"),
])
def test_modified_dates_in_report_formats_become_iso(tmp_path, cells, iso, note):
    rows = "".join(f'00{i},Ann,Won,,"{c}"\r\n' for i, c in enumerate(cells))
    path = write(tmp_path / "o.csv", HEADER + rows)
    snap, notes, _ = audit(CsvSource((deal(path, modified="Modified"),)))
    assert snap.gaps[0].modified == iso
    assert (note is None and not notes) or any(note in n for n in notes)


def test_modified_format_settles_an_ambiguous_file(tmp_path):
    path = write(tmp_path / "o.csv", HEADER + "001,Ann,Won,,03/04/2014 10:00\r\n")
    snap, notes, _ = audit(CsvSource((deal(path, modified="Modified",
                                           modified_format="%d/%m/%Y %H:%M"),)))
    assert snap.gaps[0].modified == "2014-04-03T10:00:00" and not notes


# ---- owners as people mean them ---------------------------------------------------------------


def people(tmp_path: Path, text: str, **kw) -> CsvPeople:
    return CsvPeople(write(tmp_path / "users.csv", text), **kw)


def test_owner_case_and_spacing_are_ignored_and_gaps_carry_the_person_key(tmp_path):
    users = people(tmp_path, "Name\r\nmark stringer\r\n", key="Name")
    path = write(tmp_path / "o.csv", HEADER + "001,Mark  Stringer ,Won,,\r\n002,MARK STRINGER,"
                 "Lost,,\r\n")
    snap, _, audit_notes = audit(CsvSource((deal(path),), users))
    assert snap.tallies["mark stringer"].records == 2 and not snap.buckets
    assert [g.owner for g in snap.gaps] == ["mark stringer"] and not audit_notes


def test_salesforce_15_and_18_character_ids_are_one_id(tmp_path):
    users = people(tmp_path, "Id,Name\r\n005A0000001abcDEFG,Ann\r\n005A0000001abcd,Bob\r\n",
                   key="Id", name="Name")
    path = write(tmp_path / "o.csv", HEADER + "001,005A0000001abcD,Won,,\r\n"
                 "002,005A0000001abcdXYZ,Won,5,\r\n003,005a0000001ABCD,Won,5,\r\n")
    snap, _, audit_notes = audit(CsvSource((deal(path),), users))
    assert snap.tallies["005A0000001abcDEFG"].records == 1  # the 18-char id's first 15
    assert snap.tallies["005A0000001abcd"].records == 1  # case matters within the 15
    assert snap.buckets[Bucket.UNKNOWN.value].records == 1
    assert [g.owner for g in snap.gaps] == ["005A0000001abcDEFG"]
    # The unknown one is named, with the nearest people-file entries.
    assert "'005a0000001ABCD' (1 records; nearest in the people file:" in audit_notes[0]


def test_a_deactivated_hubspot_owner_is_inactive_not_unknown(tmp_path):
    users = people(tmp_path, "Email\r\nann@x.com\r\n", key="Email")
    path = write(tmp_path / "o.csv", HEADER + "001,ann@x.com (Deactivated User),Won,,\r\n"
                 "002,bob@x.com (Deactivated User),Won,,\r\n")
    snap, _, _ = audit(CsvSource((deal(path),), users))
    assert snap.buckets[Bucket.INACTIVE.value].records == 2
    assert Bucket.UNKNOWN.value not in snap.buckets
    assert snap.gaps[0].owner == "ann@x.com"


def test_joined_names_and_exclude_rows_by_column_value(tmp_path):
    users = people(tmp_path, "Id,FirstName,LastName,UserType\r\n"
                   "u1,Mark,Stringer,Standard\r\nu2,Automated,Process,AutomatedProcess\r\n"
                   "u3,Lic,Mgr,LicenseManager\r\n", key="Id", name=("FirstName", "LastName"),
                   exclude=(("UserType", True, ("standard",)),))
    path = write(tmp_path / "o.csv", HEADER + "001,u1,Won,,\r\n002,u2,Won,,\r\n")
    snap, notes, _ = audit(CsvSource((deal(path),), users))
    assert [(p.key, p.name) for p in snap.people] == [("u1", "Mark Stringer")]
    assert snap.buckets[Bucket.QUEUE.value].records == 1  # the system user is nobody's fault
    assert "users.csv: 2 people left out by exclude" in notes[0]


def test_exclude_by_listed_values(tmp_path):
    users = people(tmp_path, "Name,Alias\r\nAnn,ann\r\nApp One,APP\r\n", key="Name",
                   exclude=(("Alias", False, ("app",)),))
    path = write(tmp_path / "o.csv", HEADER + "001,Ann,Won,5,\r\n")
    snap, _, _ = audit(CsvSource((deal(path),), users))
    assert [p.key for p in snap.people] == ["Ann"]


# ---- rules that warn --------------------------------------------------------------------------


def test_a_when_value_no_record_holds_is_a_warning_with_the_nearest_values(tmp_path):
    rules = (Rule("Deal", ("Amount",), Condition("Stage", "equals", "Closed lost"),
                  origin="chaser.toml:9: key 'rules[0]'"),)
    path = write(tmp_path / "o.csv", HEADER + "001,Ann,Closed: lost,,\r\n002,Ann,Won,,\r\n")
    _, _, audit_notes = audit(CsvSource((deal(path),)), rules)
    assert audit_notes == ["warning: chaser.toml:9: key 'rules[0]': when Stage equals "
                           "'Closed lost' matches no Deal record; nearest values that occur: "
                           "'Closed: lost'"]


def test_when_values_match_ignoring_case_and_give_no_warning(tmp_path):
    rules = (Rule("Deal", ("Amount",), Condition("Stage", "in", ("won", "LOST"))),)
    path = write(tmp_path / "o.csv", HEADER + "001,Ann,Won,,\r\n002,Ann,lost,,\r\n")
    snap, _, audit_notes = audit(CsvSource((deal(path),)), rules)
    assert len(snap.gaps) == 2 and audit_notes == []


# ---- through the CLI --------------------------------------------------------------------------


def test_cli_sync_shows_the_notes_and_a_bad_file_is_one_line_exit_2(tmp_path, capsys):
    config = csv_org(tmp_path, "name\nAnn Lee\n", "id,owner,stage,amount\n1,ann  lee,Won,\n"
                     "1,ann  lee,Won,\n2,Ghost,Won,\n")
    code, out, _ = run_cli(capsys, "sync", "--config", config)
    assert code == 0 and "counted once" in out and "'Ghost'" in out
    code, out, _ = run_cli(capsys, "gaps", "--config", config, "--format", "csv")
    assert code == 0 and "Ann Lee,(no team),1,1" in out
    (tmp_path / "deals.csv").write_bytes("id,owner,stage,amount\n1,José,Won,\n".encode()
                                         + b"2,Ren\xe9,Won,\n")
    code, out, err = run_cli(capsys, "sync", "--config", config)
    assert code == 2 and err.count("\n") == 1 and "deals.csv:3: byte 0xE9" in err


def test_config_joined_name_exclude_and_ambiguous_people_show_keys(tmp_path, capsys):
    (tmp_path / "users.csv").write_text(
        "Id,FirstName,LastName,Alias,UserType\n005A,Ann,Lee,ann,Standard\n"
        "005B,Automated,Process,APP,AutomatedProcess\n005C,Kim,Po,kp,Standard\n"
        "005D,Kim,Po,kp2,Standard\n", encoding="utf-8")
    (tmp_path / "deals.csv").write_text("id,owner,stage,amount\n1,005A,Won,\n2,005B,Won,\n",
                                        encoding="utf-8")
    config = tmp_path / "chaser.toml"
    config.write_text(
        '[source]\nkind = "csv"\n[source.csv.people]\npath = "users.csv"\nkey = "Id"\n'
        'name = ["FirstName", "LastName"]\nexclude = { UserType = { not = ["Standard"] } }\n'
        '[[source.csv.objects]]\nobject = "Deal"\npath = "deals.csv"\nid = "id"\n'
        'owner = "owner"\n[[rules]]\nobject = "Deal"\nrequire = ["amount"]\n', encoding="utf-8")
    code, out, _ = run_cli(capsys, "gaps", "--config", config, "--format", "csv")
    assert code == 0 and "Ann Lee,(no team),1,1" in out and "Automated" not in out
    code, _, err = run_cli(capsys, "gaps", "--config", config, "--person", "kim po")
    assert code == 2 and "key 005C" in err and "key 005D" in err and err.count("\n") == 1
    config.write_text(config.read_text().replace('{ not = ["Standard"] }', "5"))
    code, _, err = run_cli(capsys, "gaps", "--config", config)
    assert code == 2 and "chaser.toml:7: key 'source.csv.people.exclude.UserType'" in err
