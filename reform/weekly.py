"""The 周报 document: what a unit sends up the hierarchy for a period (by default the last full week,
Monday to Sunday, before today), as a plain JSON-serializable dict that the Word file
(reform.weekly_docx), the print view and the API (/api/units/<id>/weekly-report/) all render.

The dict is built by the section builders of `SECTIONS`, in order: each takes the `Period` (the unit,
the dates, the reader and what the sections share) and returns the keys it adds. Figures are those of
orgtree.coverage at the period's end and their change since the day before it began (the end of the
previous period); labels and units come from the figure sets (federation.figures). Everything listed
lies in the unit's subtree; the reader must see the unit (the views check it and `build` checks it
again). A fixed number of statements whatever the size of the tree: a few per section, plus one
coverage count per distinct due date of the campaigns' past milestones.

The submissions section (报送情况: completeness and timeliness by child, the units' analysis texts)
comes from reform.reports.document_section, reshaped for the renderings as {"columns": [label, …],
"rows": [{"unit": name, "values": [value, …]}], "texts": [{"unit": name, "parts": [{"heading":
label, "text": text}]}], "plans": <document_section's plans, whole>}; the Word file and the print view
show nothing where it is empty.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import figures as figure_sets
from federation import scope
from orgtree import coverage
from orgtree.choices import ADMINISTRATIVE_KINDS
from orgtree.models import Unit
from orgtree.views.dashboard import HEADLINES
from reform import reports, services, visits
from reform.models import UNRESOLVED, Campaign, KeyTask, Problem, ReportState, TaskStatus, Visit

COVERAGE = coverage.FIGURES
# The table by child: the dashboard's week-over-week figures with the villages counted first.
TABLE = ["villages_total", "villages_converted", "conversion_rate", "executives", "chairs_in_two_committees"]
CHART_KEY = "conversion_rate"
MAX_SPAN_DAYS = 366
FIRST_YEAR, LAST_YEAR = 1950, 2100  # a day outside is a mistake (and a week beyond year 9999 an overflow)
LISTED = 200  # rows listed per section (the counts are always whole)
FEDERATION_WORDS = ("妇联", "妇委会", "妇工委")


# --- the period ----------------------------------------------------------------------------------


def last_week(today=None):
    """(Monday, Sunday) of the last full week before `today`."""
    this_monday = coverage.monday(today or timezone.localdate())
    return this_monday - datetime.timedelta(weeks=1), this_monday - datetime.timedelta(days=1)


def _day(params, name):
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("Enter a date such as 2026-11-16.")}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError({name: _("Choose dates between 1950 and 2100.")})
    return day


def period_from(params, today=None):
    """(start, end) from query parameters: ?week=<any day of the week> (Monday to Sunday), or
    ?start=&end= (one of them alone: a week from the start, or to the end), else the last full week.
    ValidationError in Chinese on bad input: not a date, end before start, more than a year."""
    week = _day(params, "week")
    start, end = _day(params, "start"), _day(params, "end")
    if week is not None:
        if start or end:
            raise ValidationError({"week": _("Give either a week or a start and end, not both.")})
        monday = coverage.monday(week)
        return monday, monday + datetime.timedelta(days=6)
    if start is None and end is None:
        return last_week(today)
    if start is None:
        start = end - datetime.timedelta(days=6)
    if end is None:
        end = start + datetime.timedelta(days=6)
    if end < start:
        raise ValidationError({"end": _("The end of the period comes before its start.")})
    if (end - start).days >= MAX_SPAN_DAYS:
        raise ValidationError({"end": _("A report covers at most one year.")})
    return start, end


# --- the sections --------------------------------------------------------------------------------


@dataclass
class Period:
    """What every section builder reads: the unit, the dates (`before`: the day before `start`, whose
    figures the change is counted from), the reader, and the figures the sections share."""

    unit: Unit
    start: datetime.date
    end: datetime.date
    user: Any
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def before(self):
        return self.start - datetime.timedelta(days=1)

    @property
    def after(self):
        """The first day after the period: what is past its deadline by the end is overdue then."""
        return self.end + datetime.timedelta(days=1)

    @cached_property
    def figures(self):
        return coverage.coverage(self.unit, self.end)

    @cached_property
    def figures_before(self):
        return coverage.coverage(self.unit, self.before)

    @cached_property
    def children(self):
        """The children open at the end, by area (counties, townships…) where there are any, like the
        dashboard: a city's 73 agencies are not 73 rows beside its counties."""
        children = coverage.open_children(self.unit, self.end)
        return [c for c in children if c.kind in ADMINISTRATIVE_KINDS] or children

    @cached_property
    def by_child(self):
        """[(child, figures at the end, figures the day before the start)]."""
        if not self.children:
            return []
        now = coverage.coverage_by_child(self.unit, self.end, children=self.children)
        before = dict(coverage.coverage_by_child(self.unit, self.before, children=self.children))
        return [(child, figures, before[child]) for child, figures in now]

    def subtree(self, queryset):
        """The rows of open units of the unit's subtree."""
        return queryset.filter(self.unit.subtree_q("unit__"), unit__closed_on__isnull=True)


