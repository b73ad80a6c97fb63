"""chaser.toml -> typed, validated Settings.

Every error names the file, the line (when the key can be found in the text) and the key, and
says what is wrong: an admin fixing a config at 9am should not need to read a traceback.
Connector sections other than csv are validated by the connector's own `parse_settings`
(its module is named in chaser.connectors.registry) so this file does not grow with every
CRM.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chaser.audit import Thresholds
from chaser.config_csv import CsvCannotEdit, CsvObject, CsvPeople, CsvSource, csv_source
from chaser.connectors import registry
from chaser.errors import ChaserError
from chaser.goals import check_objects as check_goal_objects
from chaser.goals import demo_goals, parse_goals
from chaser.ledger_files import WRITER_ID
from chaser.rules import DEFAULT_PLACEHOLDERS, Rule, parse_condition
from chaser.tomlplace import Where, find_line, toml_error

__all__ = ["CsvCannotEdit", "CsvObject", "CsvPeople", "CsvSource", "Where", "find_line", "load",
           "parse", "toml_error"]  # Where: for connector parsers

MAX_RATE = 10_000  # per hour: beyond it is a typo (1e308 was accepted), not a wage


@dataclass(frozen=True, slots=True)
class TeamRates:
    admin_hourly_rate: Decimal | None = None
    rep_hourly_rate: Decimal | None = None
    rep_minutes_per_chase: int | None = None


@dataclass(frozen=True, slots=True)
class Admin:
    """Who logs chases on this installation: a writer of the ledger ([admin] id, name, email).
    id None: the OS user's name is used (chaser.ledger.Writer.from_os), and chaser says so."""

    id: str | None = None
    name: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class CostSettings:
    currency: str = "USD"
    admin_hourly_rate: Decimal = Decimal("60")
    rep_hourly_rate: Decimal = Decimal("0")
    rep_minutes_per_chase: int = 0
    timezone: str | None = None  # None: the machine's local zone
    fix_window_days: int = 14
    teams: dict[str, TeamRates] = field(default_factory=dict)
    admins: dict[str, Decimal] = field(default_factory=dict)  # writer id -> admin hourly rate


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path | None  # None for the built-in demo
    kind: str
    csv: CsvSource | None = None
    connector: Any = None  # parsed [source.salesforce] / [source.hubspot] settings
    rules: tuple[Rule, ...] = ()
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    tiers: Thresholds = Thresholds()
    costs: CostSettings = CostSettings()
    admin: Admin = Admin()
    ledger_path: Path | None = None  # [ledger] path: a shared folder; None = the data folder
    goals: tuple = ()  # [[goals]]: chaser.goals.Goal, parsed by chaser.goals.parse_goals
    digest: Any = None  # [digest]: chaser.digest settings, parsed there; None when absent

    @property
    def dates_for(self) -> frozenset[str]:
        """Objects whose records' created and modified dates the source is asked for: those
        of the weekly goals, or every audited object when no goal is set (the first-week
        check counts records created of any of them). One place decides it for every kind."""
        objects = {g.object for g in self.goals}
        return frozenset(objects or {r.object for r in self.rules})

    @property
    def updates_for(self) -> frozenset[str]:
        """Of those, the objects whose modified dates become Activity: an "updated" goal's."""
        return frozenset(g.object for g in self.goals if g.count == "updated")

    @property
    def data_key(self) -> str:
        """The folder name of this source's data: demo data and each config's never mix."""
        if self.path is None:
            return "demo"
        digest = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:10]
        return f"{self.path.stem}-{digest}"


# ---- loading ------------------------------------------------------------------------------

TOP_KEYS = {"source", "rules", "placeholders", "tiers", "costs", "admin", "ledger", "goals",
            "digest"}


