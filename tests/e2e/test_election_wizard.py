"""The admin's journey: see an overdue renewal, run the election in the wizard, get the new committee."""

import datetime

import pytest
from playwright.sync_api import expect

from orgtree.models import Office, Term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_renewal_election_from_the_overdue_list_to_the_seated_committee(phone, login, live_server, tree, users):
    Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2019, 4, 1), due_on=datetime.date(2024, 4, 1)
    )
    page = login(phone, "admin_a")
    page.goto(f"{live_server.url}/units/{tree.county_a.pk}/renewals/")
    expect(page.locator(".overdue-count")).to_have_text("1")
    page.click("section:has(h2:text('已逾期')) >> text=黄墩社区")
    expect(page.locator("h1")).to_contain_text("执委会")
    page.click("text=新建选举")

    # Step 1: the meeting's figures, with too few present first.
    page.fill("#id_held_on", "2024-05-10")
    for field, value in {
        "entitled": "100",
        "present": "60",
        "ballots_issued": "60",
        "ballots_returned": "60",
        "seats": "3",
    }.items():
        page.fill(f"#id_{field}", value)
    page.click("main button:has-text('保存')")
    expect(page.locator(".messages")).to_contain_text("请录入候选人")

    # Step 2: candidates and their votes.
    for name, votes in (("林秀英", "58"), ("陈美华", "56"), ("王丽", "55"), ("张芳", "20")):
        page.fill("#candidates #id_name", name)
        page.fill("#candidates #id_approve", votes)
        page.click("#candidates button:has-text('添加候选人')")
        expect(page.locator("#candidates table")).to_contain_text(name)
    expect(page.locator("#certify .errors")).to_contain_text("三分之二")
    expect(page.locator("#certify button")).to_be_disabled()

    # The quorum is fixed in step 1; the three with a majority of the entitled are elected.
    for field in ("present", "ballots_issued", "ballots_returned"):
        page.fill(f"#figures #id_{field}", "80")
    page.click("#figures button:has-text('保存会议数据')")
    expect(page.locator("#candidates tr.elected")).to_have_count(3)

    # Step 3: the first meeting elects the chair and a part-time vice-chair.
    page.locator("#officers tr", has_text="林秀英").locator("select").first.select_option("chair")
    row = page.locator("#officers tr", has_text="陈美华")
    row.locator("select").first.select_option("vice_chair")
    row.locator("select").nth(1).select_option("part_time")
    page.check("#officers input[name=on_party_committee]")
    page.click("#officers button:has-text('保存人选')")
    expect(page.locator("#certify")).to_contain_text("符合全部选举规则")

    # Step 4: certify; the committee page shows term 2 with its members.
    page.click("#certify button:has-text('确认选举结果')")
    expect(page.locator(".messages")).to_contain_text("第 2 届开始")
    expect(page.locator("main")).to_contain_text("第2届")
    expect(page.locator("table.list").first).to_contain_text("林秀英")
    term = Term.objects.get(unit=tree.village_a1, ended_on__isnull=True)
    assert term.number == 2 and Office.objects.filter(term=term).count() == 3
    assert Office.objects.get(term=term, role="chair").on_party_committee
