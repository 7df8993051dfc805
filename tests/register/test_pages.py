"""The register's pages by role: the list with its filters and counts, an organization, create, edit and
close, linking several to one committee (联建), the build rule; scope (404 like a missing id), bad input
in Chinese with nothing saved, and the query counts."""

import datetime

import pytest
from django.urls import reverse

from federation.models import ChangeRecord
from orgtree.models import Unit
from register.models import BuildRule, Organization, OrgKind
from tests.register.world import build, org


@pytest.fixture
def world(tree, users):
    return build(tree, users)


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def rows(html):
    return html.count('data-org="')


@pytest.mark.django_db
def test_the_list_filters_and_shows_coverage_by_kind(client, tree, users, world):
    url = reverse("register:organizations", args=[tree.county_a.pk])
    html = page(client, users.viewer, url)
    assert "应建尽建台账" in html and "万达广场" in html and "已关停工厂" not in html  # current only by default
    assert "潭城商贸" not in html and "南平市第0局" not in html  # the subtree only
    assert rows(html) == 6
    assert rows(page(client, users.viewer, url + "?status=should_build")) == 2  # 延平区教育局, 食品公司
    assert rows(page(client, users.viewer, url + "?status=built")) == 2
    assert rows(page(client, users.viewer, url + "?status=not_required")) == 2
    assert rows(page(client, users.viewer, url + "?kind=new_domain")) == 3
    assert rows(page(client, users.viewer, url + "?subtype=market")) == 1
    assert rows(page(client, users.viewer, url + "?coverage=regional")) == 2
    assert rows(page(client, users.viewer, url + "?party=no")) == 1
    assert rows(page(client, users.viewer, url + f"?area={tree.township_a.pk}")) == 5
    assert rows(page(client, users.viewer, url + "?state=closed")) == 1
    assert rows(page(client, users.viewer, url + "?q=万达")) == 1
    city = page(client, users.viewer, reverse("register:organizations", args=[tree.city.pk]))
    assert 'data-kind="own"' in city and "75.0%" in city  # the city's own agencies: 3 of 4
    gap = f"?kind=agency&amp;unit={tree.city.pk}&amp;status=should_build"
    assert gap in city
    assert (
        rows(
            page(
                client, users.viewer, reverse("register:organizations", args=[tree.city.pk]) + gap.replace("&amp;", "&")
            )
        )
        == 1
    )


@pytest.mark.django_db
def test_a_viewer_gets_no_form_an_editor_gets_hers(client, tree, users, world):
    url = reverse("register:organizations", args=[tree.county_a.pk])
    html = page(client, users.viewer, url)
    assert 'method="post"' not in html.split("<main>", 1)[-1].split("</main>")[0]
    assert reverse("register:organization_create", args=[tree.county_a.pk]) not in html
    detail = page(client, users.viewer, reverse("register:organization_detail", args=[world.factory.pk]))
    assert (
        reverse("register:organization_edit", args=[world.factory.pk]) not in detail
        and 'name="closed_on"' not in detail
    )
    rule = page(client, users.viewer, reverse("register:rule", args=[tree.county_a.pk]))
    assert 'name="min_women"' not in rule
    for target in (
        reverse("register:organization_create", args=[tree.county_a.pk]),
        reverse("register:organization_edit", args=[world.factory.pk]),
    ):
        assert client.get(target).status_code == 403
    html = page(client, users.editor_a, url)
    assert 'name="organizations"' in html and reverse("register:organization_create", args=[tree.county_a.pk]) in html
    assert 'name="min_women"' in page(client, users.editor_a, reverse("register:rule", args=[tree.county_a.pk]))


