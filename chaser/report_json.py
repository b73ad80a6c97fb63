"""`chaser report --format json`: every number of the text report, under the names of the CSV
columns (`chaser costs`, `chaser gaps`, the HR export) in snake case, so scripts and tests
reach them. The figures are the Report's own, rounded as the text shows them: a script and a
reader of the text see the same numbers.
"""

from __future__ import annotations

from typing import Any

from chaser.output import to_json
from chaser.report import Report


def to_dict(report: Report) -> dict[str, Any]:
    """The report as data for scripts. Keys are the CSV columns' names (`chaser costs`, `chaser
    gaps`, the HR export) in snake case; money is in cents as the text shows it, percentages
    are the rounded figures the text prints. Times are ISO 8601 in the configured zone."""
    s, p, r = report.summary.total, report.previous.total, report
    eff, proj = report.effectiveness.total, report.projection
    return {
        "title": r.title, "period": r.period.label, "period_start": r.period.first_day,
        "period_end": r.period.last_day, "timezone": r.zone, "scope": r.scope,
        "currency": r.currency,
        "snapshot": r.snapshot.id if r.snapshot else None, "snapshot_at": r.snapshot_at,
        "latest_snapshot_at": r.latest_at,
        "compared_with": r.compared.label, "compared_start": r.compared.start,
        "compared_end": r.compared.end,
        "cost": s.cost, "chases": s.chases, "minutes": s.minutes, "hours": round(s.hours, 1),
        "barrier_chases": s.barrier_chases, "barrier_minutes": s.barrier_minutes,
        "barrier_cost": s.barrier_cost, "barrier_share_pct": r.barrier_share_pct,
        "cost_excluding_barriers": s.accountable_cost,
        "previous_cost": p.cost, "previous_chases": p.chases,
        "cost_change_pct": r.cost_change_pct,
        "completeness_pct": r.completeness, "previous_completeness_pct": r.previous_completeness,
        "completeness_change_pts": r.completeness_change_pts,
        "fix_window_days": report.effectiveness.window_days,
        "fix_rate_pct": r.fix_rate_pct, "gaps_chased": eff.gaps_chased,
        "gaps_fixed": eff.gaps_fixed, "chases_judged": eff.judged, "chases_fixed": eff.fixed,
        "chases_partly_fixed": eff.partly, "chases_pending": eff.pending,
        "median_days_to_fix": eff.median_days,
        "open_gaps": proj.open_gaps if proj else None,
        "cost_per_gap": proj.per_gap if proj else None,
        "projected_cost": proj.cost if proj else None,
        "projection_basis_chases": proj.judged_chases if proj else None,
        "projection_basis_cost": proj.judged_cost if proj else None,
        "projection_basis_gaps_fixed": proj.gaps_fixed if proj else None,
        "teams": list(r.team_lines), "people": list(r.person_lines),
        "admins": list(r.admin_lines),
        # whose ledgers the chases come from; left_out: months a read skipped (then every
        # figure above is short of those chases and "incomplete" is true)
        "ledgers_read": len(r.ledger.writers) if r.ledger else None,
        "ledger_writers": list(r.ledger.writers) if r.ledger else None,
        "incomplete": r.ledger.incomplete if r.ledger else False,
        "left_out": [{"writer": w, "month": m, "kind": k} for w, m, k in r.ledger.left_out]
        if r.ledger else [],
        "barriers": [{"outcome": b.outcome.value, "label": b.label, "chases": b.chases,
                      "minutes": b.minutes, "cost": b.cost, "people": list(b.people),
                      "remedy": b.remedy} for b in r.barriers],
        # Blanks not blamed because their owners may not edit the fields (current snapshot).
        "cannot_edit": None if (a := r.cannot_edit) is None else {
            "records": a.records, "missing_fields": a.missing, "by_field": a.by_field,
            "people": list(a.people), "remedy": a.remedy},
        # The barrier register (open at the period's end, or removed in the period), every
        # active person's accountability status, and the newcomers (chaser.accountability).
        "register": list(r.register), "statuses": list(r.status_lines),
        "newcomers": list(r.newcomers),
    }


def render_json(report: Report) -> str:
    return to_json(to_dict(report))
