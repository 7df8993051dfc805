"""The register's figures equal counts from the records, roll up in a fixed number of statements, and
the own agencies are the unit's own (not summed)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from federation import figures as figure_sets
from register import services
from register.demo import CITY_AGENCIES, NOT_YET, demo_register
from register.figures import FIGURES, KINDS, register_by_child, register_figures
from register.models import Organization, OrgKind
from tests.conftest import make
from tests.register.world import build, org


def by_hand(unit, own=False):
    """{kind: (should build, built)} counted in Python from the rows."""
    rows = [
        o
        for o in Organization.objects.select_related("unit", "committee")
        if o.closed_on is None
        and (o.unit_id == unit.pk if own else o.unit_id == unit.pk or unit.pk in [a.pk for a in o.unit.lineage()])
    ]
    return {
        k: (
            sum(1 for o in rows if o.kind == k and (o.should_build or o.is_built)),
            sum(1 for o in rows if o.kind == k and o.is_built),
        )
        for k in KINDS
    }


@pytest.fixture
def world(tree, users):
    return build(tree, users)


@pytest.mark.django_db
def test_the_figures_equal_counts_from_the_records(tree, users, world):
    for unit in (tree.province, tree.city, tree.county_a, tree.county_b, tree.township_a, tree.township_b):
        found = register_figures(unit)
        expected = by_hand(unit)
        for kind in KINDS:
            assert (found[f"{kind}_should_build"], found[f"{kind}_built"]) == expected[kind], (unit.name, kind)
    city = register_figures(tree.city)
    assert (city["agency_should_build"], city["agency_built"]) == (5, 3)
    assert (city["new_domain_should_build"], city["new_domain_built"], city["new_domain_coverage_rate"]) == (2, 2, 100)
    # 汽修厂 need not build; the closed factory is not counted; the group has too few women.
    township = register_figures(tree.township_a)
    assert (township["enterprise_should_build"], township["enterprise_built"]) == (1, 0)
    assert township["enterprise_coverage_rate"] == 0.0


@pytest.mark.django_db
def test_own_agencies_are_the_units_own_not_summed(tree, users, world):
    city = register_figures(tree.city)
    assert (city["own_agencies_should_build"], city["own_agencies_built"], city["own_agencies_rate"]) == (4, 3, 75.0)
    assert register_figures(tree.province)["own_agencies_should_build"] == 0  # not the city's summed up
    county = register_figures(tree.county_a)
    assert (county["own_agencies_should_build"], county["own_agencies_built"], county["own_agencies_rate"]) == (1, 0, 0)
    rows = dict(register_by_child(tree.city))
    assert rows[tree.county_a]["own_agencies_should_build"] == 1
    assert rows[tree.county_a]["agency_should_build"] == 1
    assert figure_sets.figure("own_agencies_built").rollup() != figure_sets.figure("agency_built").rollup()


@pytest.mark.django_db
def test_a_closed_committee_no_longer_builds_and_a_past_day_counts_then(tree, users, world):
    from orgtree import services as units

    Organization.objects.update(created_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    units.close_unit(None, world.committee, datetime.date(2025, 1, 1))
    assert register_figures(tree.township_a)["new_domain_built"] == 0
    before = FIGURES.evaluate([tree.township_a], datetime.date(2024, 12, 31))[tree.township_a.pk]
    assert before["new_domain_built"] == 2
    assert (
        FIGURES.evaluate([tree.township_a], datetime.date(2023, 12, 31))[tree.township_a.pk]["new_domain_should_build"]
        == 0
    )


@pytest.mark.django_db
def test_the_figures_by_child_cost_the_same_statements_whatever_the_rows(tree, users, world):
    children = list(tree.city.children.open())

    def cost():
        with CaptureQueriesContext(connection) as done:
            FIGURES.evaluate([tree.city, *children])
        return len(done)

    before = cost()
    county = make(tree.city, "county", "新增区", "350799")
    township = make(county, "township", "新镇", "350799100")
    for i in range(5):
        org(users.root, township, f"新企业{i}", has_party_org=True)
        org(users.root, county, f"新增区{i}局", OrgKind.AGENCY, has_party_org=True)
    children = list(tree.city.children.open())
    assert cost() == before
    assert FIGURES.evaluate([county])[county.pk]["own_agencies_should_build"] == 5


@pytest.mark.django_db
def test_the_api_gives_the_figures_and_404_outside_the_scope(tree, users, world, api):
    client = api(users.editor_a)
    found = client.get(f"/api/units/{tree.county_a.pk}/register/").json()
    assert found["new_domain_built"] == 2 and found["own_agencies_should_build"] == 1
    by = client.get(f"/api/units/{tree.county_a.pk}/register/?by=children").json()
    assert by["children"][0]["new_domain_should_build"] == 2
    missing = client.get("/api/units/999999/register/")
    other = client.get(f"/api/units/{tree.county_b.pk}/register/")
    assert other.status_code == missing.status_code == 404 and other.json() == missing.json()


@pytest.mark.django_db
def test_the_demo_loads_the_citys_agencies_once_and_only_into_an_empty_register(tree, users):
    assert demo_register() > len(CITY_AGENCIES)
    city = register_figures(tree.city)
    assert city["own_agencies_should_build"] == len(CITY_AGENCIES)
    assert city["own_agencies_built"] == len(CITY_AGENCIES) - NOT_YET
    assert register_figures(tree.county_a)["new_domain_built"] == 2
    assert demo_register() == 0


@pytest.mark.django_db
def test_the_demo_never_touches_a_register_users_began(tree, users):
    org(users.editor_a, tree.township_a, "用户录入的企业")
    assert demo_register() == 0 and Organization.objects.count() == 1


def test_the_set_is_registered_and_evaluated():
    found = figure_sets.figure_set("register")
    assert found in figure_sets.evaluated_sets()
    assert list(found)[:3] == ["agency_should_build", "agency_built", "agency_coverage_rate"]
    assert figure_sets.figure("own_agencies_rate").rate == ("own_agencies_built", "own_agencies_should_build")
    assert services  # the services are what the world writes through


@pytest.mark.django_db
def test_the_dashboard_export_adds_the_register_by_child_and_says_own_agencies_are_not_summed(
    client, tree, users, world
):
    client.force_login(users.viewer)
    book = load_workbook(io.BytesIO(client.get(reverse("orgtree:dashboard_export", args=[tree.city.pk])).content))
    sheet = book["应建尽建台账"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, values_only=True)}
    keys = list(FIGURES)
    assert dict(zip(keys, rows["合计"], strict=True))["own_agencies_should_build"] == 4
    assert dict(zip(keys, rows["延平区"], strict=True))["new_domain_built"] == 2
    definitions = {row[1]: row for row in book["指标说明"].iter_rows(min_row=2, values_only=True)}
    assert definitions["own_agencies_built"][3] == "不汇总：仅本级"
    assert "机关（单位）已建数 ÷ 机关（单位）应建数" in definitions["agency_coverage_rate"][3]
