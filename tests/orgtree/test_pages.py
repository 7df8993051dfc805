"""Pages: every page scoped (404 across counties, 403 for read-only roles), forms in Chinese."""

import pytest
from django.urls import reverse

from orgtree.models import Unit

PAGES = ["unit_detail", "unit_create", "unit_edit", "unit_move", "unit_close"]
WRITE_PAGES = PAGES[1:]


def url(name, unit):
    return reverse(f"orgtree:{name}", args=[unit.pk])


@pytest.fixture
def as_editor_a(client, users):
    client.force_login(users.editor_a)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_county_a_editor_gets_404_on_every_county_b_page(as_editor_a, tree, page):
    for unit in (tree.county_b, tree.township_b, tree.village_b1):
        assert as_editor_a.get(url(page, unit)).status_code == 404
        assert as_editor_a.post(url(page, unit), {"name": "越界", "closed_on": "2024-01-01"}).status_code == 404
    assert not Unit.objects.filter(name="越界").exists()
    assert Unit.objects.get(pk=tree.village_b1.pk).closed_on is None


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_viewer_gets_403_on_every_write_page(client, users, tree, page):
    client.force_login(users.viewer)
    assert client.get(url(page, tree.village_a3)).status_code == 403
    assert client.post(url(page, tree.village_a3), {"closed_on": "2024-01-01", "version": 1}).status_code == 403
    assert Unit.objects.get(pk=tree.village_a3.pk).closed_on is None


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, tree, page):
    response = client.get(url(page, tree.county_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_list_and_search_show_only_the_scope(as_editor_a, tree):
    response = as_editor_a.get(reverse("orgtree:unit_list"), {"q": "3507"})
    names = {u.name for u in response.context["page"]}
    assert "延平区" in names and "建阳区" not in names and "城东村" not in names
    response = as_editor_a.get(reverse("orgtree:unit_list"), {"q": "城东"})
    assert list(response.context["page"]) == []


def test_home_goes_to_the_users_unit(as_editor_a, tree):
    response = as_editor_a.get(reverse("home"))
    assert response["Location"] == url("unit_detail", tree.county_a)


def test_detail_shows_breadcrumbs_children_with_counts_and_history(as_editor_a, tree, django_assert_max_num_queries):
    as_editor_a.get(reverse("notifications"))  # the first page of the day produces the day's notices
    with django_assert_max_num_queries(14):
        response = as_editor_a.get(url("unit_detail", tree.county_a))
    body = response.content.decode()
    assert "南平市" in body and "黄墩街道" in body
    assert response.context["children"][0].grassroots == 3
    assert [a.name for a in response.context["lineage"]] == ["福建省", "南平市"]


def test_detail_query_count_does_not_grow_with_children(as_editor_a, tree, django_assert_num_queries):
    from tests.conftest import make

    as_editor_a.get(url("unit_detail", tree.township_a))  # warm caches (content types, session)
    with django_assert_num_queries(12) as captured:  # incl. the unread-notices badge, the history's parent names
        as_editor_a.get(url("unit_detail", tree.township_a))
    for i in range(5):
        make(tree.township_a, "village", f"新村{i}", f"35070200330{i}")
    with django_assert_num_queries(len(captured)):
        as_editor_a.get(url("unit_detail", tree.township_a))


def test_create_form_shows_chinese_errors_and_creates_nothing(as_editor_a, tree):
    response = as_editor_a.post(
        url("unit_create", tree.township_a), {"kind": "community", "name": "重复社区", "code": "350702003001"}
    )
    assert response.status_code == 200
    assert "黄墩社区" in response.content.decode()
    assert not Unit.objects.filter(name="重复社区").exists()
    response = as_editor_a.post(url("unit_create", tree.township_a), {"kind": "community", "name": ""})
    assert "该字段是必填项" in response.content.decode()


def test_create_form_offers_only_kinds_allowed_under_the_parent(as_editor_a, tree):
    response = as_editor_a.get(url("unit_create", tree.township_a))
    kinds = {value for value, _ in response.context["form"].fields["kind"].choices}
    assert "village" in kinds and "county" not in kinds


def test_create_then_edit_then_close_through_the_forms(as_editor_a, tree):
    response = as_editor_a.post(
        url("unit_create", tree.township_a), {"kind": "community", "name": "新建社区", "code": "350702003005"}
    )
    unit = Unit.objects.get(name="新建社区")
    assert response["Location"] == unit.get_absolute_url()
    as_editor_a.post(
        url("unit_edit", unit),
        {"kind": "community", "name": "新建社区二", "code": "350702003005", "version": unit.version},
    )
    unit.refresh_from_db()
    assert unit.name == "新建社区二" and unit.version == 2
    as_editor_a.post(url("unit_close", unit), {"closed_on": "2025-01-01", "note": "合并", "version": 2})
    unit.refresh_from_db()
    assert str(unit.closed_on) == "2025-01-01"


def test_edit_with_a_stale_version_shows_the_conflict_and_current_values(as_editor_a, tree, users):
    from orgtree import services

    services.update_unit(users.admin_a, tree.village_a1, {"name": "别人改的名"})
    response = as_editor_a.post(
        url("unit_edit", tree.village_a1),
        {"kind": "community", "name": "我改的名", "code": "350702003001", "version": 1},
    )
    assert response.status_code == 200
    assert response.context["conflict"].name == "别人改的名"
    assert Unit.objects.get(pk=tree.village_a1.pk).name == "别人改的名"


def test_move_form_refuses_a_target_outside_the_scope(as_editor_a, tree):
    response = as_editor_a.post(url("unit_move", tree.village_a3), {"parent": tree.township_b.code, "version": 1})
    assert response.status_code == 200 and response.context["form"].errors
    assert Unit.objects.get(pk=tree.village_a3.pk).parent_id == tree.township_a.pk


def test_move_and_close_are_not_offered_on_the_scope_top(as_editor_a, tree):
    response = as_editor_a.get(url("unit_detail", tree.county_a))
    assert response.context["can_change"] and not response.context["can_restructure"]
    assert (
        as_editor_a.post(url("unit_close", tree.county_a), {"closed_on": "2024-01-01", "version": 1}).status_code == 403
    )
    assert Unit.objects.get(pk=tree.county_a.pk).closed_on is None


def test_login_page_is_chinese_and_usable_on_a_phone(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and 'name="viewport"' in body


def test_the_village_facts_on_the_village_form(as_editor_a, tree, users, api):
    """村（社区）党组织书记 and 村（居）委会主任 are women: two facts of a village on its form and the
    API; refused in Chinese (nothing saved) for another kind, or against the chair's own post."""
    from orgtree.conversion import record_conversion
    from tests.orgtree.test_conversion import data

    village = tree.village_a3
    form = as_editor_a.get(url("unit_edit", village)).content.decode()
    assert "村（社区）党组织书记为女性" in form and "村（居）委会主任为女性" in form
    assert "党组织书记为女性" not in as_editor_a.get(url("unit_edit", tree.county_a)).content.decode()
    fields = {"kind": "village", "name": village.name, "code": village.code, "version": 1}
    as_editor_a.post(url("unit_edit", village), {**fields, "director_is_woman": "on"})
    village.refresh_from_db()
    assert village.director_is_woman and not village.secretary_is_woman

    refused = api(users.editor_a).patch(f"/api/units/{tree.township_a.pk}/", {"secretary_is_woman": True})
    assert refused.status_code == 400 and "只有村（社区）" in refused.content.decode()
    assert not Unit.objects.get(pk=tree.township_a.pk).secretary_is_woman

    record_conversion(users.editor_a, tree.village_a1, data(chair_flags={"is_party_secretary": True}))
    chaired = Unit.objects.get(pk=tree.village_a1.pk)
    assert chaired.secretary_is_woman  # the chair's post sets the fact
    response = as_editor_a.post(
        url("unit_edit", chaired),
        {"kind": "community", "name": chaired.name, "code": chaired.code, "version": chaired.version},
    )
    assert response.status_code == 200
    assert "妇联主席任村（社区）党组织书记" in str(response.context["form"].errors)
    assert Unit.objects.get(pk=chaired.pk).secretary_is_woman
