"""A person's page shows what she does as an executive (executives/person.py through
federation.registry.person_panel): training attended, contact lists and last contact, activities and
points this year, yearly evaluations, rotating-chair months, duty areas. Each panel reads only rows in
the viewer's scope; named contacts are masked for viewers; the page costs a fixed number of queries."""

import datetime
import re

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from executives.models import (
    Activity,
    ActivityType,
    Attendance,
    ContactList,
    ContactVisit,
    Evaluation,
    NamedContact,
    PointsRule,
    RotationMonth,
    TrainingSession,
)
from federation import registry
from federation.models import Role
from orgtree.models import DutyArea, Office, Person, Term
from tests.conftest import make, scoped_user

TODAY = timezone.localdate()
YEAR = TODAY.year
STARTED = datetime.date(2021, 3, 1)


def office(unit, person, role="executive"):
    term = Term.objects.filter(unit=unit, ended_on__isnull=True).first() or Term.objects.create(
        unit=unit, number=1, started_on=STARTED, due_on=datetime.date(YEAR + 3, 3, 1)
    )
    return Office.objects.create(unit=unit, person=person, term=term, role=role, started_on=STARTED)


def session(unit, title, day):
    return TrainingSession.objects.create(
        unit=unit, level="township", title=title, type="lead_goose", starts_on=day, ends_on=day, hours=4
    )


def records(seat, village, tag, n=1, shift=0):
    """`n` of each record of `seat` (an office) on its unit: sessions attended, a contact list, log
    entries, named contacts in `village`, activities this year, an evaluation, rotation months."""
    unit, person = seat.unit, seat.person
    kind = ActivityType.objects.order_by("pk").first()
    for i in range(n):
        s = session(unit, f"{tag}培训{i}", datetime.date(YEAR - 1, 3, 1 + i))
        Attendance.objects.create(session=s, person=person)
        ContactVisit.objects.create(office=seat, unit=unit, date=datetime.date(YEAR, 2, 1 + i), way="phone", women=3)
        NamedContact.objects.create(office=seat, unit=village, name=f"{tag}{'甲乙丙丁戊'[i]}英", category="disabled")
        Activity.objects.create(
            unit=unit,
            person=person,
            activity_type=kind,
            held_on=datetime.date(YEAR, 1, 5 + i),
            place="会堂",
            participants=9,
        )
        RotationMonth.objects.create(unit=unit, office=seat, month=datetime.date(YEAR - 1 - shift, 1 + i, 1))
        Evaluation.objects.create(
            unit=unit, person=person, year=YEAR - 1 - shift - i, grade="excellent", evaluated_by=unit.parent
        )
    ContactList.objects.get_or_create(office=seat, defaults={"unit": unit, "disabled": 4, "women": 4})


@pytest.fixture
def w(tree, users):
    """周燕 is registered in county B (潭城街道) and sits on the committees of 潭城街道 (B) and 黄墩街道 (A)."""
    person = Person.objects.create(unit=tree.township_b, name="周燕")
    seat_a, seat_b = office(tree.township_a, person), office(tree.township_b, person, "vice_chair")
    seat_b.duties.add(DutyArea.objects.order_by("pk").first())
    kind = ActivityType.objects.order_by("pk").first()
    PointsRule.objects.create(unit=tree.county_a, activity_type=kind, from_year=YEAR - 2, points=3)
    PointsRule.objects.create(unit=tree.city, activity_type=kind, from_year=YEAR - 2, points=1)
    records(seat_a, tree.village_a1, "甲")
    records(seat_b, tree.village_b1, "乙")
    return person, seat_a, seat_b


def page(client, user, person):
    client.force_login(user)
    response = client.get(reverse("orgtree:person_detail", args=[person.pk]))
    return response.status_code, response.content.decode()


def test_the_person_panels_are_registered_by_executives():
    names = [p.name for p in registry.person_panels()]
    assert names == ["training", "contacts", "activities", "evaluations", "rotation"]


