"""Committee, renewals, people and election pages: scoped like every page, and the wizard end to end."""

import datetime

import pytest
from django.urls import reverse

from orgtree.models import Election, Office, Person, Term, Unit
from tests.orgtree.test_elections import build_election
from tests.orgtree.test_idnumber import id_number


@pytest.fixture
def world(tree, users):
    person_b = Person.objects.create(unit=tree.village_b1, name="乙县人员")
    election_b = build_election(tree.village_b1)
    return {"person_b": person_b, "election_b": election_b}


def unit_pages(unit):
    return [
        reverse(name, args=[unit.pk])
        for name in (
            "orgtree:committee",
            "orgtree:renewals",
            "orgtree:term_delay",
            "orgtree:person_create",
            "orgtree:election_create",
        )
    ]


def object_pages(person, election):
    return [
        reverse("orgtree:person_detail", args=[person.pk]),
        reverse("orgtree:person_edit", args=[person.pk]),
        reverse("orgtree:election_detail", args=[election.pk]),
        *[
            reverse(n, args=[election.pk])
            for n in (
                "orgtree:election_figures",
                "orgtree:candidate_add",
                "orgtree:election_officers",
                "orgtree:election_certify",
                "orgtree:election_amend",
            )
        ],
    ]


def test_county_a_gets_404_on_every_committee_page_of_county_b(client, tree, users, world):
    client.force_login(users.editor_a)
    for url in unit_pages(tree.village_b1) + object_pages(world["person_b"], world["election_b"]):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"name": "越界", "reason": "x", "details": "x"}).status_code == 404, url
    assert not Person.objects.filter(name="越界").exists()
    assert not Term.objects.exists()


def test_viewer_cannot_use_any_write_page(client, tree, users, world):
    client.force_login(users.viewer)
    writes = unit_pages(tree.village_b1)[2:] + object_pages(world["person_b"], world["election_b"])[1:]
    writes.remove(reverse("orgtree:election_detail", args=[world["election_b"].pk]))
    for url in writes:
        assert client.post(url, {"name": "查看者"}).status_code == 403, url
    assert client.get(reverse("orgtree:committee", args=[tree.village_b1.pk])).status_code == 200
    assert not Term.objects.exists()


def test_people_directory_lists_the_scope_only(client, tree, users, world):
    Person.objects.create(unit=tree.village_a1, name="甲县人员")
    client.force_login(users.editor_a)
    names = {p.name for p in client.get(reverse("orgtree:person_list")).context["page"]}
    assert names == {"甲县人员"}


def test_id_numbers_are_masked_except_for_admins_of_her_scope(client, tree, users):
    person = Person.objects.create(unit=tree.village_a1, name="林秀英", id_number=id_number())
    url = reverse("orgtree:person_detail", args=[person.pk])
    client.force_login(users.editor_a)
    body = client.get(url).content.decode()
    assert person.masked_id_number in body and person.id_number not in body
    client.force_login(users.admin_a)
    assert person.id_number in client.get(url).content.decode()


def test_person_form_validates_in_chinese_and_records_history(client, tree, users):
    client.force_login(users.admin_a)
    url = reverse("orgtree:person_create", args=[tree.village_a1.pk])
    good = id_number()
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(url, {"name": "林秀英", "gender": "female", "id_number": typo})
    assert response.status_code == 200 and "校验" in response.content.decode()
    assert not Person.objects.exists()
    response = client.post(url, {"name": "林秀英", "gender": "female", "id_number": good, "tags": "教师，乡村医生"})
    person = Person.objects.get(name="林秀英")
    assert response.status_code == 302 and person.tags == ["教师", "乡村医生"]
    assert person.birth_date is not None


def test_the_wizard_from_draft_to_a_new_term(client, tree, users):
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:election_create", args=[tree.village_a1.pk]),
        {
            "kind": "conversion",
            "method": "assembly",
            "held_on": "2024-05-10",
            "entitled": 100,
            "present": 80,
            "ballots_issued": 80,
            "ballots_returned": 80,
            "ballots_invalid": 0,
            "seats": 3,
        },
    )
    election = Election.objects.get(unit=tree.village_a1)
    assert response["Location"] == election.get_absolute_url()
    for name, votes in (("甲", 70), ("乙", 65), ("丙", 60), ("丁", 30)):
        client.post(
            reverse("orgtree:candidate_add", args=[election.pk]),
            {"name": name, "approve": votes, "disapprove": 5, "abstain": 5},
        )
    page = client.get(election.get_absolute_url())
    assert "主席" in " ".join(page.context["problems"])  # no chair yet
    ids = {p.name: p.pk for p in Person.objects.filter(unit=tree.village_a1)}
    client.post(
        reverse("orgtree:election_officers", args=[election.pk]),
        {
            f"role_{ids['甲']}": "chair",
            f"role_{ids['乙']}": "vice_chair",
            f"type_{ids['乙']}": "part_time",
            "on_party_committee": "on",
        },
    )
    assert client.get(election.get_absolute_url()).context["problems"] == []
    response = client.post(reverse("orgtree:election_certify", args=[election.pk]))
    assert response["Location"] == reverse("orgtree:committee", args=[tree.village_a1.pk])
    term = Term.objects.get(unit=tree.village_a1)
    assert Office.objects.filter(term=term).count() == 3
    assert Office.objects.get(term=term, role="chair").person.name == "甲"
    assert Unit.objects.get(pk=tree.village_a1.pk).form == "federation"
    committee = client.get(reverse("orgtree:committee", args=[tree.village_a1.pk]))
    assert committee.context["current"] == term and "甲" in committee.content.decode()
    # Certified: the steps refuse further edits.
    client.post(reverse("orgtree:candidate_add", args=[election.pk]), {"name": "戊", "approve": 1})
    assert not Person.objects.filter(name="戊").exists()


