"""A township cadre on her phone: ticks the duties of a village committee, then schedules her street's
rotating chair and sees this month's chair on the committee page."""

import datetime

import pytest
from playwright.sync_api import expect

from executives.models import RotationMonth
from orgtree.models import DutyArea, Office, Person, Term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def committee(unit, names):
    term = Term.objects.create(
        unit=unit, number=1, started_on=datetime.date(2024, 3, 1), due_on=datetime.date(2029, 3, 1)
    )
    return [
        Office.objects.create(
            unit=unit,
            person=Person.objects.create(unit=unit, name=name),
            term=term,
            started_on=term.started_on,
            role="chair" if i == 0 else "executive",
        )
        for i, name in enumerate(names)
    ]


def test_duties_and_the_rotating_chair_on_a_phone(phone, login, live_server, tree, users):
    for order, name in enumerate(["组织联络", "宣传教育", "维权关爱"], start=1):  # seeded rows, in case
        DutyArea.objects.get_or_create(name=name, defaults={"order": order})
    village = committee(tree.village_a1, ["林秀英", "陈美华"])
    committee(tree.township_a, ["郑秀英", "林美华", "黄丽萍"])
    page = login(phone, "editor_a")

    page.goto(f"{live_server.url}/units/{tree.village_a1.pk}/committee/")
    page.click("text=编辑分工")
    page.check(f"#id_office_{village[0].pk} label:has-text('组织联络') input")
    page.check(f"#id_office_{village[0].pk} label:has-text('维权关爱') input")
    page.click("main button:has-text('保存')")
    row = page.locator("tr:has-text('林秀英')")
    expect(row).to_contain_text("组织联络")
    expect(row).to_contain_text("维权关爱")

    page.goto(f"{live_server.url}/units/{tree.township_a.pk}/committee/")
    expect(page.locator("main")).to_contain_text("尚未安排")
    page.click(".subtabs >> text=轮值主席")
    page.fill("#id_months", "6")
    page.click("main button:has-text('生成')")
    expect(page.locator(".messages")).to_contain_text("6 个月")
    assert RotationMonth.objects.filter(unit=tree.township_a).count() == 6
    page.click(".subtabs >> text=成员与分工")
    expect(page.locator("main")).to_contain_text("本月：郑秀英")
