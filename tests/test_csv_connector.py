"""The CSV connector against exports as admins really get them (DESIGN.md section 5), and an
audit of the real Maven CRM sample checked against figures computed here from the raw file."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

import chaser.connectors.csv as csvconn
import chaser.connectors.csv_read as csvread
from chaser.audit import Auditor
from chaser.config import CsvObject, CsvPeople, CsvSource
from chaser.connectors.base import Cancel, Cancelled, Connector, ConnectorError, Progress
from chaser.connectors.csv import CsvConnector
from chaser.model import NO_TEAM, Bucket
from chaser.rules import Blank, Condition, Rule

MAVEN = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven-crm"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
HEADER = "Opportunity ID,Opportunity Owner,Account Name,Stage,Amount\r\n"


def write(path: Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def source(path: Path, people: CsvPeople | None = None, **kw) -> CsvSource:
    mapping = {"id": "Opportunity ID", "owner": "Opportunity Owner"} | kw
    return CsvSource((CsvObject("Opportunity", path, **mapping),), people)


def read(src: CsvSource, obj: str = "Opportunity", progress=None, cancel=None):
    """(batches, progress events) of one object; the connector's notes ride on the last."""
    events = []
    connector = CsvConnector(src)
    batches = list(connector.batches(obj, progress or events.append, cancel or Cancel()))
    events.append(Progress(obj, -1, -1, done=True, message=" ".join(connector.notes())))
    return batches, events


def rows_of(batches) -> list[list[str]]:
    return [row for b in batches for row in b.rows]


def error(src: CsvSource, obj: str = "Opportunity") -> str:
    with pytest.raises(ConnectorError) as e:
        read(src, obj)
    message = str(e.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# ---- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_are_detected(tmp_path, encoding):
    text = HEADER + "006A,Jörg Müller,Café Crème,Won,€ 1.200\r\n"
    (b,), _ = read(source(write(tmp_path / "x.csv", text, encoding)))
    assert b.layout.columns[0] == "Opportunity ID"  # no BOM left on the first label
    assert b.rows == [["006A", "Jörg Müller", "Café Crème", "Won", "€ 1.200"]]


def test_cp1252_after_a_long_ascii_start(tmp_path, monkeypatch):
    # Excel's cp1252: the first umlaut may sit far beyond any sample taken at the start.
    monkeypatch.setattr(csvread, "CHUNK", 64)
    ascii_rows = "".join(f"006{i:03d},Ann,Acme,Won,1\r\n" for i in range(40))
    path = write(tmp_path / "x.csv", HEADER + ascii_rows + "006Z,Müller,Acme,Won,€5\r\n", "cp1252")
    batches, _ = read(source(path))
    assert rows_of(batches)[-1] == ["006Z", "Müller", "Acme", "Won", "€5"]


@pytest.mark.parametrize("cut", range(6))
def test_utf8_character_straddling_the_sample_boundary(tmp_path, monkeypatch, cut):
    data = (HEADER + "006A,Zoë Ünal,Acme,Won,€1\r\n").encode()
    monkeypatch.setattr(csvread, "CHUNK", data.index("Ü".encode()) + cut - 2)
    (b,), _ = read(source(write(tmp_path / "x.csv", data)))
    assert b.rows[0][1] == "Zoë Ünal"


def test_utf16_excel_unicode_text(tmp_path):
    text = HEADER.replace(",", "\t") + "006A\tJörg\tAcme\tWon\t5\r\n"
    (b,), _ = read(source(write(tmp_path / "x.txt", text, "utf-16")))
    assert b.rows == [["006A", "Jörg", "Acme", "Won", "5"]]


def test_explicit_encoding_wins(tmp_path):
    path = write(tmp_path / "x.csv", HEADER + "006A,Müller,Acme,Won,5\r\n", "latin-1")
    (b,), _ = read(source(path, encoding="latin-1"))
    assert b.rows[0][1] == "Müller"
    (b,), _ = read(source(path, encoding="cp437"))  # wrong, but it is what the admin said
    assert b.rows[0][1] != "Müller"


def test_bad_byte_under_explicit_encoding_names_the_line(tmp_path):
    path = write(tmp_path / "x.csv", HEADER + "006A,Ann,Acme,Won,5\r\n006B,M\xfcller,Acme,Won,5\r\n",
                 "latin-1")
    message = error(source(path, encoding="utf-8"))
    assert message.startswith(f"{path}:3: byte 0xFC is not valid utf-8")


def test_mixed_encodings_fail_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "CHUNK", 64)
    good = HEADER + "006A,Zoë,Acme,Won,5\r\n" + "".join(f"006{i:03d},Ann,Acme,Won,1\r\n" for i in range(900))
    path = write(tmp_path / "x.csv", good.encode() + "006Z,Müller,Acme,Won,5\r\n".encode("cp1252"))
    message = error(source(path))
    assert message.startswith(f"{path}:903: byte 0xFC is not valid utf-8") and "cp1252" in message


