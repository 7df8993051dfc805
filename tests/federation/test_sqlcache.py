"""federation.sqlcache: a rollup's statements are compiled once per shape and run every time (no
result is kept); what the keys cannot describe exactly is built every time, unless the caller vouches
for a key of its own (orgtree.rollups.Base.key)."""

import datetime

import pytest
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from federation import sqlcache
from federation.figures import Figure, FigureSet
from orgtree.models import Unit
from orgtree.rollups import Base, count_per_child, figures_by_child, rollup
from tests.conftest import make


def test_the_same_filters_give_the_same_key_and_others_another():
    key = sqlcache.rows_key
    assert key(Unit.objects.filter(kind="village", code="1")) == key(Unit.objects.filter(kind="village", code="1"))
    assert key(Unit.objects.filter(kind="village")) != key(Unit.objects.filter(kind="township"))
    assert key(Unit.objects.filter(kind="village")) != key(Unit.objects.exclude(kind="village"))
    assert key(Unit.objects.filter(parent__kind="county")) != key(Unit.objects.filter(kind="county"))
    spec = sqlcache.spec_key
    assert spec(Q(a=1)) != spec(Q(a=True)) != spec(Q(a=1.0))
    assert spec(Sum("x", filter=Q(day__gte=datetime.date(2026, 1, 1)), default=0)) == spec(
        Sum("x", filter=Q(day__gte=datetime.date(2026, 1, 1)), default=0)
    )
    assert spec(Sum("x", default=0)) != spec(Sum("y", default=0)) != spec(Count("y"))


@pytest.mark.parametrize(
    "rows",
    [
        lambda: Unit.objects.filter(pk__in=Unit.objects.filter(kind="village").values("pk")),
        lambda: Unit.objects.annotate(n=Count("children")),
        lambda: Unit.objects.filter(kind="village")[:3],
        lambda: Unit.objects.none(),
    ],
)
def test_what_a_key_cannot_describe_exactly_has_none(db, rows):
    with pytest.raises(sqlcache.UnkeyableError):
        sqlcache.rows_key(rows())
    with pytest.raises(sqlcache.UnkeyableError):
        sqlcache.spec_key(Q(pk__in=Subquery(Unit.objects.filter(pk=OuterRef("pk")).values("pk"))))


def test_a_rollup_is_compiled_once_and_counts_the_rows_of_each_run(tree, django_assert_num_queries):
    sqlcache.clear()
    children = [tree.county_a, tree.county_b, tree.agency]
    villages = lambda: Unit.objects.open().filter(kind__in=["village", "community"])  # noqa: E731
    first = count_per_child(children, villages())
    kept = len(sqlcache._compiled)
    assert kept == 2  # the counties' statement, the agency's
    with django_assert_num_queries(2):
        assert count_per_child(children, villages()) == first
    assert len(sqlcache._compiled) == kept
    make(tree.township_a, "village", "新村")  # a write: the same statements count it
    again = count_per_child(children, villages())
    assert again[tree.county_a.pk] == first[tree.county_a.pk] + 1
    assert len(sqlcache._compiled) == kept
    # Other measures or other children: other statements.
    rollup(children, villages(), {"communities": Q(kind="community")})
    count_per_child([tree.county_a], villages())
    assert len(sqlcache._compiled) == kept + 3


def test_rows_it_cannot_key_are_counted_as_before(tree):
    sqlcache.clear()
    inside = Unit.objects.filter(pk__in=Unit.objects.filter(kind__in=["village", "community"]).values("pk"))
    assert count_per_child([tree.county_a, tree.county_b], inside) == {tree.county_a.pk: 3, tree.county_b.pk: 1}
    assert len(sqlcache._compiled) == 0
    assert count_per_child([tree.county_a, tree.county_b], Unit.objects.filter(kind__in=["village", "community"])) == {
        tree.county_a.pk: 3,
        tree.county_b.pk: 1,
    }
    assert len(sqlcache._compiled) == 1


def test_rows_it_cannot_key_are_compiled_once_under_the_key_their_caller_vouches_for(tree):
    sqlcache.clear()
    children = [tree.county_a, tree.county_b]

    def base(kind):  # a subquery: sqlcache cannot describe it; the kind decides the statement
        inside = Unit.objects.filter(pk__in=Unit.objects.filter(kind=kind).values("pk"))
        return Base(inside, "", {"n": None}, key=("test", kind))

    def counted(kind):
        return {child.pk: found["n"] for child, found in figures_by_child(children, [base(kind)], COUNT)}

    assert counted("community") == {tree.county_a.pk: 2, tree.county_b.pk: 0}
    assert len(sqlcache._compiled) == 1
    assert counted("community") == {tree.county_a.pk: 2, tree.county_b.pk: 0}
    assert len(sqlcache._compiled) == 1, "the same key: the same statement, run again"
    assert counted("village") == {tree.county_a.pk: 1, tree.county_b.pk: 1}
    assert len(sqlcache._compiled) == 2, "another key: its own statement"


COUNT = FigureSet("test-count", [Figure("n", "n", "units", counted="units")])
