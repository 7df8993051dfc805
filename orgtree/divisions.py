"""Load the statistical division data (统计用区划代码) into the unit tree.

File format (data/divisions/NOTICE.md): CSV `code,name,level,parent_code`, plain or .xz, parents
first. The load is a diff against the open units with those codes: new codes are created in bulk,
renamed and re-parented ones updated, and codes missing from a complete subtree closed. It runs in
one transaction under the tree lock, so it is all-or-nothing, and a second run changes nothing.
"""

import csv
import lzma
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from federation import writes
from federation.models import ChangeRecord
from orgtree import services
from orgtree.bulk import allocate_ids, analyze, insert_rows, literal, rebuilt_after
from orgtree.choices import ANCESTOR_COLUMNS, BOUNDARY_KINDS, Form, Kind
from orgtree.coverage import following
from orgtree.models import Unit, UnitFigures
from orgtree.tree import layout, nested_sets, next_tree_id, tree_lock, write_nested_sets

PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
LEVEL_KIND = {1: Kind.PROVINCE, 2: Kind.CITY, 3: Kind.COUNTY}
SOURCE = "load_divisions"
# Leaves first, so each unit closes after everything beneath it.
CLOSE_ORDER = [Kind.VILLAGE, Kind.COMMUNITY, Kind.TOWNSHIP, Kind.STREET, Kind.COUNTY, Kind.CITY, Kind.PROVINCE]


@dataclass(slots=True)
class Division:
    code: str
    name: str
    level: int
    parent_code: str
    kind: str = ""


@dataclass
class Plan:
    creates: list = field(default_factory=list)  # Division, parents first
    renames: list = field(default_factory=list)  # (unit id, {field: new value})
    moves: list = field(default_factory=list)  # (unit id, new parent code or None for national)
    closes: list = field(default_factory=list)  # unit ids, deepest first
    kept_open: list = field(default_factory=list)  # (unit id, why it could not close)
    complete_root: str = ""

    def summary(self):
        return (
            f"create {len(self.creates)}, update {len(self.renames)}, move {len(self.moves)}, close {len(self.closes)}"
        )


def kind_of(division):
    if division.level in LEVEL_KIND:
        return LEVEL_KIND[division.level]
    if division.level == 4:
        street = division.code[6:9] < "100" or division.name.endswith(("街道", "办事处"))
        return Kind.STREET if street else Kind.TOWNSHIP
    # Urban-rural code: 001-199 residents' committees (communities), the rest villagers' committees.
    return Kind.COMMUNITY if division.code[9:12] < "200" else Kind.VILLAGE


def read_divisions(path):
    """Rows of the file with placeholders dropped and their children re-parented."""
    opener = lzma.open if str(path).endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)  # plain rows: a DictReader costs seconds on the national file
        header = next(reader, [])
        code, name, level, parent = (header.index(column) for column in ("code", "name", "level", "parent_code"))
        rows = []
        for r in reader:
            if len(r) < len(header):
                if not r:
                    continue
                r += [""] * (len(header) - len(r))
            rows.append(Division(r[code].strip(), r[name].strip(), int(r[level]), r[parent].strip()))
    by_code = {d.code: d for d in rows}
    replaced = {}
    for d in rows:
        parent = by_code.get(d.parent_code)
        placeholder = (d.level == 2 and (d.name in PLACEHOLDER_NAMES or d.name.endswith("直辖县级行政区划"))) or (
            # A city without counties repeats itself at county level (东莞市, 中山市, 嘉峪关市).
            d.level == 3 and parent is not None and parent.name == d.name
        )
        if placeholder:
            replaced[d.code] = d.parent_code
    kept = []
    for d in rows:
        if d.code in replaced:
            continue
        while d.parent_code in replaced:
            d.parent_code = replaced[d.parent_code]
        d.kind = kind_of(d)
        kept.append(d)
    return kept


def _subtree(divisions, root_code):
    """The root's subtree plus its ancestors, in file order."""
    by_code = {d.code: d for d in divisions}
    if root_code not in by_code:
        raise ValueError(f"code {root_code} is not in the file")
    keep = set()
    code = root_code
    while code in by_code:
        keep.add(code)
        code = by_code[code].parent_code
    inside = {root_code}
    for d in divisions:  # parents come first, so one pass finds the whole subtree
        if d.parent_code in inside:
            inside.add(d.code)
    return [d for d in divisions if d.code in keep | inside]


