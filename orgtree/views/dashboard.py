"""The coverage dashboard of a unit: headline figures, a table and a chart by child, drill-down,
Excel export and a print view. Figures come from orgtree.coverage, the apps' panels
(federation.registry) and, in the export, the other apps' evaluated figure sets
(federation.figures.evaluated_sets), none of them named here."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from federation import datacache, locks, registry
from federation.figures import definitions_sheet, evaluated_sets
from federation.pages import UnitMixin
from federation.workbook import Workbook, download
from orgtree import coverage
from orgtree.choices import ADMINISTRATIVE_KINDS
from orgtree.models import CoverageSnapshot

FIGURES = coverage.FIGURES

HEADLINES = [
    "villages_total",
    "villages_converted",
    "conversion_rate",
    "executives",
    "chairs",
    "chairs_in_two_committees_rate",
    "terms_overdue",
    "terms_delayed",
    "womens_homes",
    "childrens_homes",
]
WEEKLY = ["villages_converted", "conversion_rate", "executives", "chairs_in_two_committees", "terms_overdue"]
TABLE = [
    "villages_total",
    "rural_villages_total",
    "communities_total",
    "villages_converted",
    "rural_villages_converted",
    "communities_converted",
    "conversion_rate",
    "chairs",
    "vice_chairs_part_time",
    "executives",
    "chairs_in_two_committees",
    "chairs_party_secretary",
    "women_party_secretaries",
    "women_village_directors",
    "townships_regionalized",
    "township_chairs",
    "township_vice_chairs_full_time",
    "township_vice_chairs_part_time",
    "township_vice_chairs_seconded",
    "township_executives",
    "agency_committees",
    "new_domain_committees",
    "womens_homes",
    "childrens_homes",
    "terms_overdue",
    "terms_delayed",
    "counties_overdue",
]


def by_area(unit, day, figures):
    """The children by area (counties, townships, villages…), and the rest — the unit itself and its own
    committees (its agencies, enterprises, new domains…) — as one row: a city's 73 agencies are one line
    of its dashboard, not 73 beside its counties, and that line is the total less the areas (no statement
    per agency). (rows, (how many own committees, figures) or None); a unit with no area child lists
    every child."""
    children = coverage.open_children(unit, day)
    areas = [child for child in children if child.kind in ADMINISTRATIVE_KINDS]
    rows = coverage.coverage_by_child(unit, day, children=areas or children)
    if not areas or len(areas) == len(children):
        return rows, None
    sums = {key: figures[key] - sum(found[key] for _child, found in rows) for key in coverage.FIGURES.sums}
    return rows, (len(children) - len(areas), coverage.FIGURES.complete(sums))


def day_from(request):
    try:
        return coverage.parse_day(request.GET.get("as_of"))
    except ValueError:
        return None


class DashboardView(UnitMixin, TemplateView):
    template_name = "orgtree/dashboard.html"

    def get_context_data(self, **kwargs):
        day = day_from(self.request) or timezone.localdate()
        # The same for everyone who may open the unit: kept until the next write (federation.datacache).
        found = datacache.kept("dashboard", (self.unit.pk, day.isoformat()), lambda: self.computed(day))
        figures, rows, approved = found["figures"], found["rows"], found["marks"]
        return super().get_context_data(
            approved=approved.get(self.unit.pk),
            panels=found["panels"],
            day=day,
            headlines=[(FIGURES[k], figures[k]) for k in HEADLINES],
            columns=[FIGURES[k] for k in TABLE],
            rows=[(child, [f[k] for k in TABLE]) for child, f in rows],
            marks=approved,
            own=found["own"] and {"count": found["own"][0], "values": [found["own"][1][k] for k in TABLE]},
            total=[figures[k] for k in TABLE],
            chart=found["chart"],
            weekly=found["weekly"],
            weekly_columns=[FIGURES[k] for k in WEEKLY],
            **kwargs,
        )

    def computed(self, day):
        """Everything the page shows that does not depend on who looks."""
        figures = coverage.coverage(self.unit, day)
        rows, own = by_area(self.unit, day, figures)
        children = [c for c, _f in rows]
        chart = {
            "label": str(coverage.FIGURES.label("conversion_rate")),
            "names": [c.name for c in children],
            "rates": [f["conversion_rate"] or 0 for _c, f in rows],
            "executives": [f["executives"] for _c, f in rows],
        }
        snapshots = list(CoverageSnapshot.objects.filter(unit=self.unit, week__lte=day).order_by("-week")[:12])
        chart["trend"] = {
            "weeks": [s.week.isoformat() for s in reversed(snapshots)],
            "rates": [s.figures.get("conversion_rate") or 0 for s in reversed(snapshots)],
        }
        return {
            "figures": figures,
            "rows": rows,
            "own": own,
            "chart": chart,
            "weekly": self.week_over_week(children, coverage.monday(day)),
            # 会改联结果 approved by the level above (federation.locks): marked on the unit and its rows (one query).
            "marks": locks.approved([*children, self.unit], "conversion"),
            "panels": self.panels(children, figures),
        }

    def panels(self, children, figures):
        """The sections the apps registered (federation.registry.dashboard_panels) that have something to show."""
        built = ((panel, panel.build(self.unit, children, figures)) for panel in registry.dashboard_panels())
        return [{"template": panel.template, "context": context} for panel, context in built if context is not None]

    def week_over_week(self, children, week):
        """周报: each child's figures this week and the change since last week, from the snapshots."""
        previous = week - datetime.timedelta(weeks=1)
        stored = {
            (s.unit_id, s.week): s.figures
            for s in CoverageSnapshot.objects.filter(unit__in=children, week__in=[week, previous])
        }
        rows = []
        for child in children:
            now, before = stored.get((child.pk, week)), stored.get((child.pk, previous))
            if now is None:
                continue
            rows.append((child, [(now.get(k), _change(now.get(k), before.get(k) if before else None)) for k in WEEKLY]))
        return rows


