"""新增执委 (reform/added.py): executives added since a date, counted from the terms, equal to a
count from the records (each term's seats at the opening less those of the term it replaced), today
and as of a past day; the campaign's start by default; the API's scope and bad dates."""

import datetime
import json

import pytest
from django.utils import timezone

from orgtree import changes, elections, services
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.conversion import record_conversion
from orgtree.coverage import TOWNSHIP_KINDS
from orgtree.models import Office, Term, Unit
from reform import added
from reform.models import Campaign
from tests.orgtree.test_changes import by_election
from tests.orgtree.test_conversion import data
from tests.orgtree.test_elections import build_election

MISSING = 999_999


def opening_seats(term):
    """The offices a term opened with, by hand: started the day it opened, not void, not appointed."""
    return sum(
        1
        for o in Office.objects.filter(term=term)
        if o.started_on == term.started_on and o.ended_on != o.started_on and not o.appointment
    )


def by_hand(unit, kinds, since, day):
    """Executives added in `unit`'s subtree among units of `kinds` open on `day`, term by term."""
    total = 0
    units = Unit.objects.filter(unit.subtree_q(), kind__in=kinds)
    for u in units:
        if (u.opened_on and u.opened_on > day) or (u.closed_on and u.closed_on <= day):
            continue
        for term in Term.objects.filter(unit=u, started_on__gte=since, started_on__lte=day):
            before = Term.objects.filter(unit=u, number=term.number - 1).first()
            total += opening_seats(term) - (opening_seats(before) if before else 0)
    return total


@pytest.fixture
def renewed(tree, users):
    """黄墩社区: converted 2021-03-15 (5 seats), renewed 2024-05-10 (7 seats); 城东村 converted
    2022-06-01 (5); 黄墩街道 elected 2024-05-10 (7 seats), with an executive by-elected later."""
    record_conversion(users.editor_a, tree.village_a1, data())
    elections.certify_election(users.root, build_election(tree.village_a1, held_on=datetime.date(2024, 5, 10)))
    record_conversion(users.root, tree.village_b1, data(held_on=datetime.date(2022, 6, 1)))
    elections.certify_election(users.root, build_election(tree.township_a, held_on=datetime.date(2024, 5, 10)))
    return tree


DAYS = [datetime.date(2021, 12, 31), datetime.date(2022, 6, 1), datetime.date(2024, 5, 9), None]
SINCES = [datetime.date(2020, 1, 1), datetime.date(2021, 3, 15), datetime.date(2022, 1, 1), datetime.date(2024, 5, 10)]


@pytest.mark.parametrize("since", SINCES)
def test_the_figures_equal_a_count_from_the_records(renewed, since):
    for day in DAYS:
        on = day or timezone.localdate()
        if since > on:
            continue
        for unit in (renewed.city, renewed.county_a, renewed.township_a, renewed.county_b):
            figures = added.added_figures(unit, since, day)
            assert figures["executives_added_village"] == by_hand(unit, GRASSROOTS_KINDS, since, on), (unit, day)
            assert figures["executives_added_township"] == by_hand(unit, TOWNSHIP_KINDS, since, on), (unit, day)
        rows = dict(added.added_by_child(renewed.city.children.all(), since, day))
        total = added.added_figures(renewed.city, since, day)
        for key in added.FIGURES:
            assert sum(f[key] for f in rows.values()) == total[key]


def test_what_the_numbers_say(renewed):
    city = added.added_figures(renewed.city, datetime.date(2020, 1, 1))
    assert city == {"executives_added_village": 5 + 2 + 5, "executives_added_township": 7}
    # Since 2022: 黄墩社区's renewal adds 7 - 5, 城东村's first committee 5.
    assert added.added_figures(renewed.city, datetime.date(2022, 1, 1))["executives_added_village"] == 7
    assert added.added_figures(renewed.city, datetime.date(2022, 1, 1), datetime.date(2022, 5, 31)) == {
        "executives_added_village": 0,
        "executives_added_township": 0,
    }