def infer_complete_root(divisions):
    """The unit the file is complete for: follow single-child chains down from a lone top row."""
    tops = [d for d in divisions if not d.parent_code]
    if len(tops) != 1:
        return ""
    children = defaultdict(list)
    for d in divisions:
        children[d.parent_code].append(d)
    node = tops[0]
    while len(children[node.code]) == 1:
        node = children[node.code][0]
    return node.code


def plan(divisions, root_code=""):
    if root_code:
        divisions = _subtree(divisions, root_code)
    complete_root = root_code or infer_complete_root(divisions)
    existing = {
        code: (pk, name, kind, parent_id)
        for pk, code, name, kind, parent_id in Unit.objects.open()
        .exclude(code="")
        .values_list("id", "code", "name", "kind", "parent_id")
    }
    national = Unit.objects.open().filter(kind=Kind.NATIONAL).values_list("id", flat=True).first()
    result = Plan(complete_root=complete_root)
    for d in divisions:
        current = existing.get(d.code)
        if current is None:
            result.creates.append(d)
            continue
        pk, name, kind, parent_id = current
        changes = {}
        if name != d.name:
            changes["name"] = d.name
        if kind != d.kind:
            changes["kind"] = d.kind
        if changes:
            result.renames.append((pk, changes))
        want_parent = existing[d.parent_code][0] if d.parent_code in existing else (None if d.parent_code else national)
        if d.parent_code and d.parent_code not in existing:
            result.moves.append((pk, d.parent_code))  # under a unit this load creates
        elif want_parent != parent_id:
            result.moves.append((pk, d.parent_code or None))
    if complete_root:
        result.closes = _missing(divisions, complete_root, existing)
    elif len([d for d in divisions if not d.parent_code]) > 1:  # a national file: every code counts
        codes = {d.code for d in divisions}
        admin = {Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWNSHIP, Kind.STREET, Kind.VILLAGE, Kind.COMMUNITY}
        result.closes = [v[0] for c, v in existing.items() if c not in codes and v[2] in admin]
    return result


def _missing(divisions, complete_root, existing):
    """Open administrative units with codes under the complete root that the file no longer has."""
    root = Unit.objects.open().filter(code=complete_root).first()
    if root is None:
        return []
    codes = {d.code for d in divisions}
    admin = {Kind.CITY, Kind.COUNTY, Kind.TOWNSHIP, Kind.STREET, Kind.VILLAGE, Kind.COMMUNITY}
    return list(
        Unit.objects.open()
        .within(root)
        .exclude(code="")
        .exclude(code__in=codes)
        .filter(kind__in=admin)
        .values_list("id", flat=True)
    )


def apply(result, *, user=None, village_form=Form.CONGRESS, log=print):
    """Carry out a plan in one transaction; returns the plan."""
    started = time.monotonic()
    with transaction.atomic(), tree_lock():
        with rebuilt_after((Unit, UnitFigures, ChangeRecord), len(result.creates), referenced=Unit):
            created = _create(result.creates, user, village_form, log)
        for pk, changes in result.renames:
            unit = Unit.objects.get(pk=pk)
            services.update_unit(user, unit, changes, source=SOURCE)
        for pk, parent_code in result.moves:
            if parent_code is None:
                parent = Unit.objects.open().get(kind=Kind.NATIONAL)
            elif parent_code in created:
                parent = Unit(pk=created[parent_code], code=parent_code)  # move_unit reads it afresh
            else:
                parent = Unit.objects.open().get(code=parent_code)
            services.move_unit(user, Unit.objects.get(pk=pk), parent, source=SOURCE)
        closing = set(result.closes)
        today = timezone.localdate()
        units = Unit.objects.in_bulk(result.closes)
        for pk in sorted(result.closes, key=lambda pk: CLOSE_ORDER.index(units[pk].kind)):
            unit = units[pk]
            staying = unit.children.open().exclude(pk__in=closing).count()
            if staying:
                closing.discard(pk)  # its parent must stay open too
                result.kept_open.append((pk, f"{unit.name} ({unit.code}): {staying} open subunits"))
                continue
            services.close_unit(user, unit, today, note="不在新版区划代码中", source=SOURCE)
        written = len(result.creates) + len(result.renames) + len(result.moves) + len(result.closes)
        analyze((Unit, UnitFigures, ChangeRecord), written)
    log(f"done in {time.monotonic() - started:.1f} s: {result.summary()}")
    return result


UNIT_COLUMNS = (
    "id",
    "kind",
    "form",
    "name",
    "short_name",
    "code",
    "subtype",
    "parent_id",
    "tree_parent_id",
    "province_id",
    "city_id",
    "county_id",
    "tree_id",
    "lft",
    "rght",
    "level",
    "version",
    "created_at",
    "updated_at",
)


