"""The admin is scoped like every page: staff see their subtree only, and cannot write units there."""

import pytest
from django.urls import reverse

from federation.models import UserScope


@pytest.fixture
def staff_a(client, users):
    users.admin_a.is_staff = True
    users.admin_a.save()
    for codename in ("view_unit", "view_userscope", "change_userscope", "add_userscope", "view_changerecord"):
        from django.contrib.auth.models import Permission

        users.admin_a.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(users.admin_a)
    return client


def test_unit_list_shows_only_the_county(staff_a, tree):
    response = staff_a.get(reverse("admin:orgtree_unit_changelist"))
    names = {u.name for u in response.context["cl"].result_list}
    assert names == {"延平区", "黄墩街道", "黄墩社区", "西门社区", "上坪村"}


def test_a_unit_of_another_county_is_not_found(staff_a, tree):
    response = staff_a.get(reverse("admin:orgtree_unit_change", args=[tree.village_b1.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect, no data shown
    assert "城东村" not in staff_a.get(response["Location"]).content.decode()


def test_units_are_read_only_in_the_admin(staff_a, tree):
    response = staff_a.post(reverse("admin:orgtree_unit_change", args=[tree.village_a1.pk]), {"name": "后台改"})
    assert response.status_code == 403
    assert staff_a.get(reverse("admin:orgtree_unit_add")).status_code == 403


def test_scopes_and_history_are_limited_to_the_county(staff_a, tree, users):
    response = staff_a.get(reverse("admin:federation_userscope_changelist"))
    assert {s.unit.name for s in response.context["cl"].result_list} == {"延平区"}
    response = staff_a.get(reverse("admin:federation_changerecord_changelist"))
    assert "城东村" not in {r.object_repr for r in response.context["cl"].result_list}
    assert "黄墩社区" in {r.object_repr for r in response.context["cl"].result_list}


def test_a_county_admin_cannot_grant_a_scope_in_another_county(staff_a, tree, users):
    response = staff_a.post(
        reverse("admin:federation_userscope_add"),
        {"user": users.editor_a.pk, "unit": tree.county_b.pk, "role": "admin"},
    )
    assert response.status_code == 200 and "unit" in response.context["adminform"].form.errors
    assert not UserScope.objects.filter(user=users.editor_a, unit=tree.county_b).exists()
