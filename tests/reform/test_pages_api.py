"""Reform pages, exports and API: they work, keep typed values on errors, and stay in scope."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from federation.models import Role
from reform import services
from reform.models import Campaign, ChecklistItem, ItemStatus
from tests.conftest import scoped_user
from tests.reform.test_problems_tasks import PDF, problem_of


@pytest.fixture
def assigned(template, tree, users):
    services.assign(users.editor_a, template, tree.county_a)
    services.assign(users.editor_b, template, tree.county_b)
    return tree


def item(unit, number):
    return ChecklistItem.objects.get(unit=unit, template_item__number=number)


UNIT_PAGES = [
    "reform:overview",
    "reform:checklist",
    "reform:problems",
    "reform:tasks",
    "reform:diagnosis",
    "reform:diagnosis_export",
]


@pytest.mark.parametrize("name", UNIT_PAGES)
def test_unit_pages_are_scoped(client, assigned, users, name):
    client.force_login(users.editor_a)
    assert client.get(reverse(name, args=[assigned.county_a.pk])).status_code == 200
    assert client.get(reverse(name, args=[assigned.county_b.pk])).status_code == 404
    client.force_login(users.viewer)
    assert client.get(reverse(name, args=[assigned.county_b.pk])).status_code == 200


def test_item_problem_and_evidence_pages_are_scoped(client, assigned, users):
    township_item = item(assigned.township_a, "B2")
    problem = problem_of(assigned, users)
    evidence = services.attach_evidence(users.editor_a, SimpleUploadedFile("报告.pdf", PDF), problem=problem)
    urls = [
        reverse("reform:item", args=[township_item.pk]),
        reverse("reform:problem", args=[problem.pk]),
        reverse("reform:evidence", args=[evidence.pk]),
    ]
    client.force_login(users.editor_b)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(users.viewer)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    response = client.get(urls[2])
    assert b"".join(response.streaming_content) == PDF and "attachment" in response["Content-Disposition"]


def test_filling_on_the_page_keeps_a_bad_answer_and_says_why(client, assigned, users):
    funds = item(assigned.township_a, "B2")
    client.force_login(users.editor_a)
    url = reverse("reform:item", args=[funds.pk])
    response = client.post(url, {"action": "fill", "version": funds.version, "value": "三万", "note": "待核实"})
    assert response.status_code == 200
    assert "三万" in response.content.decode() and "待核实" in response.content.decode()
    assert "数" in str(response.context["fill_form"].errors["value"])
    response = client.post(url, {"action": "fill", "version": funds.version, "value": "30000", "note": ""})
    assert response.status_code == 302
    funds.refresh_from_db()
    assert funds.status == ItemStatus.SUBMITTED and funds.met is True


def test_a_viewer_cannot_fill_and_a_county_cannot_review_itself(client, assigned, users):
    own = item(assigned.county_a, "A1")
    client.force_login(users.viewer)
    response = client.post(reverse("reform:item", args=[own.pk]), {"action": "fill", "version": 1, "value": "yes"})
    assert response.status_code == 403
    services.fill(users.admin_a, own, True)
    client.force_login(users.admin_a)
    page = client.get(reverse("reform:item", args=[own.pk]))
    assert "review_form" not in page.context
    response = client.post(
        reverse("reform:item", args=[own.pk]), {"action": "review", "version": 2, "decision": "accept"}
    )
    assert response.status_code == 403


def test_the_county_reviews_a_township_on_the_page(client, assigned, users):
    township_item = services.fill(users.editor_a, item(assigned.township_a, "A4"), True)
    client.force_login(users.editor_a)
    queue = client.get(reverse("reform:checklist", args=[assigned.county_a.pk])).context["to_review"]
    assert township_item in list(queue)
    response = client.post(
        reverse("reform:item", args=[township_item.pk]),
        {"action": "review", "version": township_item.version, "decision": "accept"},
    )
    assert response.status_code == 302
    township_item.refresh_from_db()
    assert township_item.status == ItemStatus.ACCEPTED


def test_the_diagnostic_sheet_lists_unmet_items_and_open_problems(client, assigned, users):
    services.fill(users.editor_a, item(assigned.township_a, "B2"), "10000")
    services.report_problem(
        users.editor_a,
        assigned.township_a,
        area="funding",
        description="工作经费不足",
        found_on=datetime.date(2026, 9, 1),
        deadline=datetime.date(2026, 10, 1),
        responsible="张",
    )
    client.force_login(users.editor_a)
    page = client.get(reverse("reform:diagnosis", args=[assigned.township_a.pk]))
    assert any(i.template_item.number == "B2" for i in page.context["items"])
    export = client.get(reverse("reform:diagnosis_export", args=[assigned.township_a.pk]))
    book = load_workbook(io.BytesIO(export.content))
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "乡镇（街道）妇联每年工作经费（元）" in cells and "10000" in cells
    assert "工作经费不足" in [c for row in book.worksheets[1].iter_rows(values_only=True) for c in row]


def test_the_dashboard_shows_reform_progress_by_child(client, assigned, users):
    client.force_login(users.viewer)
    reform = client.get(reverse("orgtree:dashboard", args=[assigned.city.pk])).context["reform"]
    names = [c.name for c, _v in reform["rows"]]
    assert "延平区" in names and "建阳区" in names


def test_reform_api_is_scoped_and_rolls_up_by_child(api, assigned, users, django_assert_max_num_queries):
    url = reverse("api:unit-reform", args=[assigned.city.pk])
    assert api(users.editor_a).get(url).status_code == 404
    with django_assert_max_num_queries(12):
        body = api(users.viewer).get(url, {"by": "children"}).json()
    rows = {r["name"]: r for r in body["children"]}
    assert rows["延平区"]["items"] > 0 and rows["延平区"]["completion_rate"] is not None
    total = api(users.viewer).get(url).json()
    assert total["items"] == sum(r["items"] for r in body["children"])


def test_checklist_item_api_fill_review_and_scope(api, assigned, users):
    funds = item(assigned.township_a, "B2")
    list_url = reverse("api:checklist-item-list")
    ids = {row["id"] for row in api(users.editor_b).get(list_url, {"page_size": 500}).json()["results"]}
    assert funds.pk not in ids
    fill = reverse("api:checklist-item-fill", args=[funds.pk])
    assert api(users.editor_b).post(fill, {"value": 1}, format="json").status_code == 404
    bad = api(users.editor_a).post(fill, {"value": "abc"}, format="json")
    assert bad.status_code == 400 and "value" in bad.json()
    done = api(users.editor_a).post(fill, {"value": 30000, "version": funds.version}, format="json")
    assert done.status_code == 200 and done.json()["met"] is True
    stale = api(users.editor_a).post(fill, {"value": 1, "version": funds.version}, format="json")
    assert stale.status_code == 409
    own = item(assigned.county_a, "A1")
    services.fill(users.admin_a, own, True)
    review = reverse("api:checklist-item-review", args=[own.pk])
    assert api(users.admin_a).post(review, {"accept": True}, format="json").status_code == 403


def test_problem_and_task_api_are_scoped(api, assigned, users):
    problems = reverse("api:problem-list")
    body = {
        "unit": assigned.village_b1.pk,
        "area": "organization",
        "description": "x",
        "found_on": "2026-09-01",
        "deadline": "2026-10-01",
        "responsible": "张",
    }
    assert api(users.editor_a).post(problems, body, format="json").status_code == 400
    body["unit"] = assigned.village_a1.pk
    created = api(users.editor_a).post(problems, body, format="json")
    assert created.status_code == 201
    assert api(users.editor_b).get(reverse("api:problem-detail", args=[created.json()["id"]])).status_code == 404
    tasks = reverse("api:key-task-list")
    task = api(users.editor_a).post(
        tasks, {"unit": assigned.township_a.pk, "title": "换届", "deadline": "2026-12-31"}, format="json"
    )
    assert task.status_code == 201
    progress = reverse("api:key-task-progress", args=[task.json()["id"]])
    assert api(users.editor_b).post(progress, {"progress": 50}, format="json").status_code == 404
    assert api(users.viewer).post(progress, {"progress": 50}, format="json").status_code == 403
    assert api(users.editor_a).post(progress, {"progress": 100}, format="json").json()["status"] == "done"


def test_a_campaign_page_shows_milestones_for_units_under_its_owner(client, tree, users):
    city_admin = scoped_user("city_admin", tree.city, Role.ADMIN)
    campaign = services.create_campaign(
        city_admin,
        tree.city,
        name="百日攻坚",
        starts_on=datetime.date(2099, 1, 1),
        ends_on=datetime.date(2099, 3, 1),
        milestones=[
            {"phase": "一", "due_on": datetime.date(2099, 2, 1), "coverage_key": "conversion_rate", "target": 50}
        ],
    )
    client.force_login(users.editor_a)
    page = client.get(reverse("reform:campaign", args=[tree.county_a.pk, campaign.pk]))
    ((_milestone, _label, status, behind),) = page.context["milestones"]
    assert status["state"] == "behind" and [c.name for c in behind] == ["黄墩街道"]
    assert client.get(reverse("reform:campaign", args=[tree.county_b.pk, campaign.pk])).status_code == 404
    other = services.create_campaign(
        None, tree.county_b, name="建阳行动", starts_on=datetime.date(2099, 1, 1), ends_on=datetime.date(2099, 3, 1)
    )
    client.force_login(users.editor_b)
    assert client.get(reverse("reform:campaign", args=[tree.county_a.pk, other.pk])).status_code == 404
    assert client.get(reverse("api:campaign-status", args=[campaign.pk])).status_code in (403, 404)


def test_campaign_admin_is_scoped(client, tree, users):
    from django.contrib.auth.models import Permission

    users.admin_a.is_staff = True
    users.admin_a.save()
    for codename in ("view_campaign", "add_campaign", "change_campaign"):
        users.admin_a.user_permissions.add(Permission.objects.get(codename=codename))
    services.create_campaign(
        None, tree.county_a, name="延平行动", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 1)
    )
    services.create_campaign(
        None, tree.county_b, name="建阳行动", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 1)
    )
    client.force_login(users.admin_a)
    listed = client.get(reverse("admin:reform_campaign_changelist")).context["cl"].result_list
    assert [c.name for c in listed] == ["延平行动"]
    response = client.post(
        reverse("admin:reform_campaign_add"),
        {
            "name": "越权",
            "unit": tree.county_b.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-02-01",
            "milestones-TOTAL_FORMS": 0,
            "milestones-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and not Campaign.objects.filter(name="越权").exists()
    assert client.get(reverse("admin:reform_checklisttemplate_changelist")).status_code == 403


def test_the_checklist_page_has_a_fixed_number_of_queries(client, assigned, users, django_assert_max_num_queries):
    for number in ("A4", "B2", "C4"):
        services.fill(users.editor_a, item(assigned.township_a, number), "yes" if number != "B2" else "1")
    client.force_login(users.editor_a)
    # The first page of the day runs the daily notices: the 报送 producer adds one query (the plans).
    with django_assert_max_num_queries(15):
        page = client.get(reverse("reform:checklist", args=[assigned.county_a.pk]))
    assert len(page.context["to_review"]) == 5  # the three answers and two automatic items (C1, C7)


def test_a_large_assignment_runs_as_a_job_and_notifies(client, template, tree, users, monkeypatch):
    from federation.models import Notification
    from reform import views

    monkeypatch.setattr(views, "BACKGROUND_ASSIGNMENT_UNITS", 3)
    client.force_login(users.editor_a)
    response = client.post(
        reverse("reform:checklist", args=[tree.county_a.pk]),
        {"action": "assign", "template": template.pk, "due_on": "2026-12-31"},
        follow=True,
    )
    assert "后台" in response.content.decode() or "通知" in response.content.decode()
    assert ChecklistItem.objects.filter(unit=tree.township_a).exists()  # eager Celery ran the job
    assert "已生成" in Notification.objects.get(user=users.editor_a, key__startswith="assigned:").message


def test_the_county_hands_a_key_task_to_a_township_on_the_page(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("reform:tasks", args=[tree.county_a.pk])
    choices = [u.name for u in client.get(url).context["create_form"].fields["unit"].queryset]
    assert set(choices) == {"延平区", "黄墩街道"}
    response = client.post(
        url, {"action": "create", "title": "完成换届", "unit": tree.township_a.pk, "deadline": "2026-12-31"}
    )
    assert response.status_code == 302
    response = client.post(
        url, {"action": "create", "title": "越权", "unit": tree.township_b.pk, "deadline": "2026-12-31"}
    )
    assert response.status_code == 200 and response.context["create_form"].errors["unit"]
    client.force_login(users.editor_a)
    task = client.get(reverse("reform:tasks", args=[tree.township_a.pk])).context["rows"][0][0]
    assert task.title == "完成换届" and task.unit == tree.township_a


def test_evidence_over_the_api_then_a_problem_is_resolved(api, tree, users):
    problem = problem_of(tree, users)
    url = reverse("api:problem-evidence", args=[problem.pk])
    bad = api(users.editor_a).post(url, {"file": SimpleUploadedFile("病毒.pdf", b"MZ\x90")}, format="multipart")
    assert bad.status_code == 400 and "PDF" in str(bad.json())
    assert (
        api(users.editor_b).post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart").status_code == 404
    )
    good = api(users.editor_a).post(url, {"file": SimpleUploadedFile("整改.pdf", PDF)}, format="multipart")
    assert good.status_code == 201 and good.json()["content_type"] == "application/pdf"
    moved = api(users.editor_a).post(
        reverse("api:problem-move", args=[problem.pk]), {"status": "resolved", "rectification": "已补选"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "resolved"
    verify = reverse("api:problem-move", args=[problem.pk])
    refused = api(users.editor_a).post(verify, {"status": "verified"}, format="json")
    assert refused.status_code == 403 and "下管一级" in str(refused.json())  # the county is two levels up
    township = scoped_user("editor_t", tree.township_a, Role.EDITOR)
    assert api(township).post(verify, {"status": "verified"}, format="json").status_code == 200  # the street


def test_a_unit_admin_creates_a_campaign_with_milestones_on_the_page(client, tree, users):
    url = reverse("reform:campaign_create", args=[tree.county_a.pk])
    client.force_login(users.editor_a)
    assert client.get(url).status_code == 403  # editors do not run campaigns
    client.force_login(users.admin_a)
    assert client.get(reverse("reform:campaign_create", args=[tree.county_b.pk])).status_code == 404
    form = {
        "name": "百日攻坚",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
        "m-TOTAL_FORMS": 3,
        "m-INITIAL_FORMS": 0,
        "m-0-phase": "第一阶段",
        "m-0-due_on": "2026-06-30",
        "m-0-coverage_key": "conversion_rate",
        "m-0-target": "33.3",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and response.context["form"].errors["ends_on"]
    assert "百日攻坚" in response.content.decode()
    form["ends_on"] = "2026-08-31"
    response = client.post(url, form)
    campaign = Campaign.objects.get(name="百日攻坚")
    assert response.status_code == 302 and float(campaign.milestones.get().target) == 33.3


def test_a_yes_no_item_has_no_target_and_the_document_says_it_may_be_null(api, assigned, users):
    schema = api(users.editor_a).get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["ChecklistItem"]["properties"]["target"]["nullable"] is True
    yes_no = ChecklistItem.objects.filter(unit=assigned.county_a, template_item__target__isnull=True).first()
    assert api(users.editor_a).get(reverse("api:checklist-item-detail", args=[yes_no.pk])).json()["target"] is None
