"""The tree boundary, ancestor columns, moves, check_tree and the tree lock."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from orgtree import services
from orgtree.choices import Kind
from orgtree.models import Unit
from orgtree.tree import check_tree
from tests.conftest import make


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


def test_each_administrative_unit_down_to_township_is_its_own_tree(tree):
    a, b, city, township = fresh(tree.county_a), fresh(tree.county_b), fresh(tree.city), fresh(tree.township_a)
    assert len({a.tree_id, b.tree_id, city.tree_id, township.tree_id}) == 4
    village = fresh(tree.village_a1)
    assert village.tree_id == township.tree_id and village.tree_parent_id == township.pk
    assert (village.province_id, village.city_id, village.county_id) == (tree.province.pk, tree.city.pk, a.pk)
    assert township.tree_parent_id is None and township.parent_id == a.pk
    assert a.tree_parent_id is None and a.parent_id == city.pk
    agency = fresh(tree.agency)
    assert agency.tree_id == city.tree_id and agency.tree_parent_id == city.pk


def test_an_insert_only_touches_its_own_township(tree):
    b_before = list(Unit.objects.filter(tree_id=fresh(tree.county_b).tree_id).values_list("lft", "rght"))
    make(tree.village_a1, Kind.WOMEN_GROUP, "第一小组")
    b_after = list(Unit.objects.filter(tree_id=fresh(tree.county_b).tree_id).values_list("lft", "rght"))
    assert b_before == b_after
    assert check_tree() == []


def test_subtree_of_each_level(tree):
    def names(unit):
        return set(Unit.objects.within(fresh(unit)).values_list("name", flat=True))

    assert names(tree.county_a) == {"延平区", "黄墩街道", "黄墩社区", "西门社区", "上坪村"}
    assert names(tree.city) == names(tree.county_a) | {"南平市", "建阳区", "潭城街道", "城东村", "南平市直机关妇工委"}
    assert names(tree.province) == names(tree.city) | {"福建省"}
    assert names(tree.township_a) == {"黄墩街道", "黄墩社区", "西门社区", "上坪村"}
    assert names(tree.village_a1) == {"黄墩社区"}


def test_moving_a_township_to_another_county_carries_its_subtree(tree):
    moved = services.move_unit(None, tree.township_a, tree.county_b)
    village = fresh(tree.village_a1)
    assert moved.parent_id == tree.county_b.pk
    assert village.tree_id == fresh(tree.township_a).tree_id and village.county_id == tree.county_b.pk
    assert "黄墩社区" in set(Unit.objects.within(fresh(tree.county_b)).values_list("name", flat=True))
    assert check_tree() == []


def test_moving_a_county_to_another_city_updates_the_city_column_beneath(tree):
    other_city = make(tree.province, Kind.CITY, "三明市", "3504")
    services.move_unit(None, tree.county_a, other_city)
    assert fresh(tree.village_a1).city_id == other_city.pk
    assert fresh(tree.village_b1).city_id == tree.city.pk
    assert check_tree() == []


def test_moving_a_city_to_another_province_keeps_its_counties_columns(tree):
    other_province = make(None, Kind.PROVINCE, "江西省", "36")
    services.move_unit(None, tree.city, other_province)
    village = fresh(tree.village_a1)
    assert (village.province_id, village.city_id, village.county_id) == (
        other_province.pk,
        tree.city.pk,
        tree.county_a.pk,
    )
    assert "黄墩社区" in set(Unit.objects.within(fresh(tree.county_a)).values_list("name", flat=True))
    assert check_tree() == []


def test_moving_provinces_under_a_new_national_unit_keeps_everything_beneath(tree):
    national = make(None, Kind.NATIONAL, "全国妇联")
    services.move_unit(None, tree.province, national)
    village = fresh(tree.village_b1)
    assert (village.province_id, village.city_id, village.county_id) == (
        tree.province.pk,
        tree.city.pk,
        tree.county_b.pk,
    )
    assert check_tree() == []


def test_a_unit_cannot_move_under_its_own_subtree(tree):
    group = make(tree.village_a1, Kind.WOMEN_GROUP, "小组")
    with pytest.raises(Exception, match=r"自身|下级"):
        services.move_unit(None, tree.village_a1, group)


def test_check_tree_finds_and_repairs_broken_nesting(tree):
    Unit.objects.filter(pk=tree.village_a2.pk).update(lft=999, rght=1000)
    Unit.objects.filter(pk=tree.village_b1.pk).update(county_id=tree.county_a.pk)
    problems = check_tree()
    assert {pk for pk, _ in problems} >= {tree.township_a.pk, tree.village_b1.pk}
    call_command("check_tree", "--rebuild")
    assert check_tree() == []
    assert fresh(tree.village_b1).county_id == tree.county_b.pk


def test_check_tree_command_fails_on_a_broken_tree(tree):
    Unit.objects.filter(pk=tree.village_a2.pk).update(lft=999, rght=1000)
    with pytest.raises(SystemExit):
        call_command("check_tree")


def test_check_tree_separates_roots_that_share_a_tree_id(tree):
    Unit.objects.filter(pk=tree.county_b.pk).update(tree_id=fresh(tree.county_a).tree_id)
    assert check_tree()
    check_tree(repair=True)
    assert check_tree() == []
    assert fresh(tree.county_a).tree_id != fresh(tree.county_b).tree_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_keep_the_tree_sound():
    """Eight writers adding counties (new roots) and villages at once: the advisory lock serializes them."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serializes writers by itself")
    province = make(None, Kind.PROVINCE, "福建省", "35")
    city = make(province, Kind.CITY, "南平市", "3507")
    county = make(city, Kind.COUNTY, "延平区", "350702")
    township = make(county, Kind.TOWNSHIP, "樟湖镇", "350702100")
    errors = []

    def work(i):
        try:
            make(city, Kind.COUNTY, f"新县{i}", f"3507{80 + i}")
            make(township, Kind.VILLAGE, f"新村{i}", f"350702100{200 + i}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert check_tree() == []
    roots = Unit.objects.filter(kind=Kind.COUNTY).values_list("tree_id", flat=True)
    assert len(set(roots)) == 9
