"""Stored compliance: every open unit's result against each funding standard, per year (UnitCompliance),
so that the dashboard panel, the funding page, its export and the API count results with a few SQL
aggregates instead of measuring every unit of the subtree in the request.
funding.compliance stays the definition: it measures here too (`judge`), and it answers in the request
for the years not kept and for subtrees being recomputed.

Kept years (`kept_years`): last year to the year after next. Figures are entered up to next year; the
year after next is kept so that on 1 January the new "next year" is already complete.

What a write changes, and what is recomputed:
- a work-funds line, a women population, a chair's pay (unit, year): that unit, that year;
- a standard (unit, from year): the unit's subtree, every kept year from then on;
- a unit created: itself; a unit changed, moved or closed: its subtree, every kept year.

The receivers of these models' post_save/post_delete (`connect`, from FundingConfig.ready) note the change
on the database connection (`note`). The note is worked off in set-based code (`refresh`: a dozen
statements whatever the number of units):
- for funding's own rows (written by its services, or by hand), before save() returns: a write and its
  results commit together, and the writer reads them; an import does it once, at the end (`batch`);
- for orgtree's units and chairs' pay when the writer's transaction commits (orgtree never imports
  funding: funding listens to its models).
A subtree of a province or of the national federation (~30,000 units per province: seconds) is not
recomputed while the writer waits: it is flagged stale (StaleCompliance) and a Celery task recomputes it
after the commit; meanwhile the reads that meet it measure compliance in the request (right, slower).
`refresh_all` (nightly, and `manage.py refresh_compliance`) recomputes everything and rewrites only the
rows that changed; it catches what bypasses the models' signals (bulk loads, `QuerySet.update`).
"""

from contextlib import contextmanager

from celery import shared_task
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Collate
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from funding.compliance import (
    APPLIES_TO,
    MEASURED_CATEGORIES,
    MISSED,
    STANDARDS,
    STATUSES,
    add_funds,
    compliance,
    judge,
    summarize,
)
from funding.models import FundingRecord, FundingStandard, StaleCompliance, UnitCompliance, WomenPopulation
from orgtree.choices import ANCESTOR_COLUMNS, GRASSROOTS_KINDS, Kind
from orgtree.models import ChairPay, Unit
from orgtree.rollups import aggregates

KEPT_BACK, KEPT_AHEAD = 1, 2
MEASURED_KINDS = sorted(set().union(*APPLIES_TO.values()))
BIG_KINDS = (Kind.NATIONAL, Kind.PROVINCE)  # their subtrees are recomputed in the background
VALUES = {key: f"{key}_value" for key in STANDARDS}
FIELDS = [f for key in STANDARDS for f in (key, VALUES[key])]
ANCESTORS = ["province_id", "city_id", "county_id", "township_id"]
COLUMNS = [*FIELDS, *ANCESTORS]  # what a refresh writes, beside unit and year
MEASURES = {f"{key}__{status}": Q(**{key: status}) for key in STANDARDS for status in STATUSES}
SMALL = 2000  # longer id lists go to the database as a sub-select
MANY = 20_000  # a transaction that touched more units (an edition, a province's import): all, in the background
PENDING = "_funding_compliance_pending"


def kept_years(today=None):
    year = (today or timezone.localdate()).year
    return list(range(year - KEPT_BACK, year + KEPT_AHEAD + 1))


# --- recomputing -------------------------------------------------------------------------------


def load_standards(rows):
    """{unit pk: [(from year, (per_woman, township_funds, village_funds_in_budget, chair_pay_ratio))]},
    latest year first."""
    own = {}
    for unit_id, year, *values in rows.order_by("-year").values_list("unit", "year", *FundingStandard.FIELDS):
        own.setdefault(unit_id, []).append((year, values))
    return own


