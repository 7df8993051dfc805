"""orgtree.bulk on PostgreSQL: a load large enough to rebuild the indexes and foreign keys gets the
same schema back, still refuses a broken link, and leaves the tables analyzed."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from federation.models import ChangeRecord
from orgtree import bulk
from orgtree.bulk import allocate_ids, insert_rows, rebuilt_after
from orgtree.choices import Kind
from orgtree.coverage import coverage
from orgtree.divisions import UNIT_COLUMNS
from orgtree.models import Unit, UnitFigures
from orgtree.tree import check_tree
from tests.conftest import make

pytestmark = pytest.mark.postgres
ZHENXING = settings.BASE_DIR / "data/divisions/zhenxing_210603_2023.csv"
TABLES = [m._meta.db_table for m in (Unit, UnitFigures, ChangeRecord)]


@pytest.fixture
def postgres(db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("indexes and foreign keys are rebuilt on PostgreSQL only")
    monkeypatch.setattr(bulk, "BULK_LOAD_ROWS", 1)  # the 104 rows of 振兴区 count as a bulk load


def schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferrable, condeferred FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) ORDER BY conname",
            [TABLES],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY indexname", [TABLES])
        return constraints, cursor.fetchall()


def test_a_bulk_load_gives_back_every_index_and_foreign_key(postgres):
    before = schema()
    national = make(None, Kind.NATIONAL, "全国妇联")  # a foreign key check pending in this transaction
    call_command("load_divisions", str(ZHENXING), stdout=StringIO())
    assert schema() == before
    assert Unit.objects.within(national).count() == 107
    assert check_tree() == []
    county = Unit.objects.get(code="210603")
    assert coverage(county) == coverage(county, from_records=True)
    with connection.cursor() as cursor:  # analyzed inside the load's transaction, its own rows counted
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'orgtree_unit'::regclass")
        assert cursor.fetchone()[0] == 107
    # the foreign keys are back and deferred again: a dangling link fails at the end of the transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=county.pk).update(parent_id=10**9)
        assert Unit.objects.get(pk=county.pk).parent_id == 10**9  # not checked before the commit
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_bulk_load_with_a_broken_link_changes_nothing(postgres):
    before = schema()
    (pk,) = allocate_ids(Unit, 1)
    row = (pk, Kind.PROVINCE, "federation", "失联省", "", "99", "", 10**9, None, None, None, None, 1, 1, 2, 0, 1)
    with pytest.raises(IntegrityError), transaction.atomic(), rebuilt_after([Unit], 1, referenced=Unit):
        insert_rows(Unit, UNIT_COLUMNS, [(*row, "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00")])
    assert schema() == before
    assert not Unit.objects.filter(pk=pk).exists()
