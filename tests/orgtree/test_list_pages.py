"""The one list page pattern on units and people: paged with the query string kept, filtered through
the API's own FilterSet, sorted by whitelisted keys only, exported through the workbook writer, scoped."""

import datetime
import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgtree.api.committee_views import PersonViewSet
from orgtree.api.views import UnitViewSet
from orgtree.models import Person
from orgtree.views.people import PersonListView
from orgtree.views.units import UnitListView
from tests.conftest import make


def names(response):
    return [row.name for row in response.context["page"]]


def sheet_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_page_two_shows_the_next_rows_and_the_links_keep_the_query(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("orgtree:unit_list")
    first = client.get(url, {"kind": "community", "per_page": 1})
    assert names(first) == ["黄墩社区"] and first.context["page"].paginator.num_pages == 2
    html = first.content.decode()
    assert "?kind=community&amp;per_page=1&amp;page=2" in html
    second = client.get(url, {"kind": "community", "per_page": 1, "page": 2})
    assert names(second) == ["西门社区"]
    assert "?kind=community&amp;per_page=1&amp;page=1" in second.content.decode()


def test_the_page_size_is_capped(client, tree, users):
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:unit_list"), {"per_page": 100000})
    assert response.context["page"].paginator.per_page == UnitListView.max_per_page


def test_the_page_and_the_api_filter_through_one_filterset(client, api, tree, users):
    assert UnitListView.filterset_class is UnitViewSet.filterset_class
    assert PersonListView.filterset_class is PersonViewSet.filterset_class
    Person.objects.create(unit=tree.village_a1, name="林秀英", political_status="party_member")
    Person.objects.create(unit=tree.village_a2, name="陈丽", political_status="masses")
    client.force_login(users.editor_a)
    page = client.get(reverse("orgtree:person_list"), {"political_status": "party_member"})
    listed = api(users.editor_a).get("/api/people/", {"political_status": "party_member"}).json()["results"]
    assert names(page) == [p["name"] for p in listed] == ["林秀英"]


def test_only_whitelisted_sort_keys_are_used(client, tree, users):
    client.force_login(users.editor_a)
    url = reverse("orgtree:unit_list")
    by_code = names(client.get(url))
    assert names(client.get(url, {"sort": "password"})) == by_code  # unknown: the default order
    assert names(client.get(url, {"sort": "-code;drop"})) == by_code
    by_name = names(client.get(url, {"sort": "name"}))
    assert by_name == sorted(by_code) and by_name != by_code


def test_the_export_holds_the_filtered_rows_of_the_scope_only(client, tree, users):
    make(tree.township_a, "village", '=HYPERLINK("http://x")村', "350702003202")
    client.force_login(users.editor_a)
    rows = sheet_rows(client.get(reverse("orgtree:unit_list"), {"kind": "village", "export": "xlsx"}))
    assert rows[0][:2] == ["名称", "类型"]
    exported = {row[0] for row in rows[1:]}
    assert exported == {"上坪村", '=HYPERLINK("http://x")村'}  # county B's 城东村 never appears
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("orgtree:unit_list"), {"q": "HYPERLINK", "export": "xlsx"}).content)
    )
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix  # written by the formula-safe writer


def test_the_people_export_is_scoped_and_leaves_out_id_numbers(client, tree, users):
    Person.objects.create(unit=tree.village_a1, name="林秀英", id_number="350702198001020021")
    Person.objects.create(unit=tree.village_b1, name="王芳")
    client.force_login(users.editor_a)
    rows = sheet_rows(client.get(reverse("orgtree:person_list"), {"export": "xlsx"}))
    assert [row[0] for row in rows[1:]] == ["林秀英"]
    assert not any("350702198001020021" in str(value) for row in rows for value in row)


def test_county_a_cannot_list_county_b(client, tree, users):
    Person.objects.create(unit=tree.village_b1, name="王芳")
    client.force_login(users.editor_a)
    units = client.get(reverse("orgtree:unit_list"), {"within": tree.county_b.pk})
    assert names(units) == [] and units.context["filterset"].errors
    people = client.get(reverse("orgtree:person_list"), {"unit": tree.village_b1.pk})
    assert names(people) == [] and people.context["filterset"].errors
    exported = sheet_rows(client.get(reverse("orgtree:person_list"), {"unit": tree.village_b1.pk, "export": "xlsx"}))
    assert exported[1:] == []