def test_certify_with_violations_shows_them_and_changes_nothing(client, tree, users):
    election = build_election(
        tree.village_a1, entitled=100, present=50, issued=50, returned=50, approvals=[48 - i for i in range(8)]
    )
    client.force_login(users.editor_a)
    response = client.post(reverse("orgtree:election_certify", args=[election.pk]), follow=True)
    assert "三分之二" in response.content.decode()
    assert not Term.objects.exists()


def test_delay_form_needs_both_approvals(client, tree, users):
    Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2019, 1, 1), due_on=datetime.date(2024, 1, 1)
    )
    client.force_login(users.editor_a)
    url = reverse("orgtree:term_delay", args=[tree.village_a1.pk])
    response = client.post(
        url,
        {
            "party_approval": " ",
            "federation_approval": "南平市妇联",
            "approved_on": "2023-12-01",
            "new_due_on": "2024-06-30",
        },
    )
    assert response.status_code == 200
    client.post(
        url,
        {
            "party_approval": "黄墩街道党工委",
            "federation_approval": "延平区妇联",
            "approved_on": "2023-12-01",
            "new_due_on": "2024-06-30",
        },
    )
    assert str(Term.objects.get().due_on) == "2024-06-30"


def test_renewals_page_counts_per_child_with_constant_queries(client, tree, users, django_assert_max_num_queries):
    for village in (tree.village_a1, tree.village_a2, tree.village_b1):
        Term.objects.create(
            unit=village, number=1, started_on=datetime.date(2018, 1, 1), due_on=datetime.date(2023, 1, 1)
        )
    client.force_login(users.viewer)
    client.get(reverse("notifications"))  # the first page of the day produces the day's notices
    with django_assert_max_num_queries(18):
        response = client.get(reverse("orgtree:renewals", args=[tree.city.pk]))
    rows = {c.name: n for c, n in response.context["child_rows"]}
    assert rows["延平区"]["overdue"] == 2 and rows["建阳区"]["overdue"] == 1
    assert response.context["overdue_count"] == 3


def test_a_delayed_renewal_stays_overdue_and_shows_its_delay(client, tree, users):
    from orgtree.committees import delay_term

    term = Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2018, 1, 1), due_on=datetime.date(2023, 1, 1)
    )
    delay_term(
        users.editor_a,
        term,
        party_approval="黄墩街道党工委",
        federation_approval="延平区妇联",
        approved_on=datetime.date(2022, 12, 1),
        new_due_on=datetime.date(2099, 6, 30),
    )
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:renewals", args=[tree.city.pk]))
    assert (response.context["overdue_count"], response.context["delayed_count"]) == (1, 1)
    body = response.content.decode()
    assert "其中已批准延期" in body and "2023-01-01" in body and "2099-06-30" in body and "已延期" in body


def test_duplicates_are_found_and_merged_without_losing_history(client, tree, users):
    born = datetime.date(1980, 1, 2)
    keep = Person.objects.create(unit=tree.village_a1, name="林秀英", birth_date=born)
    twin = Person.objects.create(unit=tree.village_a2, name="林秀英", birth_date=born, phone="13800000000")
    Person.objects.create(unit=tree.village_b1, name="林秀英", birth_date=born)  # county B: not hers to see
    term = Term.objects.create(
        unit=tree.village_a2, number=1, started_on=datetime.date(2021, 1, 1), due_on=datetime.date(2026, 1, 1)
    )
    Office.objects.create(unit=tree.village_a2, person=twin, term=term, started_on=term.started_on)
    client.force_login(users.editor_a)
    groups = client.get(reverse("orgtree:person_duplicates")).context["groups"]
    assert [(sorted(p.pk for p in g), can_merge) for g, can_merge in groups] == [(sorted([keep.pk, twin.pk]), True)]
    response = client.post(reverse("orgtree:person_duplicates"), {"keep": keep.pk, "duplicate": twin.pk})
    assert response["Location"] == keep.get_absolute_url()
    twin.refresh_from_db()
    keep.refresh_from_db()
    assert twin.merged_into == keep and keep.phone == "13800000000"
    assert Office.objects.get(term=term).person == keep
    names = {p.name for p in client.get(reverse("orgtree:person_list")).context["page"]}
    assert names == {"林秀英"} and len(client.get(reverse("orgtree:person_list")).context["page"]) == 1


def test_merge_refuses_different_id_numbers_and_other_counties(client, tree, users):
    a = Person.objects.create(unit=tree.village_a1, name="王丽", id_number=id_number())
    b = Person.objects.create(unit=tree.village_a2, name="王丽", id_number=id_number(sequence="004"))
    c = Person.objects.create(unit=tree.village_b1, name="王丽")
    client.force_login(users.editor_a)
    client.post(reverse("orgtree:person_duplicates"), {"keep": a.pk, "duplicate": b.pk})
    assert Person.objects.get(pk=b.pk).merged_into is None
    assert client.post(reverse("orgtree:person_duplicates"), {"keep": a.pk, "duplicate": c.pk}).status_code == 404
    assert Person.objects.get(pk=c.pk).merged_into is None


def test_a_bad_wizard_step_shows_the_error_on_the_election_page(client, tree, users):
    election = build_election(tree.village_a1, officers=False)
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:candidate_add", args=[election.pk]), {"name": "林秀英", "id_number": "123", "approve": 1}
    )
    assert response.status_code == 200 and "18" in response.content.decode()
    response = client.post(
        reverse("orgtree:election_figures", args=[election.pk]),
        {"kind": "renewal", "method": "assembly", "entitled": "很多"},
    )
    assert response.status_code == 200 and response.context["figures_form"].errors
    assert not Person.objects.filter(name="林秀英").exists()
