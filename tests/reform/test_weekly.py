"""The 周报 document (issue #16 item 3): its content against the records, the Word file, the chart, the
print view, the API, scope, the period rules and bad input in Chinese, and its fixed query count."""

import datetime
import io
import re
from urllib.parse import unquote

import docx
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from federation.models import Role
from orgtree import coverage
from orgtree.conversion import Conversion, Member, record_conversion
from orgtree.views.dashboard import HEADLINES
from reform import reports, services, weekly, weekly_chart, weekly_docx
from reform.models import Cadence, ProblemStatus
from tests.conftest import make, scoped_user

DAY = datetime.timedelta(days=1)


def convert(user, village, day):
    members = [Member("林秀英", role="chair"), Member("陈美华"), Member("黄丽萍")]
    record_conversion(user, village, Conversion(held_on=day, entitled=120, present=100, members=members))


@pytest.fixture
def week(tree, users):
    """The last full week, with a conversion before it (a1) and one in it (b1), problems, a campaign,
    visits and key tasks around its edges."""
    start, end = weekly.last_week()
    convert(users.editor_a, tree.village_a1, start - 12 * DAY)
    convert(users.editor_b, tree.village_b1, start + DAY)
    problem = {"area": "organization", "responsible": "王芳", "found_on": start - 5 * DAY}
    services.report_problem(users.editor_a, tree.village_a2, description="执委人数不足", deadline=end - DAY, **problem)
    services.report_problem(
        users.editor_a, tree.village_a3, description="阵地未挂牌", deadline=end + 9 * DAY, **problem
    )
    services.report_problem(users.editor_b, tree.village_b1, description="建阳问题", deadline=end - DAY, **problem)
    services.report_problem(
        users.editor_a,
        tree.village_a1,
        description="下周才发现",
        deadline=end + 9 * DAY,
        **{**problem, "found_on": end + DAY},
    )
    city_admin = scoped_user("city_admin", tree.city, Role.ADMIN)
    services.create_campaign(
        city_admin,
        tree.city,
        name="百日攻坚",
        starts_on=start - 30 * DAY,
        ends_on=end + 60 * DAY,
        milestones=[
            {"phase": "第一阶段", "due_on": start - 10 * DAY, "coverage_key": "villages_converted", "target": 1},
            {"phase": "第二阶段", "due_on": end + 30 * DAY, "coverage_key": "conversion_rate", "target": 100},
        ],
    )
    services.create_campaign(None, tree.county_b, name="建阳行动", starts_on=start, ends_on=end)
    services.create_campaign(None, tree.city, name="往年行动", starts_on=start - 400 * DAY, ends_on=start - 300 * DAY)
    services.record_visit(
        users.editor_a, tree.county_a, [tree.township_a], date=start + 2 * DAY, meetings=2, attendance=30
    )
    services.record_visit(users.editor_a, tree.county_a, [tree.village_a1], date=start - DAY, meetings=1, attendance=9)
    services.record_visit(users.editor_b, tree.county_b, [tree.township_b], date=end, findings="建阳走访")
    services.create_task(users.editor_a, tree.township_a, title="完成换届", deadline=end - 2 * DAY)
    services.create_task(users.editor_a, tree.township_a, title="下月任务", deadline=end + 20 * DAY)
    done = services.create_task(users.editor_a, tree.township_a, title="已完成任务", deadline=end - 2 * DAY)
    services.report_progress(users.editor_a, done, 100)
    return start, end


def test_the_default_period_is_the_last_full_week_before_today():
    for today in (datetime.date(2026, 11, 23), datetime.date(2026, 11, 28), datetime.date(2026, 11, 29)):
        assert weekly.last_week(today) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    assert weekly.period_from({}, datetime.date(2026, 11, 30)) == (
        datetime.date(2026, 11, 23),
        datetime.date(2026, 11, 29),
    )
    assert weekly.period_from({"week": "2026-11-19"}) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    assert weekly.period_from({"start": "2026-11-01", "end": "2026-11-30"}) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert weekly.period_from({"start": "2026-11-01"}) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 7))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"week": "2026-13-01"}, "日期"),
        ({"start": "昨天"}, "日期"),
        ({"start": "2026-11-30", "end": "2026-11-01"}, "早于"),
        ({"start": "2025-01-01", "end": "2026-06-30"}, "一年"),
        ({"week": "2026-11-16", "start": "2026-11-16"}, "不能同时"),
        ({"start": "0001-01-01"}, "1950"),
        ({"start": "9999-12-31"}, "1950"),
        ({"end": "0001-01-01"}, "1950"),
        ({"week": "9999-12-31"}, "1950"),
    ],
)
def test_bad_periods_are_refused_in_chinese(client, api, tree, users, params, message):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        weekly.period_from(params)
    assert message in " ".join(excinfo.value.messages)
    client.force_login(users.viewer)
    page = client.get(reverse("reform:weekly", args=[tree.city.pk]), params)
    assert page.status_code == 400 and message in page.content.decode()
    download = client.get(reverse("reform:weekly_docx", args=[tree.city.pk]), params)
    assert download.status_code == 400 and message in download.content.decode()
    response = api(users.viewer).get(reverse("api:unit-weekly-report", args=[tree.city.pk]), params)
    assert response.status_code == 400 and message in str(response.json())


