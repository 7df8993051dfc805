"""Contact-with-women pages: the committee tab, the list editor, named contacts; scope (404 across
counties, like an id of nothing), roles (viewers see masked names and no form), bad input in Chinese,
conflicts, query counts, the dashboard panel, Chinese only."""

import datetime
import re

import pytest
from django.urls import reverse

from executives import contacts
from executives.models import ContactList, ContactVisit, NamedContact
from federation.models import ChangeRecord
from tests.executives import contacts_world
from tests.executives.contacts_world import seat
from tests.federation.test_oracles import MISSING, blanked
from tests.test_chinese_pages import english_words, visible_text
from tests.test_pages_by_role import check_links, post_forms

world = contacts_world.world  # the fixture


@pytest.fixture
def filled(world):
    editor = world.users.editor_a
    contacts.save_contact_list(editor, world.chair_a1, {"difficulty": 3, "other": 9, "home_visit": 4})
    contacts.log_visit(editor, world.chair_a1, date=datetime.date(2025, 2, 1), way="phone", women=3, note="电话问候")
    world.visit_a = ContactVisit.objects.get(office=world.chair_a1)
    world.named_a = contacts.add_named_contact(
        editor, world.chair_a1, unit=world.tree.village_a1, name="王芳", category="left_behind"
    )
    editor_b = world.users.editor_b
    contacts.save_contact_list(editor_b, world.exec_b1, {"disabled": 2})
    world.visit_b = contacts.log_visit(editor_b, world.exec_b1, date=datetime.date(2025, 2, 1), way="phone", women=1)
    world.named_b = contacts.add_named_contact(
        editor_b, world.exec_b1, unit=world.tree.village_b1, name="乙县妇女", category="other"
    )
    return world


def tab(unit):
    return reverse("executives:contacts", args=[unit.pk])


def pages(w):
    return [
        tab(w.tree.village_a1),
        tab(w.tree.township_a),
        tab(w.tree.county_a),
        reverse("executives:contact_list_edit", args=[w.chair_a1.pk]),
        reverse("executives:contact_list_edit", args=[w.exec_a1.pk]),
        reverse("executives:contact_visit_edit", args=[w.visit_a.pk]),
        reverse("executives:named_contact_edit", args=[w.named_a.pk]),
        reverse("executives:named_contact_erase", args=[w.named_a.pk]),
    ]


def foreign_pages(w):
    """County B's pages, each with the same page of an id of nothing."""
    return [
        (tab(w.tree.village_b1), reverse("executives:contacts", args=[MISSING]), w.tree.village_b1.pk),
        (
            reverse("executives:contact_list_edit", args=[w.exec_b1.pk]),
            reverse("executives:contact_list_edit", args=[MISSING]),
            w.exec_b1.pk,
        ),
        (
            reverse("executives:contact_visit_edit", args=[w.visit_b.pk]),
            reverse("executives:contact_visit_edit", args=[MISSING]),
            w.visit_b.pk,
        ),
        (
            reverse("executives:named_contact_edit", args=[w.named_b.pk]),
            reverse("executives:named_contact_edit", args=[MISSING]),
            w.named_b.pk,
        ),
        (
            reverse("executives:named_contact_erase", args=[w.named_b.pk]),
            reverse("executives:named_contact_erase", args=[MISSING]),
            w.named_b.pk,
        ),
    ]


def test_the_tab_shows_each_executive_with_counts_and_last_contact(client, filled):
    client.force_login(filled.users.editor_a)
    page = client.get(tab(filled.tree.village_a1)).content.decode()
    text = visible_text(page)
    assert "联系妇女" in text and "林秀英" in text and "陈美华" in text
    assert "困难妇女 3" in text and "入户走访 4" in text and "2025-02-01" in text
    assert "王芳" in text and "电话问候" in text
    assert "黄丽萍" not in text  # out of office
    assert reverse("executives:contact_list_edit", args=[filled.chair_a1.pk]) in page
    committee = client.get(reverse("orgtree:committee", args=[filled.tree.village_a1.pk])).content.decode()
    assert tab(filled.tree.village_a1) in committee  # the committee page's sub-tab


