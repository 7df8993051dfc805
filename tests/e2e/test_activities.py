"""A township cadre records an executive's activity on her phone (with a photo); the county's ranking
shows her points under the city's rule, and the county evaluates her."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from executives import activities
from executives.models import Activity, ActivityType, Evaluation
from federation.models import Role
from orgtree.models import Office, Person
from tests.conftest import scoped_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_record_an_activity_on_a_phone_then_the_county_ranks_and_evaluates(
    browser, phone, login, live_server, tree, users, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    year = timezone.localdate().year
    scoped_user("cadre", tree.township_a, Role.EDITOR)
    city_editor = scoped_user("city_editor", tree.city, Role.EDITOR)
    fang = Person.objects.create(unit=tree.village_a1, name="王芳")
    Office.objects.create(unit=tree.village_a1, person=fang, started_on=datetime.date(2021, 3, 1))
    activities.set_rules(city_editor, tree.city, year, {ActivityType.objects.get(name="走访慰问"): 3})
    photo = tmp_path / "合影.png"
    photo.write_bytes(PNG)

    page = login(phone, "cadre")
    page.goto(f"{live_server.url}/units/{tree.village_a1.pk}/committee/activities/")
    page.click("text=登记活动")
    page.select_option("#id_activity_type", label="走访慰问")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.select_option("#id_person", label="王芳")
    page.fill("#id_participants", "-3")  # a wrong number is refused in Chinese
    page.click("button:has-text('保存')")
    expect(page.locator(".field.invalid").first).to_contain_text("大于或等于")
    page.fill("#id_participants", "18")
    page.set_input_files("#id_photo", str(photo))
    page.click("button:has-text('保存')")
    expect(page.locator(".errors, .field.invalid").first).to_contain_text("请填写地点，或选择服务阵地。")
    assert not Activity.objects.exists()
    page.set_input_files("#id_photo", str(photo))
    page.fill("#id_place", "上坪村文化礼堂")
    page.click("button:has-text('保存')")
    expect(page.locator("h1")).to_contain_text("走访慰问")
    expect(page.locator("dl.facts")).to_contain_text("合影.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(desk, "editor_a")
    desk.goto(f"{live_server.url}/units/{tree.county_a.pk}/committee/ranking/?year={year}")
    row = desk.locator("table.list tbody tr", has_text="王芳")
    expect(row.locator("td").nth(4)).to_have_text("3")
    row.locator("text=考评").click()
    desk.check("input[name=grade][value=excellent]")
    desk.click("button:has-text('保存')")
    expect(desk.locator("table.list tbody tr", has_text="王芳")).to_contain_text("优秀")
    assert Evaluation.objects.get(person=fang, year=year).grade == "excellent"
    desk.context.close()