def change(now, before):
    if now is None or before is None:
        return None
    return round(now - before, 1)


def _figure(key, now, before):
    figure = COVERAGE[key]
    return {
        "key": key,
        "label": str(figure.label),
        "unit": str(figure.unit),
        "value": now,
        "before": before,
        "change": change(now, before),
    }


def title(period):
    name = period.unit.name
    if not name.endswith(FEDERATION_WORDS):
        name += "妇联"
    weekly = period.start.weekday() == 0 and (period.end - period.start).days == 6
    text = _("%(unit)s organization reform weekly report") if weekly else _("%(unit)s organization reform report")
    return text % {"unit": name}


def head_section(period):
    return {
        "unit": {"id": period.unit.pk, "name": period.unit.name},
        "title": title(period),
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "before": period.before.isoformat(),
        },
        "generated_on": period.today.isoformat(),
    }


def headlines_section(period):
    """The dashboard's headline figures at the end, with the change since the day before the start."""
    now, before = period.figures, period.figures_before
    return {"headlines": [_figure(key, now[key], before[key]) for key in HEADLINES]}


def by_child_section(period):
    rows = [
        {
            "unit": {"id": child.pk, "name": child.name},
            "values": [{"value": now[k], "change": change(now[k], before[k])} for k in TABLE],
        }
        for child, now, before in period.by_child
    ]
    total = [{"value": period.figures[k], "change": change(period.figures[k], period.figures_before[k])} for k in TABLE]
    columns = [{"key": k, "label": str(COVERAGE[k].label), "unit": str(COVERAGE[k].unit)} for k in TABLE]
    return {"by_child": {"columns": columns, "rows": rows, "total": total}}


def chart_section(period):
    """What the chart draws (reform.weekly_chart renders it): 会改联完成率 by child at the end."""
    return {
        "chart": {
            "key": CHART_KEY,
            "label": str(COVERAGE.label(CHART_KEY)),
            "names": [child.name for child, _now, _before in period.by_child],
            "values": [now[CHART_KEY] for _child, now, _before in period.by_child],
        }
    }


STATES = {
    "met": lambda: _("Reached"),
    "behind": lambda: _("Not yet met"),
    "missed": lambda: _("Missed"),
}


def milestones_section(period):
    """The milestones of the campaigns of the unit or above that overlap the period, each judged for
    the unit at the period's end (a milestone due by then on the figures of its due date)."""
    lineage = [u.pk for u in period.unit.lineage()] + [period.unit.pk]
    campaigns = Campaign.objects.filter(unit__in=lineage, starts_on__lte=period.end, ends_on__gte=period.start)
    rows = []
    for campaign in campaigns.select_related("unit").prefetch_related("milestones").order_by("starts_on", "pk"):
        for milestone in campaign.milestones.all():
            status = services.milestone_status(milestone, period.unit, period.figures, period.after)
            found = figure_sets.set_of(milestone.coverage_key)
            rows.append(
                {
                    "campaign": campaign.name,
                    "campaign_unit": campaign.unit.name,
                    "phase": milestone.phase,
                    "due_on": milestone.due_on.isoformat(),
                    "key": milestone.coverage_key,
                    "figure": str(found.label(milestone.coverage_key)) if found else milestone.coverage_key,
                    "target": float(milestone.target),
                    "actual": status["actual"],
                    "state": status["state"],
                    "state_label": STATES[status["state"]](),
                }
            )
    return {"milestones": rows}


