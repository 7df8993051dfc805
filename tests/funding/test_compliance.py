"""Funding standards: inheritance, compliance edge cases (no population, zero budget, a missing
year), money arithmetic in Decimal, rollups by child."""

import datetime
from decimal import Decimal

import pytest

from funding.compliance import Subtree, compliance, effective_standards, money, summarize
from funding.models import FundingRecord, FundingStandard, Project, WomenPopulation
from orgtree.models import ChairPay

Y = 2025


def standard(unit, year=Y, **fields):
    return FundingStandard.objects.create(unit=unit, year=year, **fields)


def funds(unit, amount, year=Y, category="work_funds", source="same_level_budget", disbursed=None):
    return FundingRecord.objects.create(
        unit=unit, year=year, category=category, source=source, budgeted=Decimal(amount), disbursed=disbursed
    )


@pytest.fixture
def standards(tree):
    """The city sets everything; 建阳区 raises the township funds from 2025."""
    standard(
        tree.city,
        2024,
        per_woman=Decimal("2"),
        township_funds=Decimal("30000"),
        village_funds_in_budget=True,
        chair_pay_ratio=Decimal("0.3333"),
    )
    standard(tree.county_b, 2025, township_funds=Decimal("50000"))
    return tree


def test_a_unit_inherits_each_standard_from_the_nearest_ancestor(standards, tree):
    effective = effective_standards(Subtree(tree.city), Y)
    assert effective[tree.village_a1.pk]["per_woman"][:2] == (Decimal("2"), tree.city.pk)
    assert effective[tree.township_b.pk]["township_funds"][:2] == (Decimal("50000"), tree.county_b.pk)
    assert effective[tree.township_b.pk]["per_woman"][1] == tree.city.pk  # the rest still from the city
    assert effective[tree.township_a.pk]["township_funds"][0] == Decimal("30000")


def test_a_missing_year_uses_the_latest_earlier_standard_and_none_before(standards, tree):
    assert effective_standards(Subtree(tree.county_b), 2024)[tree.township_b.pk]["township_funds"][0] == 30000
    assert effective_standards(Subtree(tree.county_b), 2030)[tree.township_b.pk]["township_funds"][0] == 50000
    assert effective_standards(Subtree(tree.county_b), 2023)[tree.township_b.pk] == {}


def test_inheritance_reaches_above_the_subtree_asked_for(standards, tree):
    _tree, results = compliance(tree.township_a, Y)
    assert results[tree.township_a.pk]["township_funds"][0] == "missed"  # 30,000 from the city, none recorded


def test_per_woman_needs_a_population(standards, tree):
    funds(tree.county_a, "300000", category="women_children")
    _t, results = compliance(tree.city, Y)
    assert results[tree.county_a.pk]["per_woman"] == ("unknown", None)
    WomenPopulation.objects.create(unit=tree.county_a, year=Y, women=150_001)
    _t, results = compliance(tree.city, Y)
    # 1.99999 yuan per woman: shown rounded as 2.00, but compared exactly, so it misses
    assert results[tree.county_a.pk]["per_woman"] == ("missed", Decimal("2.00"))
    WomenPopulation.objects.filter(unit=tree.county_a).update(women=0)
    assert compliance(tree.city, Y)[1][tree.county_a.pk]["per_woman"] == ("unknown", None)


def test_per_woman_compares_the_exact_amount(standards, tree):
    funds(tree.county_a, "300000.00", category="women_children")
    WomenPopulation.objects.create(unit=tree.county_a, year=Y, women=150_000)
    assert compliance(tree.city, Y)[1][tree.county_a.pk]["per_woman"] == ("met", Decimal("2.00"))


def test_per_woman_is_measured_against_the_livelihood_project_funds_not_the_work_funds(standards, tree):
    """The 2 元/woman standard is for 妇女儿童民生项目经费 budgeted at the same level; work funds, and
    livelihood funds from other sources, do not count towards it."""
    WomenPopulation.objects.create(unit=tree.county_a, year=Y, women=150_000)
    funds(tree.county_a, "900000")  # work funds: plenty, but not what the standard measures
    funds(tree.county_a, "200000", category="women_children", source="higher_federation")
    assert compliance(tree.city, Y)[1][tree.county_a.pk]["per_woman"] == ("missed", Decimal("0.00"))
    funds(tree.county_a, "300000", category="women_children")
    assert compliance(tree.city, Y)[1][tree.county_a.pk]["per_woman"] == ("met", Decimal("2.00"))
    # and the livelihood funds are not work funds: a township's work-funds standard ignores them
    funds(tree.township_a, "30000", category="women_children")
    assert compliance(tree.city, Y)[1][tree.township_a.pk]["township_funds"] == ("missed", Decimal("0"))