def resolver(parents, own, year):
    """resolve(pk) -> the standards in force at unit pk in `year`, as effective_standards gives them:
    field by field the unit's own latest standard that sets it, else its parent's (memoized top-down)."""
    memo = {}
    fields = list(enumerate(FundingStandard.FIELDS))

    def resolve(pk):
        chain, node = [], pk
        while node is not None and node not in memo:
            chain.append(node)
            node = parents.get(node)
        result = memo[node] if node is not None else {}
        for node in reversed(chain):
            mine = [(y, values) for y, values in own.get(node, ()) if y <= year]
            if mine:
                result = dict(result)
                for i, field in fields:
                    found = next(((values[i], y) for y, values in mine if values[i] is not None), None)
                    if found is not None:
                        result[field] = (found[0], node, found[1])
            memo[node] = result
        return result

    return resolve


def _parents(rows):
    """{pk: parent pk} for `rows` ({pk: parent pk}) and all their ancestors: one query per level above."""
    parents = dict(rows)
    missing = {p for p in parents.values() if p is not None and p not in parents}
    while missing:
        found = dict(Unit.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
        parents.update(found)
        missing = {p for p in found.values() if p is not None and p not in parents}
    return parents


def _within(ids, units):
    return Q(unit__in=ids) if len(ids) <= SMALL else Q(unit__in=units.values("pk"))


def _row(applied, columns):
    row = []
    for key in STANDARDS:
        status, value = applied.get(key, ("", None))
        row += [status, value]
    return (*row, *columns)


def refresh(target, years=None, standards=None):
    """Recompute the results of the units `target` (a Q on Unit) selects for `years` (default: every
    kept year); rows that changed are written, rows of units no longer measured (closed, another kind,
    no standard) deleted. Returns the number of rows written or deleted. `standards` (load_standards)
    spares the query when the caller covers everything in chunks."""
    kept = kept_years()
    years = sorted(set(kept) if years is None else set(years) & set(kept))
    if not years:
        return 0
    selected = Unit.objects.filter(target)
    measured = selected.filter(closed_on__isnull=True, kind__in=MEASURED_KINDS)
    units = {
        pk: (kind, parent, (province, city, county, parent if kind in GRASSROOTS_KINDS else None))
        for pk, kind, parent, province, city, county in measured.values_list(
            "pk", "kind", "parent_id", "province_id", "city_id", "county_id"
        )
    }
    parents = _parents({pk: parent for pk, (_kind, parent, _columns) in units.items()})
    if standards is None:
        rows = FundingStandard.objects.filter(year__lte=years[-1])
        standards = load_standards(rows.filter(unit__in=list(parents)) if len(parents) <= SMALL else rows)
    computed = {}
    if units and standards:
        ids = list(units)
        within = _within(ids, measured)
        women = {
            (u, y): n
            for u, y, n in WomenPopulation.objects.filter(within, year__in=years).values_list("unit", "year", "women")
        }
        funds = {}
        for u, y, category, source, amount in FundingRecord.objects.filter(
            within, year__in=years, category__in=MEASURED_CATEGORIES
        ).values_list("unit", "year", "category", "source", "budgeted"):
            add_funds(funds, (u, y), category, source, amount)
        pay = {
            (u, y): (chair, secretary)
            for u, y, chair, secretary in ChairPay.objects.filter(within, year__in=years).values_list(
                "unit", "year", "chair_annual", "party_secretary_annual"
            )
        }
        for year in years:
            resolve = resolver(parents, standards, year)
            for pk, (kind, _parent, columns) in units.items():
                key = (pk, year)
                applied = judge(kind, resolve(pk), women.get(key), funds.get(key), pay.get(key))
                if applied:
                    computed[key] = _row(applied, columns)
    stored_rows = UnitCompliance.objects.filter(year__in=years)
    if target != Q():
        stored_rows = stored_rows.filter(unit__in=selected.values("pk"))
    stored = {(u, y): tuple(values) for u, y, *values in stored_rows.values_list("unit", "year", *COLUMNS)}
    changed = [(u, y, *row) for (u, y), row in computed.items() if stored.get((u, y)) != row]
    _upsert(changed)
    gone = [key for key in stored if key not in computed]
    for year in years:
        ids = [u for u, y in gone if y == year]
        for i in range(0, len(ids), SMALL):
            UnitCompliance.objects.filter(year=year, unit__in=ids[i : i + SMALL]).delete()
    return len(changed) + len(gone)


def _upsert(rows):
    """INSERT … ON CONFLICT (year, unit) DO UPDATE, written by hand: the ORM's bulk_create spends most of
    a province's recompute preparing 86,000 objects' values one field at a time. On PostgreSQL many rows
    go through COPY into a temporary table, six times faster than VALUES lists."""
    if not rows:
        return
    table = UnitCompliance._meta.db_table
    columns = ", ".join(["unit_id", "year", *COLUMNS])
    upsert = f"ON CONFLICT (year, unit_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS)}"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1000:
            cursor.execute(f"CREATE TEMP TABLE funding_upsert AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
            with cursor.cursor.copy(f"COPY funding_upsert ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM funding_upsert {upsert}")  # noqa: S608
            cursor.execute("DROP TABLE funding_upsert")
            return
        per_row = "(" + ", ".join(["%s"] * (len(COLUMNS) + 2)) + ")"
        size = 500 if connection.vendor == "postgresql" else max(1, 999 // (len(COLUMNS) + 2))
        for i in range(0, len(rows), size):
            part = rows[i : i + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([per_row] * len(part))} {upsert}",  # noqa: S608
                [value for row in part for value in row],
            )


def refresh_all(years=None, chunk=20_000):
    """Every unit's results for the kept years (nightly, after bulk loads, and for a subtree of the
    national federation); drops the years no longer kept and the stale flags raised before it began.
    Returns the number of rows written or deleted."""
    started = timezone.now()
    years = kept_years() if years is None else years
    standards = load_standards(FundingStandard.objects.filter(year__lte=max(years, default=0)))
    ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        changed += refresh(Q(pk__gte=part[0], pk__lte=part[-1]), years, standards)
    changed += UnitCompliance.objects.exclude(year__in=kept_years()).delete()[0]
    StaleCompliance.objects.filter(created_at__lte=started).delete()
    return changed


def subtree_target(units):
    """A Q on Unit for the units measured in the subtrees of `units` (value dicts with pk, kind and
    tree_id): below a county, city or province by its ancestor column, below a township by its MPTT
    tree; nothing measured hangs below other kinds (villages hold only women's groups)."""
    if any(u["kind"] == Kind.NATIONAL for u in units):
        return Q()
    target = Q(pk__in=[u["pk"] for u in units])
    below = {}
    for u in units:
        column = ANCESTOR_COLUMNS.get(u["kind"])
        if column:
            below.setdefault(f"{column}_id__in", []).append(u["pk"])
        elif u["kind"] in (Kind.TOWNSHIP, Kind.STREET):
            below.setdefault("tree_id__in", []).append(u["tree_id"])
    for lookup, values in below.items():
        target |= Q(**{lookup: values})
    return target


def refresh_subtree(unit, from_year=0):
    years = [y for y in kept_years() if y >= from_year]
    if unit is None or unit.kind == Kind.NATIONAL:
        return refresh_all(years)
    return refresh(subtree_target([{"pk": unit.pk, "kind": unit.kind, "tree_id": unit.tree_id}]), years)


@shared_task(name="funding.refresh_stale_compliance")
def refresh_stale(marker_id):
    """Recompute the subtree a stale flag names, then lower the flag."""
    marker = StaleCompliance.objects.filter(pk=marker_id).select_related("unit").first()
    if marker is None:
        return {"changed": 0}
    changed = refresh_subtree(marker.unit, marker.year)
    StaleCompliance.objects.filter(pk=marker_id).delete()
    return {"changed": changed}


@shared_task(name="funding.refresh_compliance")
def refresh_all_task():
    """Nightly: every unit's stored compliance (a new year, and anything written around the services)."""
    return {"changed": refresh_all()}


# --- what the writes note, and when it is worked off -------------------------------------------


def _state(create):
    """The changes noted in the current transaction (None if there are none and `create` is false).
    A note left by a transaction that rolled back is dropped (one that committed was worked off)."""
    owner = connection.atomic_blocks[0] if connection.in_atomic_block else None
    state = connection.__dict__.get(PENDING)
    if state is not None and state["owner"] is not owner:
        state = None
    if state is None and create:
        state = connection.__dict__[PENDING] = {"owner": owner, "units": {}, "subtrees": {}, "batch": 0}
    return state


def note(unit_id, year=None, subtree=False):
    """Results of `unit_id` (its subtree if `subtree`) for `year` (and later years for a subtree; every
    kept year if None) must be recomputed: by the writer's refresh_pending(), else at commit."""
    state = _state(create=True)
    if subtree:
        state["subtrees"][unit_id] = min(state["subtrees"].get(unit_id, 9999), year or 0)
    else:
        state["units"].setdefault(unit_id, set()).add(year or 0)
    transaction.on_commit(_at_commit, robust=True)  # outside a transaction: at once


def _at_commit():
    state = connection.__dict__.pop(PENDING, None)
    if state is not None:
        _work_off(state)


def refresh_pending():
    """Work off what the current transaction noted (the services call it before they return; inside
    batch() it waits for the end of the batch)."""
    state = _state(create=False)
    if state is not None and not state["batch"]:
        _work_off(state)


@contextmanager
def batch():
    """One transaction whose writes are recomputed once, at the end (an import)."""
    with transaction.atomic():
        state = _state(create=True)
        state["batch"] += 1
        try:
            yield
        finally:
            state["batch"] -= 1
        refresh_pending()


def _work_off(state):
    units, subtrees = state["units"], state["subtrees"]
    state["units"], state["subtrees"] = {}, {}
    if not units and not subtrees:
        return 0
    kept = kept_years()
    if len(units) + len(subtrees) > MANY:
        _flag_stale({"pk": None, "kind": Kind.NATIONAL}, kept[0])
        return 0
    years = set()
    for noted in units.values():
        years |= set(kept) if 0 in noted else noted
    roots = []
    for root in Unit.objects.filter(pk__in=list(subtrees)).values("pk", "kind", "tree_id"):
        from_year = subtrees[root["pk"]]
        if root["kind"] in BIG_KINDS:
            _flag_stale(root, max(from_year, kept[0]))
        else:
            roots.append(root)
            years |= {y for y in kept if y >= from_year}
    if not units and not roots:
        return 0
    target = Q(pk__in=list(units))
    if roots:
        target |= subtree_target(roots)
    with transaction.atomic():
        return refresh(target, years)


def _flag_stale(root, year):
    # A province, or everything for the national federation.
    marker = StaleCompliance.objects.create(unit_id=None if root["kind"] == Kind.NATIONAL else root["pk"], year=year)

    def run():
        refresh_stale.delay(marker.pk)

    transaction.on_commit(run, robust=True)


# What each model's rows change (a save naming none of these fields changes no result).
RELEVANT = {
    FundingRecord: {"unit", "year", "category", "source", "budgeted"},
    WomenPopulation: {"unit", "year", "women"},
    ChairPay: {"unit", "year", "chair_annual", "party_secretary_annual"},
    FundingStandard: {"unit", "year", *FundingStandard.FIELDS},
    Unit: {"kind", "parent", "closed_on"},
}


def _relevant(sender, kwargs):
    fields = kwargs.get("update_fields")
    return not kwargs.get("raw") and (fields is None or bool(RELEVANT[sender] & set(fields)))


def _figure_changed(sender, instance, **kwargs):
    """A work-funds or livelihood-funds line, a women population, a chair's pay: that unit, that year."""
    measured = sender is not FundingRecord or instance.category in MEASURED_CATEGORIES
    if _relevant(sender, kwargs) and measured:
        note(instance.unit_id, instance.year)
        if sender is not ChairPay:
            refresh_pending()  # funding's own rows at once (an import waits for its end); orgtree's at commit


def _standard_changed(sender, instance, **kwargs):
    if _relevant(sender, kwargs):
        note(instance.unit_id, instance.year, subtree=True)
        refresh_pending()


def _unit_changed(sender, instance, created=False, **kwargs):
    """A new unit has nothing below it; a changed, moved or closed one may change its whole subtree.
    Worked off when orgtree's transaction commits (a move rewrites the descendants' columns after
    saving the unit)."""
    if _relevant(sender, kwargs):
        note(instance.pk, subtree=not created)


def connect():
    """Listen to the writes that change results (from FundingConfig.ready): funding's models, and
    orgtree's units and chairs' pay, which orgtree writes without knowing funding exists."""
    for model in (FundingRecord, WomenPopulation, ChairPay):
        post_save.connect(_figure_changed, sender=model, dispatch_uid=f"funding.results.{model.__name__}")
        post_delete.connect(_figure_changed, sender=model, dispatch_uid=f"funding.results.{model.__name__}")
    post_save.connect(_standard_changed, sender=FundingStandard, dispatch_uid="funding.results.standard")
    post_delete.connect(_standard_changed, sender=FundingStandard, dispatch_uid="funding.results.standard")
    post_save.connect(_unit_changed, sender=Unit, dispatch_uid="funding.results.unit")


# --- reading -----------------------------------------------------------------------------------


def _stale(unit, year):
    """Is a subtree that meets `unit`'s being recomputed for `year`? Flags name provinces, or nothing
    (everything), so the unit's own province column answers."""
    flagged = set(StaleCompliance.objects.filter(year__lte=year).values_list("unit_id", flat=True))
    if not flagged:
        return False
    return None in flagged or unit.kind == Kind.NATIONAL or bool({unit.pk, unit.province_id} & flagged)


def _counts(sums):
    return {key: {status: sums[f"{key}__{status}"] for status in STATUSES} for key in STANDARDS}


# The row column that names a unit of this kind among its subtree's rows.
COLUMN_OF = {**{kind: f"{column}_id" for kind, column in ANCESTOR_COLUMNS.items()}, Kind.TOWNSHIP: "township_id"}
COLUMN_OF[Kind.STREET] = "township_id"


def subtree_rows(unit):
    """A Q on UnitCompliance for `unit`'s subtree, on the rows' own columns: a province, city or county
    by its indexed column, a township by its county's, anything else is measured alone (no measured
    unit hangs below a village, an agency or an area)."""
    if unit.kind == Kind.NATIONAL:
        return Q()
    column = COLUMN_OF.get(unit.kind)
    if column is None:
        return Q(unit_id=unit.pk)
    mine = Q(unit_id=unit.pk) | Q(**{column: unit.pk})
    return mine & Q(county_id=unit.county_id) if column == "township_id" and unit.county_id else mine


class Report:
    """Compliance over `unit`'s subtree in `year`: counted from the stored results, or measured in the
    request (funding.compliance) for a year not kept or a subtree being recomputed. The same figures
    either way; counting is a fixed number of statements on UnitCompliance alone."""

    def __init__(self, unit, year):
        self.unit, self.year = unit, year
        self.stored = year in kept_years() and not _stale(unit, year)
        if not self.stored:
            self.tree, self.results = compliance(unit, year)
            self._overall, self._by_child = summarize(self.tree, self.results)

    def rows(self):
        if not self.unit.is_open:  # nothing below a closed unit is open (close_unit makes sure)
            return UnitCompliance.objects.none()
        return UnitCompliance.objects.filter(subtree_rows(self.unit), year=self.year)

    def overall(self):
        """{standard: {status: number of units}} over the subtree: one statement."""
        if not self.stored:
            return self._overall
        return _counts(self.rows().aggregate(**aggregates(MEASURES)))

    def by_child(self, children):
        """{child pk: {standard: {status: n}}} over each child's subtree (see summary)."""
        return self.summary(children)[1]

    def summary(self, children):
        """(overall, by child) in the statements of the children alone: the unit's and the children's
        own rows in one statement, the rows below them in one per kind of child that has any
        (counties by county_id …). The overall counts are the unit's own row plus its open children's
        subtrees: no stored row sits below a closed unit (close_unit closes its subtree, and a closed
        unit's rows are removed), so none is left out. `children` must be all the open children."""
        if not self.stored:
            return self._overall, {c.pk: self._by_child[c.pk] for c in children}
        sums = {c.pk: dict.fromkeys(MEASURES, 0) for c in children}
        own = dict.fromkeys(MEASURES, 0)
        if self.unit.is_open:
            rows, counts = self.rows(), aggregates(MEASURES)
            groups: dict[str, list[int]] = {}
            for child in children:
                if child.kind in COLUMN_OF:
                    groups.setdefault(COLUMN_OF[child.kind], []).append(child.pk)
            parts = [("unit_id", rows.filter(unit_id__in=[self.unit.pk, *sums]))]
            parts += [(column, rows.filter(**{f"{column}__in": ids})) for column, ids in groups.items()]
            for column, part in parts:
                for row in part.order_by().values(column).annotate(**{f"m_{k}": v for k, v in counts.items()}):
                    target = own if row[column] == self.unit.pk else sums[row[column]]
                    for name in MEASURES:
                        target[name] += row[f"m_{name}"]
        overall = {name: own[name] + sum(figures[name] for figures in sums.values()) for name in MEASURES}
        return _counts(overall), {pk: _counts(figures) for pk, figures in sums.items()}

    def missing(self, limit=300):
        """The first `limit` (unit name, standard label, measured value) that miss, sorted."""
        if not self.stored:
            names = {pk: row["name"] for pk, row in self.tree.units.items()}
            found = [
                (names[pk], STANDARDS[key], value)
                for pk, applied in self.results.items()
                for key, (status, value) in applied.items()
                if status == MISSED
            ]
            return sorted(found)[:limit]
        missed = self.rows().filter(_any_missed())
        # Sorted by name as Python sorts (code points): bytes in UTF-8, whatever the database's collation.
        by_name = Collate("unit__name", "C") if connection.vendor == "postgresql" else "unit__name"
        columns = ("unit", "unit__name", *FIELDS)
        first = list(missed.order_by(by_name, "unit").values_list(*columns)[:limit])
        if len(first) == limit:  # units of the same name as the last one may sort before some of its lines
            first += (
                missed.filter(unit__name=first[-1][1]).exclude(unit__in=[r[0] for r in first]).values_list(*columns)
            )
        found = []
        for _pk, name, *values in first:
            row = dict(zip(FIELDS, values, strict=True))
            found += [(name, STANDARDS[key], row[VALUES[key]]) for key in STANDARDS if row[key] == MISSED]
        return sorted(found)[:limit]

    def measured(self):
        """(division code, name, standard, status, measured value) of every unit measured, in tree order."""
        if not self.stored:
            for pk, applied in self.results.items():
                row = self.tree.units[pk]
                for key, (status, value) in applied.items():
                    yield row["code"], row["name"], key, status, value
            return
        rows = self.rows().order_by("unit__tree_id", "unit__lft")
        for code, name, *values in rows.values_list("unit__code", "unit__name", *FIELDS).iterator(chunk_size=5000):
            row = dict(zip(FIELDS, values, strict=True))
            for key in STANDARDS:
                if row[key]:
                    yield code, name, key, row[key], row[VALUES[key]]


def _any_missed():
    q = Q()
    for key in STANDARDS:
        q |= Q(**{key: MISSED})
    return q