def test_unknown_encoding(tmp_path):
    path = write(tmp_path / "x.csv", HEADER)
    assert "unknown encoding 'klingon'" in error(source(path, encoding="klingon"))


# ---- delimiters, quoting, header matching ------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_delimiters_are_detected_from_the_header(tmp_path, delimiter):
    # Decimal commas in the data must not fool the detection.
    text = (HEADER.replace(",", delimiter) +
            delimiter.join(["006A", "Ann", '"Acme, Inc."', "Won", "1.200,50"]) + "\r\n")
    (b,), _ = read(source(write(tmp_path / "x.csv", text, "cp1252")))
    assert b.rows == [["006A", "Ann", "Acme, Inc.", "Won", "1.200,50"]]


def test_quoted_delimiters_in_the_header_do_not_count(tmp_path):
    text = '"Opportunity ID";"Opportunity Owner";"Amount (EUR, net, incl. fees)"\n006A;Ann;5\n'
    (b,), _ = read(source(write(tmp_path / "x.csv", text)))
    assert b.rows == [["006A", "Ann", "5"]]


def test_explicit_delimiter_wins(tmp_path):
    text = "Opportunity ID|Opportunity Owner|Notes\n006A|Ann|a;b;c;d\n"
    (b,), _ = read(source(write(tmp_path / "x.csv", text), delimiter="|"))
    assert b.rows == [["006A", "Ann", "a;b;c;d"]]


def test_quoted_newlines_and_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BATCH", 2)
    text = (HEADER + '006A,Ann,"Acme\r\nEast",Won,5\r\n' + '006B,Bob,"multi\nline\nnote",Won,5\r\n'
            + "006C,Cy,Acme,Won,5\r\n")
    batches, _ = read(source(write(tmp_path / "x.csv", text)))
    assert [len(b.rows) for b in batches] == [2, 1]
    assert batches[0].rows[0][2] == "Acme\r\nEast" and batches[0].rows[1][2] == "multi\nline\nnote"
    assert [b.line for b in batches] == [2, 7]  # first source line of each batch


def test_header_labels_match_stripped_then_in_any_case(tmp_path):
    text = "\ufeff Opportunity ID ,OPPORTUNITY OWNER,Stage\n006A,Ann,Won\n"
    (b,), _ = read(source(write(tmp_path / "x.csv", text, "utf-8"), encoding="utf-8"))
    assert b.layout.columns == ("Opportunity ID", "OPPORTUNITY OWNER", "Stage")
    assert (b.layout.id, b.layout.owner) == (0, 1)


def test_missing_column_names_key_and_lists_columns(tmp_path):
    path = write(tmp_path / "x.csv", HEADER + "006A,Ann,Acme,Won,5\r\n")
    message = error(source(path, owner="Deal Owner"))
    assert message == (f"{path}: column 'Deal Owner' (source.csv.objects[0].owner) is not in the "
                       "header; 5 columns: 'Opportunity ID', 'Opportunity Owner', "
                       "'Account Name', 'Stage', 'Amount'")


