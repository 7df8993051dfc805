"""报送: periods, reports and their states, completeness and timeliness, notices, pages, API, export."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from federation.conflicts import ConflictError
from federation.models import ChangeRecord, Notification, Role
from reform import reports
from reform.models import Cadence, Campaign, Report, ReportPlan, ReportState
from tests.conftest import make, scoped_user

D = datetime.date
TODAY = timezone.localdate()
MONDAY = TODAY - datetime.timedelta(days=TODAY.weekday())


def moment(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def city_editor(tree):
    return scoped_user("city_editor", tree.city, Role.EDITOR)


@pytest.fixture
def plan(tree):
    """A weekly plan of the city begun four weeks ago: counties submit, 3 days to do it."""
    return reports.create_plan(
        None, tree.city, name="周报", cadence=Cadence.WEEKLY, starts_on=MONDAY - datetime.timedelta(weeks=4), due_days=3
    )


def last_week(plan):
    return reports.ended_periods(plan, TODAY)[-1]


def submitted(plan, unit, end, user=None, at=None, **texts):
    report = reports.open_report(user, plan, unit, end)
    return reports.submit(user, report, at=at, **{"progress": "完成3个村", **texts})


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "day", "period"),
    [
        (Cadence.WEEKLY, D(2025, 1, 1), (D(2024, 12, 30), D(2025, 1, 5))),  # a week across the new year
        (Cadence.WEEKLY, D(2024, 12, 29), (D(2024, 12, 23), D(2024, 12, 29))),  # a Sunday ends its week
        (Cadence.WEEKLY, D(2024, 12, 30), (D(2024, 12, 30), D(2025, 1, 5))),  # a Monday starts one
        (Cadence.MONTHLY, D(2024, 2, 10), (D(2024, 2, 1), D(2024, 2, 29))),  # February of a leap year
        (Cadence.MONTHLY, D(2023, 2, 28), (D(2023, 2, 1), D(2023, 2, 28))),
        (Cadence.MONTHLY, D(2024, 12, 31), (D(2024, 12, 1), D(2024, 12, 31))),
        (Cadence.MONTHLY, D(2024, 4, 30), (D(2024, 4, 1), D(2024, 4, 30))),
        (Cadence.HALF_YEARLY, D(2024, 6, 30), (D(2024, 1, 1), D(2024, 6, 30))),
        (Cadence.HALF_YEARLY, D(2024, 7, 1), (D(2024, 7, 1), D(2024, 12, 31))),
        (Cadence.HALF_YEARLY, D(2024, 1, 1), (D(2024, 1, 1), D(2024, 6, 30))),
    ],
)
def test_period_boundaries(cadence, day, period):
    assert reports.period_of(cadence, day) == period


def test_the_previous_period():
    assert reports.previous_period(Cadence.WEEKLY, D(2025, 1, 2)) == (D(2024, 12, 23), D(2024, 12, 29))
    assert reports.previous_period(Cadence.MONTHLY, D(2024, 3, 15)) == (D(2024, 2, 1), D(2024, 2, 29))
    assert reports.previous_period(Cadence.HALF_YEARLY, D(2024, 3, 15)) == (D(2023, 7, 1), D(2023, 12, 31))


def test_a_plan_starting_mid_period_cuts_its_first_and_last_periods():
    plan = ReportPlan(cadence=Cadence.MONTHLY, starts_on=D(2024, 1, 15), ends_on=D(2024, 4, 10), due_days=3)
    assert reports.periods(plan, D(2030, 1, 1)) == [
        (D(2024, 1, 15), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2024, 3, 31)),
        (D(2024, 4, 1), D(2024, 4, 10)),
    ]
    assert reports.ended_periods(plan, D(2024, 3, 31)) == [
        (D(2024, 1, 15), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
    ]
    assert reports.period_ending(plan, D(2024, 4, 10)) == (D(2024, 4, 1), D(2024, 4, 10))
    with pytest.raises(ValidationError):
        reports.period_ending(plan, D(2024, 4, 30))  # after the plan's end
    with pytest.raises(ValidationError):
        reports.period_ending(plan, D(2024, 2, 28))  # not a period's last day
    assert reports.due_on(plan, D(2024, 2, 29)) == D(2024, 3, 3)


def test_a_half_yearly_plan_over_the_year_end():
    plan = ReportPlan(cadence=Cadence.HALF_YEARLY, starts_on=D(2023, 3, 1), ends_on=None, due_days=3)
    assert reports.ended_periods(plan, D(2024, 7, 1)) == [
        (D(2023, 3, 1), D(2023, 6, 30)),
        (D(2023, 7, 1), D(2023, 12, 31)),
        (D(2024, 1, 1), D(2024, 6, 30)),
    ]


# --- plans -----------------------------------------------------------------------------------------


def test_a_plan_on_a_campaign_takes_its_dates_and_the_due_days_setting(tree, users, settings):
    settings.BANYAN = {**settings.BANYAN, "REPORT_DUE_DAYS": 5}
    campaign = Campaign.objects.create(unit=tree.city, name="百日攻坚", starts_on=D(2024, 5, 1), ends_on=D(2024, 8, 31))
    plan = reports.create_plan(None, tree.city, campaign=campaign, cadence=Cadence.MONTHLY)
    assert (plan.starts_on, plan.ends_on, plan.due_days, plan.submitting_kind) == (
        D(2024, 5, 1),
        D(2024, 8, 31),
        5,
        "county",
    )
    assert plan.name.startswith("百日攻坚")
    assert ChangeRecord.objects.filter(object_id=plan.pk, action=ChangeRecord.Action.CREATE).exists()


def test_plans_are_set_by_the_units_editors_for_a_level_below(tree, users):
    with pytest.raises(PermissionDenied):
        reports.create_plan(users.editor_a, tree.city, starts_on=TODAY, cadence=Cadence.WEEKLY)
    with pytest.raises(PermissionDenied):
        reports.create_plan(users.viewer, tree.city, starts_on=TODAY, cadence=Cadence.WEEKLY)
    with pytest.raises(ValidationError) as error:
        reports.create_plan(users.editor_a, tree.county_a, starts_on=TODAY, submitting_kind="county")
    assert "submitting_kind" in error.value.error_dict
    plan = reports.create_plan(users.editor_a, tree.county_a, starts_on=TODAY, submitting_kind="street")
    assert plan.submitting_kind == "street" and ReportPlan.objects.count() == 1


def test_a_plan_edit_on_a_stale_version_is_a_conflict(plan, city_editor):
    reports.update_plan(city_editor, plan, version=1, due_days=5)
    with pytest.raises(ConflictError):
        reports.update_plan(city_editor, plan, version=1, due_days=7)
    plan.refresh_from_db()
    assert plan.due_days == 5 and plan.version == 2


# --- reports: figures and states ---------------------------------------------------------------------


def test_figures_are_filled_from_the_period_end_with_the_change(tree, users, plan):
    first, last = last_week(plan)
    earlier = reports.ended_periods(plan, TODAY)[-2]
    old = reports.open_report(users.editor_a, plan, tree.county_a, earlier[1])
    assert old.figures["villages_total"] == 3
    make(tree.township_a, "village", "新村", "350702003299", form="congress")
    report = reports.open_report(users.editor_a, plan, tree.county_a, last)
    assert report.period_start == first
    assert set(report.figures) == set(reports.REPORT_KEYS)
    assert report.figures["villages_total"] == 4
    assert report.change["villages_total"] == 1  # from the previous period's report


def test_figures_refresh_on_save_and_freeze_at_submission(tree, users, plan):
    _first, last = last_week(plan)
    report = reports.open_report(users.editor_a, plan, tree.county_a, last)
    assert report.figures["villages_total"] == 3
    make(tree.township_a, "village", "新村", "350702003299", form="congress")
    report = reports.save_draft(users.editor_a, report, version=report.version, progress="进展")
    assert report.figures["villages_total"] == 4
    report = reports.submit(users.editor_a, report, version=report.version)
    make(tree.township_a, "village", "又一村", "350702003298", form="congress")
    report.refresh_from_db()
    assert report.figures["villages_total"] == 4 and report.state == ReportState.SUBMITTED


def test_draft_submit_return_resubmit_accept(tree, users, plan, city_editor):
    _first, last = last_week(plan)
    report = reports.open_report(users.editor_a, plan, tree.county_a, last)
    with pytest.raises(ValidationError) as error:
        reports.submit(users.editor_a, report)
    assert "progress" in error.value.error_dict  # 进展 must be written
    report = reports.submit(users.editor_a, report, progress="完成3个村", problems="经费不足", next_steps="督导")
    first_at = report.first_submitted_at
    with pytest.raises(ValidationError):
        reports.save_draft(users.editor_a, report, progress="改")  # awaits review
    with pytest.raises(ValidationError) as error:
        reports.decide(city_editor, report, False, "")
    assert "comment" in error.value.error_dict
    report = reports.decide(city_editor, report, False, "请补充问题分析")
    assert report.state == ReportState.RETURNED and report.comment == "请补充问题分析"
    report = reports.save_draft(users.editor_a, report, progress="完成4个村")
    report = reports.submit(users.editor_a, report)
    assert report.state == ReportState.SUBMITTED and report.first_submitted_at == first_at
    assert report.submitted_at > first_at
    report = reports.decide(city_editor, report, True)
    assert report.state == ReportState.ACCEPTED and report.decided_by == city_editor
    with pytest.raises(ValidationError):
        reports.save_draft(users.editor_a, report, progress="再改")  # accepted: read-only
    with pytest.raises(ValidationError):
        reports.submit(users.editor_a, report)
    with pytest.raises(ValidationError):
        reports.decide(city_editor, report, False, "收回")
    states = [
        r.changes.get("state")
        for r in ChangeRecord.objects.filter(object_id=report.pk, content_type__model="report").order_by("pk")
    ]
    assert [s[1] for s in states if s] == ["draft", "submitted", "returned", "submitted", "accepted"]


def test_only_the_level_above_decides_and_only_editors_submit(tree, users, plan, city_editor):
    _first, last = last_week(plan)
    report = submitted(plan, tree.county_a, last, users.editor_a)
    with pytest.raises(PermissionDenied):
        reports.decide(users.admin_a, report, True)  # a county cannot accept its own report
    with pytest.raises(PermissionDenied):
        reports.decide(users.viewer, report, True)
    with pytest.raises(PermissionDenied):
        reports.open_report(users.viewer, plan, tree.county_b, last)
    with pytest.raises(PermissionDenied):
        reports.open_report(users.editor_a, plan, tree.county_b, last)
    with pytest.raises(ValidationError):
        reports.open_report(users.editor_a, plan, tree.township_a, last)  # not the submitting level
    reports.decide(city_editor, report, True)


def test_a_stale_report_edit_is_a_conflict(tree, users, plan):
    _first, last = last_week(plan)
    report = reports.open_report(users.editor_a, plan, tree.county_a, last)
    reports.save_draft(users.editor_a, report, version=1, progress="一")
    with pytest.raises(ConflictError):
        reports.save_draft(users.editor_a, report, version=1, progress="二")
    report.refresh_from_db()
    assert report.progress == "一"


def test_a_period_not_yet_ended_is_submitted_only_from_its_last_day(tree, users, plan):
    current = reports.plan_period(plan, TODAY)
    report = reports.open_report(users.editor_a, plan, tree.county_a, current[1])
    if current[1] > TODAY:
        with pytest.raises(ValidationError):
            reports.submit(users.editor_a, report, progress="进展")
    nxt = current[1] + datetime.timedelta(days=7)
    with pytest.raises(ValidationError):
        reports.open_report(users.editor_a, plan, tree.county_a, nxt)  # not begun


# --- completeness and timeliness --------------------------------------------------------------------


def test_completeness_and_timeliness_by_child(tree, users, plan, city_editor, django_assert_num_queries):
    _first, last = last_week(plan)
    county_c = make(tree.city, "county", "顺昌县", "350721")
    make(tree.city, "county", "浦城县", "350722")
    on_time = submitted(plan, tree.county_a, last, at=moment(last + datetime.timedelta(days=3), 23))
    reports.decide(None, on_time, True)
    submitted(plan, tree.county_b, last, at=moment(last + datetime.timedelta(days=4), 0))  # late
    reports.open_report(None, plan, county_c, last)  # a draft is not submitted
    children = list(tree.city.children.order_by("code"))
    with django_assert_num_queries(1):
        found = reports.completeness(tree.city, plan, last, children)
    by_name = {c.name: counts for c, counts in found["children"]}
    assert set(by_name) == {"延平区", "建阳区", "顺昌县", "浦城县"}  # the agency expects no report
    assert by_name["延平区"] == {**by_name["延平区"], "expected": 1, "submitted": 1, "accepted": 1, "on_time": 1}
    assert by_name["建阳区"]["late"] == 1 and by_name["建阳区"]["on_time"] == 0
    assert by_name["顺昌县"]["missing"] == 1
    total = found["total"]
    assert (total["expected"], total["submitted"], total["on_time"], total["late"], total["missing"]) == (4, 2, 1, 1, 2)
    assert (total["completeness"], total["timeliness"]) == (50.0, 25.0)
    over = reports.completeness_over(tree.city, plan, [e for _s, e in reports.ended_periods(plan, TODAY)], children)
    assert over["total"]["expected"] == 4 * len(reports.ended_periods(plan, TODAY))
    assert over["total"]["submitted"] == 2


def test_completeness_queries_do_not_grow_with_the_units(tree, plan, django_assert_num_queries):
    _first, last = last_week(plan)
    for i in range(5):
        county = make(tree.city, "county", f"县{i}", f"35079{i}")
        submitted(plan, county, last)
    province = tree.city.parent
    children = list(province.children.all())
    with django_assert_num_queries(1):
        found = reports.completeness(province, plan, last, children)
    assert found["total"]["expected"] == 7 and found["total"]["submitted"] == 5


def test_completeness_of_townships_under_a_county(tree, users):
    plan = reports.create_plan(
        users.editor_a, tree.county_a, cadence=Cadence.MONTHLY, submitting_kind="street", starts_on=D(2024, 1, 1)
    )
    found = reports.completeness(tree.county_a, plan, D(2024, 1, 31), list(tree.county_a.children.all()))
    assert [(c.pk, n["expected"], n["missing"]) for c, n in found["children"]] == [(tree.township_a.pk, 1, 1)]


# --- notices ----------------------------------------------------------------------------------------


def test_a_missing_report_after_its_due_day_notifies_the_unit_and_the_level_above(tree, users, plan, city_editor):
    _first, last = last_week(plan)
    today = last + datetime.timedelta(days=4)  # the due day (last + 3) has passed
    submitted(plan, tree.county_b, last, at=moment(today))  # late
    assert reports.notify_missing(today=today) == {"notified": 3}  # editor_a, admin_a, the city's editor
    notes = {n.user.username: n.message for n in Notification.objects.select_related("user")}
    assert set(notes) == {"editor_a", "admin_a", "city_editor"}
    assert "延平区" in notes["editor_a"] and "1" in notes["editor_a"]
    assert "1" in notes["city_editor"]  # one missing, one late among the city's counties
    assert reports.notify_missing(today=today) == {"notified": 0}  # one a day


def test_no_notice_before_the_due_day_nor_once_submitted(tree, users, plan):
    earlier, last = [p[1] for p in reports.ended_periods(plan, TODAY)[-2:]]
    for end in (earlier, last):
        submitted(plan, tree.county_a, end)
    submitted(plan, tree.county_b, earlier)
    # On its due day county B's latest report is not missing yet; the earlier weeks are all in.
    assert reports.notify_missing(today=last + datetime.timedelta(days=3)) == {"notified": 0}
    # The day after, only county B's editor hears of it (county A submitted; the viewer is not told).
    assert reports.notify_missing(today=last + datetime.timedelta(days=4)) == {"notified": 1}
    assert Notification.objects.get().user == users.editor_b


def test_a_late_submission_shows_as_late(tree, users, plan):
    _first, last = last_week(plan)
    report = submitted(plan, tree.county_a, last, at=moment(last + datetime.timedelta(days=10)))
    assert reports.timeliness_of(report) == "late"
    report = submitted(plan, tree.county_b, last, at=moment(last + datetime.timedelta(days=1)))
    assert reports.timeliness_of(report) == "on_time"


# --- pages ------------------------------------------------------------------------------------------


def report_url(unit, plan, end):
    return reverse("reform:report", args=[unit.pk, plan.pk, end.isoformat()])


def test_a_county_fills_and_submits_its_report_on_its_page(client, tree, users, plan):
    _first, last = last_week(plan)
    client.force_login(users.editor_a)
    page = client.get(reverse("reform:reports", args=[tree.county_a.pk])).content.decode()
    assert report_url(tree.county_a, plan, last) in page and "填报" in page
    url = report_url(tree.county_a, plan, last)
    page = client.get(url).content.decode()
    assert "保存草稿" in page and "提交" in page and "村（社区）数" in page
    response = client.post(url, {"action": "save", "version": 0, "progress": "进展", "problems": "", "next_steps": ""})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.state == ReportState.DRAFT and report.progress == "进展"
    client.post(url, {"action": "submit", "version": report.version, "progress": "进展二"})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.progress == "进展二"
    assert "保存草稿" not in client.get(url).content.decode()


def test_bad_input_on_the_page_is_refused_in_chinese_and_nothing_saved(client, tree, users, plan):
    _first, last = last_week(plan)
    client.force_login(users.editor_a)
    url = report_url(tree.county_a, plan, last)
    page = client.post(url, {"action": "submit", "version": 0, "progress": ""}).content.decode()
    assert "提交前请填写进展。" in page
    assert not Report.objects.exists()


def test_the_city_returns_with_a_comment_and_accepts_on_the_period_page(client, tree, users, plan, city_editor):
    _first, last = last_week(plan)
    report = submitted(plan, tree.county_a, last)
    client.force_login(city_editor)
    url = reverse("reform:report_period", args=[tree.city.pk, plan.pk, last.isoformat()])
    page = client.get(url).content.decode()
    assert "延平区" in page and "建阳区" in page and 'value="decide"' in page
    client.post(url, {"action": "decide", "report": report.pk, "version": report.version, "decision": "return"})
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED  # a return needs a comment
    client.post(
        url,
        {"action": "decide", "report": report.pk, "version": report.version, "decision": "return", "comment": "补充"},
    )
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_a_refused_return_is_shown_in_its_row_with_its_own_ids(client, tree, users, plan, city_editor):
    """The error of a return without a comment shows in the report's own form (typed values kept), not
    in a second copy of the fields outside any form, and each row's labels name its own fields."""
    _first, last = last_week(plan)
    report_a = submitted(plan, tree.county_a, last)
    report_b = submitted(plan, tree.county_b, last)
    client.force_login(city_editor)
    url = reverse("reform:report_period", args=[tree.city.pk, plan.pk, last.isoformat()])
    body = {"action": "decide", "report": report_a.pk, "version": report_a.version, "decision": "return"}
    page = client.post(url, body).content.decode()
    assert "退回报表须说明理由。" in page
    assert page.count('id="id_decision"') == 0
    assert f'id="id_r{report_a.pk}_comment"' in page and f'id="id_r{report_b.pk}_comment"' in page
    assert page.count(f'for="id_r{report_a.pk}_comment"') == 1
    assert page.count('<p class="error">') == 1
    report_a.refresh_from_db()
    assert report_a.state == ReportState.SUBMITTED


