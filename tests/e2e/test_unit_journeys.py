"""The county cadre's and the city viewer's journeys through the tree, in a real browser on a phone."""

import re

import pytest
from playwright.sync_api import expect

from orgtree.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_county_editor_browses_creates_edits_and_is_kept_in_her_county(phone, login, live_server, tree, users):
    page = login(phone, "editor_a")
    # She lands on her county, in Chinese, with breadcrumbs and the villages per township.
    expect(page).to_have_url(re.compile(rf"/units/{tree.county_a.pk}/$"))
    expect(page.locator("h1")).to_contain_text("延平区")
    expect(page.locator("nav.crumbs")).to_contain_text("南平市")
    row = page.locator("tr", has_text="黄墩街道")
    expect(row.locator("td.num")).to_have_text("3")
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text("黄墩街道")

    # A duplicate code is refused in Chinese and creates nothing.
    page.click("text=新建下级组织")
    page.select_option("#id_kind", "community")
    page.fill("#id_name", "新村社区")
    page.fill("#id_code", "350702003001")
    page.click("button:has-text('保存')")
    expect(page.locator(".error, .errors").first).to_contain_text("已被黄墩社区使用")
    assert not Unit.objects.filter(name="新村社区").exists()

    # With a fresh code it is created, and its history names her.
    page.fill("#id_code", "350702003003")
    page.click("button:has-text('保存')")
    expect(page.locator("h1")).to_contain_text("新村社区")
    expect(page.locator(".history")).to_contain_text("editor_a")
    expect(page.locator(".history")).to_contain_text("新建")

    # She renames it and sees before → after.
    page.click("text=编辑")
    page.fill("#id_name", "新村社区居委会")
    page.click("button:has-text('保存')")
    expect(page.locator(".history")).to_contain_text("新村社区 → 新村社区居委会")

    # County B is not there for her: 404 by URL, nothing by search.
    response = page.goto(f"{live_server.url}/units/{tree.county_b.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/")
    page.fill("header input[type=search]", "3507")
    page.press("header input[type=search]", "Enter")
    expect(page.locator("table.list")).to_contain_text("延平区")
    expect(page.locator("table.list")).not_to_contain_text("建阳区")


def test_city_viewer_reads_both_counties_and_cannot_write(phone, login, live_server, tree, users):
    page = login(phone, "viewer")
    expect(page.locator("h1")).to_contain_text("南平市")
    for county in (tree.county_a, tree.county_b):
        page.goto(f"{live_server.url}/units/{county.pk}/")
        expect(page.locator("h1")).to_contain_text(county.name)
        expect(page.locator("text=新建下级组织")).to_have_count(0)
        expect(page.locator("a:has-text('编辑')")).to_have_count(0)
    response = page.goto(f"{live_server.url}/units/{tree.village_a1.pk}/edit/")
    assert response.status == 403


def test_moving_and_closing_a_village_inside_the_county(phone, login, live_server, tree, users):
    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{tree.village_a3.pk}/")
    page.click("text=调整隶属")
    page.fill("#id_parent", tree.township_b.code)  # county B: refused
    page.click("button:has-text('保存')")
    expect(page.locator(".error, .errors").first).to_be_visible()
    page.click("text=取消")
    page.click("text=撤销")
    page.fill("#id_closed_on", "2025-06-30")
    page.fill("#id_note", "撤村并居")
    page.click("button:has-text('保存')")
    expect(page.locator(".badge.closed")).to_contain_text("2025-06-30")
    assert str(Unit.objects.get(pk=tree.village_a3.pk).closed_on) == "2025-06-30"