def test_missing_column_in_a_wide_file_names_the_nearest_first_on_one_short_line(tmp_path):
    # A 110-column Salesforce export once gave a 2,900-character line with no suggestion.
    labels = [f"Custom Field {i:03d}__c" for i in range(108)] + ["Opportunity ID", "Owner Name"]
    path = write(tmp_path / "x.csv", ",".join(labels) + "\r\n" + ",".join("x" * 110) + "\r\n")
    message = error(source(path, owner="Owner Nme"))
    assert "did you mean 'Owner Name'?" in message
    assert "110 columns, nearest first: 'Owner Name'" in message and "more)" in message
    assert len(message) < len(str(path)) + 400


# ---- the shape of real exports -----------------------------------------------------------

SALESFORCE_FOOTER = ('\r\n"Grand Totals (2 records)"\r\n"Confidential Information - Do Not Distribute"\r\n'
                     '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
                     '"Generated By: Ann Admin  20/11/2026 09:00"\r\n"Acme Corp"\r\n')


def test_salesforce_footer_is_not_data(tmp_path):
    text = HEADER + "006A,Ann,Acme,Won,5\r\n006B,Bob,,Won,\r\n" + SALESFORCE_FOOTER
    batches, events = read(source(write(tmp_path / "x.csv", text)))
    assert [r[0] for r in rows_of(batches)] == ["006A", "006B"]
    assert events[-2].records == 2 and events[-1].message == ""


def test_footer_split_across_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BATCH", 3)
    text = HEADER + "006A,Ann,Acme,Won,5\r\n006B,Bob,,Won,\r\n" + SALESFORCE_FOOTER
    batches, _ = read(source(write(tmp_path / "x.csv", text)))
    assert len(rows_of(batches)) == 2


def test_data_after_a_footer_like_block_is_an_error(tmp_path):
    text = HEADER + "006A,Ann,Acme,Won,5\r\n\r\n\"Grand Totals\"\r\n006B,Bob,,Won,\r\n"
    path = write(tmp_path / "x.csv", text)
    assert error(source(path)).startswith(f"{path}:4: expected 5 cells (as in the header), got 1")


def test_blank_lines_between_rows_are_skipped(tmp_path):
    text = HEADER + "006A,Ann,Acme,Won,5\r\n\r\n\r\n006B,Bob,,Won,\r\n"
    batches, _ = read(source(write(tmp_path / "x.csv", text)))
    assert [r[0] for r in rows_of(batches)] == ["006A", "006B"]


def test_summary_export_subtotal_rows_are_skipped(tmp_path):
    # A summary report grouped by owner: group headers and subtotals have no record id.
    text = ("Opportunity Owner,Opportunity ID,Stage,Amount\n"
            "Ann,,,\n"
            "Ann,006A,Won,100\n"
            "Ann,006B,Won,\n"
            "Subtotal,,,100\n"
            ",  ,,\n"
            "Bob,006C,Lost,50\n"
            "Grand Totals (3 records),,,150\n")
    batches, events = read(source(write(tmp_path / "x.csv", text)))
    assert [r[1] for r in rows_of(batches)] == ["006A", "006B", "006C"]
    assert events[-1].message == ("x.csv: skipped 4 summary rows without a record id "
                                  "(subtotals, group headers)")


def test_total_label_in_the_id_column_is_skipped(tmp_path):
    text = ("Opportunity ID,Opportunity Owner,Amount\n006A,Ann,1\nSubtotal,Ann,1\n"
            "006TOTAL9,Bob,2\nTOTAL:,,3\nGrand Totals (2 records),,3\n")
    batches, _ = read(source(write(tmp_path / "x.csv", text)))
    assert [r[0] for r in rows_of(batches)] == ["006A", "006TOTAL9"]


@pytest.mark.parametrize("batch", [1, 3, 7, 500])
def test_fast_and_row_by_row_paths_agree(tmp_path, monkeypatch, batch):
    # Whole clean batches take a C-level check, odd ones go row by row: same rows either way.
    import random

    rng = random.Random(batch)
    ids = ["006A", "", " ", "\t", "Total", "SubTotal", "Grand Totals (9 records)", "006 B",
           "totally-real", "Ünïcode", "\xa0", " 006C ", "TOTAL:", "006D"]
    picked = [rng.choice(ids) if rng.random() < 0.3 else f"006{i}" for i in range(200)]
    text = "Opportunity Owner,Opportunity ID\n" + "".join(f'Ann,"{i}"\n' for i in picked)
    monkeypatch.setattr(csvread, "BATCH", batch)
    batches, _ = read(source(write(tmp_path / "x.csv", text)))
    label = csvconn.TOTAL_LABEL
    # A repeated id is one record: its first row is the one kept.
    kept = dict.fromkeys(i for i in picked if i.strip() and not label.match(i))
    assert [r[1] for r in rows_of(batches)] == list(kept)


