"""History is scoped by the unit each record belongs to: a county sees none of another county's history."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from federation import audit, scope
from federation.models import ChangeRecord, Role
from funding import services as funding
from orgtree import committees, services
from orgtree.conversion import record_conversion
from orgtree.models import Office, Person, Term, TermDelay, Unit
from reform import services as reform
from reform.models import ChecklistItem, ChecklistTemplate
from tests.conftest import scoped_user
from tests.orgtree.test_conversion import data


def staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_changerecord"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def county_b_history(tree, users):
    """Records of every kind of object in county B, made by B's editor through the services (and by
    `audit.record` for the objects no service records yet); returns (records, the B person)."""
    first = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    b = users.editor_b
    services.update_unit(b, tree.village_b1, {"short_name": "城东"})
    record_conversion(b, tree.village_b1, data())  # election, people, chair's pay, service positions
    term = Term.objects.get(unit=tree.village_b1)
    committees.delay_term(
        b,
        term,
        party_approval="建阳区委",
        federation_approval="南平市妇联",
        approved_on=datetime.date(2024, 1, 1),
        new_due_on=term.due_on.replace(year=2027),
    )
    audit.record(TermDelay.objects.get(term=term), b, ChangeRecord.Action.CREATE, {}, "web")  # term__unit
    audit.record(Office.objects.filter(unit=tree.village_b1).first(), b, ChangeRecord.Action.UPDATE, {}, "web")
    reform.report_problem(
        b,
        tree.village_b1,
        area="organization",
        description="执委人数不足",
        found_on=datetime.date(2026, 9, 1),
        deadline=datetime.date(2026, 10, 31),
        responsible="王芳",
    )
    template = ChecklistTemplate.objects.get(name="破难行动督导目标清单", version=1)
    reform.assign(b, template, tree.county_b)
    audit.record(ChecklistItem.objects.filter(unit=tree.village_b1).first(), b, ChangeRecord.Action.UPDATE, {}, "web")
    funding.record_funding(
        b,
        tree.township_b,
        {"year": 2025, "category": "work_funds", "source": "same_level_budget", "budgeted": Decimal("5000")},
    )
    # A county-B person whose id is that of a county-A unit (the old filter matched ids across models).
    taken = set(Person.objects.values_list("pk", flat=True))
    pk = next(u.pk for u in Unit.objects.filter(tree.county_a.subtree_q()) if u.pk not in taken)
    person = Person.objects.create(pk=pk, unit=tree.village_b1, name="乙县人员")
    committees.update_person(b, person, {"phone": "13912345678"})
    records = list(ChangeRecord.objects.filter(pk__gt=first).select_related("content_type"))
    return records, person


def test_every_record_carries_its_unit(tree, county_b_history):
    records, _person = county_b_history
    kinds = {r.content_type.model for r in records}
    assert kinds >= {
        "unit",
        "person",
        "election",
        "term",
        "termdelay",
        "office",
        "problem",
        "assignment",
        "checklistitem",
        "fundingrecord",
        "chairpay",
        "serviceposition",
    }
    in_b = set(Unit.objects.filter(tree.county_b.subtree_q()).values_list("pk", flat=True))
    assert all(r.unit_id in in_b for r in records)


def test_a_county_admin_sees_no_history_of_another_county(client, tree, users, county_b_history):
    records, person = county_b_history
    ids = {r.pk for r in records}
    admin_a = users.admin_a
    assert not ids & set(scope.restrict(ChangeRecord.objects.all(), admin_a).values_list("pk", flat=True))
    for r in records:
        assert not audit.history_of(r.content_type.get_object_for_this_type(pk=r.object_id), admin_a).exists()
    # The county-A unit whose id the B person shares: its page shows only the unit's own history.
    client.force_login(admin_a)
    page = client.get(reverse("orgtree:unit_detail", args=[person.pk])).content.decode()
    assert "13912345678" not in page and "乙县人员" not in page
    assert client.get(reverse("orgtree:person_detail", args=[person.pk])).status_code == 404
    # The admin: the list, each record and its admin history.
    admin = staff(admin_a)
    listed = admin.get(reverse("admin:federation_changerecord_changelist")).context["cl"].queryset
    assert listed.exists() and not ids & set(listed.values_list("pk", flat=True))
    for pk in ids:
        for view in ("change", "history"):
            response = admin.get(reverse(f"admin:federation_changerecord_{view}", args=[pk]))
            assert response.status_code == 302  # the admin's "does not exist" redirect, no data shown


def test_a_city_admin_sees_the_history_of_both_counties(client, tree, county_b_history):
    records, person = county_b_history
    admin_city = scoped_user("admin_city", tree.city, Role.ADMIN)
    for r in records:
        assert audit.history_of(r.content_type.get_object_for_this_type(pk=r.object_id), admin_city).exists()
    admin = staff(admin_city)
    listed = admin.get(reverse("admin:federation_changerecord_changelist")).context["cl"].queryset
    assert {r.pk for r in records} <= set(listed.values_list("pk", flat=True))
    latest = max(r.pk for r in records)  # the B person's new phone number, readable in the admin
    page = admin.get(reverse("admin:federation_changerecord_change", args=[latest])).content.decode()
    assert "手机号" in page and "13912345678" in page and "乙县人员" in page
    client.force_login(admin_city)
    assert "13912345678" in client.get(reverse("orgtree:person_detail", args=[person.pk])).content.decode()


def test_the_migration_gives_existing_records_their_unit(tree, county_b_history):
    records, _person = county_b_history
    expected = {r.pk: r.unit_id for r in ChangeRecord.objects.all()}
    ChangeRecord.objects.update(unit=None)
    migration = importlib.import_module("federation.migrations.0005_changerecord_unit")
    migration.backfill_units(apps, None)
    assert dict(ChangeRecord.objects.values_list("pk", "unit_id")) == expected
    assert all(expected[r.pk] is not None for r in records)
