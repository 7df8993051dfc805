"""Weekly snapshots: idempotent, consistent with as_of, and behind the trend and the 周报 table."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from federation.figures import evaluated_sets
from orgtree.coverage import FIGURES, coverage, monday, snapshot_week
from orgtree.models import CoverageSnapshot
from orgtree.tasks import snapshot_coverage
from tests.orgtree.test_coverage import recorded  # noqa: F401 - fixture


def test_a_week_is_stored_once_for_every_unit_down_to_townships(recorded, tree):  # noqa: F811
    day = datetime.date(2024, 6, 5)
    stored = snapshot_week(day)
    assert stored == CoverageSnapshot.objects.count()
    units = set(CoverageSnapshot.objects.values_list("unit__name", flat=True))
    assert {"福建省", "南平市", "延平区", "建阳区", "黄墩街道", "潭城街道"} <= units
    assert "黄墩社区" not in units  # villages are rows of their township's table, not snapshots
    assert snapshot_week(day) == 0  # idempotent
    assert CoverageSnapshot.objects.filter(week=datetime.date(2024, 6, 3)).count() == stored


def test_a_snapshot_equals_coverage_as_of_its_monday(recorded, tree):  # noqa: F811
    snapshot_week(datetime.date(2021, 12, 29))
    week = datetime.date(2021, 12, 27)
    stored = CoverageSnapshot.objects.get(unit=tree.city, week=week).figures
    assert {key: stored[key] for key in FIGURES} == coverage(tree.city, week)
    assert stored["villages_converted"] == 1
    # Beside coverage, the figures of the other apps' evaluated sets on the same day (flat keys).
    others = list(evaluated_sets())
    assert set(stored) == {*FIGURES, *(key for found in others for key in found)}
    for found in others:
        assert {key: stored[key] for key in found} == found.evaluate([tree.city], week)[tree.city.pk]


def test_backfill_and_the_beat_task(recorded, tree):  # noqa: F811
    call_command("backfill_snapshots", "--weeks", "3", stdout=StringIO())
    assert CoverageSnapshot.objects.filter(unit=tree.city).count() == 3
    assert snapshot_coverage.delay().get()["stored"] == 0  # this week is stored already


def test_dashboard_shows_the_trend_and_week_over_week(client, recorded, tree, users):  # noqa: F811
    from django.utils import timezone

    this_week = monday(timezone.localdate())
    for week in (this_week - datetime.timedelta(weeks=1), this_week):
        snapshot_week(week)
    CoverageSnapshot.objects.filter(unit=tree.county_a, week=this_week - datetime.timedelta(weeks=1)).update(
        figures={**CoverageSnapshot.objects.get(unit=tree.county_a, week=this_week).figures, "executives": 2}
    )
    client.force_login(users.viewer)
    response = client.get(reverse("orgtree:dashboard", args=[tree.city.pk]))
    assert len(response.context["chart"]["trend"]["weeks"]) == 2
    weekly = {child.name: cells for child, cells in response.context["weekly"]}
    assert weekly["延平区"][2] == (5, 3)  # executives now 5, +3 since last week
