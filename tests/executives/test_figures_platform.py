"""The executives figure set on the platform: `executives_in_office` defined once (the denominator of
every executive rate and average), and the coverage dashboard's export and weekly snapshots carry the
set's figures by child through federation.figures.evaluated_sets(), orgtree naming no app."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from executives import contacts, training
from executives.figures import FIGURES, executive_figures, executives_by_child
from federation import figures as figure_sets
from orgtree.coverage import coverage, monday, snapshot_week
from orgtree.models import CoverageSnapshot, Office
from tests.conftest import make
from tests.executives.training_world import seat, session_fields, training_world  # noqa: F401 - the fixture "world"


@pytest.fixture
def busy(world):
    """Sessions with attendance, contact lists and a contact log entry of today in both counties."""
    editor = world.users.editor_a
    session = training.create_session(editor, world.tree.county_a, **session_fields())
    training.record_attendance(editor, session, [world.a1[0], world.a2[0], world.ta[0]])
    office = Office.objects.get(person=world.a1[1])
    contacts.save_contact_list(editor, office, {"difficulty": 3, "other": 4})
    contacts.log_visit(editor, office, date=timezone.localdate(), way="phone", women=2)
    contacts.save_contact_list(world.users.editor_b, Office.objects.get(person=world.b1[0]), {"disabled": 2})
    return world


def grow(tree):
    """More units, executives, sessions and contact lists under the same parents."""
    village = make(tree.township_a, "village", "新增村")
    people = seat(village, ["新执委甲", "新执委乙"])
    session = training.create_session(None, village, **session_fields(title="新增培训"))
    training.record_attendance(None, session, people)
    contacts.save_contact_list(None, Office.objects.get(person=people[0]), {"other": 5})
    make(tree.city, "agency", "市直机关二")


def test_executives_in_office_is_defined_once():
    assert (
        figure_sets.set_of("executives_trained_rate") is figure_sets.set_of("executives_with_contacts_rate") is FIGURES
    )
    assert FIGURES["executives_trained_rate"].rate[1] == "executives_in_office"
    assert FIGURES["executives_with_contacts_rate"].rate[1] == "executives_in_office"
    assert FIGURES["contacts_per_executive"].per[1] == "executives_in_office"
    with pytest.raises(KeyError):
        figure_sets.figure("executives_serving")
    assert (
        FIGURES in figure_sets.evaluated_sets()
        and figure_sets.figure_set("coverage") not in figure_sets.evaluated_sets()
    )
    keys = [key for found in figure_sets.evaluated_sets() for key in found] + list(figure_sets.figure_set("coverage"))
    assert len(keys) == len(set(keys))


def test_the_dashboard_export_has_the_sets_figures_by_child(client, busy):
    t = busy.tree
    client.force_login(busy.users.viewer)
    response = client.get(reverse("orgtree:dashboard_export", args=[t.city.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert {"执委履职", "应建尽建台账"} <= set(book.sheetnames[1:-1]) and book.sheetnames[-1] == "指标说明"
    sheet = book["执委履职"]
    keys = list(FIGURES)
    header = list(next(sheet.iter_rows(min_row=2, max_row=2, values_only=True)))
    assert header[1:] == [str(FIGURES.label(k)) for k in keys]
    rows = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=3, values_only=True)}
    expected = {child.name: [values[k] for k in keys] for child, values in executives_by_child(t.city)}
    assert {name: rows[name] for name in expected} == expected
    assert rows["合计"] == [executive_figures(t.city)[k] for k in keys]
    county = dict(zip(keys, rows["延平区"], strict=True))
    assert county["executives_in_office"] == 6 and county["executives_trained"] == 3 and county["women_contacted"] == 7
    assert county["executives_trained_rate"] == 50.0 and county["contact_visits"] == 1
    definitions = {row[1]: row for row in book["指标说明"].iter_rows(min_row=2, values_only=True)}
    assert {"chairs", *keys} <= set(definitions) and definitions["contacts_per_executive"][3].startswith("平均")


def test_the_export_costs_the_same_queries_whatever_the_units(client, busy):
    client.force_login(busy.users.viewer)
    url = reverse("orgtree:dashboard_export", args=[busy.tree.city.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    grow(busy.tree)
    make(busy.tree.city, "county", "新设区", "350799")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_snapshot_holds_the_sets_figures_beside_coverage(busy):
    t = busy.tree
    week = monday(timezone.localdate())
    snapshot_week(week)
    units = [t.province, t.city, t.county_a, t.county_b, t.township_a]
    stored = {s.unit_id: s.figures for s in CoverageSnapshot.objects.filter(unit__in=units, week=week)}
    evaluated = FIGURES.evaluate(units, week)
    for unit in units:
        assert {k: stored[unit.pk][k] for k in FIGURES} == evaluated[unit.pk], unit.name
        assert {k: stored[unit.pk][k] for k in figure_sets.figure_set("coverage")} == coverage(unit, week)
    assert stored[t.county_a.pk]["executives_trained_rate"] == 50.0
    assert stored[t.county_a.pk]["women_contacted"] == 7 and stored[t.county_b.pk]["women_contacted"] == 2
    by_child = dict(executives_by_child(t.city, week))
    assert {k: stored[t.county_a.pk][k] for k in FIGURES} == by_child[t.county_a]


def test_snapshots_cost_the_same_queries_as_units_grow(busy):
    week = monday(timezone.localdate())
    with CaptureQueriesContext(connection) as before:
        snapshot_week(week)
    CoverageSnapshot.objects.all().delete()
    grow(busy.tree)  # more units, executives and records under the same parents
    with CaptureQueriesContext(connection) as after:
        snapshot_week(week)
    assert len(after) == len(before)


def test_the_evaluator_counts_only_the_sources_of_the_keys_asked(busy, django_assert_num_queries):
    t = busy.tree
    units = [t.county_a, t.county_b]
    every = FIGURES.evaluate(units)
    with django_assert_num_queries(1):  # the offices alone: the counties' own rows and the rows below them
        values = FIGURES.evaluate(units, None, ["executives_trained_rate"])
    assert {pk: found["executives_trained_rate"] for pk, found in values.items()} == {
        pk: found["executives_trained_rate"] for pk, found in every.items()
    }
