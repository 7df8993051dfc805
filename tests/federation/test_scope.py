"""restrict() and can(): the one scope rule, for every role."""

from federation import scope
from federation.models import UserScope
from orgtree.models import Unit


def visible(user):
    return set(scope.restrict(Unit.objects.all(), user).values_list("name", flat=True))


def test_county_editor_sees_exactly_her_county(tree, users):
    assert visible(users.editor_a) == {"延平区", "黄墩街道", "黄墩社区", "西门社区", "上坪村"}


def test_city_viewer_sees_the_city_but_changes_nothing(tree, users):
    assert {"延平区", "建阳区", "城东村", "南平市直机关妇工委"} <= visible(users.viewer)
    assert "福建省" not in visible(users.viewer)
    assert scope.restrict(Unit.objects.all(), users.viewer, scope.CHANGE).count() == 0
    assert scope.can(users.viewer, scope.VIEW, tree.village_b1)
    assert not scope.can(users.viewer, scope.CHANGE, tree.village_b1)


def test_superuser_sees_all_and_anonymous_nothing(tree, users):
    from django.contrib.auth.models import AnonymousUser

    assert scope.restrict(Unit.objects.all(), users.root).count() == Unit.objects.count()
    assert scope.restrict(Unit.objects.all(), AnonymousUser()).count() == 0


def test_a_user_without_scope_sees_nothing(tree, db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody")
    assert visible(nobody) == set()


def test_several_scopes_add_up(tree, users):
    UserScope.objects.create(user=users.editor_b, unit=tree.township_a, role="viewer")
    user = type(users.editor_b).objects.get(pk=users.editor_b.pk)
    assert {"城东村", "黄墩社区"} <= visible(user)
    assert not scope.can(user, scope.CHANGE, tree.village_a1)
    assert scope.can(user, scope.CHANGE, tree.village_b1)


def test_a_closed_scope_unit_grants_nothing(tree, users):
    from orgtree import services

    services.close_unit(None, tree.village_b1, "2024-01-01")
    services.close_unit(None, tree.township_b, "2024-01-01")
    services.close_unit(None, tree.county_b, "2024-01-01")
    user = type(users.editor_b).objects.get(pk=users.editor_b.pk)
    assert visible(user) == set()


def test_restrict_follows_a_path_for_related_models(tree, users):
    rows = scope.restrict(UserScope.objects.all(), users.editor_a)
    assert {s.unit.name for s in rows} == {"延平区"}