def test_the_query_count_is_fixed_per_page(client, tree, users, django_assert_num_queries):
    for i in range(3):
        Person.objects.create(unit=tree.village_a1, name=f"张{i}")
    client.force_login(users.editor_a)
    url = reverse("orgtree:person_list")
    client.get(url, {"per_page": 2})
    with CaptureQueriesContext(connection) as captured:
        client.get(url, {"per_page": 2})
    for i in range(10):
        Person.objects.create(unit=tree.village_a2, name=f"李{i}")
    with django_assert_num_queries(len(captured)):
        client.get(url, {"per_page": 2})
    with django_assert_num_queries(len(captured)):
        client.get(url, {"per_page": 2, "page": 3})


def test_the_conversion_grid_is_paged_and_grouped_by_township_with_the_filters_kept(client, tree, users):
    township_2 = make(tree.county_a, "township", "西芹镇", "350702101")
    make(township_2, "village", "西芹村", "350702101201", form="congress")
    client.force_login(users.editor_a)
    url = reverse("orgtree:conversion_grid", args=[tree.county_a.pk])
    first = client.get(url, {"show": "todo", "per_page": 2})
    assert names(first) == ["黄墩社区", "西门社区"] and first.context["total"] == 4
    html = first.content.decode()
    assert "?show=todo&amp;per_page=2&amp;page=2" in html and 'class="progress"' in html
    assert html.count('class="group"') == 1  # one township heading on this page
    second = client.get(url, {"show": "todo", "per_page": 2, "page": 2})
    assert names(second) == ["上坪村", "西芹村"] and second.content.decode().count('class="group"') == 2
    by_township = client.get(url, {"township": township_2.pk})
    assert names(by_township) == ["西芹村"]
    choices = {u.pk for u in by_township.context["filterset"].filters["township"].queryset}
    assert choices == {tree.township_a.pk, township_2.pk}
    other = client.get(url, {"township": tree.township_b.pk})  # county B's township: not a choice here
    assert names(other) == [] and other.context["filterset"].errors


def test_renewals_are_paged_lists_filtered_like_the_api(client, api, tree, users):
    from orgtree.api.committee_views import TermViewSet
    from orgtree.models import Term
    from orgtree.views.committees import RenewalsView

    assert RenewalsView.filterset_class is TermViewSet.filterset_class
    due = {
        tree.village_a1: datetime.date(2021, 1, 1),
        tree.village_a2: datetime.date(2022, 1, 1),
        tree.village_a3: datetime.date(2023, 1, 1),
        tree.village_b1: datetime.date(2020, 1, 1),
    }
    for village, due_on in due.items():
        Term.objects.create(unit=village, number=1, started_on=datetime.date(2016, 1, 1), due_on=due_on)
    client.force_login(users.editor_a)
    url = reverse("orgtree:renewals", args=[tree.county_a.pk])
    first = client.get(url, {"per_page": 2})
    units = [t.unit.name for t in first.context["page"]]
    assert units == ["黄墩社区", "西门社区"] and first.context["overdue_count"] == 3
    assert "?per_page=2&amp;page=2" in first.content.decode()
    second = client.get(url, {"per_page": 2, "page": 2})
    assert [t.unit.name for t in second.context["page"]] == ["上坪村"]
    listed = api(users.editor_a).get("/api/terms/", {"renewal": "overdue"}).json()["results"]
    assert {row["unit"] for row in listed} == {tree.village_a1.pk, tree.village_a2.pk, tree.village_a3.pk}
    assert [t.unit.name for t in client.get(url, {"renewal": "due_soon"}).context["page"]] == []
    assert client.get(reverse("orgtree:renewals", args=[tree.city.pk]), {"export": "xlsx"}).status_code == 404
    assert client.get(reverse("orgtree:renewals", args=[tree.county_b.pk]), {"export": "xlsx"}).status_code == 404
    exported = sheet_rows(client.get(url, {"export": "xlsx", "sort": "unit"}))
    assert [row[0] for row in exported[1:]] == ["黄墩社区", "西门社区", "上坪村"]
    client.force_login(users.viewer)  # the city sees county B's overdue term too
    city = sheet_rows(client.get(reverse("orgtree:renewals", args=[tree.city.pk]), {"export": "xlsx"}))
    assert [row[0] for row in city[1:]] == ["城东村", "黄墩社区", "西门社区", "上坪村"]


def test_an_export_past_the_limit_says_it_was_cut(client, tree, users, monkeypatch):
    monkeypatch.setattr(UnitListView, "export_limit", 2)
    client.force_login(users.editor_a)
    rows = sheet_rows(client.get(reverse("orgtree:unit_list"), {"export": "xlsx"}))
    assert len(rows) == 4 and "只导出了前 2 行" in rows[3][0]
    rows = sheet_rows(client.get(reverse("orgtree:unit_list"), {"kind": "village", "export": "xlsx"}))
    assert len(rows) == 2  # one village in county A: nothing cut, nothing said