def _layout_new_trees(divisions, by_code):
    """({code: (lft, rght, level)}, {code: tree_id}) of the new units that root a tree (BOUNDARY_KINDS)
    and everything new beneath them: laid out up front, so they need no rebuild."""
    children = defaultdict(list)
    new_roots = []
    for d in divisions:
        if d.kind in BOUNDARY_KINDS:
            new_roots.append(d.code)
        elif d.parent_code in by_code:
            children[d.parent_code].append(d.code)
    layout_by_code, tree_of_code = {}, {}
    tree_id = next_tree_id()
    for root in new_roots:
        for code, values in nested_sets(root, children).items():
            layout_by_code[code] = values
            tree_of_code[code] = tree_id
        tree_id += 1
    return layout_by_code, tree_of_code


def _create(divisions, user, village_form, log):
    """Insert new divisions as plain rows: new trees laid out up front, touched trees rebuilt after.

    Returns {code: id} of what was created.
    """
    if not divisions:
        return {}
    by_code = {d.code: d for d in divisions}
    parent_codes = {d.parent_code for d in divisions if d.parent_code and d.parent_code not in by_code}
    # code -> (id, kind, province_id, city_id, county_id, tree_id) of every possible parent
    nodes = {
        u.code: (u.pk, u.kind, u.province_id, u.city_id, u.county_id, u.tree_id)
        for u in Unit.objects.open().filter(code__in=parent_codes)
    }
    national = Unit.objects.open().filter(kind=Kind.NATIONAL).first()
    layout_by_code, tree_of_code = _layout_new_trees(divisions, by_code)

    ids = iter(allocate_ids(Unit, len(divisions)))
    now, today = literal(timezone.now()), literal(timezone.localdate())
    forms = {Kind.VILLAGE: village_form, Kind.COMMUNITY: village_form}
    unit_rows, created, touched_trees = [], [], set()  # created: (pk, name, changes, unit pk) for history
    for d in sorted(divisions, key=lambda d: d.level):  # parents before children
        pk = next(ids)
        parent = nodes.get(d.parent_code)
        if parent is None and d.level == 1 and national is not None:
            parent = (national.pk, national.kind, None, None, None, national.tree_id)
        parent_id, parent_kind, province_id, city_id, county_id, parent_tree = parent or (None,) * 6
        column = ANCESTOR_COLUMNS.get(parent_kind)
        links = {"province": province_id, "city": city_id, "county": county_id}
        if column:
            links[column] = parent_id
        if d.code in layout_by_code:
            tree, (lft, rght, level) = tree_of_code[d.code], layout_by_code[d.code]
        else:  # hangs into a tree that exists already: laid out again below
            tree, lft, rght, level = parent_tree, 0, 0, 0
            touched_trees.add(parent_tree)
        tree_parent = None if d.kind in BOUNDARY_KINDS else parent_id
        nodes[d.code] = (pk, d.kind, links["province"], links["city"], links["county"], tree)
        unit_rows.append(
            (
                pk,
                d.kind,
                forms.get(d.kind, Form.FEDERATION),
                d.name,
                "",
                d.code,
                "",
                parent_id,
                tree_parent,
                links["province"],
                links["city"],
                links["county"],
                tree,
                lft,
                rght,
                level,
                1,
                now,
                now,
            )
        )
        created.append((pk, d.name, {"name": [None, d.name], "code": [None, d.code]}, pk))
    insert_rows(Unit, UNIT_COLUMNS, unit_rows)
    log(f"  units: inserted {len(unit_rows)}")
    # Their figures (none yet) with the unit columns coverage sums by, as Unit.save() would, and
    # their groups' sums (the villages and townships they add).
    figure_rows = [(row[0], row[1], row[2], row[9], row[10], row[11], today) for row in unit_rows]
    with following([row[0] for row in unit_rows], new=True):
        insert_rows(
            UnitFigures, ("unit_id", "kind", "form", "province_id", "city_id", "county_id", "changed_on"), figure_rows
        )
    recorded = writes.create_rows(Unit, created, user, source=SOURCE, insert=insert_rows, at=now)
    log(f"  history: recorded {recorded}")
    for tree in touched_trees:
        rows = list(Unit.objects.filter(tree_id=tree).values_list("id", "parent_id", "kind", "lft"))
        for values in layout(rows).values():
            write_nested_sets(values, tree)
    return {code: nodes[code][0] for code in by_code}
