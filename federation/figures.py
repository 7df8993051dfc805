"""Figures defined once: each key with its label and help (English msgids, Chinese in the .po), its
unit of measure, how it is counted from the records, how it is stored per unit, and how it rolls up
the tree (a sum of the units' counts, or a rate of two sums).

How a figure is counted: `counted` names a source, the app's name for a set of rows ("offices",
"items"); `where` picks the rows that count (a Q, or a function of the day giving one; None: every
row) and `summed` the column added up over them (None: the rows are counted). `FigureSet.measures()`
hands the app one measure per figure of a source, and the app computes all of them in one
statement per source (orgtree.rollups). Where an app keeps each unit's own figures today,
`stored` names the figure's column there and `where_stored` is the condition on those stored rows
for a figure counted over them rather than summed from its column. A `shown=False` figure is
counted and stored for the sake of another one, never displayed: it is not registered and not
part of the set's keys.

Each app registers its figure sets in AppConfig.ready(); dashboards, exports and their 指标说明
sheet, API docs and forms read them from here. `FigureSet.complete()` derives the rates from the
sums the app computed, the same way for a subtree, a past date or each child. A key is registered
once across all sets. This module names no model: sources and columns are the apps' own names.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, Sum
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
    rates); otherwise it is a sum of the units' counts, counted from the rows of the source
    `counted` (see the module docstring for `where`, `summed`, `stored`, `where_stored`, `shown`)."""

    key: str
    label: "StrOrPromise"
    help: "StrOrPromise"
    unit: "StrOrPromise" = COUNT
    rate: tuple[str, str] | None = None
    counted: str | None = None
    where: Q | Callable[..., Q] | None = None
    summed: str | None = None
    stored: str | None = None
    where_stored: Q | Callable[..., Q] | None = None
    shown: bool = True

    def condition(self, day=None, stored=False):
        """`where` (or `where_stored`) for `day`: a Q, or None for every row."""
        where = self.where_stored if stored else self.where
        return where(day) if callable(where) else where

    def measure(self, day=None):
        """What to compute over the source's rows (orgtree.rollups.aggregates): a Q (count the
        matching rows), None (count every row) or the sum of a column (0 without rows)."""
        where = self.condition(day)
        return Sum(self.summed, filter=where, default=0) if self.summed else where

    @property
    def whole_yuan(self):
        return self.unit is YUAN

    @property
    def derived_from(self):
        """The two sums a derived figure (a rate, an average) is computed from; None for a sum."""
        return self.rate

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