def _change(now, before):
    if now is None or before is None:
        return None
    return round(now - before, 1)


class DashboardExportView(UnitMixin, View):
    """The dashboard's table as .xlsx (all keys), for the weekly report: the coverage figures by
    child and the total, then one sheet per evaluated figure set of the other apps (their figures by
    child and the total, as of the same day), then the 指标说明 sheet of every key. A fixed number of
    statements: each set's evaluator takes all the children at once."""

    def get(self, request, pk):
        day = day_from(request) or timezone.localdate()
        keys = list(FIGURES)
        book = Workbook()
        sheet = book.sheet(_("Coverage"))
        sheet.append([f"{self.unit.name} · {day.isoformat()}"])
        sheet.append([_("Unit"), *[str(FIGURES.label(k)) for k in keys]], bold=True)
        rows = coverage.coverage_by_child(self.unit, day)
        for child, figures in rows:
            sheet.append([child.name, *[figures[k] for k in keys]])
        total = coverage.coverage(self.unit, day)
        sheet.append([_("Total"), *[total[k] for k in keys]])
        children = [child for child, _f in rows]
        as_of = None if day == timezone.localdate() else day  # today: the figures the apps' pages show
        for found in evaluated_sets():
            own = list(found)
            by_child = found.evaluate(children, as_of) if children else {}
            whole = found.evaluate([self.unit], as_of)[self.unit.pk]
            sheet = book.sheet(found.title)
            sheet.append([f"{self.unit.name} · {day.isoformat()}"])
            sheet.append([_("Unit"), *[str(found.label(k)) for k in own]], bold=True)
            for child in children:
                sheet.append([child.name, *[by_child[child.pk][k] for k in own]])
            sheet.append([_("Total"), *[whole[k] for k in own]])
            keys += own
        definitions_sheet(book, keys)
        return download(book.to_bytes(), f"{self.unit.name}-{_('Coverage')}-{day:%Y%m%d}.xlsx")
