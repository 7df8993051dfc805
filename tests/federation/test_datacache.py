"""Kept results (federation.datacache): the same for everyone who may see a unit, read again only until
the next committed write, and never a way round the scope."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from federation import datacache
from orgtree.conversion import record_conversion
from orgtree.models import Unit
from orgtree.views.dashboard import TABLE
from tests.orgtree.test_conversion import data

CONVERTED = TABLE.index("villages_converted")


@pytest.fixture
def kept(settings):
    """Kept results on, from a generation no earlier test kept anything under (tests never commit)."""
    settings.BANYAN = {**settings.BANYAN, "FIGURE_CACHE_SECONDS": 300}
    datacache.move_on()


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ('INSERT INTO "orgtree_unit" ("name") VALUES (%s)', True),
        ('UPDATE "orgtree_unitfigures" SET "villages_total" = 1', True),
        ('DELETE FROM "reform_report" WHERE id = 1', True),
        ('INSERT OR IGNORE INTO "executives_duty" ("name") VALUES (%s)', True),  # SQLite, ignore_conflicts
        ("WITH moved AS (SELECT 1) UPDATE orgtree_groupfigures SET villages_total = 0", True),
        ('SELECT "orgtree_unit"."id" FROM "orgtree_unit" FOR UPDATE', False),
        ("WITH rows AS (SELECT 1) SELECT * FROM rows", False),
        ('UPDATE "django_session" SET "expire_date" = %s', False),
        ('UPDATE "auth_user" SET "last_login" = %s', False),
        ('INSERT INTO "axes_accesslog" ("username") VALUES (%s)', False),
        ('INSERT INTO "federation_notification" ("title") VALUES (%s)', False),
    ],
)
def test_only_a_write_of_a_counted_table_moves_the_generation_on(sql, write):
    assert datacache.is_write(sql) is write


def test_a_committed_write_moves_the_generation_on_and_a_read_or_a_rollback_does_not(
    tree, kept, django_capture_on_commit_callbacks
):
    before = datacache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        list(Unit.objects.all())
    assert datacache.generation() == before

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Unit.objects.filter(pk=tree.village_a1.pk).update(name="改名")
        raise RuntimeError
    assert not callbacks and datacache.generation() == before

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            Unit.objects.filter(pk=tree.village_a1.pk).update(name="改名")
    assert len(callbacks) == 1, "once per transaction, however many statements"
    assert datacache.generation() != before


def test_a_raw_statement_moves_the_generation_on(tree, kept, django_capture_on_commit_callbacks):
    before = datacache.generation()
    with django_capture_on_commit_callbacks(execute=True), connection.cursor() as cursor:
        cursor.execute("UPDATE orgtree_unit SET name = %s WHERE id = %s", ["改名", tree.village_a1.pk])
    assert datacache.generation() != before


def test_the_dashboard_is_kept_until_a_write_and_then_shows_it(
    client, tree, users, kept, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(users.viewer)
    url = reverse("orgtree:dashboard", args=[tree.city.pk])
    first = client.get(url)
    assert first.context["total"][CONVERTED] == 0
    with django_assert_num_queries(6):  # session, user, scopes, unit, breadcrumbs, badge: no figures
        again = client.get(url)
    assert again.context["total"] == first.context["total"] and again.context["rows"] == first.context["rows"]

    with django_capture_on_commit_callbacks(execute=True):
        record_conversion(users.editor_a, tree.village_a1, data(), version=0)
    after = client.get(url)
    assert after.context["total"][CONVERTED] == 1


def test_a_kept_dashboard_is_still_out_of_another_countys_reach(client, tree, users, kept):
    client.force_login(users.editor_b)
    url = reverse("orgtree:dashboard", args=[tree.county_b.pk])
    assert client.get(url).status_code == 200
    client.force_login(users.editor_a)
    assert client.get(url).status_code == 404
    missing = reverse("orgtree:dashboard", args=[Unit.objects.order_by("-pk")[0].pk + 1000])
    assert client.get(missing).status_code == 404


def test_a_failing_cache_is_no_error(client, tree, users, kept, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client.force_login(users.viewer)
    assert client.get(reverse("orgtree:dashboard", args=[tree.city.pk])).status_code == 200