def test_a_viewer_sees_masked_names_and_no_form(client, filled):
    client.force_login(filled.users.viewer)
    seen = []
    for url in [tab(filled.tree.village_a1), tab(filled.tree.county_a), tab(filled.tree.city)]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert post_forms(page) == [], url
        assert "王芳" not in page
        seen.append(page)
    assert "王*" in visible_text(seen[0])
    assert "named_contact_erase" not in seen[0] and "/erase/" not in seen[0]
    check_links(client, seen)
    for url in pages(filled)[3:]:
        assert client.get(url).status_code == 403, url
    before = ContactVisit.objects.count()
    response = client.post(
        tab(filled.tree.village_a1),
        {"action": "visit", "office": filled.chair_a1.pk, "date": "2025-03-01", "way": "phone", "women": 2},
    )
    assert response.status_code == 403 and ContactVisit.objects.count() == before


def test_county_a_gets_404_on_county_b_like_on_nothing(client, filled):
    client.force_login(filled.users.editor_a)
    for foreign, missing, pk in foreign_pages(filled):
        for send in (client.get, client.post):
            got, nothing = send(foreign), send(missing)
            assert got.status_code == nothing.status_code == 404, foreign
            # The page names the address asked for (the language switch returns to it): blanked too.
            assert blanked(got, pk).replace(foreign, "") == blanked(nothing, MISSING).replace(missing, "")
    client.post(reverse("executives:contact_list_edit", args=[filled.exec_b1.pk]), {"disabled": 9, "version": 1})
    client.post(reverse("executives:named_contact_erase", args=[filled.named_b.pk]), {"reason": "x", "version": 1})
    assert ContactList.objects.get(office=filled.exec_b1).disabled == 2
    assert NamedContact.objects.get(pk=filled.named_b.pk).name == "乙县妇女"
    # The tab's forms offer only her own executives and villages: county B's ids are refused as no choice.
    for office in (filled.exec_b1.pk, MISSING):
        response = client.post(
            tab(filled.tree.village_a1),
            {"action": "visit", "office": office, "date": "2025-03-01", "way": "phone", "women": 2},
        )
        assert response.status_code == 200 and "选择" in visible_text(response.content.decode())
    assert not ContactVisit.objects.filter(date=datetime.date(2025, 3, 1)).exists()


def test_every_page_speaks_chinese(client, filled):
    for user in (filled.users.viewer, filled.users.root):
        client.force_login(user)
        urls = pages(filled)[:3] if user == filled.users.viewer else pages(filled)
        found = {url: english_words(client, url, user) - {"editor_a"} for url in urls}  # history's author
        assert {url: words for url, words in found.items() if words} == {}, user.username
    client.force_login(filled.users.admin_a)
    found = {url: english_words(client, url, filled.users.admin_a) - {"editor_a"} for url in pages(filled)}
    assert {url: words for url, words in found.items() if words} == {}


def test_a_contact_is_logged_from_a_phone_and_bad_input_is_refused_in_chinese(client, filled):
    client.force_login(filled.users.editor_a)
    url = tab(filled.tree.village_a1)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    for data, words in [
        ({"date": tomorrow}, "未来"),
        ({"women": "0"}, "1"),
        ({"date": "2020-01-01"}, "2021-03-01"),
        ({"way": "letter"}, "选择"),
    ]:
        post = {"action": "visit", "office": filled.exec_a1.pk, "date": "2025-03-01", "way": "phone", "women": 2}
        response = client.post(url, {**post, **data})
        assert response.status_code == 200
        assert words in visible_text(response.content.decode()), data
    assert not ContactVisit.objects.filter(office=filled.exec_a1).exists()
    response = client.post(
        url, {"action": "visit", "office": filled.exec_a1.pk, "date": "2025-03-01", "way": "home_visit", "women": 4}
    )
    assert response.status_code == 302
    visit = ContactVisit.objects.get(office=filled.exec_a1)
    assert visit.women == 4 and visit.created_by == filled.users.editor_a


