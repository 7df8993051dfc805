"""Figures rolled up the tree: one SQL aggregate per group of children, never a Python loop.

Children with an ancestor column (province, city, county) are counted by it (GROUP BY county_id
...), townships (which root their own MPTT trees) by tree_id, and units inside a tree by lft range
in correlated subqueries of one statement. `path` reaches the unit from another model ("unit__").
"""

from collections import defaultdict
from functools import partial
from typing import Any, NamedTuple

from django.db.models import Aggregate, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from federation import sqlcache
from orgtree.choices import ANCESTOR_COLUMNS, GRASSROOTS_KINDS
from orgtree.models import Unit


class Base(NamedTuple):
    """Rows whose measures are computed in one SQL statement, whatever their number; `path` reaches
    the unit's columns from the rows, `tree_path` its MPTT columns (see rollup)."""

    rows: QuerySet
    path: str
    measures: dict
    tree_path: str | None = None
    # What decides the rows and every measure when federation.sqlcache cannot tell it from them (a
    # subquery, an Exists): the caller vouches that bases of equal keys build the same statements, e.g.
    # ("reform.added", since, day). None: such a base is built on every call.
    key: tuple | None = None


def figures_total(unit, bases, figure_set):
    """Every figure of `figure_set` (federation.figures) over `unit`'s subtree: one statement per base."""
    sums = {}
    for base in bases:
        sums.update(total(unit, base.rows, base.measures, base.path, base.tree_path))
    return figure_set.complete(sums)


def figures_by_child(children, bases, figure_set, keys=None):
    """[(child, figures)]: the same figures per child, the rates derived from each child's sums;
    with `keys`, only those figures, counting only the sums they need."""
    per_child: dict[int, dict[str, Any]] = {c.pk: {} for c in children}
    needed = None if keys is None else figure_set.needs(keys)
    for base in bases:
        measures = base.measures if needed is None else {k: m for k, m in base.measures.items() if k in needed}
        if not measures:
            continue
        for pk, sums in rollup(children, base.rows, measures, base.path, base.tree_path, key=base.key).items():
            per_child[pk].update(sums)
    return [(child, figure_set.complete(per_child[child.pk], keys)) for child in children]


def rollup(children, rows, measures, path="", tree_path=None, key=None):
    """{child id: {measure: count}} of `rows` in each child's subtree (the child included).

    `measures` maps a name to a Q on `rows` (count the rows matching it), None (count every row) or
    an aggregate such as Sum("chairs"): all are computed in the same statements, so the number of
    queries depends on neither the children nor the measures. `tree_path` reaches the MPTT columns
    when they are elsewhere than the ancestor columns (rows that carry copies of the latter); `key`
    is Base.key.
    """
    tree_path = path if tree_path is None else tree_path
    children = list(children)
    result = {c.pk: dict.fromkeys(measures, 0) for c in children}
    counts = aggregates(measures)
    shape = _shape(rows, path, tree_path, measures, key)
    by_column = defaultdict(list)
    roots, in_tree = {}, []
    for child in children:
        column = ANCESTOR_COLUMNS.get(child.kind)
        if column:
            by_column[column].append(child.pk)
        elif child.tree_parent_id is None:  # a township: its subtree is its whole MPTT tree
            roots[child.tree_id] = child.pk
        else:
            in_tree.append(child.pk)

    for column, ids in by_column.items():
        # One statement of two parts: the children's own rows, and the rows below them grouped by the
        # plain column (the planner knows its few values; grouping on an expression made it sort on
        # disk); both name the child in their first column.
        own, key = partial(rows.filter, **{f"{path}pk__in": ids}), f"{path}pk"
        build = partial(_both, own, key, partial(_below, rows, path, column, ids), f"{path}{column}_id", counts)
        for row in sqlcache.values(shape and (shape, column, tuple(ids)), build):
            figures = result[row[key]]
            for name in measures:
                figures[name] += row[f"m_{name}"]
    if roots:
        key = f"{tree_path}tree_id"
        part = partial(rows.filter, **{f"{tree_path}tree_id__in": list(roots)})
        for row in sqlcache.values(shape and (shape, key, tuple(roots)), partial(_grouped, part, key, counts)):
            result[roots[row[key]]].update({name: row[f"m_{name}"] for name in measures})
    if in_tree:
        build = partial(_inside_tree, rows, tree_path, counts, in_tree)
        for row in sqlcache.values(shape and (shape, "in_tree", tuple(in_tree)), build):
            result[row["pk"]].update({name: row[f"m_{name}"] for name in measures})
    return result


