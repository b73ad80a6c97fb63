"""A big CSV file read by two processes (connectors/csv_split.py) gives exactly what one process
reading it gives: the same snapshot (figures, gap records and their order), the same notes and
warnings, the same error messages with the same line numbers. Forced here on small files by
lowering the size from which a file is cut in two."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

import chaser.connectors.csv_read as csvread
import chaser.connectors.csv_split as csvsplit
from chaser.audit import Auditor
from chaser.config import CsvObject, CsvPeople, CsvSource
from chaser.connectors.base import Cancel, ConnectorError
from chaser.connectors.csv import CsvConnector
from chaser.connectors.csv_bytes import sniff
from chaser.rules import Blank, Condition, Rule

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")

NOW = datetime(2026, 11, 20, tzinfo=UTC)
HEADER = "Id,Owner,Stage,Amount,Next,Account,Modified\r\n"
RULES = (Rule("Deal", ("Account",)),
         Rule("Deal", ("Amount",), Condition("Stage", "in", ("Won", "Lost")), origin="t:1"),
         Rule("Deal", ("Next",), Condition("Stage", "not_in", ("Won", "Lost")), origin="t:2"))
OWNERS = ["Ann", "Bob", "Cy", "Di", "ann ", "Zed"]  # "ann " is Ann; Zed is in no people file


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def rows(n: int, seed: int = 1, start: int = 0, stages=("Won", "Lost", "Open", "Lead"),
         modified=lambda i: f"2026-11-{i % 28 + 1:02d}T10:00:00Z") -> str:
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        blank = lambda v: "" if rng.random() < 0.2 else v  # noqa: E731
        out.append(f"D{i:05d},{rng.choice(OWNERS)},{rng.choice(stages)},{blank(str(i))},"
                   f"{blank('call')},{blank('Acme')},{modified(i)}\r\n")
    return "".join(out)


def deals(path: Path, people: Path | None = None, **kw) -> CsvSource:
    p = CsvPeople(people, "Name") if people else None
    return CsvSource((CsvObject("Deal", path, "Id", "Owner", name="Id", modified="Modified",
                                url="https://x/{id}", **kw),), p)


def audit(src: CsvSource, rules=RULES):
    """(snapshot as text, connector notes, audit notes, kinds of batch rows seen)."""
    connector = CsvConnector(src, rules)
    auditor = Auditor(connector.directory(Cancel()), rules, Blank())
    kinds = []
    for batch in connector.batches("Deal", lambda p: None, Cancel()):
        kinds.append(type(batch.rows).__name__)
        auditor.add(batch)
    snap = auditor.snapshot("s", NOW, "test")
    # repr: dicts in insertion order too, as the stored JSON has them.
    return repr(snap), connector.notes(), auditor.notes(), kinds


def one_and_two(monkeypatch, src: CsvSource, run=audit):
    """What one process gives, and what two give (the split forced)."""
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1 << 40)
    one = run(src)
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1)
    # pytest may have threads alive (loopback servers); the child touches no lock of theirs.
    monkeypatch.setattr(csvsplit, "can_fork", lambda: True)
    two = run(src)
    return one, two


def same(monkeypatch, src: CsvSource, *, merged: bool = True):
    one, two = one_and_two(monkeypatch, src)
    assert two[:3] == one[:3]
    assert "Audited" not in one[3] and "Offer" in two[3]
    assert ("Audited" in two[3]) is merged  # False: the second part was read here
    return two


@pytest.fixture
def people(tmp_path) -> Path:
    return write(tmp_path / "people.csv", "Name\r\nAnn\r\nBob\r\nCy\r\nDi\r\n")


def test_a_split_file_gives_the_figures_notes_and_order_of_one_pass(tmp_path, monkeypatch,
                                                                    people):
    monkeypatch.setattr(csvread, "BATCH", 7)
    snap, notes, warnings, _ = same(monkeypatch, deals(write(tmp_path / "d.csv",
                                                                 HEADER + rows(400)), people))
    assert "Gap(" in snap and "'Zed'" in snap and any("Zed" in w for w in warnings)


def test_no_people_file_the_first_spelling_seen_names_the_person(tmp_path, monkeypatch):
    # "ann " first appears in the first part, "Ann" maybe only later: one person either way.
    same(monkeypatch, deals(write(tmp_path / "d.csv", HEADER + rows(300, seed=5))))


def test_repeats_inside_the_second_part_are_counted_once_there(tmp_path, monkeypatch, people):
    body = rows(300) + rows(50, seed=2, start=300)
    tail = rows(50, seed=3, start=300)  # the ids of the lines before, again: all after the cut
    _, notes, _, _ = same(monkeypatch, deals(write(tmp_path / "d.csv", HEADER + body + tail),
                                             people))
    assert any("50 rows repeat an earlier Deal id" in n for n in notes)


def test_an_id_of_the_first_part_again_in_the_second_is_read_here(tmp_path, monkeypatch, people):
    text = HEADER + rows(200) + rows(200, seed=2, start=200) + rows(3, seed=3)
    _, notes, _, _ = same(monkeypatch, deals(write(tmp_path / "d.csv", text), people),
                          merged=False)
    assert any("3 rows repeat an earlier Deal id" in n for n in notes)


def test_summary_rows_a_repeated_header_and_the_footer(tmp_path, monkeypatch, people):
    text = (HEADER + rows(150) + ",Ann,,12,,,\r\nSubtotal,,,99,,,\r\n" + rows(100, start=150)
            + HEADER + rows(100, start=250) + '\r\n"Grand Totals (350 records)"\r\n'
            '"Confidential Information - Do Not Distribute"\r\n"Generated By: Ann"\r\n')
    _, notes, _, _ = same(monkeypatch, deals(write(tmp_path / "d.csv", text), people))
    assert "d.csv: skipped 1 repeated header row (files pasted together?)" in notes


def test_nuls_and_cp1252_in_both_parts(tmp_path, monkeypatch, people):
    text = (HEADER + rows(100) + 'N1,Ann,Won,"\x005",Müller,\x00Acme,\r\n' + rows(100, start=100)
            + "N2,Bob,Open,,Café,Acme,\r\n" + rows(100, start=200))
    _, notes, _, _ = same(monkeypatch, deals(write(tmp_path / "d.csv", text, "cp1252"), people))
    assert "d.csv: 2 NUL characters removed" in notes


def test_quoted_line_breaks_all_around_the_cut(tmp_path, monkeypatch, people):
    text = HEADER + "".join(f'Q{i:04d},Ann,Open,{i},"call\r\nback\r\nlater",,\r\n'
                            for i in range(300))
    same(monkeypatch, deals(write(tmp_path / "d.csv", text), people))


def test_a_stray_quote_throws_the_cut_into_a_quoted_value_and_the_file_is_read_again(
        tmp_path, monkeypatch, people):
    monkeypatch.setattr(csvread, "BATCH", 7)  # the offer is made before the cut is reached
    # The 5" in an unquoted cell is a literal quote to csv, but makes the quote count odd: the
    # cut found falls inside a quoted value, which the first part's last row shows.
    text = HEADER + 'S0,Ann,Won,5" screen,,Acme,\r\n' + "".join(
        f'Q{i:04d},Ann,Open,{i},"call\nback",,\r\n' for i in range(300))
    path = write(tmp_path / "d.csv", text)
    cut = sniff(path, None, None, 1 << 20, 1).split
    assert cut is not None and text.encode()[:cut].count(b"\n") % 2 == 1  # inside a value
    again = []
    whole = csvread.Table._whole
    monkeypatch.setattr(csvread.Table, "_whole", lambda t, skip: again.append(skip) or
                        whole(t, skip))
    same(monkeypatch, deals(path, people), merged=False)
    assert len(again) == 1 and again[0] > 7  # once, past the rows of the first batches


def test_blank_lines_before_the_cut_read_the_second_part_here(tmp_path, monkeypatch, people):
    # The first part ends in a blank line: one reader would take a one-cell row next for the
    # footer, a fresh one for a ragged row.
    path = write(tmp_path / "d.csv", HEADER + rows(100) + "\r\n" * 2000 + rows(100, start=100))
    cut = sniff(path, None, None, 1 << 20, 1).split
    assert path.read_bytes()[cut - 4:cut + 2] == b"\r\n" * 3
    same(monkeypatch, deals(path, people), merged=False)


def test_dates_in_a_report_format_are_converted_in_both_parts(tmp_path, monkeypatch, people):
    text = HEADER + rows(300, modified=lambda i: f"{i % 12 + 1}/{i % 28 + 1}/2026 5:03 PM")
    snap, _, _, _ = same(monkeypatch, deals(write(tmp_path / "d.csv", text), people))
    assert "2026-" in snap


def test_a_when_value_only_in_the_second_part_and_one_in_none(tmp_path, monkeypatch, people):
    text = HEADER + rows(200, stages=("Open",)) + rows(200, start=200, stages=("Won", "Open"))
    _, _, warnings, _ = same(monkeypatch, deals(write(tmp_path / "d.csv", text), people))
    # 'Won' occurs after the cut only: no warning for it, and it is among the values named.
    assert [w for w in warnings if "'Lost' matches no" in w] == [
        "warning: t:1: when Stage in 'Lost' matches no Deal record; values that occur: 'Open', "
        "'Won'", "warning: t:2: when Stage not_in 'Lost' matches no Deal record; values that "
        "occur: 'Open', 'Won'"]
    assert not any("'Won' matches no" in w for w in warnings)


def errors(src: CsvSource):
    try:
        audit(src)
    except ConnectorError as e:
        return str(e)
    raise AssertionError("no error")


def test_a_ragged_row_in_the_second_part_names_the_same_line(tmp_path, monkeypatch, people):
    text = HEADER + rows(200) + "R1,Ann,Won,5\r\n" + rows(50, start=200)
    one, two = one_and_two(monkeypatch, deals(write(tmp_path / "d.csv", text), people), errors)
    assert one == two == f"{tmp_path / 'd.csv'}:202: expected 7 cells (as in the header), got 4"


def test_a_stray_cp1252_byte_in_the_second_part_names_the_same_line(tmp_path, monkeypatch,
                                                                    people):
    monkeypatch.setattr(csvread, "CHUNK", 64)  # the sniff judges UTF-8 from the first part
    data = (HEADER + "U0,Ann,Won,1,Jörg,Acme,\r\n" + rows(200)).encode() + \
        b"U1,Ann,Won,1,Caf\xe9,Acme,\r\n" + rows(50, start=200).encode()
    one, two = one_and_two(monkeypatch, deals(write(tmp_path / "d.csv", data), people), errors)
    assert one == two and ":203: byte 0xE9 is not valid utf-8" in one


def test_a_consumer_that_ignores_the_offer_gets_every_row(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BATCH", 9)
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1)
    src = deals(write(tmp_path / "d.csv", HEADER + rows(300) + HEADER + rows(10, start=300)))
    batches = list(CsvConnector(src, RULES).batches("Deal", lambda p: None, Cancel()))
    assert any(isinstance(b.rows, csvsplit.Offer) for b in batches)
    got = [(row, b.line) for b in batches for row in b.rows]
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1 << 40)
    want = [(row, b.line) for b in CsvConnector(src, RULES).batches("Deal", lambda p: None,
                                                                   Cancel()) for row in b.rows]
    assert [r for r, _ in got] == [r for r, _ in want] and len(got) == 310
    # Batch first lines stay lines of the file (a batch may start elsewhere than in one pass).
    lines = (tmp_path / "d.csv").read_text().splitlines()
    assert all(lines[line - 1].startswith(rows_[0][0] + ",") for rows_, line in
               ((b.rows, b.line) for b in batches if isinstance(b.rows, list)))


def test_a_stuck_child_is_ended_and_its_part_read_here(tmp_path, monkeypatch, people):
    import time

    import chaser.audit_part as audit_part

    monkeypatch.setattr(csvsplit, "STUCK_AFTER", 0.5)
    feed = audit_part.Part.feed
    monkeypatch.setattr(audit_part.Part, "feed", lambda p, rows: time.sleep(60) or feed(p, rows))
    same(monkeypatch, deals(write(tmp_path / "d.csv", HEADER + rows(300)), people), merged=False)


def test_closing_ends_a_running_child(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1)
    monkeypatch.setattr(csvsplit, "can_fork", lambda: True)
    t = csvread.Table(write(tmp_path / "d.csv", HEADER + rows(100)), None, None, split=True)

    class Slow:
        def feed(self, rows):
            import time
            time.sleep(60)

        def state(self):
            return ()

    half = csvsplit.SecondHalf(t, 0)
    half.start(Slow)
    pid = half._pid
    assert pid is not None
    half.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left
    t.close()


@pytest.mark.parametrize("cells", [
    [["1", "Ann", "Won", "", "x", "2/3/2026 5:03 PM"], ["2", "Bob", "Won", "", "", ""]],
    [["1", "Ann", "Won", "", "", "2/3/2026"], ["2", None, "Won", None, "", None]],  # API nulls
    [["1", "A\x00nn", "Won", "", "", ""], ["2", "Bob", "Won", "", "", "x"]],  # a NUL in text
    [["", "Ann", "Won", "", "", ""]],  # no id: no url, the name is the (empty) id
])
@pytest.mark.parametrize("mapped", [True, False])
def test_packed_gap_records_unpack_to_the_tuples_of_one_pass(cells, mapped):
    from chaser.audit_part import gap_tuples, pack, unpack
    from chaser.connectors.csv_dates import modified_reader
    from chaser.model import Layout

    to_iso, _ = modified_reader(["2/3/2026 5:03 PM"], None, "Modified")
    layout = (Layout("Deal", ("Id", "Owner", "Stage", "Amount", "Name", "Modified"), 0, 1, 4, 5,
                     "https://x/{id}", None, to_iso) if mapped else
              Layout("Deal", ("Id", "Owner", "Stage", "Amount", "Name", "Modified"), 0, 1))
    hits = [(row, ("Amount",)) for row in cells]
    keys = {"Ann": "ann-key", "Bob": "bob-key", None: "", "A\x00nn": "odd"}
    owners, missing, packed = pack(layout, hits)
    assert owners == [row[1] for row in cells] and missing == [("Amount",)] * len(cells)
    want = [(o, r, n, keys[w], m, d, u, c)
            for o, r, n, w, m, d, u, c in gap_tuples(layout, hits)]
    assert unpack(layout, [packed], keys) == want
