"""Figures rolled up the tree: one SQL aggregate per group of children, never a Python loop.

Children of a boundary kind (province/city/county) are counted by their ancestor column
(GROUP BY county_id ...); the other children live in their parent's MPTT tree and are counted by
lft range in one correlated subquery. `path` reaches the unit from another model ("unit__").
"""

from collections import defaultdict

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce

from orgtree.choices import ANCESTOR_COLUMNS, GRASSROOTS_KINDS
from orgtree.models import Unit


def count_per_child(children, rows, path=""):
    """{child id: number of `rows` in that child's subtree (the child included)}."""
    children = list(children)
    counts = dict.fromkeys((c.pk for c in children), 0)
    by_column = defaultdict(list)
    in_tree = []
    for child in children:
        column = ANCESTOR_COLUMNS.get(child.kind)
        (by_column[column].append(child.pk) if column else in_tree.append(child.pk))
    for column, ids in by_column.items():
        key = Case(When(**{f"{path}pk__in": ids}, then=F(f"{path}pk")), default=F(f"{path}{column}_id"))
        grouped = (
            rows.filter(Q(**{f"{path}pk__in": ids}) | Q(**{f"{path}{column}_id__in": ids}))
            .annotate(child=key).order_by().values("child").annotate(n=Count("pk"))
        )
        for row in grouped:
            counts[row["child"]] = row["n"]
    if in_tree:
        sub = (
            rows.filter(**{
                f"{path}tree_id": OuterRef("tree_id"),
                f"{path}lft__gte": OuterRef("lft"),
                f"{path}lft__lte": OuterRef("rght"),
            }).order_by().values(f"{path}tree_id").annotate(n=Count("pk")).values("n")
        )
        for pk, n in Unit.objects.filter(pk__in=in_tree).annotate(
                n=Coalesce(Subquery(sub, output_field=IntegerField()), 0)).values_list("pk", "n"):
            counts[pk] = n
    return counts


def grassroots_per_child(children):
    """Open villages and communities under each child (the tree browser's figure)."""
    return count_per_child(children, Unit.objects.open().filter(kind__in=GRASSROOTS_KINDS))
