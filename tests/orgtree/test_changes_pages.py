"""Changes mid-term on the pages and the API: the committee page shows who left and who was appointed
(pinned queries), the phone forms, the by-election wizard, and the scope of every new page and endpoint."""

import datetime
import re

import pytest
from django.urls import reverse

from orgtree import changes, elections
from orgtree.models import Election, Office, Person
from tests.orgtree.test_changes import appoint, executive, leave
from tests.orgtree.test_elections import build_election

HELD = datetime.date(2024, 5, 10)


@pytest.fixture
def committees(tree, users):
    """A certified term in 黄墩社区 (county A) and in 城东村 (county B)."""
    term_a = elections.certify_election(None, build_election(tree.village_a1, held_on=HELD))
    term_b = elections.certify_election(None, build_election(tree.village_b1, held_on=HELD))
    return term_a, term_b


def same_page(response, url):
    """The page without what differs by request alone (its CSRF tokens, its own address)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return text.replace(url, "URL")


def new_pages(unit):
    return [reverse(n, args=[unit.pk]) for n in ("orgtree:office_leave", "orgtree:vice_chair_appoint")]


def test_county_a_gets_the_404_of_a_nonexistent_unit_on_county_b_pages(client, tree, users, committees):
    _term_a, term_b = committees
    office_b = executive(term_b)
    client.force_login(users.editor_a)
    missing = [reverse(n, args=[999999]) for n in ("orgtree:office_leave", "orgtree:vice_chair_appoint")]
    for url, none in zip(new_pages(tree.village_b1), missing, strict=True):
        got, expected = client.get(url), client.get(none)
        assert got.status_code == expected.status_code == 404, url
        assert same_page(got, url) == same_page(expected, none)
        posted = {"office": office_b.pk, "ended_on": "2025-03-01", "reason": "resigned", "name": "越界"}
        assert client.post(url, posted).status_code == 404
    assert Office.objects.get(pk=office_b.pk).ended_on is None
    assert not Person.objects.filter(name="越界").exists()
    # Her own village's form does not offer, nor accept, county B's office.
    response = client.post(
        new_pages(tree.village_a1)[0], {"office": office_b.pk, "ended_on": "2025-03-01", "reason": "resigned"}
    )
    assert response.status_code == 200 and response.context["form"].errors["office"]
    assert Office.objects.get(pk=office_b.pk).ended_on is None


def test_a_viewer_gets_403_on_the_forms_inside_her_scope(client, tree, users, committees):
    term_a, _term_b = committees
    client.force_login(users.viewer)
    for url in new_pages(tree.village_a1):
        assert client.get(url).status_code == 403
        posted = {"office": executive(term_a).pk, "ended_on": "2025-03-01", "reason": "resigned", "name": "查看者"}
        assert client.post(url, posted).status_code == 403
    assert not Office.objects.filter(ended_on__isnull=False).exists()


def test_the_leave_form_on_a_phone(client, tree, users, committees):
    term_a, _term_b = committees
    office = executive(term_a)
    client.force_login(users.editor_a)
    url = reverse("orgtree:office_leave", args=[tree.village_a1.pk])
    page = client.get(url + f"?office={office.pk}")
    assert page.status_code == 200 and page.context["form"]["office"].value() == str(office.pk)
    assert "离任原因" in page.content.decode()
    response = client.post(url, {"office": office.pk, "ended_on": "2024-05-01", "reason": "resigned"})
    assert response.status_code == 200 and "须晚于任职开始日期" in response.content.decode()
    response = client.post(url, {"office": office.pk, "ended_on": "2025-03-01", "reason": "other"})
    assert response.status_code == 200 and "说明" in response.content.decode()
    assert Office.objects.get(pk=office.pk).ended_on is None  # nothing saved
    response = client.post(url, {"office": office.pk, "ended_on": "2025-03-01", "reason": "transferred"})
    assert response["Location"] == reverse("orgtree:committee", args=[tree.village_a1.pk])
    assert Office.objects.get(pk=office.pk).end_reason == "transferred"
    person_page = client.get(reverse("orgtree:person_detail", args=[office.person_id])).content.decode()
    assert "2025-03-01（调离）" in person_page  # her past office stays on her record


def test_the_appointment_form(client, tree, users, committees):
    client.force_login(users.editor_a)
    url = reverse("orgtree:vice_chair_appoint", args=[tree.village_a1.pk])
    page = client.get(url)
    offered = [choice[0].value for choice in list(page.context["form"].fields["appointed_by"].choices)[1:]]
    assert offered == [tree.township_a.pk, tree.county_a.pk]  # the nearest first; the city is not hers
    good = {
        "name": "挂职干部",
        "appointment": "seconded",
        "appointed_by": tree.county_a.pk,
        "started_on": "2025-01-01",
        "appointed_until": "2026-12-31",
    }
    response = client.post(url, {**good, "appointed_by": tree.city.pk})
    assert response.status_code == 200 and response.context["form"].errors["appointed_by"]
    response = client.post(url, {**good, "appointed_until": "2024-12-31"})
    assert response.status_code == 200 and "须晚于任职开始日期" in response.content.decode()
    assert not Office.objects.exclude(appointment="").exists()
    assert client.post(url, good).status_code == 302
    assert Office.objects.get(appointment="seconded").appointed_by == tree.county_a


def test_the_committee_page_shows_leavers_and_appointees_with_pinned_queries(
    client, tree, users, committees, django_assert_num_queries
):
    term_a, _term_b = committees
    left = executive(term_a)
    leave(users.editor_a, left, reason="other", note="外出务工")
    appoint(users.editor_a, tree.village_a1, tree.county_a)
    client.force_login(users.editor_a)
    url = reverse("orgtree:committee", args=[tree.village_a1.pk])
    client.get(url)
    with django_assert_num_queries(14):
        response = client.get(url)
    text = response.content.decode()
    assert left.person.name in text and "外出务工" in text and "2025-03-01" in text and "其他" in text
    assert "延平区" in text and "2026-12-31" in text and "挂职" in text
    assert response.context["vacancies"] == 1 and len(response.context["offices"]) == 7
    assert response.context["terms"][0].seats == 7  # the members today, not those who left
    assert "?kind=by_election" in text  # a vacancy: the by-election link
    for n in range(3):  # more leavers and appointees: the same number of queries
        leave(users.editor_a, executive(term_a), reason="resigned")
        appoint(
            users.editor_a,
            tree.village_a1,
            tree.township_a,
            name=f"选聘{n}",
            appointment="selected",
            vice_chair_type="part_time",
        )
    with django_assert_num_queries(14):
        client.get(url)


def test_the_wizard_runs_a_by_election(client, tree, users, committees):
    term_a, _term_b = committees
    leave(users.editor_a, executive(term_a))
    client.force_login(users.editor_a)
    create = reverse("orgtree:election_create", args=[tree.village_a1.pk])
    form = client.get(create + "?kind=by_election").context["form"]
    assert (form["kind"].value(), form["seats"].value()) == ("by_election", 1)
    response = client.post(
        create,
        {
            "kind": "by_election",
            "method": "assembly",
            "held_on": "2025-06-01",
            "entitled": 100,
            "present": 80,
            "ballots_issued": 80,
            "ballots_returned": 80,
            "ballots_invalid": 0,
            "seats": 1,
        },
    )
    election = Election.objects.get(unit=tree.village_a1, kind="by_election")
    assert response["Location"] == election.get_absolute_url()
    client.post(
        reverse("orgtree:candidate_add", args=[election.pk]),
        {"name": "新执委", "approve": 70, "disapprove": 5, "abstain": 5},
    )
    page = client.get(election.get_absolute_url())
    assert page.context["problems"] == [] and "补选填补本届的空缺名额" in page.content.decode()
    response = client.post(reverse("orgtree:election_certify", args=[election.pk]), follow=True)
    assert "当选者进入" in response.content.decode()
    assert Office.objects.get(election=election, ended_on__isnull=True).term == term_a
    assert changes.vacancies(term_a) == 0


# --- the API ---------------------------------------------------------------------------------


def test_api_leave_and_appoint(api, tree, users, committees):
    term_a, term_b = committees
    office_a, office_b = executive(term_a), executive(term_b)
    client = api(users.editor_a)
    body = {"ended_on": "2025-03-01", "reason": "resigned"}
    other, missing = (
        client.post(f"/api/offices/{office_b.pk}/leave/", body),
        client.post("/api/offices/999999/leave/", body),
    )
    assert other.status_code == missing.status_code == 404 and other.json() == missing.json()
    assert api(users.viewer).post(f"/api/offices/{office_a.pk}/leave/", body).status_code == 403
    bad = client.post(f"/api/offices/{office_a.pk}/leave/", {**body, "ended_on": "2024-01-01"})
    assert bad.status_code == 400 and "须晚于任职开始日期" in str(bad.json())
    assert Office.objects.filter(ended_on__isnull=False).count() == 0
    done = client.post(f"/api/offices/{office_a.pk}/leave/", body)
    assert done.status_code == 200 and done.json()["end_reason"] == "resigned"

    appointment = {
        "unit": tree.village_a1.pk,
        "appointed_by": tree.county_a.pk,
        "name": "挂职干部",
        "appointment": "seconded",
        "started_on": "2025-01-01",
        "appointed_until": "2026-12-31",
    }
    other = client.post("/api/offices/appoint/", {**appointment, "unit": tree.village_b1.pk})
    missing = client.post("/api/offices/appoint/", {**appointment, "unit": 999999})
    assert other.status_code == missing.status_code == 400
    assert str(other.json()).replace(str(tree.village_b1.pk), "X") == str(missing.json()).replace("999999", "X")
    assert api(users.viewer).post("/api/offices/appoint/", appointment).status_code == 400  # nothing she may change
    made = client.post("/api/offices/appoint/", appointment)
    assert made.status_code == 201 and made.json()["appointed_by"] == tree.county_a.pk
    listed = client.get("/api/offices/", {"appointment": "seconded"}).json()
    assert [row["person_name"] for row in listed["results"]] == ["挂职干部"]
    assert client.get("/api/offices/", {"end_reason": "resigned"}).json()["count"] == 1
    assert not Person.objects.filter(unit=tree.village_b1, name="挂职干部").exists()
