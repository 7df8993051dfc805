"""Unit services: history of every write, optimistic concurrency, closing rules, scope checks."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from federation.audit import history_of
from federation.conflicts import ConflictError
from orgtree import services
from orgtree.choices import Kind
from orgtree.models import Unit


def test_create_records_who_and_what(tree, users):
    unit = services.create_unit(
        users.editor_a, tree.township_a, kind=Kind.COMMUNITY, name="新社区", code="350702003009"
    )
    entry = history_of(unit, None).get()
    assert entry.user == users.editor_a and entry.action == "create"
    assert entry.changes["name"] == [None, "新社区"]
    assert entry.changes["code"] == [None, "350702003009"]


def test_update_records_before_and_after_and_bumps_version(tree, users):
    unit = services.update_unit(users.editor_a, tree.village_a1, {"name": "黄墩新社区"}, version=1)
    assert unit.version == 2
    entry = history_of(unit, None).first()
    assert entry.action == "update" and entry.changes == {"name": ["黄墩社区", "黄墩新社区"]}


def test_an_update_that_changes_nothing_records_nothing(tree, users):
    services.update_unit(users.editor_a, tree.village_a1, {"name": "黄墩社区"})
    assert history_of(tree.village_a1, None).count() == 1  # the creation only


def test_a_stale_version_is_a_conflict_and_changes_nothing(tree, users):
    services.update_unit(users.editor_a, tree.village_a1, {"name": "甲改的名"}, version=1)
    with pytest.raises(ConflictError) as excinfo:
        services.update_unit(users.admin_a, tree.village_a1, {"name": "乙改的名"}, version=1)
    assert excinfo.value.current.name == "甲改的名"
    assert "其他人" in str(excinfo.value) or "他人" in str(excinfo.value)
    assert Unit.objects.get(pk=tree.village_a1.pk).name == "甲改的名"


def test_close_refuses_a_unit_with_open_subunits(tree, users):
    with pytest.raises(ValidationError) as excinfo:
        services.close_unit(users.editor_a, tree.township_a, datetime.date(2024, 1, 1))
    assert "3" in str(excinfo.value) and "黄墩街道" in str(excinfo.value)
    assert Unit.objects.get(pk=tree.township_a.pk).closed_on is None


def test_close_keeps_the_unit_and_records_the_reason(tree, users):
    unit = services.close_unit(users.editor_a, tree.village_a3, datetime.date(2024, 3, 1), note="撤村并居")
    assert Unit.objects.filter(pk=unit.pk, closed_on=datetime.date(2024, 3, 1)).exists()
    entry = history_of(unit, None).first()
    assert entry.action == "close" and entry.note == "撤村并居"
    with pytest.raises(ValidationError):
        services.close_unit(users.editor_a, unit, datetime.date(2024, 4, 1))


def test_closing_before_opening_is_refused(tree, users):
    services.update_unit(users.editor_a, tree.village_a3, {"opened_on": datetime.date(2021, 5, 1)})
    with pytest.raises(ValidationError) as excinfo:
        services.close_unit(users.editor_a, tree.village_a3, datetime.date(2020, 1, 1))
    assert "closed_on" in excinfo.value.message_dict


def test_editor_cannot_write_outside_her_county(tree, users):
    with pytest.raises(PermissionDenied):
        services.create_unit(users.editor_a, tree.township_b, kind=Kind.VILLAGE, name="越界村")
    with pytest.raises(PermissionDenied):
        services.update_unit(users.editor_a, tree.village_b1, {"name": "越界改名"})
    with pytest.raises(PermissionDenied):
        services.close_unit(users.editor_a, tree.village_b1, datetime.date(2024, 1, 1))
    assert not Unit.objects.filter(name__startswith="越界").exists()


def test_editor_cannot_move_a_unit_out_of_her_county(tree, users):
    with pytest.raises(PermissionDenied):
        services.move_unit(users.editor_a, tree.township_a, tree.county_b)
    assert Unit.objects.get(pk=tree.township_a.pk).parent_id == tree.county_a.pk


def test_editor_cannot_move_or_close_her_own_county(tree, users):
    with pytest.raises(PermissionDenied):
        services.move_unit(users.editor_a, tree.county_a, tree.province)
    with pytest.raises(PermissionDenied):
        services.close_unit(users.editor_a, tree.county_a, datetime.date(2024, 1, 1))


def test_editor_can_move_inside_her_county(tree, users):
    township = services.create_unit(users.editor_a, tree.county_a, kind=Kind.TOWNSHIP, name="樟湖镇", code="350702100")
    moved = services.move_unit(users.editor_a, tree.village_a3, township)
    assert moved.parent_id == township.pk
    assert history_of(moved, None).first().changes["parent"] == [tree.township_a.pk, township.pk]


def test_viewer_cannot_write(tree, users):
    with pytest.raises(PermissionDenied):
        services.update_unit(users.viewer, tree.village_a1, {"name": "查看者改名"})


def test_only_superusers_create_roots(db, users):
    with pytest.raises(PermissionDenied):
        services.create_unit(users.admin_a, None, kind=Kind.PROVINCE, name="新省")
    assert services.create_unit(users.root, None, kind=Kind.PROVINCE, name="新省", code="99").parent is None


def test_a_change_of_kind_across_the_county_boundary_is_refused(tree, users):
    with pytest.raises(ValidationError):
        services.update_unit(users.root, tree.township_a, {"kind": Kind.COUNTY})
    street = services.update_unit(users.root, tree.township_a, {"kind": Kind.TOWNSHIP})
    assert street.kind == Kind.TOWNSHIP
