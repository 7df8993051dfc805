"""Problems and checklist items on the one list page pattern: the API's FilterSet, pages with the query
kept, an export through the workbook writer that holds the requester's scope only."""

import datetime
import io

import openpyxl
from django.urls import reverse

from reform import services
from reform.api.views import ChecklistItemViewSet, ProblemViewSet
from reform.models import ChecklistItem, ItemStatus, ProblemStatus
from reform.views import ChecklistView, ProblemListView
from tests.reform.test_pages_api import assigned, item  # noqa: F401 - the fixture


def report(user, unit, description, deadline):
    return services.report_problem(
        user,
        unit,
        area="organization",
        description=description,
        found_on=datetime.date(2026, 9, 1),
        deadline=deadline,
        responsible="王芳",
    )


def sheet_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_problems_are_paged_filtered_like_the_api_and_exported_within_scope(client, api, tree, users):
    assert ProblemListView.filterset_class is ProblemViewSet.filterset_class
    for day, unit in ((1, tree.village_a1), (2, tree.village_a2), (3, tree.village_a3)):
        report(users.editor_a, unit, f"问题{day}", datetime.date(2026, 11, day))
    done = report(users.editor_a, tree.village_a1, "已整改", datetime.date(2026, 10, 1))
    services.move_problem(users.editor_a, done, ProblemStatus.RECTIFYING)
    report(users.editor_b, tree.village_b1, "乙县问题", datetime.date(2026, 11, 1))
    client.force_login(users.editor_a)
    url = reverse("reform:problems", args=[tree.county_a.pk])
    first = client.get(url, {"per_page": 2, "area": "organization"})
    assert [p.description for p in first.context["page"]] == ["已整改", "问题1"]
    assert "?per_page=2&amp;area=organization&amp;page=2" in first.content.decode()
    second = client.get(url, {"per_page": 2, "area": "organization", "page": 2})
    assert [p.description for p in second.context["page"]] == ["问题2", "问题3"]
    listed = api(users.editor_a).get("/api/problems/", {"status": "rectifying"}).json()["results"]
    page = client.get(url, {"status": "rectifying"}).context["page"]
    assert [p["description"] for p in listed] == [p.description for p in page] == ["已整改"]
    rows = sheet_rows(client.get(url, {"export": "xlsx", "status": "all"}))
    assert rows[0][0] == "问题" and {row[0] for row in rows[1:]} == {"问题1", "问题2", "问题3", "已整改"}
    assert client.get(reverse("reform:problems", args=[tree.county_b.pk]), {"export": "xlsx"}).status_code == 404
    client.force_login(users.viewer)
    city = sheet_rows(client.get(reverse("reform:problems", args=[tree.city.pk]), {"export": "xlsx"}))
    assert "乙县问题" in {row[0] for row in city[1:]}


def test_checklist_items_are_paged_and_filtered_like_the_api(client, api, assigned, users):  # noqa: F811
    assert ChecklistView.filterset_class is ChecklistItemViewSet.filterset_class
    services.fill(users.editor_a, item(assigned.county_a, "A1"), True)
    client.force_login(users.editor_a)
    url = reverse("reform:checklist", args=[assigned.county_a.pk])
    total = ChecklistItem.objects.filter(unit=assigned.county_a).count()
    first = client.get(url, {"per_page": 5})
    assert len(first.context["page"]) == 5 and first.context["page"].paginator.count == total
    assert sum(len(rows) for _template, rows in first.context["groups"]) == 5
    assert "?per_page=5&amp;page=2" in first.content.decode()
    second = client.get(url, {"per_page": 5, "page": 2})
    assert not {i.pk for i in first.context["page"]} & {i.pk for i in second.context["page"]}
    submitted = client.get(url, {"status": ItemStatus.SUBMITTED}).context["page"]
    listed = (
        api(users.editor_a)
        .get("/api/checklist-items/", {"unit": assigned.county_a.pk, "status": ItemStatus.SUBMITTED})
        .json()["results"]
    )
    assert {i.pk for i in submitted} == {row["id"] for row in listed}
    assert item(assigned.county_a, "A1").pk in {i.pk for i in submitted}
    # A unit of county B is not a choice: 400 over the API, like an id of nothing.
    assert api(users.editor_a).get("/api/checklist-items/", {"unit": assigned.county_b.pk}).status_code == 400
    rows = sheet_rows(client.get(url, {"export": "xlsx", "met": "true"}))
    met = ChecklistItem.objects.filter(unit=assigned.county_a, met=True).count()
    assert len(rows) == met + 1 and any(row[1].startswith("A1 ") for row in rows[1:])