def test_the_list_editor_saves_refuses_and_shows_conflicts(client, filled):
    client.force_login(filled.users.editor_a)
    url = reverse("executives:contact_list_edit", args=[filled.exec_a1.pk])
    assert "version" in client.get(url).content.decode()
    response = client.post(url, {"other": 3, "phone": 5, "version": 0})
    text = visible_text(response.content.decode())
    assert response.status_code == 200 and "每名妇女" in text
    assert not ContactList.objects.filter(office=filled.exec_a1).exists()
    assert client.post(url, {"other": 3, "phone": 2, "version": 0}).status_code == 302
    saved = ContactList.objects.get(office=filled.exec_a1)
    assert saved.women == 3 and saved.version == 1
    page = client.get(url).content.decode()
    assert "变更记录" in page and "联系妇女数：— → 3" in page
    client.force_login(filled.users.admin_a)
    assert client.post(url, {"other": 4, "phone": 2, "version": 1}).status_code == 302
    client.force_login(filled.users.editor_a)
    response = client.post(url, {"other": 7, "version": 1})  # she saw version 1
    assert response.status_code == 200 and "conflict" in response.content.decode()
    assert ContactList.objects.get(office=filled.exec_a1).other == 4


def test_a_log_entry_is_corrected_from_its_page(client, filled):
    client.force_login(filled.users.editor_a)
    assert (
        reverse("executives:contact_visit_edit", args=[filled.visit_a.pk])
        in client.get(tab(filled.tree.village_a1)).content.decode()
    )
    url = reverse("executives:contact_visit_edit", args=[filled.visit_a.pk])
    post = {"date": "2025-02-01", "way": "phone", "women": 5, "note": "电话问候", "version": 1}
    bad = client.post(url, {**post, "date": "2020-01-01"})
    assert bad.status_code == 200 and "2021-03-01" in visible_text(bad.content.decode())
    assert client.post(url, post).status_code == 302
    assert ContactVisit.objects.get(pk=filled.visit_a.pk).women == 5
    page = client.get(url).content.decode()
    assert "妇女人数：3 → 5" in visible_text(page)
    stale = client.post(url, {**post, "women": 6})
    assert stale.status_code == 200 and ContactVisit.objects.get(pk=filled.visit_a.pk).women == 5


def test_erasing_from_the_page_leaves_her_name_nowhere(client, filled):
    client.force_login(filled.users.editor_a)
    url = reverse("executives:named_contact_erase", args=[filled.named_a.pk])
    response = client.post(url, {"reason": "", "version": 1})
    assert response.status_code == 200 and NamedContact.objects.get(pk=filled.named_a.pk).name == "王芳"
    assert client.post(url, {"reason": "本人来电要求删除", "version": 1}).status_code == 302
    page = client.get(tab(filled.tree.village_a1)).content.decode()
    assert "王芳" not in page and "删除" in page
    assert client.get(url).status_code == 404  # an erased contact has nothing left to edit or erase
    assert not ChangeRecord.objects.filter(changes__icontains="王芳").exists()
    assert "王芳" not in str(list(ChangeRecord.objects.values_list("changes", "object_repr", "note")))


def test_the_tab_has_a_fixed_number_of_queries(client, filled, django_assert_num_queries):
    client.force_login(filled.users.editor_a)
    url = tab(filled.tree.village_a1)
    client.get(url)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        office = seat(filled.tree.village_a1, f"新执委{n}")
        contacts.save_contact_list(filled.users.editor_a, office, {"other": n + 1})
        contacts.log_visit(filled.users.editor_a, office, date=datetime.date(2025, 6, 1), way="phone", women=1)
        contacts.add_named_contact(
            filled.users.editor_a, office, unit=filled.tree.village_a1, name=f"李{n}娟"[:1] + "娟", category="other"
        )
    assert count() == few
    with django_assert_num_queries(20):  # session, user, scopes, unit, figures (3), children, rows, forms
        client.get(url)


