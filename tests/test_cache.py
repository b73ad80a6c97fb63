"""RecordCache: the last-known rows of one object of an incremental source."""

from __future__ import annotations

import os
import stat

import orjson
import pytest

from chaser.connectors.cache import RecordCache
from chaser.errors import ChaserError

COLS = ("Id", "OwnerId", "Name", "SystemModstamp", "NextStep")


def test_absent_cache_is_empty(tmp_path):
    assert RecordCache(tmp_path, "salesforce", "Opportunity", COLS).load() == ({}, None)


def test_round_trip_and_file_shape(tmp_path):
    cache = RecordCache(tmp_path, "salesforce", "Opportunity", COLS)
    rows = {"006A": ["006A", "005A", "Deal", "2026-11-10T00:00:01.000+0000", None]}
    cache.save(rows, "2026-11-10T00:00:01Z")
    assert cache.load() == (rows, "2026-11-10T00:00:01Z")
    assert cache.path == tmp_path / "cache" / "salesforce-Opportunity.json"
    assert stat.S_IMODE(os.stat(cache.path).st_mode) == 0o600
    data = orjson.loads(cache.path.read_bytes())
    assert data["_chaser"]["1"] == {"schema": 1, "kind": "record-cache"}
    assert [p.name for p in cache.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_other_columns_force_a_full_read(tmp_path):
    RecordCache(tmp_path, "hubspot", "deals", COLS).save({"1": list(COLS)}, "b")
    assert RecordCache(tmp_path, "hubspot", "deals", (*COLS, "Amount")).load() == ({}, None)
    # a save with the new columns replaces the old rows
    new = RecordCache(tmp_path, "hubspot", "deals", (*COLS, "Amount"))
    new.save({}, None)
    assert new.load() == ({}, None)
    assert RecordCache(tmp_path, "hubspot", "deals", COLS).load() == ({}, None)


def test_sources_and_objects_do_not_mix(tmp_path):
    RecordCache(tmp_path, "salesforce", "Lead", COLS).save({"x": [1]}, "b1")
    assert RecordCache(tmp_path, "hubspot", "Lead", COLS).load() == ({}, None)
    assert RecordCache(tmp_path, "salesforce", "Contact", COLS).load() == ({}, None)


def test_corrupt_cache_stops_and_is_kept(tmp_path):
    cache = RecordCache(tmp_path, "salesforce", "Lead", COLS)
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"{not json")
    with pytest.raises(ChaserError, match="corrupt"):
        cache.load()
    with pytest.raises(ChaserError, match="corrupt"):
        cache.save({}, None)
    assert cache.path.read_bytes() == b"{not json"


def test_newer_schema_is_refused(tmp_path):
    cache = RecordCache(tmp_path, "salesforce", "Lead", COLS)
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(orjson.dumps({"_chaser": {"1": {"schema": 99, "kind": "record-cache"}}}))
    with pytest.raises(ChaserError, match="newer chaser"):
        cache.load()


@pytest.mark.parametrize("source,obj", [("salesforce", "../x"), ("", "Lead"), ("a/b", "Lead"),
                                        ("salesforce", ".hidden")])
def test_names_that_cannot_be_file_names(tmp_path, source, obj):
    with pytest.raises(ValueError):
        RecordCache(tmp_path, source, obj, COLS)


def test_clear(tmp_path):
    cache = RecordCache(tmp_path, "salesforce", "Lead", COLS)
    cache.save({"a": [1]}, "b")
    cache.clear()
    assert cache.load() == ({}, None)
    cache.clear()  # twice is fine
