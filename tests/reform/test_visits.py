"""Visits (调研 / 督战): rules, scope, bad input in Chinese with nothing saved, figures, finding → problem."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from federation import figures as figure_sets
from federation.conflicts import ConflictError
from federation.models import ChangeRecord
from reform import services, visits
from reform.models import Pilot, Problem, Visit, VisitKind


def today():
    return timezone.localdate()


def visit_of(tree, users, visited=None, **fields):
    values = {"kind": VisitKind.SUPERVISION, "date": today(), "people_met": 12, "meetings": 2, "attendance": 30}
    values["findings"] = "黄墩社区妇联执委履职不到位"
    return services.record_visit(
        users.editor_a,
        tree.county_a,
        [tree.township_a, tree.village_a1] if visited is None else visited,
        **{**values, **fields},
    )


def test_a_visit_is_recorded_with_history(tree, users):
    visit = visit_of(tree, users)
    assert list(visit.visited.order_by("code")) == [tree.township_a, tree.village_a1]
    assert visit.recorded_by == users.editor_a and visit.version == 1
    record = ChangeRecord.objects.get(object_id=visit.pk, content_type__model="visit")
    assert record.unit_id == tree.county_a.pk and "黄墩社区" in record.note


@pytest.mark.parametrize(
    ("visited", "fields", "field"),
    [
        ([], {}, "visited"),
        (["county_a"], {}, "visited"),  # not itself
        (["village_b1"], {}, "visited"),  # not another county's
        (["city"], {}, "visited"),  # not above
        (["township_a"], {"meetings": 0, "attendance": 5}, "attendance"),
        (["township_a"], {"people_met": -1}, "people_met"),
        (["township_a"], {"date": datetime.date(2099, 1, 1)}, "date"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(tree, users, visited, fields, field):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        visit_of(tree, users, visited=[getattr(tree, v) for v in visited], **fields)
    assert field in caught.value.message_dict
    message = " ".join(caught.value.message_dict[field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not Visit.objects.exists() and not ChangeRecord.objects.filter(content_type__model="visit").exists()


def test_an_editor_cannot_record_for_a_unit_outside_her_scope(tree, users):
    with pytest.raises(PermissionDenied):
        services.record_visit(users.editor_a, tree.county_b, [tree.township_b], date=today())
    assert not Visit.objects.exists()


def test_a_correction_checks_the_version_and_the_units(tree, users):
    visit = visit_of(tree, users)
    visit = services.correct_visit(users.editor_a, visit, [tree.village_a2], version=1, people_met=20)
    assert visit.version == 2 and visit.people_met == 20 and list(visit.visited.all()) == [tree.village_a2]
    with pytest.raises(ConflictError):
        services.correct_visit(users.editor_a, visit, version=1, people_met=3)
    with pytest.raises(ValidationError):
        services.correct_visit(users.editor_a, visit, [tree.village_b1], version=2)
    visit.refresh_from_db()
    assert list(visit.visited.all()) == [tree.village_a2] and visit.people_met == 20
    with pytest.raises(PermissionDenied):
        services.correct_visit(users.editor_b, visit, version=2, people_met=1)


def test_a_finding_becomes_a_problem_on_the_visited_unit(tree, users):
    visit = visit_of(tree, users)
    fields = {"area": "organization", "deadline": today() + datetime.timedelta(days=30), "responsible": "王芳"}
    problem = services.problem_from_visit(users.editor_a, visit, tree.village_a1, **fields)
    assert problem.unit == tree.village_a1 and problem.visit == visit and problem.found_on == visit.date
    assert problem.description == visit.findings
    with pytest.raises(ValidationError):  # not a unit of the visit
        services.problem_from_visit(users.editor_a, visit, tree.village_a2, **fields)
    assert Problem.objects.count() == 1


def test_figures_count_visits_distinct_units_and_meetings(tree, users):
    visit_of(tree, users)  # county → township, village a1; 2 meetings
    visit_of(tree, users, visited=[tree.village_a1], meetings=1, attendance=8)
    tree.township_a.refresh_from_db()  # its MPTT bounds grew with its villages
    services.record_visit(users.editor_a, tree.township_a, [tree.village_a3], date=today(), meetings=4)
    services.record_visit(users.editor_b, tree.county_b, [tree.township_b], date=today(), meetings=1)
    last_year = datetime.date(today().year - 1, 6, 1)
    services.record_visit(users.editor_a, tree.county_a, [tree.township_a], date=last_year, meetings=9)
    assert visits.visit_figures(tree.county_a) == {"visits": 3, "units_visited": 3, "meetings": 7}
    assert visits.visit_figures(tree.township_a) == {"visits": 1, "units_visited": 1, "meetings": 4}
    assert visits.visit_figures(tree.city) == {"visits": 4, "units_visited": 4, "meetings": 8}
    by_child = dict(visits.visits_by_child(tree.city))
    assert by_child[tree.county_a]["visits"] == 3 and by_child[tree.county_b]["visits"] == 1
    assert Visit.objects.filter(date__year=today().year).count() == 4
    found = figure_sets.figure_set("visits")
    assert found in figure_sets.evaluated_sets()
    evaluated = found.evaluate([tree.county_a, tree.county_b, tree.township_a])
    assert evaluated[tree.county_a.pk]["units_visited"] == 3 and evaluated[tree.county_b.pk]["meetings"] == 1
    assert services.evaluated([tree.township_a], "meetings") == {tree.township_a.pk: 4}


# --- pages --------------------------------------------------------------------------------------


def test_pages_are_scoped(client, tree, users):
    visit = visit_of(tree, users)
    client.force_login(users.editor_b)
    assert client.get(reverse("reform:visits", args=[tree.county_a.pk])).status_code == 404
    assert client.get(reverse("reform:visit", args=[visit.pk])).status_code == 404
    assert client.get(reverse("reform:visit", args=[visit.pk + 1000])).status_code == 404
    client.force_login(users.viewer)
    page = client.get(reverse("reform:visit", args=[visit.pk])).content.decode()
    assert "黄墩社区" in page and 'name="action" value="problem"' not in page


def test_an_editor_records_a_visit_and_makes_a_problem_on_the_pages(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("reform:visits", args=[tree.county_a.pk])
    page = client.get(url).content.decode()
    assert 'value="record"' in page and tree.village_a1.name in page and tree.village_b1.name not in page
    data = {"action": "record", "kind": "survey", "date": today().isoformat(), "visited": [tree.township_a.pk]}
    data |= {"people_met": 5, "meetings": 0, "attendance": 3, "findings": "阵地建设不足"}
    response = client.post(url, data)
    assert response.status_code == 200 and not Visit.objects.exists()  # attendance without meetings
    assert "座谈" in response.content.decode() or "会" in response.content.decode()
    data["visited"] = [tree.village_b1.pk]
    assert client.post(url, data | {"attendance": 0}).status_code == 200 and not Visit.objects.exists()
    assert client.post(url, data | {"attendance": 0, "visited": [tree.township_a.pk]}).status_code == 302
    visit = Visit.objects.get()
    detail = reverse("reform:visit", args=[visit.pk])
    problem = {"action": "problem", "unit": tree.township_a.pk, "area": "organization", "responsible": "李梅"}
    problem |= {"description": "阵地建设不足", "deadline": (today() + datetime.timedelta(days=10)).isoformat()}
    assert client.post(detail, problem).status_code == 302
    assert Problem.objects.get().visit == visit
    assert "阵地建设不足" in client.get(detail).content.decode()


@pytest.mark.parametrize("visits", [1, 8])
def test_the_list_page_takes_a_fixed_number_of_queries(client, tree, users, django_assert_num_queries, visits):
    for _ in range(visits):
        visit_of(tree, users)
    client.force_login(users.viewer)
    url = reverse("reform:visits", args=[tree.county_a.pk])
    client.get(url)
    # session, user, scopes, unit; visits made and their units visited (one prefetch); visits received;
    # the figures: visits and meetings, distinct units visited; breadcrumbs; the unread-notices badge.
    with django_assert_num_queries(12):
        client.get(url)


# --- API ----------------------------------------------------------------------------------------


def test_api_create_update_and_scope(api, tree, users):
    client = api(users.editor_a)
    body = {"unit": tree.county_a.pk, "visited": [tree.township_a.pk], "kind": "supervision"}
    body |= {"date": today().isoformat(), "people_met": 4, "meetings": 1, "attendance": 9, "findings": ""}
    created = client.post("/api/visits/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    outside = client.post("/api/visits/", body | {"visited": [tree.village_b1.pk]}, format="json")
    assert outside.status_code == 400 and Visit.objects.count() == 1
    itself = client.post("/api/visits/", body | {"visited": [tree.county_a.pk]}, format="json")
    assert itself.status_code == 400 and "下管" in str(itself.json())
    updated = client.patch(f"/api/visits/{pk}/", {"people_met": 6, "version": 1}, format="json")
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert client.patch(f"/api/visits/{pk}/", {"people_met": 7, "version": 1}, format="json").status_code == 409
    assert [v["id"] for v in client.get("/api/visits/").json()["results"]] == [pk]
    other = api(users.editor_b)
    assert other.get("/api/visits/").json()["results"] == []
    missing, foreign = other.get(f"/api/visits/{pk + 1000}/"), other.get(f"/api/visits/{pk}/")
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    assert other.patch(f"/api/visits/{pk}/", {"people_met": 1}, format="json").status_code == 404
    problem = {"unit": tree.township_a.pk, "area": "organization", "description": "缺少活动阵地"}
    problem |= {"deadline": (today() + datetime.timedelta(days=5)).isoformat(), "responsible": "王芳"}
    made = client.post(f"/api/visits/{pk}/problem/", problem, format="json")
    assert made.status_code == 201 and Problem.objects.get().visit_id == pk
    figures = client.get(f"/api/units/{tree.county_a.pk}/visits/").json()
    assert (figures["visits"], figures["units_visited"], figures["meetings"]) == (1, 1, 1)
    assert other.get(f"/api/units/{tree.county_a.pk}/visits/").status_code == 404


# --- pilots (试点) and demonstrations -------------------------------------------------------------


def test_the_level_above_marks_a_pilot_and_ends_it(tree, users):
    assert services.record_visit(
        users.editor_a, tree.county_a, [tree.township_a], date=today(), kind=VisitKind.PROMOTION
    ).is_demonstration
    pilot = services.mark_pilot(users.editor_a, tree.township_a, " 会改联 ", today())
    assert pilot.topic == "会改联" and pilot.marked_by == users.editor_a
    with pytest.raises(ValidationError):  # once per topic while open
        services.mark_pilot(users.editor_a, tree.township_a, "会改联", today())
    with pytest.raises(PermissionDenied):  # not its own unit
        services.mark_pilot(users.editor_a, tree.county_a, "会改联", today())
    with pytest.raises(PermissionDenied):  # not another county's
        services.mark_pilot(users.editor_a, tree.village_b1, "会改联", today())
    with pytest.raises(ValidationError):
        services.end_pilot(users.editor_a, pilot, today() - datetime.timedelta(days=1), version=1)
    pilot = services.end_pilot(users.editor_a, pilot, today(), version=1)
    assert pilot.ended_on == today() and pilot.version == 2
    assert Pilot.objects.count() == 1


def test_an_editor_marks_a_pilot_on_the_page(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("reform:visits", args=[tree.county_a.pk])
    data = {"action": "pilot", "unit": tree.village_a1.pk, "topic": "", "since": today().isoformat()}
    assert client.post(url, data).status_code == 200 and not Pilot.objects.exists()
    assert client.post(url, data | {"topic": "妇女之家建设"}).status_code == 302
    assert "妇女之家建设" in client.get(url).content.decode()
    client.force_login(users.editor_b)
    assert client.post(url, data | {"topic": "妇女之家建设"}).status_code == 404


def test_api_refuses_another_countys_visiting_unit_and_gives_figures_by_child(api, tree, users):
    client = api(users.editor_a)
    body = {"unit": tree.county_b.pk, "visited": [tree.township_b.pk], "date": today().isoformat()}
    assert client.post("/api/visits/", body, format="json").status_code == 400
    assert not Visit.objects.exists()
    visit_of(tree, users)
    children = api(users.viewer).get(f"/api/units/{tree.city.pk}/visits/?by=children").json()["children"]
    found = {row["unit"]: (row["visits"], row["units_visited"], row["meetings"]) for row in children}
    assert found[tree.county_a.pk] == (1, 2, 2) and found[tree.county_b.pk] == (0, 0, 0)


def test_an_ended_pilot_cannot_be_ended_again(tree, users):
    pilot = services.mark_pilot(users.editor_a, tree.township_a, "会改联", today() - datetime.timedelta(days=3))
    services.end_pilot(users.editor_a, pilot, today(), version=1)
    with pytest.raises(ValidationError) as caught:
        services.end_pilot(users.editor_a, pilot, today())
    assert "ended_on" in caught.value.message_dict
    assert Pilot.objects.get().version == 2


def test_an_editor_ends_a_pilot_on_the_page(client, tree, users):
    pilot = services.mark_pilot(users.editor_a, tree.township_a, "妇女之家建设", today() - datetime.timedelta(days=3))
    url = reverse("reform:visits", args=[tree.county_a.pk])
    client.force_login(users.viewer)
    assert 'value="end_pilot"' not in client.get(url).content.decode()  # no form a viewer cannot submit
    client.force_login(users.editor_a)
    assert 'value="end_pilot"' in client.get(url).content.decode()
    data = {"action": "end_pilot", "pilot": pilot.pk, "ended_on": (today() - datetime.timedelta(days=9)).isoformat()}
    assert client.post(url, data).status_code == 200  # before it began: refused, nothing saved
    assert Pilot.objects.get().ended_on is None
    assert client.post(url, data | {"ended_on": today().isoformat()}).status_code == 302
    assert Pilot.objects.get().ended_on == today()
    assert "妇女之家建设" not in client.get(url).content.decode()
    client.force_login(users.editor_b)
    assert client.post(reverse("reform:visits", args=[tree.county_b.pk]), data).status_code == 200  # not hers
    assert ChangeRecord.objects.filter(content_type__model="pilot").count() == 2


def test_api_marks_lists_and_ends_pilots_in_scope(api, tree, users):
    editor = api(users.editor_a)
    since = (today() - datetime.timedelta(days=3)).isoformat()
    body = {"unit": tree.township_a.pk, "topic": "会改联", "since": since}
    created = editor.post("/api/pilots/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["ended_on"] is None and created.json()["version"] == 1
    assert editor.post("/api/pilots/", body | {"unit": tree.county_a.pk}, format="json").status_code == 403
    other = api(users.editor_b)
    missing = other.get("/api/pilots/999999/")
    assert other.get(f"/api/pilots/{pk}/").status_code == 404
    assert other.get(f"/api/pilots/{pk}/").json() == missing.json()
    assert other.patch(f"/api/pilots/{pk}/", {"ended_on": today().isoformat()}, format="json").status_code == 404
    assert other.get("/api/pilots/").json()["count"] == 0
    assert other.post("/api/pilots/", body, format="json").status_code == 400  # a unit outside her scope
    stale = editor.patch(f"/api/pilots/{pk}/", {"ended_on": today().isoformat(), "version": 7}, format="json")
    assert stale.status_code == 409
    assert editor.patch(f"/api/pilots/{pk}/", {"ended_on": None}, format="json").status_code == 400
    left_out = editor.patch(f"/api/pilots/{pk}/", {"topic": "", "version": 0}, format="multipart")
    assert left_out.status_code == 400 and "ended_on" in left_out.json()  # found by CI's fuzz run: was a 500
    ended = editor.patch(f"/api/pilots/{pk}/", {"ended_on": today().isoformat(), "version": 1}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == today().isoformat()
    assert editor.get("/api/pilots/?current=1").json()["count"] == 0
    assert editor.get("/api/pilots/").json()["count"] == 1


def test_the_list_page_filters_pages_and_exports_the_visits(client, tree, users):
    from io import BytesIO

    from openpyxl import load_workbook

    for n in range(23):
        visit_of(tree, users, date=today() - datetime.timedelta(days=n), kind=VisitKind.SURVEY)
    visit_of(tree, users, date=today() - datetime.timedelta(days=40), findings="走访座谈发现问题")
    client.force_login(users.viewer)
    url = reverse("reform:visits", args=[tree.county_a.pk])
    first = client.get(url).content.decode()
    assert first.count('class="cards visits"') == 1 and first.count("/visits/") >= 20
    assert "page=2" in first  # 24 visits, 20 a page
    supervision = client.get(url, {"kind": "supervision"}).context["page"]
    assert [v.findings for v in supervision] == ["走访座谈发现问题"]
    recent = client.get(url, {"since": (today() - datetime.timedelta(days=4)).isoformat()}).context["page"]
    assert len(recent.object_list) == 5
    sheet = load_workbook(BytesIO(client.get(url, {"export": "xlsx", "kind": "supervision"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "类型", "走访单位") and len(rows) == 2
    assert rows[1][2] == "延平区" and rows[1][3] == "黄墩街道、黄墩社区" and rows[1][-1] == "走访座谈发现问题"
    client.force_login(users.editor_b)
    assert client.get(url).status_code == 404
    assert client.get(url, {"export": "xlsx"}).status_code == 404


def test_api_filters_visits_by_kind_and_date(api, tree, users):
    visit_of(tree, users, date=today() - datetime.timedelta(days=10), kind=VisitKind.SURVEY)
    visit_of(tree, users)
    client = api(users.viewer)
    assert client.get("/api/visits/?kind=supervision").json()["count"] == 1
    since = (today() - datetime.timedelta(days=5)).isoformat()
    assert client.get(f"/api/visits/?since={since}").json()["count"] == 1
    assert client.get("/api/visits/?kind=nonsense").status_code == 400
