"""执委分工: duty areas on the seats of a committee — the list, the service, the page, the export, the API."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from federation.models import ChangeRecord
from orgtree import committees
from orgtree.conversion import record_conversion
from orgtree.models import DutyArea, Office, Person, Term
from tests.orgtree.test_conversion import data

DEFAULTS = ["组织联络", "宣传教育", "维权关爱", "家庭儿童", "发展服务", "联系妇女"]


@pytest.fixture
def seated(tree, users):
    """County A's village with a 5-seat committee; county B's village with one seat."""
    record_conversion(users.editor_a, tree.village_a1, data())
    term_b = Term.objects.create(
        unit=tree.village_b1, number=1, started_on=datetime.date(2021, 3, 1), due_on=datetime.date(2026, 3, 1)
    )
    person_b = Person.objects.create(unit=tree.village_b1, name="乙县执委")
    office_b = Office.objects.create(unit=tree.village_b1, person=person_b, term=term_b, started_on=term_b.started_on)
    offices = list(Office.objects.filter(unit=tree.village_a1).order_by("role", "pk"))
    return offices, office_b


def assert_same_404(client, name, outside_pk, method="get", data=None):
    """A page of an object outside the scope answers exactly like one of nothing (no oracle)."""
    answers = []
    for pk in (outside_pk, 987654321):
        url = reverse(name, args=[pk])
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, url
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        answers.append(text.replace(url, "<url>"))
    assert answers[0] == answers[1]


def area(name):
    return DutyArea.objects.get(name=name)


def test_the_default_duty_areas_come_with_the_database(db):
    assert [a.name for a in committees.offered_duty_areas()] == DEFAULTS


def test_duties_are_set_replaced_and_recorded_in_history(tree, users, seated):
    offices, _b = seated
    chair = offices[0]
    committees.set_duties(users.editor_a, chair, [area("组织联络"), area("联系妇女")])
    assert {a.name for a in chair.duties.all()} == {"组织联络", "联系妇女"}
    committees.set_duties(users.editor_a, chair, [area("宣传教育")])
    assert [a.name for a in chair.duties.all()] == ["宣传教育"]
    records = ChangeRecord.objects.filter(object_id=chair.pk, changes__has_key="duties").order_by("pk")
    both = ["组织联络", "联系妇女"]
    assert [r.changes["duties"] for r in records] == [[[], both], [both, ["宣传教育"]]]
    assert all(r.unit_id == tree.village_a1.pk and r.user == users.editor_a for r in records)
    committees.set_duties(users.editor_a, chair, [area("宣传教育")])  # no change, no record
    assert records.count() == 2


def test_a_whole_committee_in_a_fixed_number_of_queries(
    users, seated, tree, django_assert_num_queries, django_assert_max_num_queries
):
    offices, _b = seated
    areas = list(committees.offered_duty_areas())
    users.editor_a.__dict__.pop("_banyan_scopes", None)  # her scopes are read once per request
    with django_assert_max_num_queries(10) as captured:  # 9 on PostgreSQL, 10 on SQLite
        committees.set_committee_duties(users.editor_a, tree.village_a1, {o.pk: areas[:2] for o in offices[:2]})
    users.editor_a.__dict__.pop("_banyan_scopes", None)
    with django_assert_num_queries(len(captured)):
        committees.set_committee_duties(users.editor_a, tree.village_a1, {o.pk: areas[2:4] for o in offices})


def test_refusals_save_nothing(users, seated, tree):
    offices, office_b = seated
    with pytest.raises(PermissionDenied):
        committees.set_duties(users.editor_a, office_b, [area("组织联络")])
    with pytest.raises(PermissionDenied):
        committees.set_duties(users.viewer, offices[0], [area("组织联络")])
    # A seat of another committee named under this unit, an ended seat.
    with pytest.raises(ValidationError):
        committees.set_committee_duties(users.root, tree.village_a1, {office_b.pk: [area("组织联络")]})
    Office.objects.filter(pk=offices[1].pk).update(ended_on=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        committees.set_duties(users.editor_a, offices[1], [area("组织联络")])
    assert not Office.duties.through.objects.exists()


def test_an_area_out_of_use_is_kept_where_it_is_but_not_newly_given(users, seated):
    offices, _b = seated
    old = area("家庭儿童")
    committees.set_duties(users.editor_a, offices[0], [old])
    old.active = False
    committees.save_duty_area(users.root, old)
    assert old.name not in [a.name for a in committees.offered_duty_areas()]
    committees.set_duties(users.editor_a, offices[0], [old, area("宣传教育")])  # she keeps it
    with pytest.raises(ValidationError) as refused:
        committees.set_duties(users.editor_a, offices[1], [old])
    assert "不再" in str(refused.value.messages)
    assert not offices[1].duties.exists()
    with pytest.raises(PermissionDenied):
        committees.save_duty_area(users.admin_a, DutyArea(name="新分工"))
    assert ChangeRecord.objects.filter(object_repr=old.name, changes__active=[True, False]).exists()


def test_the_committee_page_shows_duties_with_a_fixed_number_of_queries(
    client, users, seated, tree, django_assert_num_queries
):
    offices, _b = seated
    client.force_login(users.editor_a)
    url = reverse("orgtree:committee", args=[tree.village_a1.pk])
    client.get(url)  # the first page of her day asks for notices
    # session, user, scopes, unit, terms, scope check, lineage ×2, notices, offices, their duty areas,
    # delays, elections; the panels apps registered (executives: whether the village keeps a rotating chair)
    with django_assert_num_queries(14) as captured:
        page = client.get(url).content.decode()
    assert reverse("orgtree:committee_duties", args=[tree.village_a1.pk]) in page
    three = list(committees.offered_duty_areas())[:3]
    committees.set_committee_duties(users.root, tree.village_a1, {o.pk: three for o in offices})
    with django_assert_num_queries(len(captured)):
        page = client.get(url).content.decode()
    assert page.count("维权关爱") == len(offices)
    client.force_login(users.viewer)
    page = client.get(url).content.decode()
    assert "组织联络" in page and reverse("orgtree:committee_duties", args=[tree.village_a1.pk]) not in page


def test_the_duties_form_saves_every_seat_at_once(client, users, seated, tree):
    offices, _b = seated
    client.force_login(users.editor_a)
    url = reverse("orgtree:committee_duties", args=[tree.village_a1.pk])
    assert client.get(url).status_code == 200
    a, b = area("组织联络"), area("维权关爱")
    response = client.post(url, {f"office_{offices[0].pk}": [a.pk, b.pk], f"office_{offices[3].pk}": [b.pk]})
    assert response.status_code == 302
    assert {x.name for x in offices[0].duties.all()} == {"组织联络", "维权关爱"}
    assert [x.name for x in offices[3].duties.all()] == ["维权关爱"]
    assert not offices[1].duties.exists()


def test_bad_input_on_the_form_is_refused_in_chinese_and_nothing_saved(client, users, seated, tree):
    offices, _b = seated
    client.force_login(users.editor_a)
    url = reverse("orgtree:committee_duties", args=[tree.village_a1.pk])
    response = client.post(url, {f"office_{offices[0].pk}": ["987654", area("组织联络").pk]})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Office.duties.through.objects.exists()


def test_scope_404_and_viewer_403_on_the_duties_page_and_the_export(client, users, seated, tree):
    client.force_login(users.editor_a)
    for name in ("orgtree:committee_duties", "orgtree:committee_export"):
        assert_same_404(client, name, tree.village_b1.pk)
    offices_b = Office.objects.filter(unit=tree.village_b1)
    response = client.post(
        reverse("orgtree:committee_duties", args=[tree.village_b1.pk]),
        {f"office_{offices_b[0].pk}": [area("组织联络").pk]},
    )
    assert response.status_code == 404
    client.force_login(users.viewer)
    offices, _b = seated
    url = reverse("orgtree:committee_duties", args=[tree.village_a1.pk])
    assert client.post(url, {f"office_{offices[0].pk}": [area("组织联络").pk]}).status_code == 403
    assert not Office.duties.through.objects.exists()


def test_the_committee_export_lists_seats_with_their_duties(client, users, seated, tree):
    offices, _b = seated
    committees.set_duties(users.editor_a, offices[0], [area("组织联络"), area("联系妇女")])
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:committee_export", args=[tree.village_a1.pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("名称", "角色", "分工")
    assert rows[2][:3] == ("林秀英", "主席", "组织联络、联系妇女")
    assert len(rows) == 2 + len(offices)


def test_the_api_reads_and_writes_duties_within_the_scope(api, users, seated, tree):
    offices, office_b = seated
    a, b = area("组织联络"), area("宣传教育")
    response = api(users.editor_a).put(f"/api/offices/{offices[0].pk}/duties/", {"duties": [a.pk, b.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert [d["name"] for d in response.json()["duties"]] == ["组织联络", "宣传教育"]
    listed = api(users.viewer).get(f"/api/offices/{offices[0].pk}/").json()
    assert [d["name"] for d in listed["duties"]] == ["组织联络", "宣传教育"]
    assert [d["name"] for d in api(users.viewer).get("/api/duty-areas/").json()] == DEFAULTS
    # Viewer: 403 inside her scope; county A on county B: 404 like an office of nothing.
    refused = api(users.viewer).put(f"/api/offices/{offices[0].pk}/duties/", {"duties": []}, format="json")
    assert refused.status_code == 403
    outside = api(users.editor_a).put(f"/api/offices/{office_b.pk}/duties/", {"duties": [a.pk]}, format="json")
    missing = api(users.editor_a).put("/api/offices/987654321/duties/", {"duties": [a.pk]}, format="json")
    assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
    bad = api(users.editor_a).put(f"/api/offices/{offices[1].pk}/duties/", {"duties": [987654]}, format="json")
    assert bad.status_code == 400 and "987654" in str(bad.json())
    assert not offices[1].duties.exists() and not office_b.duties.exists()
    assert [x.name for x in offices[0].duties.all()] == ["组织联络", "宣传教育"]


def test_the_demo_gives_duties_once_and_never_again(tree, users):
    from orgtree.management.commands.load_demo import demo_duties

    record_conversion(users.editor_a, tree.village_a1, data())
    assert demo_duties() == 1
    assert Office.duties.through.objects.filter(office__unit=tree.village_a1).exists()
    assert demo_duties() == 0


def test_the_list_is_edited_in_the_admin_by_the_system_administrator_only(client, users):
    client.force_login(users.root)
    response = client.post("/admin/orgtree/dutyarea/add/", {"name": "乡村振兴", "order": "70", "active": "on"})
    assert response.status_code == 302
    added = DutyArea.objects.get(name="乡村振兴")
    assert ChangeRecord.objects.filter(object_id=added.pk, content_type__model="dutyarea", source="admin").exists()
    client.force_login(users.admin_a)
    assert client.get("/admin/orgtree/dutyarea/").status_code in (302, 403)
