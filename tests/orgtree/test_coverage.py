"""Coverage figures against a hand-built tree: totals, per child, closed units excluded, as_of."""

import datetime

import pytest

from orgtree import services
from orgtree.conversion import Member, record_conversion
from orgtree.coverage import FIGURES, coverage, coverage_by_child, refresh_all, refresh_figures
from orgtree.models import Office, Term
from orgtree.models.position import ServicePosition
from orgtree.regionalization import record_regionalization
from tests.conftest import make
from tests.orgtree.test_conversion import data


@pytest.fixture
def recorded(tree, users):
    """黄墩社区 converted 2021-03-15 (5 members, chair in both committees); 城东村 converted 2022-06-01."""
    record_conversion(users.editor_a, tree.village_a1, data())
    members = [
        Member("周玲", role="chair"),
        Member("吴霞", role="vice_chair", vice_chair_type="full_time"),
        Member("郑红"),
    ]
    record_conversion(
        users.root,
        tree.village_b1,
        data(
            held_on=datetime.date(2022, 6, 1),
            members=members,
            chair_flags={"is_party_secretary": True},
            womens_home="yes",
            childrens_home=False,
        ),
    )
    make(tree.village_a2, "women_group", "楼栋妇女小组")
    make(tree.county_a, "enterprise", "某公司妇委会")
    return tree


def test_totals_of_a_city(recorded, tree):
    figures = coverage(tree.city)
    assert set(figures) == set(FIGURES)
    assert figures["villages_total"] == 4 and figures["villages_converted"] == 2
    assert figures["conversion_rate"] == 50.0
    assert (figures["chairs"], figures["executives"]) == (2, 8)
    assert (figures["vice_chairs_part_time"], figures["vice_chairs_full_time"]) == (2, 1)
    # 城东村's chair is party secretary: on the party committee too (derived), and the village's fact follows.
    assert figures["chairs_in_two_committees"] == 2 and figures["chairs_in_two_committees_rate"] == 100.0
    assert figures["chairs_party_secretary"] == 1 and figures["chairs_village_director"] == 0
    assert figures["women_party_secretaries"] == 1 and figures["women_village_directors"] == 0
    assert (figures["townships_total"], figures["agency_committees"], figures["enterprise_committees"]) == (2, 1, 1)
    assert figures["women_groups"] == 1
    assert (figures["womens_homes"], figures["womens_homes_standardized"], figures["childrens_homes"]) == (2, 1, 1)