def test_a_nul_in_a_date_is_a_400_in_chinese(client, api, tree, users):
    client.force_login(users.viewer)
    for name in ("reform:weekly", "reform:weekly_docx"):
        response = client.get(reverse(name, args=[tree.city.pk]), {"end": "2026-11-30\x00"})
        assert response.status_code == 400 and "字符" in response.content.decode()
    response = api(users.viewer).get(reverse("api:unit-weekly-report", args=[tree.city.pk]), {"week": "\x00"})
    assert response.status_code == 400 and "字" in str(response.json())


def test_headline_figures_and_changes_equal_coverage_at_the_dates(tree, users, week):
    start, end = week
    report = weekly.build(tree.city, start, end, user=users.viewer)
    at_end, before = coverage.coverage(tree.city, end), coverage.coverage(tree.city, start - DAY)
    assert [f["key"] for f in report["headlines"]] == HEADLINES
    for figure in report["headlines"]:
        assert figure["value"] == at_end[figure["key"]] and figure["before"] == before[figure["key"]]
    converted = next(f for f in report["headlines"] if f["key"] == "villages_converted")
    assert (converted["value"], converted["before"], converted["change"]) == (2, 1, 1)
    assert converted["label"] == "已会改联" and converted["unit"] == "个"  # from the figure sets, in Chinese
    assert report["period"] == {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "before": (start - DAY).isoformat(),
    }
    assert report["title"] == "南平市妇联组织改革周报"


def test_the_table_by_child_gives_each_county_with_its_change(tree, users, week):
    start, end = week
    table = weekly.build(tree.city, start, end, user=users.viewer)["by_child"]
    keys = [c["key"] for c in table["columns"]]
    rows = {r["unit"]["name"]: dict(zip(keys, r["values"], strict=True)) for r in table["rows"]}
    assert list(rows) == ["延平区", "建阳区"]  # by area: the city's agency is not a row
    assert rows["延平区"]["villages_converted"] == {"value": 1, "change": 0}
    assert rows["建阳区"]["villages_converted"] == {"value": 1, "change": 1}
    assert rows["建阳区"]["conversion_rate"] == {"value": 100.0, "change": 100.0}
    by_child = dict(coverage.coverage_by_child(tree.city, end, children=[tree.county_a, tree.county_b]))
    assert rows["延平区"]["conversion_rate"]["value"] == by_child[tree.county_a]["conversion_rate"]
    total = dict(zip(keys, table["total"], strict=True))
    assert total["villages_converted"] == {"value": 2, "change": 1}
    chart = weekly.build(tree.city, start, end, user=users.viewer)["chart"]
    assert chart["names"] == ["延平区", "建阳区"] and chart["values"] == [
        by_child[tree.county_a]["conversion_rate"],
        100.0,
    ]


def test_problems_open_and_overdue_are_those_of_the_subtree_at_the_end(tree, users, week):
    start, end = week
    problems = weekly.build(tree.county_a, start, end, user=users.editor_a)["problems"]
    assert (problems["open"], problems["overdue"]) == (2, 1)  # found later and county B's are left out
    assert [(p["description"], p["overdue"]) for p in problems["rows"]] == [
        ("执委人数不足", True),
        ("阵地未挂牌", False),
    ]
    city = weekly.build(tree.city, start, end, user=users.viewer)["problems"]
    assert (city["open"], city["overdue"]) == (3, 2)
    problem = services.report_problem(
        users.editor_a,
        tree.village_a3,
        area="organization",
        responsible="王芳",
        description="已整改",
        found_on=start,
        deadline=end - DAY,
    )
    problem.status = ProblemStatus.VERIFIED
    problem.save()
    assert weekly.build(tree.county_a, start, end, user=users.editor_a)["problems"]["open"] == 2


def test_milestones_of_the_campaigns_covering_the_period_are_judged_at_its_end(tree, users, week):
    start, end = week
    milestones = weekly.build(tree.county_a, start, end, user=users.editor_a)["milestones"]
    assert [(m["campaign"], m["phase"], m["state"]) for m in milestones] == [
        ("百日攻坚", "第一阶段", "met"),  # judged on its due date: a1 was converted before it
        ("百日攻坚", "第二阶段", "behind"),  # 1 of 3 villages of county A at the end
    ]
    assert milestones[1]["actual"] == coverage.coverage(tree.county_a, end)["conversion_rate"]
    assert milestones[0]["state_label"] == "已达成"
    names = {m["campaign"] for m in weekly.build(tree.county_b, start, end, user=users.editor_b)["milestones"]}
    assert names == {"百日攻坚"}  # 建阳行动 has no milestone; 往年行动 ended before the period


