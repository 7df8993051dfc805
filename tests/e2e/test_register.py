"""The 应建尽建 journey: a county cadre imports the register, links two new-domain places to one new
committee (区域联建), and the city dashboard's agency and new-domain coverage rates move."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from register.models import Organization
from tests.conftest import make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def rows(county, township, committee):
    return [
        # area code, area name, name, credit code, kind, subtype, party org, employees, women, how, should build,
        # reason, women's organization, its parent unit
        [
            county.code,
            None,
            "延平区教育局",
            None,
            "机关（单位）",
            "党政机关",
            "是",
            60,
            35,
            "单独创建",
            None,
            None,
            committee.name,
            county.name,
        ],
        [county.code, None, "延平区卫生健康局", None, "机关（单位）", "党政机关", "是", 80, 50],
        [township.code, None, "黄墩万达广场", None, "新领域", "商圈", "是", 300, 180],
        [township.code, None, "黄墩农贸市场", None, "新领域", "专业市场", "否", 40, 25],
    ]


def fill(path, new_rows):
    book = load_workbook(path)
    sheet = book["组织台账"]
    header = [c.value for c in sheet[1]]
    for row in new_rows:
        sheet.append(row + [None] * (len(header) - len(row)))
    book.save(path)


def coverage_row(page, live_server, unit):
    """The cells of `unit`'s row in the city dashboard's organization coverage panel."""
    page.goto(f"{live_server.url}/units/{unit.city_id}/dashboard/")
    return page.locator(f"table.register-by-child tr[data-unit='{unit.pk}'] td")


def test_import_link_jointly_and_the_city_rates_move(browser, phone, login, live_server, tree, users, tmp_path):
    committee = make(tree.county_a, "agency", "延平区教育局妇委会")
    city_staff = login(browser.new_context(locale="zh-CN").new_page(), "viewer")
    city_staff.goto(f"{live_server.url}/units/{tree.city.pk}/dashboard/")
    expect(city_staff.locator("table.register-by-child")).to_have_count(0)  # nothing registered yet

    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/register/")
    with page.expect_download() as download:
        page.click("text=下载模板")
    path = tmp_path / "register.xlsx"
    download.value.save_as(path)
    fill(path, rows(tree.county_a, tree.township_a, committee))
    page.click("text=上传台账")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传并检查')")
    expect(page.locator("main")).to_contain_text("未发现问题")
    page.click("button:has-text('确认导入')")
    expect(page.locator(".job-status")).to_have_text("已导入")
    assert Organization.objects.count() == 4

    # Agencies: 1 of 2 built (50%); new domains: 0 of 2 (the market by its 25 women, the plaza by its party org).
    cells = coverage_row(city_staff, live_server, tree.county_a)
    expect(cells.nth(1)).to_have_text("50.0%")
    expect(cells.nth(7)).to_have_text("0.0%")
    expect(cells.nth(8)).to_have_text("2")

    # 联建: the two places ticked, one new committee founded for both.
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/register/?kind=new_domain")
    for name in ("黄墩万达广场", "黄墩农贸市场"):
        page.check(f"input[aria-label='{name}']")
    form = page.locator("form.register-link")
    form.locator("input[name=mode][value=new]").check()
    form.locator("select[name=parent]").select_option(str(tree.township_a.pk))
    form.locator("select[name=kind]").select_option("new_domain")
    form.locator("select[name=subtype]").select_option("business_district")
    form.locator("input[name=name]").fill("黄墩商圈联合妇联")
    form.locator("button:has-text('关联')").click()
    expect(page.locator("table.register-organizations")).to_contain_text("黄墩商圈联合妇联")
    linked = Organization.objects.filter(kind="new_domain")
    assert {o.committee.name for o in linked} == {"黄墩商圈联合妇联"}
    assert {o.coverage for o in linked} == {"regional"}

    cells = coverage_row(city_staff, live_server, tree.county_a)
    expect(cells.nth(7)).to_have_text("100.0%")
    expect(cells.nth(8)).to_have_text("0")
    expect(cells.nth(1)).to_have_text("50.0%")
