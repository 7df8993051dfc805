"""A village's executive logs a contact and fills her contact list on a phone; the city viewer sees
the county's figures move on the dashboard and the named contact masked."""

import pytest
from playwright.sync_api import expect

from tests.executives import contacts_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
world = contacts_world.world  # the fixture


def test_a_contact_logged_on_a_phone_reaches_the_city_dashboard(browser, phone, login, live_server, world):
    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{world.tree.village_a1.pk}/committee/contacts/")
    form = page.locator("form", has=page.locator("input[name=action][value=visit]"))
    form.locator("select[name=office]").select_option(label="陈美华（执委）")
    form.locator("input[name=date]").fill("2025-03-08")
    form.locator("label", has_text="入户走访").click()
    form.locator("input[name=women]").fill("0")
    form.locator("button[type=submit]").click()
    expect(page.locator(".field.invalid")).to_contain_text("1")  # at least one woman, in Chinese
    form = page.locator("form", has=page.locator("input[name=action][value=visit]"))
    form.locator("input[name=women]").fill("3")
    form.locator("button[type=submit]").click()
    expect(page.locator("table.contact-log")).to_contain_text("陈美华")
    page.locator("table.contact-lists tbody tr", has_text="陈美华").locator("text=填写名单").click()
    page.fill("#id_left_behind", "6")
    page.fill("#id_other", "4")
    page.fill("#id_home_visit", "5")
    page.click("button:has-text('保存')")
    expect(page.locator("table.contact-lists tbody tr", has_text="陈美华").locator("td").nth(1)).to_have_text("10")
    named = page.locator("form", has=page.locator("input[name=action][value=named]"))
    named.locator("select[name=office]").select_option(label="陈美华（执委）")
    named.locator("input[name=name]").fill("周小红")
    named.locator("select[name=unit]").select_option(label="黄墩社区")
    named.locator("select[name=category]").select_option(label="留守妇女")
    named.locator("button[type=submit]").click()
    expect(page.locator("table.named-contacts")).to_contain_text("周小红")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(desk, "viewer")
    desk.goto(f"{live_server.url}/units/{world.tree.city.pk}/dashboard/")
    row = desk.locator("table.contacts-by-child tbody tr", has_text="延平区")
    expect(row.locator("td").nth(3)).to_have_text("10")  # women contacted
    desk.goto(f"{live_server.url}/units/{world.tree.village_a1.pk}/committee/contacts/")
    expect(desk.locator("table.named-contacts")).to_contain_text("周**")
    expect(desk.locator("table.named-contacts")).not_to_contain_text("周小红")
    desk.context.close()
