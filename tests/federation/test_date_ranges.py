"""Dates users enter stay within a sane range (not before 1949-10-01, events at most a year ahead,
nothing after 2099), and a unit cannot close before it opened: a Chinese 400 on the API, a form
error on pages, a problem in imports."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgtree.conversion import Conversion, Member, record_conversion
from orgtree.models import Person, Term, Unit
from reform.models import Problem


def test_closing_in_year_0201_or_before_opening_is_a_chinese_400(api, tree, users):
    client = api(users.editor_a)
    url = f"/api/units/{tree.village_a1.pk}/close/"
    response = client.post(url, {"closed_on": "0201-06-30"}, format="json")
    assert response.status_code == 400 and "1949-10-01或之后" in str(response.json())
    client.patch(f"/api/units/{tree.village_a1.pk}/", {"opened_on": "2010-05-01"}, format="json")
    response = client.post(url, {"closed_on": "2009-12-31"}, format="json")
    assert response.status_code == 400 and "撤销日期不能早于成立日期" in str(response.json())
    assert Unit.objects.get(pk=tree.village_a1.pk).closed_on is None
    assert client.post(url, {"closed_on": "2024-06-30"}, format="json").status_code == 200


def test_the_close_page_shows_the_range_on_the_form(client, tree, users):
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:unit_close", args=[tree.village_a1.pk]),
        {"closed_on": "1900-01-01", "version": tree.village_a1.version},
    )
    assert response.status_code == 200 and "1949-10-01或之后" in response.content.decode()
    assert Unit.objects.get(pk=tree.village_a1.pk).closed_on is None


def test_far_future_events_and_plans_are_refused(api, tree, users):
    client = api(users.editor_a)
    next_year = datetime.date.today().year + 1
    response = client.patch(f"/api/units/{tree.village_a1.pk}/", {"opened_on": f"{next_year + 1}-01-01"}, format="json")
    assert response.status_code == 400 and "或之前" in str(response.json())
    problem = {
        "unit": tree.village_a1.pk,
        "area": "organization",
        "description": "未建妇女之家",
        "found_on": "2025-03-01",
        "deadline": "3000-01-01",
        "responsible": "黄墩街道妇联",
    }
    assert client.post("/api/problems/", problem, format="json").status_code == 400
    problem["deadline"] = "2099-12-31"
    assert client.post("/api/problems/", problem, format="json").status_code == 201
    assert Problem.objects.count() == 1


def test_birth_dates_may_be_before_1949_but_not_before_1900(api, tree, users):
    client = api(users.editor_a)
    person = {"unit": tree.village_a1.pk, "name": "林秀英", "birth_date": "1899-12-31"}
    assert client.post("/api/people/", person, format="json").status_code == 400
    person["birth_date"] = "1940-03-08"
    assert client.post("/api/people/", person, format="json").status_code == 201
    assert Person.objects.get().birth_date == datetime.date(1940, 3, 8)


def test_a_term_delay_approved_in_1900_is_refused(api, tree, users):
    term = Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2018, 1, 1), due_on=datetime.date(2023, 1, 1)
    )
    response = api(users.editor_a).post(
        f"/api/terms/{term.pk}/delay/",
        {
            "party_approval": "黄墩街道党工委",
            "federation_approval": "延平区妇联",
            "approved_on": "1900-12-01",
            "new_due_on": "2024-06-30",
        },
        format="json",
    )
    assert response.status_code == 400 and "1949-10-01" in str(response.json())
    assert not term.delays.exists()


def test_a_conversion_held_before_1949_is_a_problem(tree, users):
    data = Conversion(
        held_on=datetime.date(1948, 3, 1),
        entitled=120,
        present=100,
        members=[Member("林秀英", role="chair"), Member("陈美华"), Member("黄丽萍")],
    )
    with pytest.raises(ValidationError) as excinfo:
        record_conversion(users.editor_a, tree.village_a1, data)
    assert "1949-10-01" in " ".join(excinfo.value.messages)
