"""Tree benchmark on PostgreSQL with the national division data (665k units). Prints figures.

    make bench                     # BENCH_DATABASE_URL defaults to .../banyan_bench
    .venv/bin/python bench/tree.py --reload   # drop and load the national file again

Not a test: it reports milliseconds (median of several runs) for the queries and writes that
docs/tree.md discusses, and ends with one JSON line of them. Writes run in transactions that are
rolled back; the loaded tables are VACUUM ANALYZEd before anything is measured.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, load_average, median_ms, use_database, vacuum_analyze

DB_URL = use_database("BENCH_DATABASE_URL", "banyan_bench")

# Units named in the figures: the largest province, city and county, a typical township.
PROVINCE, CITY, COUNTY = "44", "4401", "310115"  # 广东省, 广州市, 浦东新区 (1,526 villages/communities)


def ensure_database(reload):
    import psycopg

    base, _, name = DB_URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reload:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


timed = median_ms


def rolled_back(fn):
    from django.db import transaction

    def run():
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reload", action="store_true", help="drop the bench database and load again")
    args = parser.parse_args()
    ensure_database(args.reload)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from federation.models import ChangeRecord
    from orgtree import services
    from orgtree.choices import GRASSROOTS_KINDS, Kind
    from orgtree.models import Unit, UnitFigures
    from orgtree.rollups import grassroots_per_child
    from orgtree.tree import check_tree

    call_command("migrate", verbosity=0)
    figures = {"load_average": load_average()}
    if not Unit.objects.exists():
        start = time.perf_counter()
        call_command("load_divisions", settings.BANYAN["NATIONAL_DIVISIONS"], "--village-form", "federation")
        figures["load_s"] = time.perf_counter() - start
        print(f"national load: {figures['load_s']:.1f} s (load average {load_average()})")
    # What the figures below read, as a settled database has it: statistics, and a visibility map
    # for index-only scans (autovacuum would get there after the load; the bench does not wait).
    vacuum_analyze(*(m._meta.db_table for m in (Unit, UnitFigures, ChangeRecord)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(",")[0]
    total = Unit.objects.count()
    figures["units"] = total
    print(f"{total} units on {pg}, {os.cpu_count()} cores\n")

    national = Unit.objects.open().filter(kind=Kind.NATIONAL).first()
    province, city, county = (Unit.objects.open().get(code=c) for c in (PROVINCE, CITY, COUNTY))
    township = Unit.objects.open().filter(parent=county).order_by("code").first()
    levels = [
        ("province", province),
        ("city", city),
        ("county", county),
        ("township", township),
    ]

    rows = []  # (key in the JSON line, label, ms)
    grassroots = Unit.objects.open().filter(kind__in=GRASSROOTS_KINDS)
    if national is None:  # without a national unit, the country is every province
        rows.append(("count_all_ms", "subtree count: national (all units)", timed(lambda: Unit.objects.count(), 3)))
        provinces = list(Unit.objects.open().filter(kind=Kind.PROVINCE))
        rows.append(
            (
                "rollup_national_ms",
                "per-child rollup: national (31 provinces)",
                timed(lambda: grassroots_per_child(provinces), 3),
            )
        )
    for level, unit in levels:
        rows.append(
            (
                f"count_{level}_ms",
                f"subtree count: {level} {unit.name}",
                timed(lambda u=unit: grassroots.within(u).count()),
            )
        )
    for level, unit in levels:
        children = list(unit.children.open())
        rows.append(
            (
                f"rollup_{level}_ms",
                f"per-child rollup: {level} {unit.name} ({len(children)} children)",
                timed(lambda c=children: grassroots_per_child(c)),
            )
        )

    villages = list(Unit.objects.open().filter(county=county, kind__in=GRASSROOTS_KINDS).order_by("lft"))
    first, last = villages[0], villages[-1]
    for label, village in (("first", first), ("last", last)):
        rows.append(
            (
                f"insert_{label}_village_ms",
                f"insert a women's group under the {label} village of {county.name}",
                timed(
                    rolled_back(lambda v=village: services.create_unit(None, v, kind=Kind.WOMEN_GROUP, name="妇女小组"))
                ),
            )
        )
    largest = Unit.objects.open().filter(kind__in=[Kind.TOWNSHIP, Kind.STREET]).order_by(F("lft") - F("rght")).first()
    first_there = Unit.objects.open().filter(tree_parent=largest).order_by("lft").first()
    rows.append(
        (
            "insert_largest_township_ms",
            f"insert under the first village of the largest township {largest.name} "
            f"({(largest.rght - largest.lft) // 2} units)",
            timed(rolled_back(lambda: services.create_unit(None, first_there, kind=Kind.WOMEN_GROUP, name="妇女小组"))),
        )
    )
    big_township = max(Unit.objects.open().filter(parent=county), key=lambda t: t.rght - t.lft)
    other_county = (
        Unit.objects.open().filter(parent=county.parent, kind=Kind.COUNTY).exclude(pk=county.pk).first()
        or Unit.objects.open().filter(kind=Kind.COUNTY).exclude(pk=county.pk).first()
    )
    rows.append(
        (
            "move_township_ms",
            f"move township {big_township.name} ({(big_township.rght - big_township.lft) // 2} units) "
            f"to {other_county.name}",
            timed(rolled_back(lambda: services.move_unit(None, big_township, other_county)), 5),
        )
    )
    rows.append(("check_tree_ms", "check_tree (whole country)", timed(check_tree, 1)))

    width = max(len(label) for _key, label, _ms in rows)
    for _key, label, ms in rows:
        print(f"{label:<{width}}  {ms:10.1f} ms")
    emit("tree", **figures, **{key: ms for key, _label, ms in rows})


if __name__ == "__main__":
    main()