def test_viewers_see_no_form_and_other_counties_are_not_found(client, tree, users, plan):
    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last)
    client.force_login(users.viewer)
    page = client.get(report_url(tree.county_a, plan, last)).content.decode()
    assert 'value="decide"' not in page and 'value="save"' not in page
    client.force_login(users.editor_b)
    assert client.get(report_url(tree.county_a, plan, last)).status_code == 404
    missing = report_url(tree.county_a, plan, last).replace(str(tree.county_a.pk), "999999", 1)
    assert client.get(missing).status_code == 404
    client.force_login(users.editor_a)
    assert 'value="decide"' not in client.get(report_url(tree.county_a, plan, last)).content.decode()


def test_report_pages_cost_a_fixed_number_of_queries(client, tree, users, plan, city_editor, django_assert_num_queries):
    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last)
    client.force_login(city_editor)
    urls = [
        reverse("reform:reports", args=[tree.city.pk]),
        reverse("reform:report_period", args=[tree.city.pk, plan.pk, last.isoformat()]),
        report_url(tree.county_a, plan, last),
    ]
    costs = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        costs.append(len(before))
    for i in range(4):
        county = make(tree.city, "county", f"县{i}", f"35079{i}")
        submitted(plan, county, last)
    for url, cost in zip(urls, costs, strict=True):
        with django_assert_num_queries(cost):
            assert client.get(url).status_code == 200
    assert costs == PAGE_COSTS


