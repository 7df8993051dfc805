"""Figures defined once: each key with its label and help (English msgids, Chinese in the .po), its
unit of measure and how it rolls up the tree (a sum of the units' counts, or a rate of two sums).

Each app registers its figure sets in AppConfig.ready(); dashboards, exports and their 指标说明
sheet, API docs and forms read them from here. How a figure is counted from the records stays
with the app that owns the records (orgtree.coverage, reform.figures): the app computes the sums,
`FigureSet.complete()` derives the rates from them, the same way for a subtree, a past date or
each child. A key is registered once across all sets.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext, pgettext_lazy

COUNT = pgettext_lazy("unit of measure", "count")
PEOPLE = pgettext_lazy("unit of measure", "people")
PERCENT = "%"
YUAN = pgettext_lazy("unit of measure", "yuan")

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def percent(part, whole):
    """part / whole in percent, one decimal, rounded half up; None when there is no whole."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figure:
    """One figure. `rate=(numerator, denominator)`: the figure is the rate of those two sums in
    percent (over a subtree: the sum of numerators over the sum of denominators, never a mean of
    rates); otherwise it is a sum of the units' counts."""

    key: str
    label: "StrOrPromise"
    help: "StrOrPromise"
    unit: "StrOrPromise" = COUNT
    rate: tuple[str, str] | None = None

    @property
    def whole_yuan(self):
        return self.unit is YUAN

    def value(self, sums):
        return percent(sums[self.rate[0]], sums[self.rate[1]]) if self.rate else sums[self.key]

    def rollup(self):
        """How it rolls up, in the reader's language (the 指标说明 sheet)."""
        if not self.rate:
            return gettext("Sum")
        return gettext("Rate: %(numerator)s / %(denominator)s") % {
            "numerator": _registered[self.rate[0]].label,
            "denominator": _registered[self.rate[1]].label,
        }


class FigureSet:
    """The figures of one app's measure, in display order; iterating gives the keys."""

    def __init__(self, name, figures):
        self.name = name
        self.figures = {figure.key: figure for figure in figures}
        for figure in figures:
            if figure.rate and not all(key in self.figures and not self.figures[key].rate for key in figure.rate):
                raise ValueError(f"{figure.key!r}: a rate of two sums of the set {name!r}")
        self.sums = [figure.key for figure in figures if not figure.rate]

    def __iter__(self):
        return iter(self.figures)

    def __contains__(self, key):
        return key in self.figures

    def __getitem__(self, key):
        return self.figures[key]

    def label(self, key):
        return self.figures[key].label

    def complete(self, sums):
        """Every figure of the set, in order, from the sums (the rates derived from them)."""
        return {key: figure.value(sums) for key, figure in self.figures.items()}

    def definitions(self):
        """{key: help}, for the API docs (federation.api.bilingual_definitions)."""
        return {key: figure.help for key, figure in self.figures.items()}

    def choices(self):
        return [(key, figure.label) for key, figure in self.figures.items()]


_sets, _registered = {}, {}


def register(figure_set):
    """Register an app's figure set (in its AppConfig.ready()); a set or a key registered twice is refused."""
    if figure_set.name in _sets:
        raise ValueError(f"{figure_set.name!r} is registered twice")
    twice = [key for key in figure_set if key in _registered]
    if twice:
        raise ValueError(f"figure keys registered twice: {twice}")
    _sets[figure_set.name] = figure_set
    _registered.update(figure_set.figures)
    return figure_set


def figure_set(name):
    return _sets[name]


def figure(key):
    return _registered[key]


def definitions_sheet(book, keys):
    """The 指标说明 sheet of an export: each figure's label, key, unit of measure, rollup and help."""
    sheet = book.sheet(gettext("Definitions"))
    sheet.append(
        [
            gettext("Figure"),
            gettext("Figure key"),
            gettext("Unit of measure"),
            gettext("Rollup"),
            gettext("Definition"),
        ],
        bold=True,
    )
    for key in keys:
        found = _registered[key]
        sheet.append([str(found.label), key, str(found.unit), found.rollup(), str(found.help)])
    return sheet
