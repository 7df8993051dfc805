import io

from django.urls import reverse
from openpyxl import load_workbook

from federation.figures import evaluated_sets
from orgtree import coverage
from orgtree.views.dashboard import TABLE
from tests.orgtree.test_coverage import recorded  # noqa: F401 - fixture


def test_dashboard_is_scoped(client, recorded, tree, users):  # noqa: F811
    client.force_login(users.editor_a)
    assert client.get(reverse("orgtree:dashboard", args=[tree.county_b.pk])).status_code == 404
    assert client.get(reverse("orgtree:dashboard_export", args=[tree.county_b.pk])).status_code == 404
    assert client.get(reverse("orgtree:dashboard", args=[tree.county_a.pk])).status_code == 200


def test_dashboard_shows_figures_by_child_with_a_fixed_number_of_queries(client, recorded, tree, users):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make

    client.force_login(users.viewer)
    url = reverse("orgtree:dashboard", args=[tree.city.pk])
    response = client.get(url)
    rows = {child.name: values for child, values in response.context["rows"]}
    assert rows["延平区"][0] == 3 and rows["延平区"][1] == 1  # villages, converted
    assert "echarts.min.js" in response.content.decode() and "会改联" in response.content.decode()
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    make(tree.city, "county", "新设区", "350799")
    make(tree.city, "agency", "市直机关二")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_as_of_and_a_bad_date(client, recorded, tree, users):  # noqa: F811
    client.force_login(users.viewer)
    url = reverse("orgtree:dashboard", args=[tree.city.pk])
    past = client.get(url, {"as_of": "2021-12-31"}).context["total"]
    assert past[TABLE.index("villages_converted")] == 1  # converted by then
    assert client.get(url, {"as_of": "坏日期"}).status_code == 200  # falls back to today


def test_export_has_every_key_and_the_definitions(client, recorded, tree, users):  # noqa: F811
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:dashboard_export", args=[tree.city.pk]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert {"延平区", "建阳区", "南平市直机关妇工委"} <= set(names) and names[-1] == "合计"
    definitions = {row[1]: row for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)}
    others = evaluated_sets()  # then a sheet per other app's evaluated set, their keys defined too
    assert [sheet.title for sheet in book.worksheets[1:-1]] == [str(found.title) for found in others]
    assert book.worksheets[-1].title == "指标说明"
    assert len(definitions) == len(list(coverage.FIGURES)) + sum(len(list(found)) for found in others)
    assert definitions["chairs"][:4] == ("主席", "chairs", "人", "求和")
    assert definitions["conversion_rate"][2:4] == ("%", "比率：已会改联 ÷ 村（社区）数")


def test_the_citys_own_committees_are_one_row_beside_its_counties(client, recorded, tree, users):  # noqa: F811
    """A city's agencies (73 市直机关 in 汉中市) are one row of its dashboard, not one row each among the
    counties: the chart and the table list the areas, one row the rest (the city itself and its agencies:
    the total less the areas)."""
    from tests.conftest import make

    make(tree.city, "agency", "市直机关二")
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:dashboard", args=[tree.city.pk]))
    assert [child.name for child, _values in response.context["rows"]] == ["延平区", "建阳区"]
    own = response.context["own"]
    assert own["count"] == 2 and own["values"][TABLE.index("villages_total")] == 0
    total = response.context["total"]
    by_area = [values for _child, values in response.context["rows"]]
    executives = TABLE.index("executives")
    assert total[executives] == sum(v[executives] for v in by_area) + own["values"][executives]
    assert "本级及直属妇女组织（2 个）" in response.content.decode()
