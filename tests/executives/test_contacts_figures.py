"""Contact figures equal the counts taken from the records, for a subtree and per child, in a fixed
number of statements; the average is an average, not a percent."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from executives import contacts
from executives.figures import CONTACT_KEYS, FIGURES, contact_figures, contacts_by_child, period_from, this_year
from executives.models import ContactList, ContactVisit
from federation import figures
from orgtree import services
from orgtree.models import Office
from tests.executives import contacts_world
from tests.executives.contacts_world import seat

world = contacts_world.world  # the fixture
chinese = contacts_world.chinese  # autouse: messages in Chinese
YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def recorded(world):
    editor = world.users.editor_a
    save = contacts.save_contact_list
    save(editor, world.chair_a1, {"difficulty": 3, "other": 9, "home_visit": 4})
    save(editor, world.exec_a3, {"left_behind": 2, "wechat": 2, "wechat_members": 60})
    save(editor, world.exec_township_a, {"single_mother": 0})  # a list of nobody: not "keeping contact"
    save(world.users.editor_b, world.exec_b1, {"disabled": 4})
    for office, day, women in [
        (world.chair_a1, datetime.date(2025, 2, 1), 3),
        (world.chair_a1, datetime.date(2025, 6, 1), 2),
        (world.exec_a1, datetime.date(2024, 12, 31), 5),  # before the period
        (world.exec_a3, datetime.date(2025, 12, 31), 1),
        (world.exec_township_a, datetime.date(2025, 1, 1), 7),
    ]:
        contacts.log_visit(editor, office, date=day, way="phone", women=women)
    contacts.log_visit(world.users.editor_b, world.exec_b1, date=datetime.date(2025, 3, 3), way="wechat", women=6)
    # An executive who left keeps her list in history, not in the figures.
    gone = seat(world.tree.village_a2, "吴淑芬")
    save(editor, gone, {"other": 50})
    Office.objects.filter(pk=gone.pk).update(ended_on=datetime.date(2025, 1, 1))
    return world


def from_records(unit, period):
    """The figures counted again, in Python, from every record."""
    inside = {u.pk for u in type(unit).objects.filter(unit.subtree_q(), closed_on__isnull=True)}
    offices = [o for o in Office.objects.all() if o.unit_id in inside and o.ended_on is None]
    lists = [c for c in ContactList.objects.select_related("office") if c.office in offices]
    visits = [v for v in ContactVisit.objects.all() if v.unit_id in inside and period[0] <= v.date <= period[1]]
    serving, keeping = len(offices), sum(1 for c in lists if c.women > 0)
    women = sum(c.women for c in lists)
    return {
        "executives_in_office": serving,
        "executives_with_contacts": keeping,
        "executives_with_contacts_rate": round(keeping * 100 / serving, 1) if serving else None,
        "women_contacted": women,
        "contacts_per_executive": round(women / serving, 1) if serving else None,
        "contact_visits": len(visits),
        "contact_visit_women": sum(v.women for v in visits),
    }


def test_the_figures_equal_the_counts_from_the_records(recorded):
    t = recorded.tree
    for unit in (t.province, t.city, t.county_a, t.township_a, t.village_a1, t.county_b, t.village_b1):
        assert contact_figures(unit, YEAR) == from_records(unit, YEAR), unit.name
    for parent in (t.city, t.county_a, t.township_a):
        for child, found in contacts_by_child(parent, YEAR):
            assert found == from_records(child, YEAR), child.name
    county = contact_figures(t.county_a, YEAR)
    # 5 in office (the chair, 陈美华, 张玉兰, 李桂香 in the street; 吴淑芬 left), 2 with women on their list
    assert county["executives_in_office"] == 4 and county["executives_with_contacts"] == 2
    assert county["women_contacted"] == 14 and county["contacts_per_executive"] == 3.5
    assert county["executives_with_contacts_rate"] == 50.0
    assert county["contact_visits"] == 4 and county["contact_visit_women"] == 13


def test_a_closed_unit_counts_no_more(recorded):
    t = recorded.tree
    for office in Office.objects.filter(unit=t.village_a3):
        Office.objects.filter(pk=office.pk).update(ended_on=datetime.date(2025, 1, 2))
    services.close_unit(recorded.users.admin_a, t.village_a3, closed_on=datetime.date(2025, 1, 2))
    assert contact_figures(t.county_a, YEAR) == from_records(t.county_a, YEAR)
    assert contact_figures(t.county_a, YEAR)["women_contacted"] == 12


def test_the_average_is_no_percent_and_rolls_up_as_a_ratio_of_sums():
    average = figures.figure("contacts_per_executive")
    assert average.rate is None and str(average.unit) != "%"
    assert average.value({"women_contacted": 7, "executives_in_office": 3}) == 2.3
    assert average.value({"women_contacted": 7, "executives_in_office": 0}) is None
    assert "÷" in average.rollup() and str(figures.figure("women_contacted").label) in average.rollup()
    assert figures.figure_set("executives") is FIGURES
    assert CONTACT_KEYS == [
        "executives_in_office",
        "executives_with_contacts",
        "executives_with_contacts_rate",
        "women_contacted",
        "contacts_per_executive",
        "contact_visits",
        "contact_visit_women",
    ]


def test_figures_take_a_fixed_number_of_statements(recorded, django_assert_num_queries):
    t = recorded.tree
    with django_assert_num_queries(3):  # offices, lists, the log
        contact_figures(t.county_a, YEAR)
    children = list(t.city.children.open())
    with CaptureQueriesContext(connection) as few:
        contacts_by_child(t.city, YEAR, children)
    for n in range(4):  # more executives, lists and entries below: the same statements
        office = seat(t.village_a2, f"新执委{n}")
        contacts.save_contact_list(recorded.users.editor_a, office, {"other": n})
        contacts.log_visit(recorded.users.editor_a, office, date=datetime.date(2025, 5, 5), way="phone", women=1)
    with CaptureQueriesContext(connection) as more:
        contacts_by_child(t.city, YEAR, children)
    assert len(more) == len(few) <= 9  # per source: two for the counties, one for the agency


def test_the_period_is_this_year_unless_asked():
    assert period_from({}) == this_year()
    assert period_from({"from": "2025-03-01", "to": "2025-03-31"}) == (
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 31),
    )
    with pytest.raises(ValidationError) as exc:
        period_from({"from": "2025-13-01"})
    assert "2025-01-31" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        period_from({"from": "2025-03-01", "to": "2025-02-01"})
    assert "早于" in str(exc.value)
