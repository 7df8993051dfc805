"""A county editor records a village's conversion on her phone; the city viewer's dashboard shows it."""

import pytest
from playwright.sync_api import expect

from orgtree.views.dashboard import TABLE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_recorded_conversion_reaches_the_city_dashboard(browser, phone, login, live_server, tree, users):
    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{tree.village_a1.pk}/conversion/edit/")
    page.fill("#id_held_on", "2021-03-15")
    page.fill("#id_entitled", "120")
    page.fill("#id_present", "96")
    page.fill("#id_chair", "林秀英")
    page.check("#id_on_party_committee")
    page.fill("#id_vice_chairs_part_time", "陈美华\n王丽")
    page.fill("#id_executives", "张芳，李娜")
    page.select_option("#id_womens_home", "standardized")
    page.click("main button:has-text('保存')")
    expect(page.locator(".messages")).to_contain_text("会改联")
    expect(page.locator(f"#u{tree.village_a1.pk}")).to_contain_text("林秀英")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desk, "viewer")
    desk.goto(f"{live_server.url}/units/{tree.city.pk}/dashboard/")
    row = desk.locator("table.dashboard-table tbody tr", has_text="延平区")
    # The name, then the columns of orgtree.views.dashboard.TABLE in order.
    expect(row.locator("td").nth(1 + TABLE.index("villages_converted"))).to_have_text("1")
    expect(row.locator("td").nth(1 + TABLE.index("communities_converted"))).to_have_text("1")  # 黄墩社区
    expect(row.locator("td").nth(1 + TABLE.index("executives"))).to_have_text("5")
    expect(desk.locator("#chart canvas")).to_have_count(1)
    row.locator("a").click()
    expect(desk.locator("h1")).to_contain_text("延平区")
    with desk.expect_download() as download:
        desk.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    desk.context.close()