@pytest.mark.django_db
def test_another_countys_pages_answer_404_like_a_missing_id(client, tree, users, world):
    client.force_login(users.editor_a)
    for name, pk, missing in (
        ("register:organizations", tree.county_b.pk, 999999),
        ("register:organization_create", tree.county_b.pk, 999999),
        ("register:rule", tree.county_b.pk, 999999),
        ("register:organization_detail", world.b_org.pk, 999999),
        ("register:organization_edit", world.b_org.pk, 999999),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        assert client.get(reverse(name, args=[missing])).status_code == 404, name
    post = client.post(reverse("register:organization_detail", args=[world.b_org.pk]), {"action": "close"})
    assert post.status_code == 404


@pytest.mark.django_db
def test_the_detail_tells_status_why_the_rule_and_the_suggested_leader(client, tree, users, world):
    html = page(client, users.viewer, reverse("register:organization_detail", args=[world.mall.pk]))
    assert "已建" in html and "黄墩商圈妇联" in html and "区域联建" in html
    assert "已建立党组织" in html  # why
    html = page(client, users.viewer, reverse("register:organization_detail", args=[world.garage.pk]))
    assert "仅3人" in html and "无需建立" in html
    BuildRule.objects.create(unit=tree.county_a, min_women=5)
    html = page(client, users.viewer, reverse("register:organization_detail", args=[world.dance.pk]))
    assert "延平区" in html and reverse("register:rule", args=[tree.county_a.pk]) in html


@pytest.mark.django_db
def test_create_edit_and_close_through_the_forms(client, tree, users, world):
    client.force_login(users.editor_a)
    url = reverse("register:organization_create", args=[tree.county_a.pk])
    response = client.post(
        url,
        {
            "unit": tree.township_a.pk,
            "name": "黄墩物流园",
            "kind": "new_domain",
            "subtype": "park",
            "has_party_org": "on",
            "employees": "120",
            "requirement": "rule",
            "credit_code": "91350100m000100y43",
        },
    )
    assert response.status_code == 302
    created = Organization.objects.get(name="黄墩物流园")
    assert created.should_build and created.credit_code == "91350100M000100Y43" and created.unit == tree.township_a
    edit = reverse("register:organization_edit", args=[created.pk])
    form = client.get(edit).content.decode()
    assert 'name="version"' in form
    data = {
        "name": "黄墩物流园区",
        "kind": "new_domain",
        "subtype": "park",
        "requirement": "rule",
        "employees": "120",
        "version": created.version,
    }
    assert client.post(edit, data).status_code == 302
    created.refresh_from_db()
    assert created.name == "黄墩物流园区" and not created.should_build  # no party organization now
    stale = client.post(edit, {**data, "name": "过期的修改"})  # the version seen is no longer current
    assert stale.status_code == 200 and "过期的修改" not in Organization.objects.values_list("name", flat=True)
    detail = reverse("register:organization_detail", args=[created.pk])
    closed = client.post(detail, {"action": "close", "version": created.version, "closed_on": "2025-06-30"})
    assert closed.status_code == 302
    created.refresh_from_db()
    assert created.closed_on == datetime.date(2025, 6, 30)
    assert ChangeRecord.objects.filter(object_id=str(created.pk)).count() == 3


@pytest.mark.django_db
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client, tree, users, world):
    client.force_login(users.editor_a)
    before = Organization.objects.count()
    url = reverse("register:organization_create", args=[tree.county_a.pk])
    for data, words in (
        ({"name": "", "kind": "enterprise", "requirement": "rule"}, "必填"),
        ({"name": "甲", "kind": "enterprise", "requirement": "rule", "credit_code": "91350100M000100Y42"}, "不符"),
        ({"name": "乙", "kind": "agency", "requirement": "rule"}, "细分类型"),
        ({"name": "丙", "kind": "enterprise", "requirement": "rule", "employees": "3", "women_employees": "5"}, "女"),
        ({"name": "丁", "kind": "enterprise", "requirement": "not_required"}, "理由"),
        ({"name": "戊", "kind": "enterprise", "requirement": "rule", "committee": world.city_committee.pk}, "有效"),
        ({"name": "己", "kind": "enterprise", "requirement": "rule", "employees": "-1"}, "大于或等于"),
    ):
        response = client.post(url, {"unit": tree.township_a.pk, **data})
        assert response.status_code == 200, data
        text = response.content.decode()
        assert words in text, (data, words)
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_several_organizations_are_linked_to_one_new_committee_in_one_form(client, tree, users, world):
    client.force_login(users.editor_a)
    url = reverse("register:organizations", args=[tree.county_a.pk])
    one = org(users.editor_a, tree.township_a, "黄墩一号楼", OrgKind.NEW_DOMAIN, subtype="building", has_party_org=True)
    two = org(users.editor_a, tree.township_a, "黄墩二号楼", OrgKind.NEW_DOMAIN, subtype="building", has_party_org=True)
    units_before = Unit.objects.count()
    bad = client.post(url, {"action": "link", "organizations": [one.pk, two.pk], "mode": "new", "kind": "new_domain"})
    assert bad.status_code == 200 and "必填" in bad.content.decode()
    missing_subtype = client.post(
        url,
        {
            "action": "link",
            "organizations": [one.pk, two.pk],
            "mode": "new",
            "kind": "new_domain",
            "name": "黄墩楼宇妇联",
            "parent": tree.township_a.pk,
        },
    )
    assert missing_subtype.status_code == 200 and "新领域" in missing_subtype.content.decode()
    assert Unit.objects.count() == units_before
    done = client.post(
        url,
        {
            "action": "link",
            "organizations": [one.pk, two.pk],
            "mode": "new",
            "kind": "new_domain",
            "subtype": "building",
            "name": "黄墩楼宇妇联",
            "parent": tree.township_a.pk,
        },
    )
    assert done.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.committee == two.committee and one.committee.name == "黄墩楼宇妇联" and one.coverage == "regional"
    # ...or an existing committee; another county's organization is not found (like a missing one)
    linked = client.post(
        url, {"action": "link", "organizations": [world.factory.pk], "mode": "existing", "committee": one.committee_id}
    )
    assert linked.status_code == 302
    world.factory.refresh_from_db()
    assert world.factory.committee_id == one.committee_id and world.factory.coverage == "separate"
    foreign = client.post(
        url, {"action": "link", "organizations": [world.b_org.pk], "mode": "existing", "committee": one.committee_id}
    )
    assert foreign.status_code == 200
    world.b_org.refresh_from_db()
    assert world.b_org.committee_id is None