def test_township_funds_zero_budget_and_other_years(standards, tree):
    funds(tree.township_a, "0")
    funds(tree.township_b, "30000", year=2024)  # last year's money does not count
    funds(tree.township_b, "20000", source="higher_federation")
    funds(tree.township_b, "30000")
    _t, results = compliance(tree.city, Y)
    assert results[tree.township_a.pk]["township_funds"] == ("missed", Decimal("0"))
    assert results[tree.township_b.pk]["township_funds"] == ("met", Decimal("50000.00"))


def test_village_funds_and_chair_pay(standards, tree):
    funds(tree.village_a1, "5000")
    funds(tree.village_a2, "5000", source="higher_federation")  # not the village's own budget
    ChairPay.objects.create(
        unit=tree.village_a1, year=Y, chair_annual=Decimal("12000"), party_secretary_annual=Decimal("36000")
    )
    ChairPay.objects.create(
        unit=tree.village_a2, year=Y, chair_annual=Decimal("12000"), party_secretary_annual=Decimal("40000")
    )
    ChairPay.objects.create(unit=tree.village_a3, year=Y, chair_annual=Decimal("12000"))
    _t, results = compliance(tree.city, Y)
    assert results[tree.village_a1.pk]["village_funds_in_budget"][0] == "met"
    assert results[tree.village_a2.pk]["village_funds_in_budget"][0] == "missed"
    assert results[tree.village_a1.pk]["chair_pay"] == ("met", Decimal("0.3333"))
    assert results[tree.village_a2.pk]["chair_pay"] == ("missed", Decimal("0.3000"))
    assert results[tree.village_a3.pk]["chair_pay"] == ("unknown", None)
    assert results[tree.village_b1.pk]["chair_pay"] == ("unknown", None)


def test_no_standard_means_not_measured(tree):
    funds(tree.township_a, "0")
    _t, results = compliance(tree.city, Y)
    assert all(applied == {} for applied in results.values())


def test_a_requirement_switched_off_is_not_measured(standards, tree):
    standard(tree.county_a, 2025, village_funds_in_budget=False)
    _t, results = compliance(tree.city, Y)
    assert "village_funds_in_budget" not in results[tree.village_a1.pk]
    assert "village_funds_in_budget" in results[tree.village_b1.pk]


def test_summary_by_child_adds_up(standards, tree):
    funds(tree.township_b, "50000")
    subtree, results = compliance(tree.city, Y)
    overall, by_child = summarize(subtree, results)
    assert by_child[tree.county_b.pk]["township_funds"] == {"met": 1, "missed": 0, "unknown": 0}
    assert by_child[tree.county_a.pk]["township_funds"] == {"met": 0, "missed": 1, "unknown": 0}
    assert overall["chair_pay"]["unknown"] == 4
    for key in overall:
        for status in overall[key]:
            assert overall[key][status] == sum(c[key][status] for c in by_child.values()) + (
                1 if results[tree.city.pk].get(key, ("",))[0] == status else 0
            )


def test_closed_units_are_left_out(standards, tree):
    from orgtree import services

    services.close_unit(None, tree.village_a3, datetime.date(2024, 1, 1))
    _t, results = compliance(tree.city, Y)
    assert tree.village_a3.pk not in results


def test_money_is_summed_in_decimal(tree):
    funds(tree.township_a, "0.10", disbursed=Decimal("0.10"))
    funds(tree.township_a, "0.20", category="award", disbursed=Decimal("0.20"))
    funds(tree.village_b1, "1000000000.01", category="project")
    Project.objects.create(
        unit=tree.village_b1, name="巾帼家政培训", year=Y, amount=Decimal("790000"), source="higher_federation"
    )
    figures = money(tree.city, Y)
    assert figures["budgeted"] == Decimal("1000000000.31") and figures["disbursed"] == Decimal("0.30")
    assert figures["budgeted_award"] == Decimal("0.20") and isinstance(figures["budgeted"], Decimal)
    assert (figures["projects"], figures["project_amount"]) == (1, Decimal("790000"))
    per_child = money(tree.city, Y, list(tree.city.children.all()))
    assert per_child[tree.county_a.pk]["budgeted"] == Decimal("0.30")
    assert per_child[tree.county_b.pk]["projects"] == 1
