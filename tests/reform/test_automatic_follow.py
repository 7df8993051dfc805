"""Automatic checklist items follow the coverage figures when they change, not the next night."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from orgtree import services as units
from orgtree.conversion import record_conversion
from reform import services
from tests.orgtree.test_conversion import data
from tests.reform.test_checklists import items_of


def test_recording_a_conversion_updates_the_county_item_at_once(
    template, tree, users, client, django_capture_on_commit_callbacks
):
    services.assign(users.editor_a, template, tree.county_a)
    assert items_of(tree.county_a, "C7").value_number == Decimal("0.00")
    client.force_login(users.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orgtree:conversion_edit", args=[tree.village_a1.pk]),
            {
                "version": 0,
                "held_on": "2021-03-15",
                "chair": "林秀英",
                "on_party_committee": "on",
                "vice_chairs_part_time": "陈美华\n王丽",
                "executives": "张芳\n李娜",
            },
        )
    assert response.status_code == 302
    county, township = items_of(tree.county_a, "C7"), items_of(tree.township_a, "C7")
    assert county.value_number == township.value_number == Decimal("33.30")  # 1 of 3 villages
    assert items_of(tree.county_a, "C8").value_number == Decimal("100.00")  # her chair is on the committee
    page = client.get(reverse("reform:checklist", args=[tree.county_a.pk])).content.decode()
    assert "33.30" in page or "33.3" in page


def test_one_refresh_per_transaction_however_many_units_change(
    template, tree, users, monkeypatch, django_capture_on_commit_callbacks
):
    services.assign(users.editor_a, template, tree.county_a)
    calls = []
    real = services.refresh_automatic
    monkeypatch.setattr(services, "refresh_automatic", lambda ids: calls.append(set(ids)) or real(ids))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_conversion(users.editor_a, tree.village_a1, data())
        record_conversion(users.editor_a, tree.village_a2, data(held_on=datetime.date(2022, 1, 5)))
    assert len(calls) == 1 and {tree.village_a1.pk, tree.village_a2.pk} <= calls[0]
    assert items_of(tree.county_a, "C7").value_number == Decimal("66.70")


def test_a_rolled_back_write_leaves_the_next_one_followed(template, tree, users, django_capture_on_commit_callbacks):
    services.assign(users.editor_a, template, tree.county_a)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                record_conversion(users.editor_a, tree.village_a1, data())
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        record_conversion(users.editor_a, tree.village_a2, data())
    assert items_of(tree.county_a, "C7").value_number == Decimal("33.30")


def test_moving_a_village_out_updates_the_old_and_new_ancestors(
    template, tree, users, django_capture_on_commit_callbacks
):
    record_conversion(users.editor_a, tree.village_a1, data())
    services.assign(None, template, tree.city)
    assert items_of(tree.county_a, "C7").value_number == Decimal("33.30")
    with django_capture_on_commit_callbacks(execute=True):
        units.move_unit(None, tree.village_a1, tree.township_b)
    assert items_of(tree.county_a, "C7").value_number == Decimal("0.00")
    assert items_of(tree.county_b, "C7").value_number == Decimal("50.00")