def test_the_dashboard_shows_contacts_by_child(client, filled):
    client.force_login(filled.users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[filled.tree.city.pk])).content.decode()
    assert "contacts-by-child" in page
    row = re.search(r"延平区</a></td>(.*?)</tr>", page.split("contacts-by-child", 1)[1], re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:3] == ["4", "25.0", "12"]


def test_the_dashboard_panels_drill_down_to_the_childs_dashboard(client, filled):
    client.force_login(filled.users.viewer)
    page = client.get(reverse("orgtree:dashboard", args=[filled.tree.city.pk])).content.decode()
    child = reverse("orgtree:dashboard", args=[filled.tree.county_a.pk])
    for table in ("training-by-child", "contacts-by-child"):
        section = page.split(table, 1)[1].split("</table>", 1)[0]
        assert f'<a href="{child}">延平区</a>' in section, table


def test_the_log_exports_to_excel(client, filled):
    client.force_login(filled.users.viewer)
    response = client.get(tab(filled.tree.village_a1) + "?export=xlsx")
    assert response.status_code == 200
    assert "spreadsheet" in response["Content-Type"]


def test_the_tab_drills_down_by_child_and_exports_the_figures(client, filled):
    import io

    from openpyxl import load_workbook

    client.force_login(filled.users.viewer)
    page = client.get(tab(filled.tree.city), {"from": "2025-01-01", "to": "2025-12-31"}).content.decode()
    drill = page.split("contacts-by-child", 1)[1]
    assert tab(filled.tree.county_a) + "?from=2025-01-01&amp;to=2025-12-31" in drill
    response = client.get(reverse("executives:contacts_export", args=[filled.tree.city.pk]), {"from": "2025-01-01"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == ("组织", "在任执委")
    county = next(r for r in rows if r[0] == "延平区")
    assert county[1:5] == (4, 1, 25.0, 12)
    assert rows[-1][0] == "合计" and rows[-1][4] == 14
    assert "contacts_per_executive" in str(list(book.worksheets[1].iter_rows(values_only=True)))
    bad = client.get(tab(filled.tree.city), {"from": "2025-02-30"})
    assert bad.status_code == 200 and "2025-01-31" in visible_text(bad.content.decode())
    client.force_login(filled.users.editor_a)
    foreign = client.get(reverse("executives:contacts_export", args=[filled.tree.county_b.pk]))
    assert foreign.status_code == client.get(reverse("executives:contacts_export", args=[MISSING])).status_code == 404


def test_an_editor_is_offered_only_links_she_can_use_and_names_are_checked(client, filled):
    client.force_login(filled.users.editor_a)
    seen = [client.get(url).content.decode() for url in pages(filled)[:3]]
    check_links(client, seen)
    url = tab(filled.tree.township_a)
    post = {"action": "named", "office": filled.exec_township_a.pk, "unit": filled.tree.village_a2.pk}
    for data, words in [({"name": "王芳13800000000"}, "数字"), ({"name": ""}, "必填"), ({"unit": ""}, "必填")]:
        response = client.post(url, {**post, "name": "王芳", "category": "other", **data})
        assert response.status_code == 200 and words in visible_text(response.content.decode()), data
    assert not NamedContact.objects.filter(office=filled.exec_township_a).exists()
    assert client.post(url, {**post, "name": "王芳", "category": "other"}).status_code == 302
    contact = NamedContact.objects.get(office=filled.exec_township_a)
    edit = reverse("executives:named_contact_edit", args=[contact.pk])
    moved = client.post(edit, {"name": "王芳", "unit": filled.tree.village_a3.pk, "category": "other", "version": 1})
    assert moved.status_code == 302 and NamedContact.objects.get(pk=contact.pk).unit == filled.tree.village_a3
    foreign = client.post(edit, {"name": "王芳", "unit": filled.tree.village_b1.pk, "category": "other", "version": 2})
    assert foreign.status_code == 200 and NamedContact.objects.get(pk=contact.pk).unit == filled.tree.village_a3
