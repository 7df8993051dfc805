"""A county cadre fills the funding workbook on her phone; the city viewer sees the county's
townships meet the township-funds standard the city set."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from funding.models import FundingStandard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_import_funding_then_the_city_sees_compliance(browser, phone, login, live_server, tree, users, tmp_path):
    year = timezone.localdate().year
    FundingStandard.objects.create(unit=tree.city, year=year, township_funds=Decimal("30000"))
    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/funding/import/")
    with page.expect_download() as download:
        page.click("text=下载模板")
    path = tmp_path / "经费.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    book["经费"].append([tree.township_a.code, "黄墩街道", year, "工作经费", "同级财政", "30,000", "30000", "县财政"])
    book["经费"].append([tree.township_a.code, "黄墩街道", year, "工作经费", "同级财政", "1", "", ""])
    book.save(path)
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('上传并检查')")
    expect(page.locator("table.problems")).to_contain_text("已在第 2 行填写")
    rows = list(book["经费"].iter_rows())
    book["经费"].delete_rows(rows[-1][0].row)
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/funding/import/")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('上传并检查')")
    page.click("button:has-text('确认导入')")
    expect(page.locator("p.ok")).to_contain_text("已导入 1 条经费记录")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desk, "viewer")
    desk.goto(f"{live_server.url}/units/{tree.city.pk}/funding/?year={year}")
    row = desk.locator("table.compliance-by-child tbody tr", has_text="延平区")
    expect(row.locator("td").nth(2)).to_have_text("1 / 0 / 0")
    expect(desk.locator("table.compliance-by-child tbody tr", has_text="建阳区").locator("td").nth(2)).to_have_text(
        "0 / 1 / 0"
    )
    with desk.expect_download() as export:
        desk.click("text=导出 Excel")
    assert export.value.suggested_filename.endswith(".xlsx")
    desk.context.close()