def test_the_city_sees_all_she_does_with_named_contacts_masked(client, tree, users, w):
    person, _a, _b = w
    status, html = page(client, users.viewer, person)
    assert status == 200
    for shown in ("参加培训", "甲培训0", "乙培训0", "联系妇女", "最近联系", "活动与积分", "年度考评", "轮值主席"):
        assert shown in html, shown
    assert f"{YEAR - 1}-01" in html  # her rotating-chair month
    assert "甲甲英" not in html and "乙甲英" not in html  # names masked for a viewer
    assert "甲**" in html and "乙**" in html
    # points: 3 (county A's rule) for the activity in A, 1 (the city's) for the one in B
    assert f"{YEAR}年积分：4" in html
    assert "组织联络" in html or DutyArea.objects.order_by("pk").first().name in html


def test_a_cadre_of_county_b_sees_only_county_b_rows(client, tree, users, w):
    person, _a, _b = w
    status, html = page(client, users.editor_b, person)
    assert status == 200
    assert "乙培训0" in html and "甲培训0" not in html
    assert "潭城街道" in html and "黄墩街道" not in html  # her seat in county A stays out, like its records
    assert "乙甲英" in html  # an editor of her village sees the name
    assert "甲甲英" not in html and "甲**" not in html and "城东村" in html and "黄墩社区" not in html
    assert f"{YEAR}年积分：1" in html  # only her activity in B
    # evaluations and rotation months of 黄墩街道 (county A) stay out
    assert html.count(f"{YEAR - 1}-01") == 1


def test_a_cadre_of_county_a_gets_the_404_of_a_missing_person(client, tree, users, w):
    person, _a, _b = w
    status, html = page(client, users.editor_a, person)
    missing = client.get(reverse("orgtree:person_detail", args=[person.pk + 1000]))
    assert status == 404 == missing.status_code
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|/people/\d+/')
    assert token.sub("", html) == token.sub("", missing.content.decode())


def test_a_person_without_executive_records_shows_no_panel(client, tree, users):
    person = Person.objects.create(unit=tree.village_a1, name="刘梅")
    status, html = page(client, users.editor_a, person)
    assert status == 200
    assert "参加培训" not in html and "年度考评" not in html and "person-contacts" not in html


def query_count(client, user, person):
    client.force_login(user)
    url = reverse("orgtree:person_detail", args=[person.pk])
    client.get(url)  # the first request of the day adds the daily notices
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["viewer", "editor_b"])
def test_the_person_page_costs_the_same_queries_whatever_the_rows(
    client, tree, users, w, who, django_assert_num_queries
):
    person, seat_a, seat_b = w
    user = getattr(users, who)
    before = query_count(client, user, person)
    # session, user, scopes, person, her offices, their duties, history, breadcrumbs, notices badge and
    # the panels: training 1, contacts 2, activities 2, evaluations 1, rotation 1
    assert before == PINNED[who], before
    village = make(tree.township_b, "village", "新村", "350703001299")
    records(seat_b, village, "丙", n=4, shift=1)
    records(seat_a, tree.village_a3, "丁", n=4, shift=1)
    with django_assert_num_queries(PINNED[who]):
        client.get(reverse("orgtree:person_detail", args=[person.pk]))


# the city's viewer: no change right anywhere, one query fewer (the ID-number and edit checks)
PINNED = {"viewer": 16, "editor_b": 17}


def test_named_contacts_are_clear_for_an_editor_of_her_village_only(client, tree, users, w):
    person, _a, _b = w
    township_viewer = scoped_user("township_viewer_b", tree.township_b, Role.VIEWER)
    _s, html = page(client, township_viewer, person)
    assert "乙**" in html and "乙甲英" not in html
    _s, html = page(client, users.root, person)
    assert "乙甲英" in html and "甲甲英" in html
    assert re.search(r"\d{4}年积分：4", html)
