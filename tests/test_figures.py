"""The figure registry (federation.figures): each key once, rates derived from two sums."""

import pytest

from federation import figures
from federation.figures import PERCENT, YUAN, Average, Figure, FigureSet


def test_a_rate_is_the_rate_of_two_sums_and_none_without_a_whole():
    found = FigureSet(
        "t", [Figure("a", "A", "a"), Figure("b", "B", "b"), Figure("rate", "R", "a / b", PERCENT, rate=("a", "b"))]
    )
    assert found.complete({"a": 1, "b": 3}) == {"a": 1, "b": 3, "rate": 33.3}
    assert found.complete({"a": 0, "b": 0})["rate"] is None


def test_a_rate_must_name_two_sums_of_its_set():
    with pytest.raises(ValueError, match="rate of two sums"):
        FigureSet("t", [Figure("a", "A", "a"), Figure("rate", "R", "", PERCENT, rate=("a", "missing"))])


def test_an_average_is_derived_from_two_sums_like_a_rate_but_no_percent():
    found = FigureSet(
        "t",
        [
            Figure("a", "A", "a", counted="rows"),
            Figure("b", "B", "b", counted="rows"),
            Average("per", "P", "a / b", per=("a", "b")),
            Figure("rate", "R", "a / b", PERCENT, rate=("a", "b")),
        ],
    )
    assert found.complete({"a": 7, "b": 3}) == {"a": 7, "b": 3, "per": 2.3, "rate": 233.3}
    assert found.complete({"a": 7, "b": 0})["per"] is None
    assert found.sums == ["a", "b"] and found.needs(["per"]) == {"a", "b"}
    with pytest.raises(ValueError, match="rate of two sums"):
        FigureSet("t", [Figure("a", "A", "a"), Average("per", "P", "", per=("a", "missing"))])
    with pytest.raises(ValueError, match="neither counted nor stored"):
        FigureSet("t", [Figure("a", "A", "a"), Average("per", "P", "", per=("a", "a"), counted="rows")])


def test_only_sets_with_an_evaluator_are_evaluated_sets():
    evaluated = figures.evaluated_sets()
    assert evaluated and all(found.evaluate is not None for found in evaluated)
    assert figures.figure_set("coverage") not in evaluated
    assert [key for found in evaluated for key, _label in found.choices()] == [
        key for key, _label in figures.evaluated_choices()
    ]


def test_a_key_is_registered_once_across_the_apps():
    with pytest.raises(ValueError, match="registered twice"):
        figures.register(FigureSet("another", [Figure("chairs", "Chairs", "again")]))
    assert figures.figure_set("coverage")["chairs"] is figures.figure("chairs")


def test_reform_registers_its_figures_beside_coverage():
    assert figures.figure("completion_rate").rate == ("items_filled", "items")
    assert list(figures.figure_set("reform"))[:2] == ["items", "items_filled"]


def test_funding_registers_its_money_figures_in_yuan():
    assert figures.figure("budgeted").whole_yuan and figures.figure("budgeted").unit is YUAN
    assert not figures.figure("projects").whole_yuan
