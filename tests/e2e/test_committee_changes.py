"""能进能出 on a phone: a county cadre records that an executive left, then fills the seat by a by-election."""

import datetime

import pytest
from playwright.sync_api import expect

from orgtree import elections
from orgtree.models import Office
from tests.orgtree.test_elections import build_election

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_executive_leaves_and_a_by_election_fills_her_seat(phone, login, live_server, tree, users):
    term = elections.certify_election(None, build_election(tree.village_a1, held_on=datetime.date(2024, 5, 10)))
    leaving = Office.objects.filter(term=term, role="executive").order_by("pk").first()
    page = login(phone, "editor_a")
    page.goto(f"{live_server.url}/units/{tree.village_a1.pk}/committee/")
    page.click("text=成员离任")
    page.select_option("#id_office", str(leaving.pk))
    page.fill("#id_ended_on", "2025-03-01")
    page.select_option("#id_reason", "other")
    page.click("main button:has-text('保存')")
    expect(page.locator(".errors, .error").first).to_contain_text("说明")  # "other" needs a note
    page.fill("#id_note", "外出务工")
    page.click("main button:has-text('保存')")
    expect(page.locator("#former")).to_contain_text(leaving.person.name)
    expect(page.locator("#former")).to_contain_text("外出务工")

    page.click("main a:has-text('补选')")
    expect(page.locator("#id_seats")).to_have_value("1")
    page.fill("#id_held_on", "2025-06-01")
    for field, value in {"entitled": "100", "present": "80", "ballots_issued": "80", "ballots_returned": "80"}.items():
        page.fill(f"#id_{field}", value)
    page.click("main button:has-text('保存')")
    page.fill("#candidates #id_name", "郑晓红")
    page.fill("#candidates #id_approve", "70")
    page.click("#candidates button:has-text('添加候选人')")
    expect(page.locator("#certify")).to_contain_text("符合全部选举规则")
    page.click("#certify button")
    expect(page.locator("main")).to_contain_text("郑晓红")
    expect(page.locator(".messages")).to_contain_text("当选者进入黄墩社区第1届")
    assert Office.objects.get(person__name="郑晓红", ended_on__isnull=True).term == term