def _shape(rows, path, tree_path, measures, key=None):
    """What decides each statement of a rollup besides the children (None if it cannot be told): its
    compiled SQL is kept under it and them (federation.sqlcache), not built again on every request.
    What sqlcache cannot describe, the caller's key (Base.key) does, with the measures' names."""
    try:
        return (sqlcache.rows_key(rows), path, tree_path, sqlcache.spec_key(tuple(measures.items())))
    except sqlcache.UnkeyableError:
        return None if key is None else ("vouched", key, path, tree_path, tuple(measures))


def _grouped(part, key, counts):
    return part().order_by().values(key).annotate(**{f"m_{name}": count for name, count in counts.items()})


def _both(own, own_key, below, below_key, counts):
    return _grouped(own, own_key, counts).union(_grouped(below, below_key, counts), all=True)


def _below(rows, path, column, ids):
    # From another table, filter through a semi-join on the units: an OR or a join spanning both
    # tables defeats the indexes (see Unit.subtree_q).
    found = Q(**{f"{column}_id__in": ids})
    return rows.filter(Q(**{f"{path[:-2]}__in": Unit.objects.filter(found).values("pk")}) if path else found)


def _inside_tree(rows, tree_path, counts, in_tree):
    """Units inside a tree: correlated subqueries by lft range, one statement for all of them."""
    inside = (
        rows.filter(
            **{
                f"{tree_path}tree_id": OuterRef("tree_id"),
                f"{tree_path}lft__gte": OuterRef("lft"),
                f"{tree_path}lft__lte": OuterRef("rght"),
            }
        )
        .order_by()
        .values(f"{tree_path}tree_id")
    )
    annotations = {
        f"m_{name}": Coalesce(Subquery(inside.annotate(n=count).values("n"), output_field=IntegerField()), 0)
        for name, count in counts.items()
    }
    return Unit.objects.filter(pk__in=in_tree).annotate(**annotations).values("pk", *annotations)


def total(unit, rows, measures, path="", tree_path=None):
    """{measure: count} of `rows` in `unit`'s whole subtree, in one statement."""
    # Aliased: a measure named like a field it filters on ("executives") would shadow the field.
    found = rows.filter(unit.subtree_q(path, tree_path)).aggregate(
        **{f"m_{k}": v for k, v in aggregates(measures).items()}
    )
    return {name: found[f"m_{name}"] for name in measures}


def aggregates(measures):
    def one(spec):
        if isinstance(spec, Aggregate):
            # An aggregate with its own default (Sum("budgeted", default=Decimal(0))) keeps its type.
            # (Aggregate.__init__ sets `default`; django-stubs does not declare it.)
            return spec if spec.default is not None else Coalesce(spec, 0)  # type: ignore[attr-defined]
        return Count("pk", filter=spec) if spec is not None else Count("pk")

    return {name: one(spec) for name, spec in measures.items()}


def count_per_child(children, rows, path=""):
    """{child id: number of `rows` in that child's subtree (the child included)}."""
    return {pk: figures["n"] for pk, figures in rollup(children, rows, {"n": None}, path).items()}


def grassroots_per_child(children):
    """Open villages and communities under each child (the tree browser's figure)."""
    return count_per_child(children, Unit.objects.open().filter(kind__in=GRASSROOTS_KINDS))
