"""The Excel-safe CSV writer: injection prefixes, BOM + CRLF, atomic and no-clobber writes."""

import csv
import os
import stat
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from chaser import exports
from chaser.errors import ChaserError
from chaser.exports import CsvFile, FileExists, TextFile, safe_cell, write_csv, write_csvs


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_every_injection_prefix_is_neutralised(prefix):
    text = prefix + "HYPERLINK(\"http://evil.example\",\"x\")"
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value, cell", [
    ("Ann Lee", "Ann Lee"),
    ("a=b", "a=b"),  # only the first character matters
    (" =1", " =1"),
    ("", ""),
    (None, ""),
    (-5, "-5"),  # numbers stay numbers, even negative ones
    (2.5, "2.5"),
    (Decimal("12.345"), "12.35"),  # money: cents, half up
    (Decimal("-1.5"), "-1.50"),
    (True, "yes"),
    (date(2026, 11, 3), "2026-11-03"),
    # one date-time format in both HR files: ISO 8601 with the zone's offset
    (datetime(2026, 11, 3, 14, 5, tzinfo=timezone(timedelta(hours=1))), "2026-11-03T14:05+01:00"),
    (("amount", "close_date"), "amount; close_date"),
    (["-x", "y"], "'-x; y"),  # a joined list is text like any other
])
def test_cells(value, cell):
    assert safe_cell(value) == cell


def read_back(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_round_trip_through_csv_reading(tmp_path):
    path = tmp_path / "hr.csv"
    note = '=HYPERLINK("http://evil.example","click")'
    rows = [["Ann Lee", note, 25, Decimal("38.3333")], ["Zoë, \"the\" rep", "line\nbreak", 0,
                                                          Decimal(0)]]
    write_csv(path, ["person", "note", "minutes", "cost"], rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert raw.count(b"\r\n") == 3 and b"\r\n" in raw.split(b"line")[0]
    assert raw.replace(b"\r\n", b"").count(b"\n") == 1  # only the newline inside the quoted note
    back = read_back(path)
    assert back[0] == ["person", "note", "minutes", "cost"]
    assert back[1] == ["Ann Lee", "'" + note, "25", "38.33"]
    assert back[2] == ["Zoë, \"the\" rep", "line\nbreak", "0", "0.00"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["hr.csv"]  # no temp file left


def test_never_overwrites_without_force(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(FileExists, match="hr.csv already exists"):
        write_csv(path, ["a"], [[1]])
    assert path.read_text(encoding="utf-8") == "precious"
    write_csv(path, ["a"], [[1]], force=True)
    assert read_back(path) == [["a"], ["1"]]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_appears_mid_export_is_not_clobbered(tmp_path):
    path = tmp_path / "hr.csv"

    def rows():
        yield [1]
        path.write_text("someone else's", encoding="utf-8")  # appears while we write

    with pytest.raises(FileExists):
        write_csv(path, ["a"], rows())
    assert path.read_text(encoding="utf-8") == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["hr.csv"]


def test_a_failed_export_leaves_nothing(tmp_path):
    def rows():
        yield [1]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_csvs([CsvFile(tmp_path / "a.csv", ["a"], [[1]]),
                    CsvFile(tmp_path / "b.csv", ["b"], rows())])
    assert list(tmp_path.iterdir()) == []


def test_both_files_or_neither(tmp_path):
    (tmp_path / "b.csv").write_text("old", encoding="utf-8")
    with pytest.raises(FileExists, match="b.csv"):
        write_csvs([CsvFile(tmp_path / "a.csv", ["a"], [[1]]),
                    CsvFile(tmp_path / "b.csv", ["b"], [[2]])])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_the_about_file_is_part_of_the_one_write(tmp_path, monkeypatch):
    assert exports.about_path(tmp_path / "hr.csv") == tmp_path / "hr-about.txt"
    real = exports._commit

    def commit(tmp, target, force):
        if target.name == "hr-about.txt":
            raise OSError("disk full")
        real(tmp, target, force)

    monkeypatch.setattr(exports, "_commit", commit)
    with pytest.raises(OSError):
        write_csvs([CsvFile(tmp_path / "hr.csv", ["a"], [[1]]),
                    TextFile(tmp_path / "hr-about.txt", "about\r\n")])
    assert list(tmp_path.iterdir()) == []  # the CSV already renamed in is taken back
    monkeypatch.setattr(exports, "_commit", real)
    write_csvs([TextFile(tmp_path / "hr-about.txt", "about\r\n")])
    assert (tmp_path / "hr-about.txt").read_bytes() == b"\xef\xbb\xbfabout\r\n"
    assert (tmp_path / "hr-about.txt").stat().st_mode & 0o777 == 0o600


def test_a_late_conflict_takes_back_the_first_file(tmp_path, monkeypatch):
    real = exports._commit

    def commit(tmp, target, force):
        if target.name == "b.csv":
            target.write_text("raced", encoding="utf-8")
        real(tmp, target, force)

    monkeypatch.setattr(exports, "_commit", commit)
    with pytest.raises(FileExists):
        write_csvs([CsvFile(tmp_path / "a.csv", ["a"], [[1]]),
                    CsvFile(tmp_path / "b.csv", ["b"], [[2]])])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_bad_targets(tmp_path):
    with pytest.raises(ChaserError, match="does not exist"):
        write_csv(tmp_path / "nope" / "hr.csv", ["a"], [])
    with pytest.raises(ChaserError, match="is a folder"):
        write_csv(tmp_path, ["a"], [], force=True)
    with pytest.raises(ChaserError, match="different files"):
        write_csvs([CsvFile(tmp_path / "a.csv", ["a"], []), CsvFile(tmp_path / "a.csv", ["a"], [])])


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ChaserError, match="cannot write"):
            write_csv(folder / "hr.csv", ["a"], [])
    finally:
        folder.chmod(0o700)
