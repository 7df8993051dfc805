"""Figures of visits (调研 / 督战): `visits`, `units_visited`, `meetings`, made by units of a subtree
in a period (by default this calendar year, 1 January to 31 December of today's year; with a day,
1 January of its year to that day). An evaluated FigureSet: reform's automatic checklist items, the
coverage dashboard's export and the weekly snapshots read it without importing reform."""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import COUNT, Figure, FigureSet
from orgtree.rollups import Base, figures_by_child, figures_total
from reform.models import Visit


@dataclass(frozen=True)
class Distinct(Figure):
    """A count of the distinct units visited (a unit visited twice counts once)."""

    def measure(self, day=None):
        return Count("unit", filter=self.condition(day), distinct=True)


FIGURES = FigureSet(
    "visits",
    [
        Figure(
            "visits",
            _("Visits"),
            _(
                "Visits (调研, 督战, 座谈, 观摩会, 推进会) made by units of the subtree in the period "
                "(default: this calendar year)."
            ),
            COUNT,
            counted="visits",
        ),
        Distinct(
            "units_visited",
            _("Units visited"),
            _("Distinct units visited by those visits: a unit visited twice counts once."),
            COUNT,
            counted="visited",
        ),
        Figure(
            "meetings",
            _("Meetings held"),
            _("Meetings (座谈会) held during those visits, added up."),
            COUNT,
            counted="visits",
            summed="meetings",
        ),
    ],
    title=_("Visits"),
)


def period_of(day=None):
    """(first, last) day: this calendar year, or 1 January of `day`'s year to `day`."""
    if day is None:
        today = timezone.localdate()
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    return datetime.date(day.year, 1, 1), day


def _bases(day=None, period=None):
    first, last = period or period_of(day)
    live = {"unit__closed_on__isnull": True, "date__gte": first, "date__lte": last}
    through = Visit.visited.through.objects.filter(**{f"visit__{k}": v for k, v in live.items()})
    return [
        Base(Visit.objects.filter(**live), "unit__", FIGURES.measures("visits")),
        Base(through, "visit__unit__", FIGURES.measures("visited")),
    ]


def visit_figures(unit, day=None, period=None):
    return figures_total(unit, _bases(day, period), FIGURES)


def visits_by_child(unit, day=None, period=None, children=None):
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    return figures_by_child(children, _bases(day, period), FIGURES)


def _evaluate(units, day=None, keys=None):
    """{unit id: figures} of each of `units` over its subtree, a fixed number of statements."""
    return {unit.pk: values for unit, values in figures_by_child(list(units), _bases(day), FIGURES, keys)}


FIGURES.evaluate = _evaluate