def problems_section(period):
    """Problems of the subtree found by the end and not rectified; overdue: past their deadline by the
    end (its deadline before the day after)."""
    found = period.subtree(Problem.objects).filter(status__in=UNRESOLVED, found_on__lte=period.end)
    overdue = Q(deadline__lt=period.after)
    counts = found.aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue))
    listed = found.select_related("unit").order_by("deadline", "unit__code", "pk")[:LISTED]
    rows = [
        {
            "id": p.pk,
            "unit": p.unit.name,
            "area": p.get_area_display(),
            "description": p.description,
            "found_on": p.found_on.isoformat(),
            "deadline": p.deadline.isoformat(),
            "responsible": p.responsible,
            "status": p.status,
            "status_label": p.get_status_display(),
            "overdue": p.deadline < period.after,
        }
        for p in listed
    ]
    return {"problems": {"open": counts["open"], "overdue": counts["overdue"], "rows": rows}}


def visits_section(period):
    """Visits made by units of the subtree in the period, with the visit figures of the period."""
    figures = visits.visit_figures(period.unit, period=(period.start, period.end))
    made = (
        period.subtree(Visit.objects)
        .filter(date__gte=period.start, date__lte=period.end)
        .select_related("unit")
        .prefetch_related("visited")
        .order_by("date", "pk")[:LISTED]
    )
    rows = [
        {
            "id": v.pk,
            "date": v.date.isoformat(),
            "unit": v.unit.name,
            "kind": v.kind,
            "kind_label": v.get_kind_display(),
            "visited": sorted((u.name for u in v.visited.all()), key=str),
            "people_met": v.people_met,
            "meetings": v.meetings,
            "attendance": v.attendance,
            "findings": v.findings,
        }
        for v in made
    ]
    labelled = [{"key": k, "label": str(visits.FIGURES.label(k)), "value": figures[k]} for k in visits.FIGURES]
    return {"visits": {"figures": labelled, "rows": rows}}


def tasks_section(period):
    """Key tasks of the subtree not done and past their deadline by the end of the period."""
    late = period.subtree(KeyTask.objects).exclude(status=TaskStatus.DONE).filter(deadline__lt=period.after)
    count = late.count()
    rows = [
        {
            "id": t.pk,
            "unit": t.unit.name,
            "title": t.title,
            "deadline": t.deadline.isoformat(),
            "progress": t.progress,
            "status_label": t.get_status_display(),
        }
        for t in late.select_related("unit").order_by("deadline", "pk")[:LISTED]
    ]
    return {"tasks_overdue": {"count": count, "rows": rows}}


SUBMISSION_COUNTS = ["expected", "submitted", "accepted", "on_time", "late", "missing", "completeness", "timeliness"]
TEXT_PARTS = ["progress", "problems", "next_steps"]
SHOWN_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)  # drafts and returned ones are not sent up


def submissions_section(period):
    """报送情况: completeness and timeliness by child of each period of a report plan ending within the
    document's days, and the analysis texts of the reports submitted or accepted
    (reform.reports.document_section, kept whole under "plans" for the API)."""
    found = reports.document_section(period.unit, period.start, period.end)
    pairs = [(plan, p) for plan in found["plans"] for p in plan["periods"]]
    rows, texts = [], []
    for plan, p in pairs:
        suffix = f"（{plan['name']} {p['start']}—{p['end']}）" if len(pairs) > 1 else ""
        for child in [*p["children"], {"name": _("Total"), **p["total"]}]:
            values = [child[k] if child[k] is not None else "—" for k in SUBMISSION_COUNTS]
            rows.append({"unit": f"{child['name']}{suffix}", "values": values})
        for r in p["reports"]:
            parts = [{"heading": str(reports.TEXT_LABELS[k]), "text": r[k]} for k in TEXT_PARTS if r[k].strip()]
            if r["state"] in SHOWN_STATES and parts:
                texts.append({"unit": f"{r['unit_name']}（{r['state_label']}）{suffix}", "parts": parts})
    columns = [str(reports.COUNT_LABELS[k]) for k in SUBMISSION_COUNTS]
    return {"submissions": {"columns": columns, "rows": rows, "texts": texts, "plans": found["plans"]}}


# The document's sections, in order.
SECTIONS: list[Callable[[Period], dict]] = [
    head_section,
    headlines_section,
    by_child_section,
    chart_section,
    submissions_section,
    milestones_section,
    problems_section,
    visits_section,
    tasks_section,
]


def build(unit, start, end, *, user, today=None):
    """The 周报 of `unit` for [start, end] as a plain dict (see the module docstring). 404 when `user`
    may not see the unit, the same as for a unit that does not exist."""
    if not scope.can(user, scope.VIEW, unit):
        raise Http404
    period = Period(unit, start, end, user, today or timezone.localdate())
    report: dict = {}
    for section in SECTIONS:
        report.update(section(period))
    return report
