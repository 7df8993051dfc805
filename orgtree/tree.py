"""Guards and repairs for the MPTT tree.

Every tree write runs inside `tree_lock()`: on PostgreSQL a transaction-scoped advisory lock, so two
writers never compute lft/rght or a new tree_id from the same stale state (NetBox learned that
concurrent root inserts corrupt tree_id). SQLite serializes writers by itself.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction

from orgtree.choices import ANCESTOR_COLUMNS, BOUNDARY_KINDS
from orgtree.models import Unit

TREE_LOCK_KEY = 0x0B4A7A  # any constant unique to this application


@contextmanager
def tree_lock():
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
        yield


def next_tree_id():
    return (Unit.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1


def nested_sets(root_id, children_of):
    """lft, rght and level for every node under root_id, children in the given order.

    `children_of` maps a node id to its ordered child ids. Iterative: trees can be deep or wide.
    """
    values = {}
    counter = 1
    stack = [(root_id, 0, False)]
    lefts = {}
    while stack:
        node, level, done = stack.pop()
        if done:
            values[node] = (lefts[node], counter, level)
            counter += 1
            continue
        lefts[node] = counter
        counter += 1
        stack.append((node, level, True))
        for child in reversed(children_of.get(node, ())):
            stack.append((child, level + 1, False))
    return values


def layout(rows):
    """The nested sets the parent links call for.

    rows: (id, parent_id, kind, lft) tuples. Siblings keep their current lft order, so a sound tree
    lays out exactly as stored. Returns {root id: {id: (lft, rght, level)}}.
    """
    ids = {r[0] for r in rows}
    children_of = defaultdict(list)
    roots = []
    for pk, parent_id, kind, _lft in sorted(rows, key=lambda r: (r[3] or 0, r[0])):
        if kind in BOUNDARY_KINDS or parent_id is None or parent_id not in ids:
            roots.append(pk)
        else:
            children_of[parent_id].append(pk)
    return {root: nested_sets(root, children_of) for root in roots}


def write_nested_sets(values, tree_id):
    """Write {id: (lft, rght, level)} of one tree with batched UPDATE ... FROM (VALUES ...)."""
    table = Unit._meta.db_table
    items = list(values.items())
    for start in range(0, len(items), 2000):
        batch = items[start : start + 2000]
        placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
        params = [v for pk, (lft, rght, level) in batch for v in (pk, lft, rght, level)]
        sql = (
            f"UPDATE {table} SET lft = v.lft, rght = v.rght, level = v.level, tree_id = %s "  # noqa: S608
            f"FROM (VALUES {placeholders}) AS v(id, lft, rght, level) WHERE {table}.id = v.id"
        )
        if connection.vendor == "sqlite":  # SQLite names VALUES columns column1..columnN
            sql = (
                sql.replace("AS v(id, lft, rght, level)", "AS v")
                .replace("v.id", "v.column1")
                .replace("v.lft", "v.column2")
                .replace("v.rght", "v.column3")
                .replace("v.level", "v.column4")
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [tree_id, *params])


def check_tree(repair=False):
    """Check every tree against its parent links; with repair, lay the broken trees out again.

    Returns the problems found as (unit id, description) pairs; a broken tree is named by its root.
    """
    fields = (
        "id",
        "parent_id",
        "kind",
        "lft",
        "rght",
        "level",
        "tree_id",
        "tree_parent_id",
        "province_id",
        "city_id",
        "county_id",
    )
    rows = {r[0]: dict(zip(fields, r, strict=True)) for r in Unit.objects.values_list(*fields)}
    problems = []
    broken = set()
    seen_tree_ids = {}
    for root, values in layout([(r["id"], r["parent_id"], r["kind"], r["lft"]) for r in rows.values()]).items():
        row = rows[root]
        if row["tree_id"] in seen_tree_ids:
            problems.append((root, f"tree_id {row['tree_id']} is shared with unit {seen_tree_ids[row['tree_id']]}"))
            broken.add(root)
        seen_tree_ids.setdefault(row["tree_id"], root)
        for pk, (lft, rght, level) in values.items():
            node = rows[pk]
            want_parent = None if pk == root else node["parent_id"]
            if (node["lft"], node["rght"], node["level"]) != (lft, rght, level) or (
                node["tree_id"] != row["tree_id"] or node["tree_parent_id"] != want_parent
            ):
                problems.append(
                    (
                        root,
                        f"tree {row['tree_id']}: unit {pk} stored lft/rght/level "
                        f"{node['lft']}/{node['rght']}/{node['level']}, expected {lft}/{rght}/{level}",
                    )
                )
                broken.add(root)
                break
    links_wrong = _ancestor_links_wrong(rows)
    problems += [(pk, "province/city/county columns disagree with the parents") for pk in links_wrong]
    if repair and (broken or links_wrong):
        with tree_lock():
            trees = layout([(r["id"], r["parent_id"], r["kind"], r["lft"]) for r in rows.values()])
            for root in broken:
                tree_id = rows[root]["tree_id"]
                if seen_tree_ids.get(tree_id) != root:
                    tree_id = next_tree_id()
                write_nested_sets(trees[root], tree_id)
                for pk in trees[root]:
                    want = None if pk == root else rows[pk]["parent_id"]
                    if rows[pk]["tree_parent_id"] != want:
                        Unit.objects.filter(pk=pk).update(tree_parent_id=want)
            for pk, links in links_wrong.items():
                Unit.objects.filter(pk=pk).update(**links)
    return problems


def _ancestor_links_wrong(rows):
    """{id: correct links} for units whose province/city/county columns are wrong."""
    cache = {}

    def links_for_children_of(pk):
        if pk is None:
            return {"province_id": None, "city_id": None, "county_id": None}
        if pk not in cache:
            row = rows[pk]
            links = dict(links_for_children_of(row["parent_id"]))
            column = ANCESTOR_COLUMNS.get(row["kind"])
            if column:
                links[f"{column}_id"] = pk
            cache[pk] = links
        return cache[pk]

    wrong = {}
    for pk, row in rows.items():
        want = links_for_children_of(row["parent_id"])
        if any(row[k] != v for k, v in want.items()):
            wrong[pk] = want
    return wrong