PAGE_COSTS = [11, 11, 10]  # the reports tab, the period page, a report (city editor)


def test_the_period_export_lists_reports_and_missing_units(client, tree, users, plan, city_editor):
    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last, problems="=HYPERLINK(1)", at=moment(last + datetime.timedelta(days=1)))
    client.force_login(city_editor)
    response = client.get(reverse("reform:report_period_export", args=[tree.city.pk, plan.pk, last.isoformat()]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("组织", "状态", "首次提交时间", "提交时间", "及时性")
    by_unit = {r[0]: r for r in rows[1:]}
    assert by_unit["延平区"][1:5:3] == ("已提交，待审核", "按时"), by_unit["延平区"][:5]
    assert "=HYPERLINK(1)" in by_unit["延平区"]
    assert by_unit["建阳区"][1] == "未报送"


# --- API --------------------------------------------------------------------------------------------


def test_the_api_drafts_submits_returns_and_accepts(api, tree, users, plan, city_editor):
    _first, last = last_week(plan)
    client = api(users.editor_a)
    response = client.post(
        "/api/reports/", {"plan": plan.pk, "unit": tree.county_a.pk, "period_end": last.isoformat(), "progress": "一"}
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["state"] == "draft" and report["figures"]["villages_total"] == 3
    response = client.patch(f"/api/reports/{report['id']}/", {"progress": "二", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert client.patch(f"/api/reports/{report['id']}/", {"progress": "三", "version": 1}).status_code == 409
    response = client.post(f"/api/reports/{report['id']}/submit/", {"version": 2})
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert client.post(f"/api/reports/{report['id']}/accept/", {}).status_code == 403  # its own
    boss = api(city_editor)
    response = boss.post(f"/api/reports/{report['id']}/return/", {})
    assert response.status_code == 400 and "退回" in response.content.decode()
    assert boss.post(f"/api/reports/{report['id']}/return/", {"comment": "补充"}).json()["state"] == "returned"
    assert client.post(f"/api/reports/{report['id']}/submit/", {}).json()["state"] == "submitted"
    assert boss.post(f"/api/reports/{report['id']}/accept/", {}).json()["state"] == "accepted"
    assert client.patch(f"/api/reports/{report['id']}/", {"progress": "改"}).status_code == 400
    listed = boss.get("/api/reports/", {"plan": plan.pk, "state": "accepted"}).json()
    assert [r["id"] for r in listed["results"]] == [report["id"]]


def test_api_scope_another_county_is_not_found_like_a_missing_id(api, tree, users, plan):
    _first, last = last_week(plan)
    report = submitted(plan, tree.county_a, last)
    other = api(users.editor_b)
    gone = other.get("/api/reports/99999999/")
    hidden = other.get(f"/api/reports/{report.pk}/")
    assert hidden.status_code == gone.status_code == 404 and hidden.json() == gone.json()
    assert other.patch(f"/api/reports/{report.pk}/", {"progress": "x"}).status_code == 404
    assert other.post(f"/api/reports/{report.pk}/submit/", {}).status_code == 404
    response = other.post("/api/reports/", {"plan": plan.pk, "unit": tree.county_a.pk, "period_end": last.isoformat()})
    assert response.status_code == 400 and not Report.objects.filter(unit=tree.county_b).exists()
    assert other.get(f"/api/units/{tree.county_a.pk}/reports/completeness/", {"plan": plan.pk}).status_code == 404
    viewer = api(users.viewer)
    assert viewer.post(f"/api/reports/{report.pk}/submit/", {}).status_code == 403


def test_api_bad_input_is_a_400_in_chinese_and_nothing_saved(api, tree, users, plan):
    _first, last = last_week(plan)
    client = api(users.editor_a)
    for body in (
        {"plan": plan.pk, "unit": tree.county_a.pk, "period_end": (last - datetime.timedelta(days=1)).isoformat()},
        {"plan": plan.pk, "unit": tree.county_a.pk, "period_end": "9999-12-31"},
        {"plan": plan.pk, "unit": tree.county_a.pk, "period_end": last.isoformat(), "progress": "a\x00b"},
        {"plan": "x", "unit": tree.county_a.pk, "period_end": last.isoformat()},
    ):
        response = client.post("/api/reports/", body)
        assert response.status_code == 400, body
        assert any(
            "\u4e00" <= ch <= "\u9fff"
            for ch in response.content.decode("unicode_escape", "ignore") + response.content.decode()
        )
    assert not Report.objects.exists()
    response = client.post(
        "/api/report-plans/", {"unit": tree.county_a.pk, "cadence": "daily", "starts_on": "2024-01-01"}
    )
    assert response.status_code == 400
    assert client.get(f"/api/units/{tree.county_a.pk}/reports/completeness/", {"plan": "abc"}).status_code == 400


def test_api_plans_and_completeness(api, tree, users, plan, city_editor):
    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last)
    county = api(users.editor_a)
    assert plan.pk in [p["id"] for p in county.get("/api/report-plans/").json()["results"]]  # set above her
    assert county.patch(f"/api/report-plans/{plan.pk}/", {"due_days": 9}).status_code == 403
    boss = api(city_editor)
    assert boss.patch(f"/api/report-plans/{plan.pk}/", {"due_days": 9, "version": 1}).status_code == 200
    assert boss.patch(f"/api/report-plans/{plan.pk}/", {"due_days": 8, "version": 1}).status_code == 409
    response = boss.get(f"/api/units/{tree.city.pk}/reports/completeness/", {"plan": plan.pk, "period_end": last})
    body = response.json()
    assert body["total"]["expected"] == 2 and body["total"]["submitted"] == 1
    assert {c["name"]: c["missing"] for c in body["children"]} == {"延平区": 0, "建阳区": 1}
    response = boss.post("/api/report-plans/", {"unit": tree.city.pk, "cadence": "monthly", "starts_on": "2024-01-01"})
    assert response.status_code == 201 and response.json()["due_days"] == 3


# --- the 周报's section, the dashboard, the demo --------------------------------------------------------


def test_document_section_is_plain_data(tree, users, plan):
    import json

    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last, problems="经费", next_steps="督导")
    section = reports.document_section(tree.city, last - datetime.timedelta(days=6), last)
    json.dumps(section)
    [found] = section["plans"]
    [period] = found["periods"]
    assert period["total"]["submitted"] == 1 and period["total"]["expected"] == 2
    assert period["reports"][0]["unit_name"] == "延平区" and period["reports"][0]["problems"] == "经费"


def test_the_dashboard_panel_shows_the_latest_period(client, tree, users, plan):
    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last)
    client.force_login(users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[tree.city.pk])).content.decode()
    assert "周报" in page and "report-completeness" in page


def test_the_demo_loads_accepted_returned_missing_and_late(tree, users):
    from orgtree.models import Unit
    from reform.demo import demo_reports

    make(tree.city, "county", "顺昌县", "350721")
    make(tree.city, "county", "浦城县", "350722")
    Campaign.objects.create(unit=tree.city, name="百日攻坚", starts_on=D(2024, 5, 1), ends_on=D(2024, 8, 31))
    assert demo_reports() and not demo_reports()
    plan = ReportPlan.objects.get()
    _first, last = last_week(plan)
    latest = {r.unit.code: r for r in Report.objects.filter(period_end=last).select_related("unit", "plan")}
    counties = list(
        Unit.objects.filter(kind="county", parent=tree.city).order_by("code").values_list("code", flat=True)
    )
    assert latest[counties[0]].state == ReportState.ACCEPTED
    assert latest[counties[1]].state == ReportState.RETURNED
    assert counties[2] not in latest
    assert reports.timeliness_of(latest[counties[3]]) == "late"


def test_the_periods_of_a_plan_with_reports_cannot_change(tree, plan, city_editor):
    _first, last = last_week(plan)
    reports.open_report(None, plan, tree.county_a, last)
    with pytest.raises(ValidationError):
        reports.update_plan(city_editor, plan, cadence=Cadence.MONTHLY)
    assert reports.update_plan(city_editor, plan, due_days=4).due_days == 4


def test_another_countys_period_page_export_and_plan_are_not_found(client, tree, users, plan):
    _first, last = last_week(plan)
    submitted(plan, tree.county_a, last, problems="延平区的问题")
    client.force_login(users.editor_b)
    for name, args in [
        ("reform:report_period", [plan.pk, last.isoformat()]),
        ("reform:report_period_export", [plan.pk, last.isoformat()]),
        ("reform:report_plan", [plan.pk]),
        ("reform:reports", []),
    ]:
        hidden = client.get(reverse(name, args=[tree.county_a.pk, *args]))
        gone = client.get(reverse(name, args=[999999, *args]))
        assert hidden.status_code == gone.status_code == 404, name
        # The same page but for the form tokens (new each response) and the path it echoes for the language switch.
        assert same_page(hidden, tree.county_a.pk) == same_page(gone, 999999), name
    client.force_login(users.editor_a)
    assert (
        client.get(
            reverse("reform:report_period_export", args=[tree.county_a.pk, plan.pk, last.isoformat()])
        ).status_code
        == 200
    )


def same_page(response, unit_id):
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return body.replace(f"/units/{unit_id}/", "/units/<id>/")
