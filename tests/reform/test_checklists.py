"""Checklists: assignment to the right units only, automatic items, filling, the review flow."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from federation.audit import history_of
from federation.conflicts import ConflictError
from federation.models import Role
from orgtree.conversion import record_conversion
from orgtree.coverage import coverage
from reform import services
from reform.models import ChecklistItem, ItemStatus
from tests.conftest import scoped_user
from tests.orgtree.test_conversion import data


def items_of(unit, number=None):
    rows = ChecklistItem.objects.filter(unit=unit).select_related("template_item")
    return rows.get(template_item__number=number) if number else rows


def test_the_default_template_covers_every_area_with_automatic_items(template):
    areas = set(template.items.values_list("area", flat=True))
    assert areas == {"party_leadership", "funding", "organization", "executives", "work_style"}
    assert template.items.filter(coverage_key="conversion_rate").exists()
    assert template.is_published


def test_assignment_creates_items_for_matching_units_only(template, tree, users):
    assignment, created = services.assign(users.editor_a, template, tree.county_a, datetime.date(2026, 12, 31))
    county_items = sum("county" in i.kinds for i in template.items.all())
    township_items = sum("street" in i.kinds for i in template.items.all())
    village_items = sum("community" in i.kinds for i in template.items.all())
    assert items_of(tree.county_a).count() == county_items
    assert items_of(tree.township_a).count() == township_items
    assert items_of(tree.village_a1).count() == village_items
    assert created == county_items + township_items + 3 * village_items
    assert not ChecklistItem.objects.filter(unit__in=[tree.county_b, tree.township_b, tree.village_b1]).exists()
    assert services.assign(users.editor_a, template, tree.county_a)[1] == 0  # again: nothing new
    assert history_of(assignment, None).count() == 1


def test_closed_units_get_no_items(template, tree, users):
    from orgtree import services as units

    units.close_unit(None, tree.village_a3, datetime.date(2024, 1, 1))
    services.assign(users.editor_a, template, tree.county_a)
    assert not items_of(tree.village_a3).exists()


def test_a_county_cannot_assign_outside_its_scope(template, tree, users):
    with pytest.raises(PermissionDenied):
        services.assign(users.editor_a, template, tree.county_b)
    with pytest.raises(PermissionDenied):
        services.assign(users.viewer, template, tree.city)


def test_automatic_items_come_from_the_coverage_figures(template, tree, users):
    record_conversion(users.editor_a, tree.village_a1, data())
    services.assign(users.editor_a, template, tree.county_a)
    rate = items_of(tree.township_a, "C7")
    assert rate.value_number == Decimal("33.30") and rate.met is False and rate.status == ItemStatus.SUBMITTED
    overdue = items_of(tree.county_a, "C1")  # at most 0: the term elected in March 2021 is overdue
    assert overdue.value_number == coverage(tree.county_a)["terms_overdue"] == 1 and overdue.met is False
    record_conversion(users.editor_a, tree.village_a2, data(held_on=datetime.date(2022, 1, 5)))
    record_conversion(users.editor_a, tree.village_a3, data(held_on=datetime.date(2022, 1, 6)))
    assert services.fill_automatic(ChecklistItem.objects.all()) >= 2
    rate.refresh_from_db()
    assert rate.value_number == Decimal("100.00") and rate.met is True
    with pytest.raises(ValidationError):
        services.fill(users.editor_a, rate, "100")


def test_an_automatic_item_names_a_registered_coverage_figure(template, tree, users, client):
    item = template.items.get(coverage_key="conversion_rate")
    item.full_clean()
    assert item.coverage_label == "会改联率%"
    item.coverage_key = "no_such_figure"
    with pytest.raises(ValidationError, match="no_such_figure"):
        item.full_clean()
    services.assign(users.editor_a, template, tree.county_a)
    client.force_login(users.editor_a)
    page = client.get(reverse("reform:item", args=[items_of(tree.township_a, "C7").pk]))
    assert "由覆盖指标“会改联率%”自动填报" in page.content.decode()


def test_filling_validates_the_answer_in_chinese(template, tree, users):
    services.assign(users.editor_a, template, tree.county_a)
    funds = items_of(tree.township_a, "B2")
    for bad in ("abc", "-5", "1.234", "1e30", "123456789012345678901234567890.5"):  # the last two: no 500
        with pytest.raises(ValidationError) as error:
            services.fill(users.editor_a, funds, bad)
        assert any("数" in m for m in error.value.messages)
    item = services.fill(users.editor_a, funds, "30000", "县财政拨付")
    assert item.met is True and item.status == ItemStatus.SUBMITTED and item.filled_by == users.editor_a
    assert services.fill(users.editor_a, item, "20000").met is False
    yes_no = items_of(tree.county_a, "A1")
    with pytest.raises(ValidationError):
        services.fill(users.editor_a, yes_no, "maybe")
    assert services.fill(users.editor_a, yes_no, "yes").met is True


def test_the_level_above_reviews_and_a_county_cannot_accept_its_own(template, tree, users):
    services.assign(users.admin_a, template, tree.county_a)
    own = services.fill(users.admin_a, items_of(tree.county_a, "A1"), True)
    with pytest.raises(PermissionDenied):
        services.review(users.admin_a, own, accept=True)
    township_item = services.fill(users.editor_a, items_of(tree.township_a, "A4"), False)
    with pytest.raises(PermissionDenied):
        services.review(users.editor_b, township_item, accept=True)  # another county
    with pytest.raises(ValidationError):
        services.review(users.editor_a, township_item, accept=False)  # a return needs a reason
    returned = services.review(users.editor_a, township_item, accept=False, comment="请补充会议纪要")
    assert returned.status == ItemStatus.RETURNED
    refilled = services.fill(users.editor_a, returned, True)
    accepted = services.review(users.editor_a, refilled, accept=True)
    assert accepted.status == ItemStatus.ACCEPTED and accepted.reviewed_by == users.editor_a
    with pytest.raises(ValidationError):
        services.fill(users.editor_a, accepted, False)  # accepted items are locked
    assert [r.changes.get("status") for r in history_of(accepted, None).order_by("at", "pk")][-1] == [
        "submitted",
        "accepted",
    ]


def test_a_stale_version_is_a_conflict(template, tree, users):
    services.assign(users.editor_a, template, tree.county_a)
    item = items_of(tree.township_a, "C5")
    services.fill(users.editor_a, item, "3", version=item.version)
    with pytest.raises(ConflictError):
        services.fill(users.editor_a, item, "4", version=item.version)


def test_new_version_copies_items_and_is_a_draft(template, tree, users):
    copy = services.new_version(users.root, template)
    assert copy.version == 2 and not copy.is_published and copy.items.count() == template.items.count()
    with pytest.raises(ValidationError):
        services.assign(users.root, copy, tree.city)  # a draft cannot be assigned
    with pytest.raises(PermissionDenied):
        services.new_version(users.admin_a, template)


def test_items_are_reviewed_by_the_level_directly_above_by_default(template, tree, users, client):
    """下管一级: a village's items go to its street, not to the county two levels up (which reviews its
    townships); the street's checklist page lists them for the street, the county's for the county."""
    services.assign(users.admin_a, template, tree.county_a)
    village_item = services.fill(users.editor_a, items_of(tree.village_a3, "B3"), True)
    township_item = services.fill(users.editor_a, items_of(tree.township_a, "A4"), True)
    with pytest.raises(PermissionDenied, match="下管一级"):
        services.review(users.editor_a, village_item, accept=True)
    street = scoped_user("street_a", tree.township_a, Role.EDITOR)
    assert scope_reviewers(village_item) == {"street_a", "root"}
    client.force_login(users.editor_a)
    county_page = client.get(reverse("reform:checklist", args=[tree.county_a.pk])).context
    assert township_item in county_page["to_review"]
    assert {i.unit for i in county_page["to_review"]} == {tree.township_a}
    assert not list(client.get(reverse("reform:checklist", args=[tree.township_a.pk])).context["to_review"])
    client.force_login(street)
    assert village_item in client.get(reverse("reform:checklist", args=[tree.township_a.pk])).context["to_review"]
    with pytest.raises(PermissionDenied):
        services.review(street, township_item, accept=True)  # her own unit's
    assert services.review(street, village_item, accept=True).reviewed_by == street


def scope_reviewers(item):
    from django.contrib.auth import get_user_model

    from federation import scope

    return {u.username for u in get_user_model().objects.all() if scope.can_oversee(u, item.unit)}


def test_a_setting_lets_any_level_above_review(template, tree, users, settings):
    settings.BANYAN = {**settings.BANYAN, "REVIEW_ANY_LEVEL_ABOVE": True}
    services.assign(users.admin_a, template, tree.county_a)
    village_item = services.fill(users.editor_a, items_of(tree.village_a3, "B3"), True)
    assert services.review(users.editor_a, village_item, accept=True).reviewed_by == users.editor_a
    own = services.fill(users.admin_a, items_of(tree.county_a, "A1"), True)
    with pytest.raises(PermissionDenied):  # never her own unit's
        services.review(users.admin_a, own, accept=True)
    with pytest.raises(PermissionDenied):
        services.review(users.editor_b, items_of(tree.township_a, "A4"), accept=True)  # another county


def test_the_default_items_read_as_the_reform_documents_do(template):
    texts = dict(template.items.values_list("number", "text"))
    assert texts["C9"] == "机关（单位）建立妇联组织，实现全覆盖"
    assert texts["C8"] == "村（社区）妇联主席进入村（社区）“两委”班子比例"
    assert texts["C5"] == "乡镇（街道）妇联专兼职副主席人数"
    assert "妇委会（妇工委）应建尽建" not in " ".join(texts.values())


def test_the_wording_migration_changes_only_the_shipped_texts(template, tree, users):
    """reform.0006 rewords version 1's items still carrying the text 0002 shipped; an item someone
    reworded, a later version and every answer stay as they are (run forward and back here)."""
    import importlib

    from django.apps import apps

    from reform.models import TemplateItem

    migration = importlib.import_module("reform.migrations.0006_default_checklist_documents_wording")
    old = {number: texts[0] for number, texts in migration.WORDING.items()}
    for number, text in old.items():
        TemplateItem.objects.filter(template=template, number=number).update(text=text)
    TemplateItem.objects.filter(template=template, number="C10").update(text="本地改写的新领域条目")
    services.assign(users.admin_a, template, tree.county_a)
    answered = services.fill(users.admin_a, items_of(tree.county_a, "C9"), True)
    later = services.new_version(users.root, template)
    migration.forward(apps, None)
    texts = dict(template.items.values_list("number", "text"))
    assert texts["C9"] == "机关（单位）建立妇联组织，实现全覆盖" and texts["D1"] == "基层妇联执委轮训覆盖率"
    assert texts["C10"] == "本地改写的新领域条目"  # someone's own wording stays
    assert dict(later.items.values_list("number", "text"))["C9"] == old["C9"]  # later versions stay
    answered.refresh_from_db()
    assert answered.value_yes is True and answered.status == ItemStatus.SUBMITTED
    migration.backward(apps, None)
    assert dict(template.items.values_list("number", "text"))["C9"] == old["C9"]
