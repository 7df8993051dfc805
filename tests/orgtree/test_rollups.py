from orgtree.models import Unit
from orgtree.rollups import count_per_child, grassroots_per_child
from tests.conftest import make


def test_villages_per_child_at_every_level(tree):
    assert grassroots_per_child([tree.province]) == {tree.province.pk: 4}
    assert grassroots_per_child([tree.county_a, tree.county_b, tree.agency]) == {
        tree.county_a.pk: 3,
        tree.county_b.pk: 1,
        tree.agency.pk: 0,
    }
    assert grassroots_per_child([tree.township_a]) == {tree.township_a.pk: 3}


def test_rollup_is_one_query_per_group_of_children(tree, django_assert_num_queries):
    children = list(Unit.objects.filter(parent=tree.city))
    with django_assert_num_queries(2):  # counties (own rows UNION ALL the rows below), the agency by lft range
        grassroots_per_child(children)
    with django_assert_num_queries(1):
        grassroots_per_child([tree.township_a, tree.township_b])


def test_rollup_of_related_rows_counts_the_child_itself(tree):
    from federation.models import UserScope

    group = make(tree.village_a1, "women_group", "小组")
    assert count_per_child([tree.county_a], Unit.objects.filter(kind="women_group")) == {tree.county_a.pk: 1}
    assert group.pk
    rows = UserScope.objects.none()
    assert count_per_child([tree.county_a], rows, path="unit__") == {tree.county_a.pk: 0}


def test_closed_villages_are_not_counted(tree):
    from orgtree import services

    services.close_unit(None, tree.village_a3, "2024-01-01")
    assert grassroots_per_child([tree.county_a]) == {tree.county_a.pk: 2}