def test_by_child_matches_the_totals_and_uses_a_fixed_number_of_queries(recorded, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        rows = {c.name: f for c, f in coverage_by_child(tree.city)}
    assert rows["延平区"]["villages_total"] == 3 and rows["延平区"]["villages_converted"] == 1
    assert rows["建阳区"]["executives"] == 3 and rows["建阳区"]["women_party_secretaries"] == 1
    assert rows["南平市直机关妇工委"]["agency_committees"] == 1
    for key in ("villages_total", "executives", "womens_homes"):
        assert sum(f[key] for f in rows.values()) == coverage(tree.city)[key]
    township_rows = {c.name: f for c, f in coverage_by_child(tree.county_a)}
    assert township_rows["黄墩街道"]["executives"] == 5


def test_closed_units_and_ended_offices_are_not_counted(recorded, tree):
    services.close_unit(None, tree.village_a3, datetime.date(2024, 1, 1))
    Office.objects.filter(unit=tree.village_b1, person__name="郑红").update(ended_on=datetime.date(2024, 1, 1))
    refresh_figures([tree.village_b1.pk])  # a raw write: the services would have refreshed
    figures = coverage(tree.city)
    assert figures["villages_total"] == 3 and figures["executives"] == 7


def test_as_of_a_past_date(recorded, tree):
    before_any = coverage(tree.city, as_of=datetime.date(2020, 1, 1))
    assert before_any["villages_converted"] == 0 and before_any["executives"] == 0
    between = coverage(tree.city, as_of=datetime.date(2021, 12, 31))
    assert between["villages_converted"] == 1 and between["executives"] == 5 and between["chairs"] == 1
    services.close_unit(None, tree.village_a3, datetime.date(2024, 1, 1))
    assert coverage(tree.city, as_of=datetime.date(2023, 12, 31))["villages_total"] == 4
    assert coverage(tree.city)["villages_total"] == 3


def test_overdue_terms(recorded, tree):
    assert coverage(tree.city, as_of=datetime.date(2026, 3, 16))["terms_overdue"] == 1  # 2021 + 5 years
    assert coverage(tree.city, as_of=datetime.date(2026, 3, 15))["terms_overdue"] == 0
    assert Term.objects.count() == 2


def test_regionalized_townships(tree, users):
    """A township counts as regionalized from the day of its certified 区域化 election, however
    large its committee is before (the rules and figures: tests/orgtree/test_regionalization.py)."""
    from tests.orgtree.test_regionalization import DAY, regionalization

    record_regionalization(users.editor_a, tree.township_a, regionalization())
    figures = coverage(tree.county_a)
    assert (figures["townships_total"], figures["townships_regionalized"]) == (1, 1)
    assert coverage(tree.county_a, as_of=DAY - datetime.timedelta(days=1))["townships_regionalized"] == 0
    assert coverage(tree.county_b)["townships_regionalized"] == 0
    assert ServicePosition.objects.count() == 0


def test_coverage_api_is_scoped_and_validated(api, recorded, tree, users):
    assert api(users.editor_a).get(f"/api/units/{tree.county_b.pk}/coverage/").status_code == 404
    body = api(users.viewer).get(f"/api/units/{tree.city.pk}/coverage/").json()
    assert body["villages_converted"] == 2 and body["conversion_rate"] == 50.0
    by_child = api(users.viewer).get(f"/api/units/{tree.city.pk}/coverage/", {"by": "children"}).json()
    assert {row["name"]: row["executives"] for row in by_child["children"]}["建阳区"] == 3
    past = api(users.viewer).get(f"/api/units/{tree.city.pk}/coverage/", {"as_of": "2021-12-31"}).json()
    assert past["villages_converted"] == 1
    bad = api(users.viewer).get(f"/api/units/{tree.city.pk}/coverage/", {"as_of": "明天"})
    assert bad.status_code == 400 and "2024-06-30" in str(bad.json())


def test_every_key_is_documented_in_both_languages():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", stdout=out)
    schema = out.getvalue()
    for key in FIGURES:
        assert key in schema
    assert "村和社区" in schema or "村（社区）" in schema


def test_stored_figures_match_the_records(recorded, tree, users):
    """Today's figures come from UnitFigures; they must equal the figures computed from the records."""
    services.close_unit(None, tree.village_a3, datetime.date(2024, 1, 1))
    for unit in (tree.city, tree.county_a, tree.county_b, tree.township_a, tree.province):
        assert coverage(unit) == coverage(unit, from_records=True), unit.name
    assert refresh_all() == 0  # the services kept every row current: nothing to rewrite
    assert coverage(tree.city) == coverage(tree.city, from_records=True)


def test_a_write_is_visible_in_the_next_read(recorded, tree, users):
    before = coverage(tree.county_a)["villages_converted"]
    from orgtree.conversion import record_conversion as record

    record(users.editor_a, tree.village_a2, data(held_on=datetime.date(2022, 1, 5)))
    assert coverage(tree.county_a)["villages_converted"] == before + 1


def test_stored_figures_follow_units_that_change_move_or_close(recorded, tree, users):
    """The figures carry their unit's kind, form, dates and ancestors: every unit write keeps them."""
    services.move_unit(None, tree.township_b, tree.county_a)
    services.update_unit(None, tree.village_a2, {"kind": "village"})
    services.close_unit(None, tree.village_a3, datetime.date(2024, 1, 1))
    make(tree.township_a, "community", "新建社区", "350702003003")
    for unit in (tree.province, tree.city, tree.county_a, tree.county_b, tree.township_a, tree.township_b):
        assert coverage(unit) == coverage(unit, from_records=True), unit.name
    assert coverage(tree.county_a)["villages_total"] == 4 and coverage(tree.county_b)["villages_total"] == 0
    rows = {c.name: f for c, f in coverage_by_child(tree.city)}
    assert rows["延平区"]["executives"] == 8 and rows["建阳区"]["executives"] == 0


def test_todays_figures_are_one_statement(recorded, tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        coverage(tree.city)
    with django_assert_num_queries(1):
        coverage(tree.township_a)
