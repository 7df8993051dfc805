"""Supervision cadence end to end (issue #16): a county cadre on a phone submits her weekly report, the
city returns it with a comment, she edits and resubmits, the city accepts it; the county submits its
会改联 results for approval, the city approves them and a later edit is refused naming the approval;
the city downloads its 周报 .docx and finds the county's resubmitted text in it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from federation.models import Role
from orgtree.conversion import record_conversion
from reform import reports
from reform.models import Approval, Report
from tests.conftest import scoped_user
from tests.orgtree.test_conversion import data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FIRST_TEXT = "本周完成黄墩社区会改联换届。"
RESUBMITTED = "本周完成黄墩社区会改联换届，参会率80%，西门社区下周换届。"
PROBLEMS = "上坪村兼职副主席人选未定。"
NEXT_STEPS = "督促西门社区按期换届。"
COMMENT = "请补充参会率和下周安排。"


def table_by_child(document):
    """The 按下级组织 table: its header starts with 下级组织 and goes on with the 会改联 figures."""
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        if header[0] == "下级组织" and any("会改联" in text for text in header[1:]):
            return table
    raise AssertionError("no table by child in the document")


def test_a_county_reports_weekly_is_approved_and_the_city_downloads_its_weekly_report(
    browser, phone, login, live_server, tree
):
    county_editor = scoped_user("yanping", tree.county_a, Role.EDITOR)
    city_editor = scoped_user("nanping", tree.city, Role.EDITOR)
    record_conversion(county_editor, tree.village_a1, data())
    today = timezone.localdate()
    plan = reports.create_plan(
        city_editor, tree.city, name="组织改革周报送", cadence="weekly", starts_on=today - datetime.timedelta(days=28)
    )
    start, end = reports.ended_periods(plan, today)[-1]
    url = live_server.url

    # 1. The county editor, on her phone, opens the 报送 tab and her report of the last ended week.
    county = login(phone, "yanping")
    county.goto(f"{url}{reverse('orgtree:unit_detail', args=[tree.county_a.pk])}")
    county.get_by_role("link", name="报送", exact=True).first.click()
    expect(county.locator("h1")).to_contain_text("延平区 · 报送")
    period_row = county.locator("ul.report-periods li").filter(has_text=f"{start:%Y-%m-%d}～{end:%Y-%m-%d}")
    expect(period_row).to_contain_text("未开始")
    period_row.get_by_role("link", name="填报").click()
    expect(county.locator("h1")).to_contain_text("延平区 · 组织改革周报送")
    figures = county.locator("table.report-figures")
    expect(figures).to_contain_text("会改联")  # filled automatically from the stored figures
    expect(figures.locator("tbody tr")).not_to_have_count(0)
    county.get_by_label("进展").fill(FIRST_TEXT)
    county.get_by_label("问题").fill(PROBLEMS)
    county.get_by_label("下步打算").fill(NEXT_STEPS)
    county.get_by_role("button", name="提交").click()
    expect(county.locator("main")).to_contain_text("报表已提交上级。")
    expect(county.locator("dl.facts").first).to_contain_text("已提交，待审核")
    report = Report.objects.get(plan=plan, unit=tree.county_a, period_end=end)
    assert report.state == "submitted" and report.progress == FIRST_TEXT

    # 2. The city opens the period's page and returns the county's report with a comment.
    city_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    city = login(city_context.new_page(), "nanping")
    city.set_default_timeout(10_000)
    city.goto(f"{url}{reverse('reform:reports', args=[tree.city.pk])}")
    city.get_by_role("link", name=f"{start:%Y-%m-%d}～{end:%Y-%m-%d}").click()
    expect(city.locator("h1")).to_contain_text("南平市 · 组织改革周报送")
    row = city.locator("ul.period-reports li").filter(has_text="延平区")
    expect(row).to_contain_text("已提交，待审核")
    row.get_by_label("审核意见").select_option("return")
    row.get_by_role("button", name="保存").click()  # no comment: refused, nothing changed
    row = city.locator("ul.period-reports li").filter(has_text="延平区")
    expect(row.locator("p.error")).to_have_text("退回报表须说明理由。")
    assert Report.objects.get(pk=report.pk).state == "submitted"
    expect(row.get_by_label("审核意见")).to_have_value("return")  # the typed decision kept
    row.get_by_label("说明").fill(COMMENT)
    row.get_by_role("button", name="保存").click()
    expect(city.locator("main")).to_contain_text("报表已退回。")
    expect(city.locator("ul.period-reports li").filter(has_text="延平区")).to_contain_text("已退回")

    # 3. The county sees the returned state and the comment, edits the text and resubmits; the city accepts.
    county.reload()
    facts = county.locator("dl.facts").first
    expect(facts).to_contain_text("已退回")
    expect(facts).to_contain_text(COMMENT)
    expect(county.get_by_label("进展")).to_have_value(FIRST_TEXT)
    county.get_by_label("进展").fill(RESUBMITTED)
    county.get_by_role("button", name="提交").click()
    expect(county.locator("main")).to_contain_text("报表已提交上级。")
    expect(county.locator("dl.facts").first).to_contain_text("已提交，待审核")

    city.reload()
    row = city.locator("ul.period-reports li").filter(has_text="延平区")
    expect(row).to_contain_text("已提交，待审核")
    row.get_by_label("审核意见").select_option("accept")
    row.get_by_role("button", name="保存").click()
    expect(city.locator("main")).to_contain_text("报表已审核通过。")
    expect(city.locator("ul.period-reports li").filter(has_text="延平区")).to_contain_text("已通过")
    county.reload()
    expect(county.locator("dl.facts").first).to_contain_text("已通过")
    expect(county.locator("main")).to_contain_text(RESUBMITTED)
    report.refresh_from_db()
    assert report.state == "accepted" and report.progress == RESUBMITTED

    # 4. The county submits its 会改联 results for approval; the city approves; a later edit is refused.
    county.goto(f"{url}{reverse('reform:approvals', args=[tree.county_a.pk])}")
    expect(county.locator("h1")).to_contain_text("延平区 · 审核")
    county.get_by_label("审核数据").select_option("conversion")
    county.get_by_role("button", name="提交").click()
    expect(county.locator("main")).to_contain_text("已报送审核。")
    expect(county.locator("ul.approvals li").first).to_contain_text("已报送待审核")

    city.goto(f"{url}{reverse('reform:approvals', args=[tree.city.pk])}")
    submitted = city.locator("ul.approvals li").filter(has_text="延平区")
    expect(submitted).to_contain_text("会改联结果")
    submitted.get_by_label("说明").fill("数据核实无误")
    submitted.get_by_role("button", name="审核通过").click()
    expect(city.locator("main")).to_contain_text("已审核通过并锁定。")
    expect(city.locator("ul.approvals li").filter(has_text="延平区")).to_contain_text("已审核锁定")
    assert Approval.objects.get(unit=tree.county_a).state == "approved"

    county.goto(f"{url}{reverse('orgtree:conversion_edit', args=[tree.village_a2.pk])}")
    county.locator("#id_held_on").fill("2021-04-20")
    county.locator("#id_chair").fill("郑雪梅")
    county.get_by_role("button", name="保存").click()
    refusal = county.locator("main")
    expect(refusal).to_contain_text("延平区的会改联结果已于")
    expect(refusal).to_contain_text("由南平市审核通过并锁定")
    expect(refusal).to_contain_text("如需修改，请先申请解锁")
    assert not tree.village_a2.elections.exists()  # nothing saved

    # 5. The city downloads its 周报 from the dashboard and finds the county's resubmitted text in it.
    city.goto(f"{url}{reverse('orgtree:dashboard', args=[tree.city.pk])}")
    with city.expect_download() as download:
        city.get_by_role("link", name="下载周报（Word）").click()
    assert download.value.suggested_filename.endswith(".docx")
    document = Document(download.value.path())
    paragraphs = [p.text for p in document.paragraphs]
    assert "南平市妇联组织改革周报" in paragraphs
    names = [row.cells[0].text for row in table_by_child(document).rows]
    assert "延平区" in names and "建阳区" in names
    section = paragraphs[next(i for i, text in enumerate(paragraphs) if text.endswith("报送情况")) :]
    assert "延平区（已通过）" in section  # the county's accepted report, under its name
    assert any(RESUBMITTED in text for text in section)
    assert not any(text.split("：", 1)[-1] == FIRST_TEXT for text in section)  # the returned text is gone
    city_context.close()
