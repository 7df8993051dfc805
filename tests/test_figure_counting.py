"""How a figure is counted and stored is part of its definition (federation.figures): the apps read
their measures from the figure sets instead of writing each key again."""

import datetime

import pytest
from django.db.models import Q, Sum

from federation import figures
from federation.figures import PERCENT, Figure, FigureSet
from funding import compliance
from orgtree import coverage
from reform import figures as reform_figures

DAY = datetime.date(2024, 6, 30)


def sample():
    return FigureSet(
        "t",
        [
            Figure("rows", "Rows", "every row", counted="rows", stored="rows"),
            Figure("red", "Red", "red rows", counted="rows", where=Q(colour="red"), stored="red_rows"),
            Figure("late", "Late", "late rows", counted="rows", where=lambda day: Q(due__lt=day)),
            Figure(
                "hidden", "Hidden", "for another figure", counted="rows", where=Q(big=True), stored="big", shown=False
            ),
            Figure("amount", "Amount", "amounts", counted="other", summed="amount"),
            Figure("red_rate", "Red %", "red / rows", PERCENT, rate=("red", "rows")),
        ],
    )


def test_measures_of_a_source_are_those_of_its_shown_figures():
    found = sample()
    assert list(found) == ["rows", "red", "late", "amount", "red_rate"]
    assert found.measures("rows", DAY) == {"rows": None, "red": Q(colour="red"), "late": Q(due__lt=DAY)}
    assert found.measures("other") == {"amount": Sum("amount", default=0)}


def test_stored_columns_include_the_hidden_figures():
    found = sample()
    assert found.stored() == ["rows", "red_rows", "big"]
    assert found.measures("rows", DAY, stored=True) == {"rows": None, "red_rows": Q(colour="red"), "big": Q(big=True)}
    assert found.sources() == {"rows", "other"}
    assert "hidden" not in found and "hidden" not in found.complete({"rows": 2, "red": 1, "late": 0, "amount": 0})


def test_a_figure_is_counted_consistently():
    with pytest.raises(ValueError, match="neither counted nor stored"):
        FigureSet("t", [Figure("a", "A", ""), Figure("r", "R", "", rate=("a", "a"), counted="rows")])
    with pytest.raises(ValueError, match="counted from"):
        FigureSet("t", [Figure("a", "A", "", where=Q(x=1))])
    with pytest.raises(ValueError, match="a key twice"):
        FigureSet("t", [Figure("a", "A", ""), Figure("a", "A", "", shown=False)])


def test_every_app_counts_each_figure_from_a_source_it_has():
    assert coverage.FIGURES.sources() == set(coverage.SOURCES)
    assert reform_figures.FIGURES.sources() == set(reform_figures.SOURCES)
    assert compliance.FIGURES.sources() == {"records", "projects"}
    for figure_set in (coverage.FIGURES, reform_figures.FIGURES, compliance.FIGURES):
        assert all(figure_set[key].counted for key in figure_set.sums)


def test_coverage_stores_what_it_sums_today_and_vice_chairs_only_for_regionalization():
    assert coverage.FIGURE_FIELDS[:2] == ["chairs", "vice_chairs"] and "vice_chairs" not in coverage.FIGURES
    with pytest.raises(KeyError):
        figures.figure("vice_chairs")
    for key in coverage.FIGURES.sums:  # every figure can be read from the stored rows
        coverage._stored(coverage.FIGURES[key], DAY)