@pytest.mark.django_db
def test_the_rule_page_sets_the_rule_and_tells_how_many_changed(client, tree, users, world):
    client.force_login(users.editor_a)
    url = reverse("register:rule", args=[tree.county_a.pk])
    assert "默认" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "rule",
            "version": 0,
            "party_org": "on",
            "min_women": "3",
            "chair_patron_from": 100,
            "vice_patron_from": 30,
        },
        follow=True,
    )
    assert "1" in response.content.decode() and BuildRule.objects.get(unit=tree.county_a).min_women == 3
    world.dance.refresh_from_db()
    assert world.dance.should_build
    bad = client.post(
        url,
        {
            "action": "rule",
            "version": 1,
            "party_org": "on",
            "min_women": "0",
            "chair_patron_from": 10,
            "vice_patron_from": 30,
        },
    )
    assert bad.status_code == 200 and BuildRule.objects.get(unit=tree.county_a).min_women == 3
    assert client.get(reverse("register:rule", args=[tree.township_a.pk])).status_code == 404  # a county or above


@pytest.mark.django_db
def test_list_and_detail_cost_a_fixed_number_of_queries(client, tree, users, world, django_assert_num_queries):
    client.force_login(users.editor_a)
    url = reverse("register:organizations", args=[tree.county_a.pk])
    detail = reverse("register:organization_detail", args=[world.mall.pk])
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail)
    for i in range(12):
        org(users.editor_a, tree.township_a, f"新企业{i}", has_party_org=True, employees=40)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)


LIST_QUERIES = 14
DETAIL_QUERIES = 13


@pytest.mark.django_db
def test_the_dashboard_shows_rate_and_gap_by_child_with_the_drill_down(client, tree, users, world):
    html = page(client, users.viewer, reverse("orgtree:dashboard", args=[tree.city.pk]))
    assert "register-by-child" in html and "应建尽建覆盖情况" in html
    county = html.split(f'data-unit="{tree.county_a.pk}"', 1)[1].split("</tr>", 1)[0]
    drill = reverse("register:organizations", args=[tree.county_a.pk]) + "?kind=enterprise&amp;status=should_build"
    assert drill in county
    own = reverse("register:organizations", args=[tree.city.pk]) + f"?kind=agency&amp;unit={tree.city.pk}"
    assert own in html and "75.0%" in html  # the city's own agencies, in the total row
    listed = page(client, users.viewer, drill.replace("&amp;", "&"))
    assert rows(listed) == 1 and "食品公司" in listed


@pytest.mark.django_db
def test_the_dashboard_leaves_the_panel_out_while_the_register_is_empty(client, tree, users):
    html = page(client, users.viewer, reverse("orgtree:dashboard", args=[tree.city.pk]))
    assert "register-by-child" not in html
