"""Who can edit what (issue 10, point 6): blanks in fields their owner may not edit are not
blamed on the owner. The audit's split (tallies, gaps, the cannot-edit bucket), the stored
snapshot (and old snapshots without it), [[source.csv.cannot_edit]], and what `chaser gaps`,
the report and the HR about-file say."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from conftest import csv_org, run_cli

from chaser import access
from chaser.audit import audit, bucket_rows, org_tally, unblamed_note
from chaser.errors import ChaserError
from chaser.model import Bucket, Directory, Layout, Person, RecordBatch
from chaser.rules import Blank, Rule
from chaser.store import Store

T = datetime(2026, 11, 20, tzinfo=UTC)
LAYOUT = Layout("Account", ("Id", "OwnerId", "Name", "Industry", "Phone"), id=0, owner=1, name=2)
RULES = [Rule("Account", ("Industry", "Phone"))]
ROWS = [
    ["1", "ann", "A", "", ""],  # both blank: Phone stays Ann's gap, Industry is not blamed
    ["2", "ann", "B", "", "1"],  # only Industry: no gap of Ann's at all
    ["3", "ann", "C", "Tech", ""],  # only Phone: Ann's as before
    ["4", "ann", "D", "Tech", "1"],
    ["5", "bob", "E", "", "1"],  # Bob may edit Industry: blamed
    ["6", "old", "F", "", ""],  # inactive: in the inactive bucket, whatever he may edit
]


def snapshot(ann_cannot=("Account.Industry",), **people):
    folk = (Person("ann", "Ann Lee", "EMEA", cannot_edit=ann_cannot), Person("bob", "Bob Ray"),
            Person("old", "Old Timer", active=False, cannot_edit=("Account.Industry",)))
    return audit(Directory(folk), [RecordBatch(LAYOUT, [list(r) for r in ROWS])], RULES, Blank(),
                 snapshot_id="s1", taken_at=T, source="test")


def test_blanks_the_owner_cannot_edit_are_taken_out_of_the_blame():
    snap = snapshot()
    ann = snap.tallies["ann"]
    assert (ann.records, ann.records_with_gaps, ann.missing_fields) == (4, 2, 2)
    assert ann.by_field == {"Phone": 2}
    assert ann.completeness_pct == 50.0
    assert snap.tallies["bob"].by_field == {"Industry": 1}
    # gaps agree with the tallies: Ann's list only her blamed fields
    mine = {g.record_id: g.missing for g in snap.gaps if g.owner == "ann"}
    assert mine == {"1": ("Phone",), "3": ("Phone",)}
    assert {g.record_id: g.missing for g in snap.cannot_edit_gaps} == {
        "1": ("Industry",), "2": ("Industry",)}
    bucket = snap.buckets[Bucket.CANNOT_EDIT.value]
    assert (bucket.records, bucket.records_with_gaps, bucket.missing_fields) == (2, 2, 2)
    assert bucket.by_field == {"Account.Industry": 2}
    assert snap.cannot_edit == {"ann": bucket}
    # the inactive owner's records are blamed on nobody already: not split
    assert snap.buckets[Bucket.INACTIVE.value].by_field == {"Industry": 1, "Phone": 1}
    # the rest of the roll-ups: the org counts people's records once
    assert org_tally(snap).records == 5 and org_tally(snap, include_buckets=True).records == 6
    assert list(bucket_rows(snap)) == ["inactive owner", "cannot-edit"]
    assert unblamed_note(snap) == ("Not blamed: 1 record of inactive owners, 2 with blanks "
                                   "their owner cannot edit")


def test_nobody_blocked_changes_nothing():
    snap = snapshot(ann_cannot=())
    assert Bucket.CANNOT_EDIT.value not in snap.buckets
    assert snap.tallies["ann"].by_field == {"Industry": 2, "Phone": 2}
    assert snap.cannot_edit == {} and snap.cannot_edit_gaps == ()


def test_fields_match_in_any_case_and_only_on_their_object():
    assert snapshot(ann_cannot=("account.INDUSTRY",)).tallies["ann"].by_field == {"Phone": 2}
    assert snapshot(ann_cannot=("Lead.Industry",)).tallies["ann"].by_field == {
        "Industry": 2, "Phone": 2}


def test_a_key_charged_to_a_bucket_too_is_not_split():
    # "ann (Deactivated User)" is Ann, inactive: her gaps no longer say which tally they went
    # to, so nothing is taken out (blame stays as counted, never double-subtracted).
    folk = (Person("ann", "Ann Lee", cannot_edit=("Account.Industry",)),)
    rows = [["1", "ann", "A", "", "1"], ["2", "ann (Deactivated User)", "B", "", "1"]]
    snap = audit(Directory(folk), [RecordBatch(LAYOUT, rows)], RULES, Blank(),
                 snapshot_id="s", taken_at=T, source="t")
    assert snap.tallies["ann"].by_field == {"Industry": 1} and snap.cannot_edit == {}


def test_split_copies_tallies_so_a_second_snapshot_agrees():
    folk = (Person("ann", "Ann Lee", cannot_edit=("Account.Industry",)),)
    from chaser.audit import Auditor

    auditor = Auditor(Directory(folk), RULES, Blank())
    auditor.add(RecordBatch(LAYOUT, [list(r) for r in ROWS[:4]]))
    one, two = (auditor.snapshot(s, T, "t") for s in ("a", "b"))
    assert one.tallies == two.tallies and one.cannot_edit_gaps == two.cannot_edit_gaps


def test_the_person_line():
    ann = Person("ann", "Ann Lee", cannot_edit=("Account.Industry",))
    snap = snapshot()
    assert access.person_note(ann, snap.cannot_edit["ann"]) == (
        "cannot edit Industry: fix access first (2 blanks on 2 records not blamed)")
    assert access.person_note(Person("b", "B"), None) is None
    two = Person("x", "X", cannot_edit=("Account.Industry", "Lead.Industry", "Lead.Phone"))
    assert access.person_note(two, None) == (
        "cannot edit Account.Industry, Lead.Industry, Phone: fix access first")


def test_stored_and_read_back_and_old_files_still_read(tmp_path):
    store = Store(tmp_path)
    snap = store.save_snapshot(snapshot())  # as stored: with each gap's since
    back = store.latest_snapshot()
    assert back.person("ann").cannot_edit == ("Account.Industry",)
    assert back.cannot_edit == snap.cannot_edit and back.cannot_edit_gaps == snap.cannot_edit_gaps
    assert back.gaps == snap.gaps and back.buckets == snap.buckets
    assert store.latest_summary().cannot_edit == snap.cannot_edit  # trends need no gaps file
    # A snapshot written before this feature has neither key: nobody is blocked.
    index = next(tmp_path.rglob("index.json"))
    doc = json.loads(index.read_text())
    for d in doc["snapshots"].values():
        d.pop("cannot_edit"), d.pop("cannot_edit_tallies")
    index.write_text(json.dumps(doc))
    old = store.latest_snapshot()
    assert old.person("ann").cannot_edit == () and old.cannot_edit == {}
    assert old.cannot_edit_gaps == snap.cannot_edit_gaps  # the gaps file still has them


def test_a_malformed_cannot_edit_map_is_corrupt(tmp_path):
    store = Store(tmp_path)
    store.save_snapshot(snapshot())
    index = next(tmp_path.rglob("index.json"))
    doc = json.loads(index.read_text())
    next(iter(doc["snapshots"].values()))["cannot_edit"] = {"ann": "Account.Industry"}
    index.write_text(json.dumps(doc))
    with pytest.raises(ChaserError, match="corrupt data store.*cannot_edit"):
        store.latest_snapshot()


# ---- CSV: [[source.csv.cannot_edit]] --------------------------------------------------------

PEOPLE = "name,team\nAnn Lee,EMEA\nBob Ray,EMEA\n"
DEALS = ("id,owner,stage,amount,industry\nD1,Ann Lee,Won,,\nD2,ann lee,Won,5,\nD3,Bob Ray,Won,,\n"
         "D4,Ann Lee,Won,,x\nD5,Bob Ray,Won,3,x\n")
CANNOT = '[[source.csv.cannot_edit]]\nperson = "{who}"\nobject = "{obj}"\nfields = [{fields}]\n'


def org(tmp_path, who="ann lee", obj="Deal", fields='"industry"', people=PEOPLE, extra=""):
    return csv_org(tmp_path, people, DEALS, require=("amount", "industry"), when=None,
                   extra=CANNOT.format(who=who, obj=obj, fields=fields) + extra)


def test_csv_cannot_edit_is_applied(tmp_path, capsys):
    cfg = org(tmp_path)
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--format", "json")
    assert code == 0, err
    rows = {r["person"]: r for r in json.loads(out)}
    assert (rows["Ann Lee"]["records_with_gaps"], rows["Ann Lee"]["missing_fields"]) == (2, 2)
    assert (rows["Bob Ray"]["records_with_gaps"], rows["Bob Ray"]["missing_fields"]) == (1, 2)
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg, "--by", "bucket")
    line = next(x for x in out.splitlines() if x.startswith("cannot-edit"))
    assert line.split()[1:4] == ["2", "2", "2"] and line.endswith("Deal.industry 2")
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg, "--by", "bucket", "--format", "csv")
    assert "cannot-edit,2,2,2,,Deal.industry 2" in out
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg, "--cannot-edit", "--format", "json")
    assert [(r["person"], r["record_id"], r["missing_fields"]) for r in json.loads(out)] == [
        ("Ann Lee", "D1", ["industry"]), ("Ann Lee", "D2", ["industry"])]
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg, "--person", "Ann Lee")
    assert ("Ann Lee cannot edit industry: fix access first (2 blanks on 2 records not "
            "blamed) — see --cannot-edit") in out
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg)
    assert out.splitlines()[-1] == ("Not blamed: 2 records with blanks their owner cannot "
                                    "edit — see --by bucket")


def test_csv_cannot_edit_without_a_people_file(tmp_path, capsys):
    cfg = org(tmp_path, who="ANN LEE")
    text = cfg.read_text().replace('[source.csv.people]\npath = "people.csv"\nkey = "name"\n'
                                   'team = "team"\n', "")
    cfg.write_text(text)
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--format", "json")
    assert code == 0, err
    rows = {r["person"]: r["records_with_gaps"] for r in json.loads(out)}
    assert rows == {"ANN LEE": 2, "Bob Ray": 1}  # "Ann Lee" and "ann lee" are the same one


@pytest.mark.parametrize(("kwargs", "says"), [
    (dict(obj="Lead"), "key 'source.csv.cannot_edit[0].object': no [[source.csv.objects]] "
                       "has object 'Lead'"),
    (dict(fields='"industy"'), "key 'source.csv.cannot_edit[0].fields': no [[rules]] on Deal "
                               "requires 'industy' (required there: amount, industry)"),
    (dict(fields=""), "key 'source.csv.cannot_edit[0].fields': must name at least one field"),
    (dict(extra="[[source.csv.cannot_edit]]\nperson = \"x\"\n"),
     "key 'source.csv.cannot_edit[1].fields': is required"),
])
def test_csv_cannot_edit_mistakes_name_the_file_line_and_key(tmp_path, capsys, kwargs, says):
    cfg = org(tmp_path, **kwargs)
    code, _, err = run_cli(capsys, "gaps", "--config", cfg)
    assert code != 0 and says in err and f"{cfg}:" in err


def test_csv_cannot_edit_of_someone_not_in_the_people_file(tmp_path, capsys):
    cfg = org(tmp_path, who="Ann Leigh")
    code, _, err = run_cli(capsys, "gaps", "--config", cfg)
    assert code != 0 and "person 'Ann Leigh' is not in people.csv" in err
    assert "key 'source.csv.cannot_edit[0]'" in err


# ---- the report and the HR about-file -------------------------------------------------------

def test_report_barriers_and_about_file(tmp_path, capsys):
    cfg = org(tmp_path)
    code, out, err = run_cli(capsys, "report", "--config", cfg, "--period", "2026-11",
                             "--format", "json")
    assert code == 0, err
    assert json.loads(out)["cannot_edit"] == {
        "records": 2, "missing_fields": 2, "by_field": {"Deal.industry": 2},
        "people": ["Ann Lee"], "remedy": access.REMEDY}
    code, out, _ = run_cli(capsys, "report", "--config", cfg, "--period", "2026-11")
    text = out.split("Barriers to remove", 1)[1]
    assert "Cannot edit (field permissions, current snapshot): 2 records, 2 blank fields" in text
    assert "fields: Deal.industry 2" in text and "who: Ann Lee" in text
    code, out, _ = run_cli(capsys, "report", "--config", cfg, "--format", "markdown")
    assert "**Cannot edit**" in out
    # nobody blocked: no such barrier, and JSON says null
    (tmp_path / "plain").mkdir()
    plain = csv_org(tmp_path / "plain", PEOPLE, DEALS)
    code, out, _ = run_cli(capsys, "report", "--config", plain, "--format", "json")
    assert json.loads(out)["cannot_edit"] is None

    code, _, err = run_cli(capsys, "export", "hr", "--config", cfg, "--period", "2026-11",
                           "--out", tmp_path / "hr.csv")
    assert code == 0, err
    about = (tmp_path / "hr-about.txt").read_text(encoding="utf-8-sig")
    assert "  cannot-edit             2 records, 2 blank fields (Deal.industry 2)" in about
    assert "Who may not edit which rule fields: Ann Lee: Deal.industry" in " ".join(
        about.split())


def test_a_blank_moved_to_cannot_edit_is_no_fix():
    """Chased for Industry, then the person's access is taken away: the blank is still there
    (in the cannot-edit bucket), so the chase did not fix it."""
    from datetime import timedelta

    from chaser.effectiveness import FixStatus, chase_fixes
    from chaser.model import Channel, Chase, Outcome

    def snap(at, cannot):
        folk = (Person("ann", "Ann Lee", cannot_edit=cannot),)
        return audit(Directory(folk), [RecordBatch(LAYOUT, [["2", "ann", "B", "", "1"]])],
                     RULES, Blank(), snapshot_id=f"s{at.day}", taken_at=at, source="t")

    history = [snap(T, ()), snap(T + timedelta(days=2), ("Account.Industry",))]
    chase = Chase("202611-1", T + timedelta(hours=1), "ann", Channel.CALL, 5, Outcome.FIXED,
                  ("Industry",))
    (fix,) = chase_fixes([chase], history, window_days=14, now=T + timedelta(days=30))
    assert fix.targets == {("Account", "2")} and fix.closed == frozenset()
    assert fix.status is FixStatus.NOT_FIXED