@pytest.mark.parametrize(("row", "got", "hint"), [
    ("006B,Bob,Acme,Won", 4, ""),
    ("006B,Bob,Acme, Inc.,Won,5", 6, "a value may hold an unquoted ','"),
])
def test_ragged_row_names_file_line_and_counts(tmp_path, row, got, hint):
    path = write(tmp_path / "x.csv", HEADER + 'a1,Ann,"two\nlines",Won,5\r\n' + row + "\r\n")
    message = error(source(path, id="Opportunity ID"))
    assert message.startswith(f"{path}:4: expected 5 cells (as in the header), got {got}")
    assert hint in message


def test_unclosed_quote_is_reported_as_ragged(tmp_path):
    path = write(tmp_path / "x.csv", HEADER + '006A,Ann,"Acme,Won,5\r\n006B,Bob,Acme,Won,5\r\n')
    message = error(source(path))
    assert message.startswith(f"{path}:2: expected 5 cells") and "quote" in message


def test_header_only_file_has_no_batches(tmp_path):
    batches, events = read(source(write(tmp_path / "x.csv", HEADER)))
    assert batches == [] and len(events) == 1  # only the notes marker: no batch, no progress


@pytest.mark.parametrize(("content", "what"), [
    (b"", "the file is empty"),
    (b"\r\n  \r\n", "the file is empty (no header row)"),
    (b"Opportunity ID,Owner\x00\x00\x01", "is a binary file, not CSV (3 of its first 23 bytes "
     "are not text)"),
    (bytes(range(256)) * 4, "is a binary file, not CSV"),
    (b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook or zip file, not CSV"),
])
def test_unreadable_files(tmp_path, content, what):
    path = write(tmp_path / "x.csv", content)
    assert error(source(path)).startswith(f"{path}: {what}")


def test_missing_file_and_folder(tmp_path):
    assert error(source(tmp_path / "nope.csv")) == f"{tmp_path / 'nope.csv'}: file not found"
    assert "is a folder" in error(source(tmp_path))


def test_unknown_object(tmp_path):
    src = source(write(tmp_path / "x.csv", HEADER))
    assert "no CSV file is configured for object 'Lead'" in error(src, "Lead")


# ---- batches, progress, cancel, protocol -------------------------------------------------


def test_batches_progress_and_layout(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BATCH", 4)
    text = HEADER + "".join(f"006{i},Ann,Acme,Won,5\r\n" for i in range(10))
    src = source(write(tmp_path / "x.csv", text), name="Account Name", modified="Stage",
                 url="https://acme.my.salesforce.com/{id}")
    batches, events = read(src)
    assert [len(b.rows) for b in batches] == [4, 4, 2]
    assert [b.line for b in batches] == [2, 6, 10]
    assert all(type(r) is list for r in rows_of(batches))
    layout = batches[0].layout
    assert (layout.id, layout.owner, layout.name, layout.modified) == (0, 1, 2, 3)
    assert layout.url_template == "https://acme.my.salesforce.com/{id}"
    assert [(e.records, e.pages, e.total, e.done) for e in events[:-1]] == [
        (4, 1, None, False), (8, 2, None, False), (10, 3, None, False)]


def test_cancel_between_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BATCH", 2)
    text = HEADER + "".join(f"006{i},Ann,Acme,Won,5\r\n" for i in range(10))
    connector = CsvConnector(source(write(tmp_path / "x.csv", text)))
    cancel = Cancel()
    seen = []
    with pytest.raises(Cancelled):
        for batch in connector.batches("Opportunity", lambda p: None, cancel):
            seen.append(batch)
            cancel.set()
    assert len(seen) == 1 and not connector._open


def test_protocol_label_capabilities_and_close(tmp_path):
    path = write(tmp_path / "sales_pipeline.csv", HEADER + "006A,Ann,Acme,Won,5\r\n")
    connector = CsvConnector(source(path))
    assert isinstance(connector, Connector) and connector.kind == "csv"
    assert connector.label() == "CSV: sales_pipeline.csv"
    assert connector.objects() == ["Opportunity"] and connector.source_rules() == []
    assert not connector.capabilities.record_urls and not connector.capabilities.incremental
    assert CsvConnector(source(path, url="https://x/{id}")).capabilities.record_urls
    stream = connector.batches("Opportunity", lambda p: None, Cancel())
    next(stream)
    (table,) = connector._open
    connector.close()
    assert table.file.closed and not connector._open


# ---- people --------------------------------------------------------------------------------

PEOPLE = ("User ID;Full Name;Role;Manager;Email;Active\n"
          "u1;Ann Smith;East;Mo;ann@x.com;Yes\n"
          "u2;Bob;East;Mo;;\n"
          "u3;Cy;;;;inactive\n"
          "u4;Di;West;;;0\n")


def people_conf(path: Path, **kw) -> CsvPeople:
    return CsvPeople(path, **({"key": "User ID", "name": "Full Name", "team": "Role",
                               "manager": "Manager", "email": "Email", "active": "Active"} | kw))


def test_people_file(tmp_path):
    path = write(tmp_path / "users.csv", PEOPLE)
    d = CsvConnector(source(tmp_path / "x.csv", people_conf(path))).directory(Cancel())
    assert d.complete
    ann, bob, cy, di = d.people
    assert (ann.key, ann.name, ann.team, ann.manager, ann.email, ann.active) == (
        "u1", "Ann Smith", "East", "Mo", "ann@x.com", True)
    assert bob.active and bob.email is None
    assert cy.team == NO_TEAM and cy.manager is None and not cy.active and not di.active


def test_people_file_with_only_a_key_column(tmp_path):
    path = write(tmp_path / "users.csv", "Owner\nAnn\nBob\n")
    d = CsvConnector(source(tmp_path / "x.csv", CsvPeople(path, "Owner"))).directory(Cancel())
    assert [(p.key, p.name, p.active) for p in d.people] == [("Ann", "Ann", True), ("Bob", "Bob", True)]


def test_no_people_file_means_an_open_directory(tmp_path):
    d = CsvConnector(source(tmp_path / "x.csv")).directory(Cancel())
    assert not d.complete and d.people == ()


def test_duplicate_person_key(tmp_path):
    path = write(tmp_path / "users.csv", PEOPLE + "u5;Ed;;;;\n u2 ;Bobby;;;;\n")
    with pytest.raises(ConnectorError) as e:
        CsvConnector(source(tmp_path / "x.csv", people_conf(path))).directory(Cancel())
    assert str(e.value) == f"{path}:7: duplicate key 'u2' (first on line 3)"


def test_bad_active_value(tmp_path):
    path = write(tmp_path / "users.csv", PEOPLE + "u5;Ed;;;;maybe\n")
    with pytest.raises(ConnectorError) as e:
        CsvConnector(source(tmp_path / "x.csv", people_conf(path))).directory(Cancel())
    assert str(e.value).startswith(f"{path}:6: column 'Active' is 'maybe', not a yes/no value")


def test_people_file_missing_column(tmp_path):
    path = write(tmp_path / "users.csv", PEOPLE)
    with pytest.raises(ConnectorError, match=r"column 'Dept' \(source.csv.people.team\) is not in"):
        CsvConnector(source(tmp_path / "x.csv", people_conf(path, team="Dept"))).directory(Cancel())


def test_audit_of_a_csv_with_inactive_and_unknown_owners(tmp_path):
    people = write(tmp_path / "users.csv", PEOPLE)
    records = write(tmp_path / "x.csv", HEADER + "006A,u1,Acme,Won,\r\n006B,u1,Acme,Won,5\r\n"
                    "006C,u3,,Won,\r\n006D,zz,Acme,Won,\r\n" + SALESFORCE_FOOTER)
    connector = CsvConnector(source(records, people_conf(people)))
    rules = [Rule("Opportunity", ("Amount",), Condition("Stage", "in", ("won",)))]
    auditor = Auditor(connector.directory(Cancel()), rules, Blank())
    for batch in connector.batches("Opportunity", lambda p: None, Cancel()):
        auditor.add(batch)
    snap = auditor.snapshot("s1", NOW, connector.label())
    assert (snap.tallies["u1"].records, snap.tallies["u1"].records_with_gaps) == (2, 1)
    assert snap.tallies["u2"].records == 0
    assert snap.buckets[Bucket.INACTIVE.value].records == 1
    assert snap.buckets[Bucket.UNKNOWN.value].records == 1
    assert [g.record_id for g in snap.gaps] == ["006A", "006C", "006D"]


# ---- the real Maven CRM sample -------------------------------------------------------------


def test_maven_crm_audit_matches_the_raw_file():
    if not (MAVEN / "sales_pipeline.csv").exists():
        pytest.skip(f"Maven CRM dataset not found at {MAVEN} (it lives in ../shared, outside "
                    "the repo)")
    src = CsvSource(
        (CsvObject("Opportunity", MAVEN / "sales_pipeline.csv", id="opportunity_id",
                   owner="sales_agent"),),
        CsvPeople(MAVEN / "sales_teams.csv", key="sales_agent", name="sales_agent",
                  team="regional_office", manager="manager"),
    )
    rules = [
        Rule("Opportunity", ("account",), Condition("deal_stage", "in", ("Engaging", "Won", "Lost"))),
        Rule("Opportunity", ("close_date", "close_value"), Condition("deal_stage", "in", ("Won", "Lost"))),
    ]
    connector = CsvConnector(src)
    auditor = Auditor(connector.directory(Cancel()), rules, Blank())
    for batch in connector.batches("Opportunity", lambda p: None, Cancel()):
        auditor.add(batch)
    snap = auditor.snapshot("maven", NOW, connector.label())
    connector.close()

    # The expected figures, straight from the raw files with plain DictReader logic.
    with open(MAVEN / "sales_teams.csv", newline="", encoding="utf-8") as f:
        agents = {r["sales_agent"]: r for r in csv.DictReader(f)}
    expected = {a: {"records": 0, "records_with_gaps": 0, "missing_fields": 0} for a in agents}
    with open(MAVEN / "sales_pipeline.csv", newline="", encoding="utf-8") as f:
        deals = list(csv.DictReader(f))
    for deal in deals:
        required = []
        if deal["deal_stage"] in ("Engaging", "Won", "Lost"):
            required.append("account")
        if deal["deal_stage"] in ("Won", "Lost"):
            required += ["close_date", "close_value"]
        missing = [name for name in required if not deal[name].strip()]
        e = expected[deal["sales_agent"]]
        e["records"] += 1
        e["records_with_gaps"] += bool(missing)
        e["missing_fields"] += len(missing)

    assert len(agents) == 35 and len(snap.people) == 35 and snap.records == len(deals) == 8800
    assert not snap.buckets or not any(t.records for t in snap.buckets.values())
    for agent, e in expected.items():
        tally = snap.tallies[agent]
        got = {"records": tally.records, "records_with_gaps": tally.records_with_gaps,
               "missing_fields": tally.missing_fields}
        assert got == e, agent
        pct = (round(100 * (e["records"] - e["records_with_gaps"]) / e["records"], 1)
               if e["records"] else None)
        assert tally.completeness_pct == pct, agent
    idle = sorted(a for a, e in expected.items() if e["records"] == 0)
    assert len(idle) == 5 and all(snap.tallies[a].records == 0 for a in idle)
    person = snap.person(idle[0])
    assert person.team == agents[idle[0]]["regional_office"]
    assert person.manager == agents[idle[0]]["manager"]
    assert sum(e["records_with_gaps"] for e in expected.values()) == len(snap.gaps) > 0


def test_single_quoted_column_header_is_not_sniffed_from_the_data(tmp_path):
    text = '"Opportunity ID"\n"a;b;c"\n'
    t = csvread.Table(write(tmp_path / "x.csv", text), None, None)
    t.close()
    assert t.delimiter == "," and t.header == ["Opportunity ID"]