def load(path: Path) -> Settings:
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ChaserError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ChaserError(f"{path}: is a folder, not a config file") from None
    except UnicodeDecodeError as e:
        raise ChaserError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise ChaserError(f"{path}: cannot read: {e.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ChaserError(toml_error(path, text, str(e))) from None
    except RecursionError:  # tomllib parses nested arrays recursively: [[[[...]]]]
        raise ChaserError(f"{path}: arrays or tables nested too deep to be a config") from None
    return parse(raw, path, text)


def parse(raw: dict, path: Path, text: str = "") -> Settings:
    top = Where(path, text)
    top.table(raw, TOP_KEYS, {"source"})
    src = top.at("source")
    source = src.table(raw["source"], {"kind", *registry.NAMES}, {"kind"})
    kind = src.string(source, "kind")
    if kind not in registry.KINDS:
        raise src.at("kind").fail(f"unknown source kind {kind!r} (use one of: "
                                  f"{', '.join(registry.NAMES)})")
    csv = connector = None
    if kind == "csv":
        if "csv" not in source:
            raise src.at("csv").fail("is required when kind = \"csv\"")
        csv = csv_source(source["csv"], src.at("csv"))
    elif registry.is_api(kind):
        if kind not in source:
            raise src.at(kind).fail(f"is required when kind = \"{kind}\"")
        # Loaded only for this kind, so a CSV user never loads the HTTP stack.
        connector = registry.get(kind).load().parse_settings(source[kind], src.at(kind))
    rules = _rules(raw.get("rules", []), top.at("rules"))
    if kind == "demo" and "rules" not in raw:  # a config for the demo org (e.g. its [digest])
        rules = demo_settings().rules
    if csv is not None:
        _check_rule_objects(rules, csv, top.at("rules"))
    goals = (parse_goals(raw.get("goals", []), top.at("goals")) if kind != "demo" or "goals" in raw
             else demo_goals())
    check_goal_objects(goals, [r.object for r in rules], top.at("goals"))
    return Settings(
        path=path,
        kind=kind,
        csv=csv,
        connector=connector,
        rules=rules,
        placeholders=_placeholders(raw.get("placeholders", {}), top.at("placeholders")),
        tiers=_tiers(raw.get("tiers", {}), top.at("tiers")),
        costs=_costs(raw.get("costs", {}), top.at("costs")) if kind != "demo" or "costs" in raw
        else demo_settings().costs,
        admin=_admin(raw.get("admin", {}), top.at("admin")),
        ledger_path=_ledger(raw.get("ledger", {}), top.at("ledger"), path),
        digest=_digest(raw.get("digest"), top.at("digest")),
        goals=goals,
    )


def _digest(raw: object, where: Where):
    """[digest]: parsed by chaser.digest_settings, imported only when the table is there."""
    if raw is None:
        return None
    from chaser.digest_settings import parse as parse_digest

    return parse_digest(raw, where)


def _admin(raw: object, where: Where) -> Admin:
    if isinstance(raw, str):  # before the ledger, `admin = "..."` named who chased
        return Admin(None, raw.strip())
    where.table(raw, {"id", "name", "email"})
    wid = where.string(raw, "id")
    if wid is not None and not WRITER_ID.fullmatch(wid):
        raise where.at("id").fail(f"must be a short id of lower-case letters, digits, - and _ "
                                  f"(at most 32, e.g. \"ann\"), not {wid!r}")
    return Admin(wid, (where.string(raw, "name", "") or "").strip(),
                 (where.string(raw, "email", "") or "").strip())


def _ledger(raw: object, where: Where, config_path: Path) -> Path | None:
    where.table(raw, {"path"})
    text = where.string(raw, "path")
    if text is None:
        return None
    if not text.strip():
        raise where.at("path").fail("must name a folder (or be left out for the data folder)")
    path = Path(text.strip()).expanduser()
    # Relative to the config file, as an admin reading the file would take it.
    return path if path.is_absolute() else (config_path.parent / path).resolve()


def _rules(raw: object, where: Where) -> tuple[Rule, ...]:
    if not isinstance(raw, list):
        raise where.fail("must be a list of [[rules]] tables")
    rules = []
    for i, r in enumerate(raw):
        w = where.item(i)
        w.table(r, {"object", "require", "when"}, {"object", "require"})
        require = w.strings(r, "require")
        if not require:
            raise w.at("require").fail("must name at least one field")
        when = parse_condition(r["when"], w.at("when").fail) if "when" in r else None
        rules.append(Rule(w.string(r, "object"), require, when, origin=w.place()))
    return tuple(rules)


def _check_rule_objects(rules: tuple[Rule, ...], csv: CsvSource, where: Where) -> None:
    """A rule on an object no CSV file holds would check nothing, and every person would look
    complete: a typo in `object` must be an error, not a silent 100%. Likewise a cannot-edit
    field no rule requires would excuse nothing: a typo there is an error too."""
    objects = [o.object for o in csv.objects]
    for i, rule in enumerate(rules):
        if rule.object not in objects:
            raise where.item(i).at("object").fail(
                f"no [[source.csv.objects]] has object {rule.object!r} "
                f"(objects: {', '.join(dict.fromkeys(objects))})")
    for i, c in enumerate(csv.cannot_edit):
        w = Where(where.path, where.text, f"source.csv.cannot_edit[{i}]")
        if c.object not in objects:
            raise w.at("object").fail(f"no [[source.csv.objects]] has object {c.object!r} "
                                      f"(objects: {', '.join(dict.fromkeys(objects))})")
        required = {f.casefold(): f for r in rules if r.object == c.object for f in r.require}
        for f in c.fields:
            if f.strip().casefold() not in required:
                raise w.at("fields").fail(
                    f"no [[rules]] on {c.object} requires {f!r} (required there: "
                    f"{', '.join(dict.fromkeys(required.values())) or 'nothing'})")


def _placeholders(raw: dict, where: Where) -> tuple[str, ...]:
    where.table(raw, {"values"})
    return where.strings(raw, "values", DEFAULT_PLACEHOLDERS) or ()


def _tiers(raw: dict, where: Where) -> Thresholds:
    where.table(raw, {"grade_a", "moderate", "login_days", "late_days"})
    g = where.number(raw, "grade_a", Decimal("95"))
    m = where.number(raw, "moderate", Decimal("70"))
    if g > 100:
        raise where.at("grade_a").fail("must be a percentage from 0 to 100")
    if m > g:
        raise where.at("moderate").fail(f"must not be above grade_a ({g})")
    # Days; 0 turns the check off (chaser.tiers). Ten years is beyond any sensible setting.
    return Thresholds(float(g), float(m), where.integer(raw, "login_days", 30, 0, 3650),
                      where.integer(raw, "late_days", 30, 0, 3650))


def _costs(raw: dict, where: Where) -> CostSettings:
    where.table(raw, {"currency", "admin_hourly_rate", "rep_hourly_rate",
                      "rep_minutes_per_chase", "timezone", "fix_window_days", "teams", "admins"})
    tz = where.string(raw, "timezone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise where.at("timezone").fail(f"unknown time zone {tz!r} (e.g. \"Europe/Berlin\")") from None
    teams = {}
    tw = where.at("teams")
    given = raw.get("teams", {})
    for name, t in tw.table(given, set(given) if isinstance(given, dict) else set()).items():
        w = tw.at(name)
        w.table(t, {"admin_hourly_rate", "rep_hourly_rate", "rep_minutes_per_chase"})
        teams[name] = TeamRates(w.number(t, "admin_hourly_rate", None, 0, MAX_RATE),
                                w.number(t, "rep_hourly_rate", None, 0, MAX_RATE),
                                w.integer(t, "rep_minutes_per_chase", None, 0, 600))
    admins = {}
    aw = where.at("admins")
    given = raw.get("admins", {})
    for wid, t in aw.table(given, set(given) if isinstance(given, dict) else set()).items():
        w = aw.at(wid)
        if not WRITER_ID.fullmatch(wid):
            raise w.fail(f"{wid!r} is not an admin id ([admin] id, e.g. \"ann\")")
        w.table(t, {"hourly_rate"}, {"hourly_rate"})
        admins[wid] = w.number(t, "hourly_rate", None, 0, MAX_RATE)
    currency = where.string(raw, "currency", "USD")
    if not (len(currency) == 3 and currency.isalpha()):
        raise where.at("currency").fail(f"must be a 3-letter currency code, not {currency!r}")
    return CostSettings(
        currency=currency.upper(),
        admin_hourly_rate=where.number(raw, "admin_hourly_rate", Decimal("60"), 0, MAX_RATE),
        rep_hourly_rate=where.number(raw, "rep_hourly_rate", Decimal("0"), 0, MAX_RATE),
        rep_minutes_per_chase=where.integer(raw, "rep_minutes_per_chase", 0, 0, 600),
        timezone=tz,
        fix_window_days=where.integer(raw, "fix_window_days", 14, 1, 365),
        teams=teams,
        admins=admins,
    )


def demo_settings() -> Settings:
    """The built-in demo org's settings: its rules live with the demo connector."""
    from chaser.connectors.demo import DEMO_RULES

    return Settings(path=None, kind="demo", rules=DEMO_RULES,
                    costs=CostSettings(rep_hourly_rate=Decimal("90"), rep_minutes_per_chase=10),
                    goals=demo_goals())

