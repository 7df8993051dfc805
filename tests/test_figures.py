"""The figure registry (federation.figures): each key once, rates derived from two sums."""

import pytest

from federation import figures
from federation.figures import PERCENT, YUAN, Figure, FigureSet


def test_a_rate_is_the_rate_of_two_sums_and_none_without_a_whole():
    found = FigureSet(
        "t", [Figure("a", "A", "a"), Figure("b", "B", "b"), Figure("rate", "R", "a / b", PERCENT, rate=("a", "b"))]
    )
    assert found.complete({"a": 1, "b": 3}) == {"a": 1, "b": 3, "rate": 33.3}
    assert found.complete({"a": 0, "b": 0})["rate"] is None


def test_a_rate_must_name_two_sums_of_its_set():
    with pytest.raises(ValueError, match="rate of two sums"):
        FigureSet("t", [Figure("a", "A", "a"), Figure("rate", "R", "", PERCENT, rate=("a", "missing"))])


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
