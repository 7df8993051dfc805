"""Contact figures (联系妇女) rolled up the tree, for a subtree or per child, in a fixed number of
statements (orgtree.rollups): the executives in office, those whose contact list names at least one
woman, the women on the lists, the women per executive, and the contact log of a period.

`contacts_per_executive` is an average, not a percent: federation.figures rates are percentages (the
sum of numerators over the sum of denominators × 100), so the average is its own derived figure
(`Average`): women_contacted / executives_serving with one decimal, over a subtree the ratio of the two
sums (never a mean of the children's averages). Its denominator is every executive in office, those
who keep no list included, so that executives who contact nobody lower it.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from executives.models import ContactList, ContactVisit
from federation.figures import COUNT, PEOPLE, PERCENT, Figure, FigureSet
from orgtree.models import Office
from orgtree.rollups import Base, figures_by_child, figures_total

PER_EXECUTIVE = pgettext_lazy("unit of measure", "women per executive")


@dataclass(frozen=True)
class Average(Figure):
    """A figure derived as `per[0] / per[1]` of two sums of its set, one decimal (None without a
    denominator); neither counted nor stored, like a rate, but no percent."""

    per: tuple[str, str] | None = None

    def value(self, sums):
        assert self.per is not None
        whole = sums[self.per[1]]
        if not whole:
            return None
        return float((Decimal(sums[self.per[0]]) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def rollup(self):
        assert self.per is not None
        return gettext("Average: %(numerator)s / %(denominator)s") % {
            "numerator": FIGURES.every[self.per[0]].label,
            "denominator": FIGURES.every[self.per[1]].label,
        }


FIGURES = FigureSet(
    "contacts",
    [
        Figure(
            "executives_serving",
            _("Executives in office"),
            _("Open offices of open units in the subtree (every seat counts as an executive)."),
            PEOPLE,
            counted="offices",
        ),
        Figure(
            "executives_with_contacts",
            _("Executives keeping contact"),
            _("Executives in office whose contact list counts at least one woman."),
            PEOPLE,
            counted="lists",
            where=Q(women__gt=0),
        ),
        Figure(
            "executives_with_contacts_rate",
            _("Keeping contact %"),
            _("executives_with_contacts / executives_serving, in percent."),
            PERCENT,
            rate=("executives_with_contacts", "executives_serving"),
        ),
        Figure(
            "women_contacted",
            _("Women contacted"),
            _(
                "Women on the contact lists of executives in office, each counted once in her main category "
                "(in difficulty, disabled, left-behind, single mother, other)."
            ),
            PEOPLE,
            counted="lists",
            summed="women",
        ),
        Average(
            "contacts_per_executive",
            _("Women per executive"),
            _(
                "women_contacted / executives_serving, one decimal: the average over every executive in office, "
                "those who keep no list included (not a percent)."
            ),
            PER_EXECUTIVE,
            per=("women_contacted", "executives_serving"),
        ),
        Figure(
            "contact_visits",
            _("Contacts logged"),
            _("Entries of the contact log dated in the period (default: this calendar year), of open units."),
            COUNT,
            counted="visits",
        ),
        Figure(
            "contact_visit_women",
            _("Women reached (times)"),
            _("The number of women of those log entries, added up (人次: a woman met twice counts twice)."),
            PEOPLE,
            counted="visits",
            summed="women",
        ),
    ],
)


def this_year(today=None):
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def period_from(params):
    """(first, last) day of the period named by `from` and `to` (YYYY-MM-DD) in `params`; by default
    this calendar year. ValidationError in Chinese for a date that is no date or a reversed period."""
    first, last = this_year()
    errors = {}
    for name in ("from", "to"):
        value = (params.get(name) or "").strip()
        if not value:
            continue
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            errors[name] = [gettext("Enter a date such as 2025-01-31.")]
        elif name == "from":
            first = day
        else:
            last = day
    if not errors and first > last:
        errors["to"] = [gettext("The end of the period comes before its start.")]
    if errors:
        raise ValidationError(errors)
    return first, last


def _bases(period):
    first, last = period
    live = Q(unit__closed_on__isnull=True)
    sources = {
        "offices": Office.objects.filter(live, ended_on__isnull=True),
        "lists": ContactList.objects.filter(live, office__ended_on__isnull=True),
        "visits": ContactVisit.objects.filter(live, date__gte=first, date__lte=last),
    }
    return [Base(rows, "unit__", FIGURES.measures(source)) for source, rows in sources.items()]


def contact_figures(unit, period=None):
    """The contact figures over `unit`'s subtree (the period: the log's; default this year)."""
    return figures_total(unit, _bases(period or this_year()), FIGURES)


def contacts_by_child(unit, period=None, children=None):
    """[(child, figures)] for the open children of `unit` (or the `children` given)."""
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    return figures_by_child(children, _bases(period or this_year()), FIGURES)