def test_by_elected_and_closed_units(renewed, users):
    term = Term.objects.get(unit=renewed.township_a, ended_on=None)
    seat = Office.objects.filter(term=term, role="executive", ended_on=None).first()
    changes.leave_office(users.editor_a, seat, ended_on=datetime.date(2025, 3, 1), reason="resigned")
    elections.certify_election(users.editor_a, by_election(renewed.township_a, seats=1, officers=[]))
    since = datetime.date(2020, 1, 1)
    assert added.added_figures(renewed.county_a, since)["executives_added_township"] == 7  # seats at the opening
    services.close_unit(None, renewed.village_b1, datetime.date(2025, 1, 1))
    assert added.added_figures(renewed.city, since)["executives_added_village"] == 7
    assert added.added_figures(renewed.city, since, datetime.date(2024, 12, 31))["executives_added_village"] == 12
    assert added.added_figures(renewed.city, since)["executives_added_village"] == by_hand(
        renewed.city, GRASSROOTS_KINDS, since, timezone.localdate()
    )


def test_the_campaigns_start_by_default_else_the_setting(renewed, settings):
    t = renewed
    settings.BANYAN = {**settings.BANYAN, "EXECUTIVES_ADDED_SINCE": "2022-01-01"}
    assert added.default_since([t.county_a])[t.county_a.pk] == datetime.date(2022, 1, 1)
    Campaign.objects.create(
        name="百日攻坚", unit=t.county_b, starts_on=datetime.date(2024, 5, 1), ends_on=datetime.date(2024, 8, 31)
    )
    Campaign.objects.create(
        name="破难行动", unit=t.city, starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2023, 12, 31)
    )
    Campaign.objects.create(
        name="明年", unit=t.city, starts_on=timezone.localdate() + datetime.timedelta(days=30),
        ends_on=timezone.localdate() + datetime.timedelta(days=90),
    )  # fmt: skip
    starts = added.default_since([t.county_a, t.county_b, t.township_a, t.village_a1, t.province])
    assert starts == {
        t.county_a.pk: datetime.date(2021, 1, 1),
        t.county_b.pk: datetime.date(2024, 5, 1),
        t.township_a.pk: datetime.date(2021, 1, 1),
        t.village_a1.pk: datetime.date(2021, 1, 1),
        t.province.pk: datetime.date(2022, 1, 1),
    }
    # The evaluator (exports, snapshots, checklists) counts each unit from its own start.
    found = added.FIGURES.evaluate([t.county_a, t.county_b])
    assert found[t.county_a.pk] == added.added_figures(t.county_a, datetime.date(2021, 1, 1))
    assert found[t.county_b.pk]["executives_added_village"] == 0  # 城东村 converted in 2022, before 2024-05


def test_the_api(api, renewed, users):
    client = api(users.viewer)
    url = f"/api/units/{renewed.city.pk}/executives-added/"
    city = client.get(url, {"since": "2022-01-01"}).json()
    assert city["executives_added_village"] == 7 and city["since"] == "2022-01-01"
    children = client.get(url, {"since": "2022-01-01", "by": "children"}).json()["children"]
    assert {c["name"]: c["executives_added_village"] for c in children}["建阳区"] == 5
    past = client.get(url, {"since": "2020-01-01", "as_of": "2023-12-31"}).json()
    assert past["executives_added_township"] == 0 and past["as_of"] == "2023-12-31"
    for bad in ({"since": "2025-02-30"}, {"as_of": "去年"}, {"since": "2030-01-01", "as_of": "2025-01-01"}):
        refused = client.get(url, bad)
        assert refused.status_code == 400
        text = json.dumps(refused.json(), ensure_ascii=False)
        assert "2025-01-31" in text or "早于" in text or "之前" in text, text
    editor = api(users.editor_a)
    foreign = editor.get(f"/api/units/{renewed.county_b.pk}/executives-added/")
    missing = editor.get(f"/api/units/{MISSING}/executives-added/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