def test_visits_and_key_tasks_of_the_period(tree, users, week):
    start, end = week
    report = weekly.build(tree.county_a, start, end, user=users.editor_a)
    assert [(v["unit"], v["visited"], v["meetings"]) for v in report["visits"]["rows"]] == [("延平区", ["黄墩街道"], 2)]
    figures = {f["key"]: f["value"] for f in report["visits"]["figures"]}
    assert figures == {"visits": 1, "units_visited": 1, "meetings": 2}
    assert report["tasks_overdue"]["count"] == 1
    assert [t["title"] for t in report["tasks_overdue"]["rows"]] == ["完成换届"]
    city = weekly.build(tree.city, start, end, user=users.viewer)
    assert [v["findings"] for v in city["visits"]["rows"]] == ["", "建阳走访"]


def test_the_word_file_opens_with_title_table_by_child_and_chart(client, tree, users, week):
    start, end = week
    client.force_login(users.viewer)  # a viewer may download: it is a read
    response = client.get(reverse("reform:weekly_docx", args=[tree.city.pk]), {"week": start.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == weekly_docx.DOCX
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("''")[1]) == f"南平市周报_{start.isoformat()}_{end.isoformat()}.docx"
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "南平市妇联组织改革周报" in text and start.isoformat() in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert any(row[0] == "延平区" for row in cells) and any(row[0] == "建阳区" for row in cells)
    assert any("执委人数不足" in " ".join(row) for row in cells)
    assert document.sections[0].page_width.cm == pytest.approx(21, abs=0.01)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for style, font in (("Normal", "仿宋"), ("Heading 1", "黑体")):
        fonts = document.styles[style].element.rPr.rFonts
        assert fonts.get(f"{w}eastAsia") == font and fonts.get(f"{w}eastAsiaTheme") is None
    if weekly_chart.cjk_font():
        assert len(document.inline_shapes) == 1
    else:
        assert "本机未安装中文字体" in text


def test_users_text_goes_into_the_word_file_as_text(tree, users, week):
    start, end = week
    services.report_problem(
        users.editor_a,
        tree.village_a1,
        area="organization",
        responsible="王芳",
        description='{ HYPERLINK "http://example.com" } =1+1 <w:t>',
        found_on=start,
        deadline=end + 9 * DAY,
    )
    document = docx.Document(io.BytesIO(weekly_docx.docx(weekly.build(tree.city, start, end, user=users.viewer))))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert '{ HYPERLINK "http://example.com" } =1+1 <w:t>' in cells
    body = document.element.body.xml
    assert "fldChar" not in body and "instrText" not in body and "fldSimple" not in body


def test_without_a_chinese_font_there_is_no_chart_and_the_document_says_so(tree, users, week, monkeypatch):
    start, end = week
    monkeypatch.setattr(weekly_chart, "cjk_font", lambda: None)
    report = weekly.build(tree.city, start, end, user=users.viewer)
    assert weekly_chart.png(report["chart"]) is None
    document = docx.Document(io.BytesIO(weekly_docx.docx(report)))
    assert len(document.inline_shapes) == 0
    assert "本机未安装中文字体，未生成图表" in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.skipif(not weekly_chart.cjk_font(), reason="no CJK font on this machine")
def test_the_chart_is_a_png_with_one_bar_per_child():
    picture = weekly_chart.png({"label": "会改联率%", "names": ["延平区", "建阳区"], "values": [50.0, None]})
    assert picture.startswith(b"\x89PNG")
    assert weekly_chart.png({"label": "会改联率%", "names": [], "values": []}) is None


def test_the_print_view_and_the_api_give_the_same_content(client, api, tree, users, week):
    start, _end = week
    client.force_login(users.viewer)
    page = client.get(reverse("reform:weekly", args=[tree.city.pk]), {"week": start.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "南平市妇联组织改革周报" in html and "执委人数不足" in html and "建阳走访" in html
    assert "data:image/png;base64," in html or "本机未安装中文字体" in html
    response = api(users.viewer).get(
        reverse("api:unit-weekly-report", args=[tree.city.pk]), {"week": start.isoformat()}
    )
    assert response.status_code == 200
    assert response.json() == page.context["report"]


def test_another_countys_report_is_not_found_like_a_unit_that_does_not_exist(client, api, tree, users, week):
    missing = tree.village_b1.pk + 10_000
    client.force_login(users.editor_a)
    for name in ("reform:weekly", "reform:weekly_docx"):
        answers = []
        for pk in (tree.county_b.pk, missing):
            url = reverse(name, args=[pk])
            response = client.get(url)
            assert response.status_code == 404
            text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
            answers.append(text.replace(url, "<url>"))
        assert answers[0] == answers[1]
    other = api(users.editor_a).get(reverse("api:unit-weekly-report", args=[tree.county_b.pk]))
    nothing = api(users.editor_a).get(reverse("api:unit-weekly-report", args=[missing]))
    assert other.status_code == nothing.status_code == 404 and other.json() == nothing.json()
    start, end = week
    with pytest.raises(Http404):
        weekly.build(tree.county_b, start, end, user=users.editor_a)


def test_the_dashboard_links_to_the_last_weeks_report(client, tree, users):
    client.force_login(users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[tree.city.pk])).content.decode()
    start, _end = weekly.last_week()
    assert f"{reverse('reform:weekly_docx', args=[tree.city.pk])}?week={start.isoformat()}" in page
    assert f"{reverse('reform:weekly', args=[tree.city.pk])}?week={start.isoformat()}" in page
    assert "下载周报（Word）" in page and "打印版" in page


def test_the_report_costs_the_same_queries_whatever_the_tree_size(client, tree, users, week, django_assert_num_queries):
    start, _end = week
    client.force_login(users.viewer)
    url = reverse("api:unit-weekly-report", args=[tree.city.pk]) + f"?week={start.isoformat()}"
    assert client.get(url).status_code == 200
    # session, user, scopes, the unit, the scope check (5); coverage at the end and the day before the
    # start for the city (the groups, the units moved since, the 5 sources: 7 each) and by child (the
    # children, then per day the groups, the units moved, the 5 sources' rollups: 7 each); the lineage, the
    # campaigns and their milestones, the past milestone's coverage (7); problems (counts, rows); visit
    # figures (two sources) and rows with the units visited; key tasks (count, rows); 报送: the children and
    # the plans concerning the unit (2; each period of a plan then adds its completeness and its reports).
    pinned = 54
    with django_assert_num_queries(pinned):
        client.get(url)
    for i in range(3):
        township = make(tree.county_b, "township", f"新镇{i}", f"350703{190 + i}")
        for k in range(3):
            make(township, "village", f"新村{i}{k}", f"{township.code}{290 + k}", form="congress")
    with django_assert_num_queries(pinned):
        assert client.get(url).status_code == 200


def test_the_submissions_of_the_week_come_with_completeness_timeliness_and_texts(client, tree, users, week):
    start, end = week
    plan = reports.create_plan(None, tree.city, name="会改联周报", cadence=Cadence.WEEKLY, starts_on=start, due_days=3)
    on_time = timezone.make_aware(datetime.datetime.combine(end + DAY, datetime.time(9)))
    a = reports.open_report(users.editor_a, plan, tree.county_a, end)
    texts = {"progress": "本周完成会改联1个", "problems": "执委履职不到位", "next_steps": ""}
    a = reports.submit(users.editor_a, a, at=on_time, **texts)
    reports.decide(scoped_user("city_editor", tree.city, Role.EDITOR), a, True)
    draft = reports.open_report(users.editor_b, plan, tree.county_b, end)
    reports.save_draft(users.editor_b, draft, progress="草稿不上报")
    with translation.override("zh-hans"):
        found = weekly.build(tree.city, start, end, user=users.viewer)["submissions"]
    assert found["columns"] == ["应报", "已填报", "已通过", "按时", "迟报", "未报", "报送率%", "及时率%"]
    rows = {r["unit"]: r["values"] for r in found["rows"]}
    # expected, submitted, accepted, on time, late, missing, completeness %, timeliness %
    assert rows["延平区"][:6] == [1, 1, 1, 1, 0, 0] and rows["建阳区"][:6] == [1, 0, 0, 0, 0, 1]
    assert rows["合计"][:6] == [2, 1, 1, 1, 0, 1]
    [text] = found["texts"]  # the draft is not sent up; an empty part is left out
    assert text["unit"].startswith("延平区")
    assert [p["text"] for p in text["parts"]] == ["本周完成会改联1个", "执委履职不到位"]
    client.force_login(users.viewer)
    page = client.get(reverse("reform:weekly", args=[tree.city.pk]), {"week": end.isoformat()}).content.decode()
    assert "本周完成会改联1个" in page and "草稿不上报" not in page
    document = docx.Document(io.BytesIO(weekly_docx.docx(weekly.build(tree.city, start, end, user=users.viewer))))
    assert "执委履职不到位" in "\n".join(p.text for p in document.paragraphs)