@dataclass(frozen=True)
class Average(Figure):
    """A figure derived as `per[0] / per[1]` of two sums of its set, one decimal (None without a
    denominator); neither counted nor stored, like a rate, but no percent: over a subtree the ratio
    of the two sums, never a mean of the children's averages."""

    per: tuple[str, str] | None = None

    @property
    def derived_from(self):
        return self.per

    def value(self, sums):
        assert self.per is not None
        whole = sums[self.per[1]]
        if not whole:
            return None
        return float((Decimal(sums[self.per[0]]) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def rollup(self):
        assert self.per is not None
        return gettext("Average: %(numerator)s / %(denominator)s") % {
            "numerator": _registered[self.per[0]].label,
            "denominator": _registered[self.per[1]].label,
        }


@dataclass(frozen=True)
class Own(Figure):
    """A count of the rows registered on the unit itself, not on its subtree (e.g. a city's own
    agencies, 73 市直机关): over a unit it is that unit's own count, never a sum of its children's.
    The app's evaluator counts it (a rollup over subtrees would not); its 指标说明 says so."""

    def rollup(self):
        return gettext("Not summed: the unit's own only")


class FigureSet:
    """The figures of one app's measure, in display order; iterating gives the keys of the shown
    figures (a figure with `shown=False` is only counted and stored). `evaluate(units, day=None,
    keys=None)`, where the app gives one, returns {unit id: {key: value}} of the set's figures (or of
    `keys` alone, counting only what they need) over each unit's
    subtree: what another app (a checklist's automatic item) reads without importing this one. A set
    with an evaluator is an evaluated set (`evaluated_sets()`): the coverage dashboard's export and
    the weekly snapshots add its figures by child without naming its app; `title` names its sheet."""

    def __init__(
        self,
        name: str,
        figures: Iterable[Figure],
        evaluate: Callable | None = None,
        title: "StrOrPromise | None" = None,
    ) -> None:
        self.name = name
        self.evaluate = evaluate
        self.title = title or name
        figures = list(figures)
        self.every = {figure.key: figure for figure in figures}
        if len(self.every) != len(figures):
            raise ValueError(f"a key twice in the set {name!r}")
        self.figures = {key: figure for key, figure in self.every.items() if figure.shown}
        for figure in figures:
            parts = figure.derived_from
            if parts and not all(key in self.figures and not self.figures[key].derived_from for key in parts):
                raise ValueError(f"{figure.key!r}: a rate of two sums of the set {name!r}")
            if parts and (figure.counted or figure.stored):
                raise ValueError(f"{figure.key!r}: a rate is derived, neither counted nor stored")
            if (figure.where is not None or figure.summed) and not figure.counted:
                raise ValueError(f"{figure.key!r}: `where` and `summed` apply to the rows it is counted from")
        self.sums = [figure.key for figure in figures if figure.shown and not figure.derived_from]

    def __iter__(self):
        return iter(self.figures)

    def __contains__(self, key):
        return key in self.figures

    def __getitem__(self, key):
        return self.figures[key]

    def label(self, key):
        return self.figures[key].label

    def measures(self, source, day=None, stored=False):
        """{key: measure} of the shown figures counted from `source` (Figure.measure), as of `day`;
        with `stored`, {stored column: measure} of the figures stored per unit, hidden ones too."""
        if stored:
            return {f.stored: f.measure(day) for f in self.every.values() if f.counted == source and f.stored}
        return {f.key: f.measure(day) for f in self.figures.values() if f.counted == source}

    def stored(self):
        """The stored per-unit columns of the set's figures, hidden ones included, in order, each once
        (two figures may sum one column over different units: a village's and a township's chairs)."""
        return list(dict.fromkeys(figure.stored for figure in self.every.values() if figure.stored))

    def sources(self):
        """The names of the sources the set's figures are counted from."""
        return {figure.counted for figure in self.every.values() if figure.counted}

    def complete(self, sums, keys=None):
        """Every figure of the set (or those of `keys`), in order, from the sums (the rates derived
        from them)."""
        wanted = self.figures if keys is None else {key: self.figures[key] for key in keys}
        return {key: figure.value(sums) for key, figure in wanted.items()}

    def needs(self, keys):
        """The sums `keys` are derived from (a rate or an average needs its two sums): what to count for
        them alone."""
        found: set[str] = set()
        for key in keys:
            found.update(self.figures[key].derived_from or (key,))
        return found

    def definitions(self, keys=None):
        """{key: help} of the set's figures (or those of `keys`), for the API docs
        (federation.api.bilingual_definitions)."""
        return {key: self.figures[key].help for key in (self.figures if keys is None else keys)}

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


def evaluated_choices():
    """(key, label) of the shown figures of every set that gives an evaluator, in registration order."""
    return [choice for found in _sets.values() if found.evaluate is not None for choice in found.choices()]


def evaluated_sets():
    """The registered sets that give an evaluator, in registration order: other apps' figures that
    the coverage dashboard's export and the weekly snapshots include by child (one evaluation per
    list of units: a fixed number of statements), without naming the apps."""
    return [found for found in _sets.values() if found.evaluate is not None]


def set_of(key):
    """The registered set that holds `key` (None for an unknown key)."""
    return next((found for found in _sets.values() if key in found), None)


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
