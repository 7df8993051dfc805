"""Dashboard benchmark on PostgreSQL: the national tree with ~6 million generated offices.

    .venv/bin/python bench/dashboard.py            # needs bench/tree.py's database (national load)
    .venv/bin/python bench/dashboard.py --regenerate

Generates, once, 10 committee members per village/community (1 chair, 2 part-time vice-chairs,
7 executives: ~6.2 million people and offices), a term per village (some overdue), 80% of the
villages converted, women's and children's homes; then prints the median ms of coverage() and
coverage_by_child() at national, province, city and county level, beside a naive per-child loop
(coverage() called once per child) in the same run. Before measuring it brings the stored figures
up to date (refresh_all: only changed units are rewritten) and VACUUM ANALYZEs after its own big
writes. Not a test: figures only, ending with one JSON line.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, load_average, median_ms, refresh_figures, use_database, vacuum_analyze

use_database("BENCH_DATABASE_URL", "banyan_bench")

CHUNK = 50_000
PROVINCE, CITY, COUNTY = "44", "4401", "310115"


def ensure_national():
    from orgtree import services
    from orgtree.choices import Kind
    from orgtree.models import Unit

    national = Unit.objects.open().filter(kind=Kind.NATIONAL).first()
    if national is None:
        national = services.create_unit(None, None, kind=Kind.NATIONAL, name="全国妇联", source="bench")
    for province in Unit.objects.open().filter(kind=Kind.PROVINCE, parent__isnull=True):
        services.move_unit(None, province, national, source="bench")
    return national


def generate():
    from django.db import connection
    from django.utils import timezone

    from orgtree.bulk import allocate_ids, insert_rows, literal
    from orgtree.choices import GRASSROOTS_KINDS, Form
    from orgtree.models import Office, Person, ServicePosition, Term, Unit

    now = literal(timezone.now())
    villages = list(Unit.objects.open().filter(kind__in=GRASSROOTS_KINDS).values_list("id", flat=True))
    started = time.perf_counter()
    for start in range(0, len(villages), CHUNK):
        chunk = villages[start : start + CHUNK]
        person_ids = iter(allocate_ids(Person, len(chunk) * 10))
        term_ids = iter(allocate_ids(Term, len(chunk)))
        people, offices, terms, positions = [], [], [], []
        for village in chunk:
            began = datetime.date(2021, 3, 1) + datetime.timedelta(days=village % 300)
            due = datetime.date(2025, 6, 1) if village % 20 == 0 else began.replace(year=began.year + 5)
            term = next(term_ids)
            terms.append((term, village, 1, began, due, due, None, None, now))
            for seat in range(10):
                pk = next(person_ids)
                role, kind = (
                    ("chair", "") if seat == 0 else ("vice_chair", "part_time") if seat < 3 else ("executive", "")
                )
                people.append((pk, village, f"执委{seat}", "female", None, "", "", "", "", "", "[]", None, 1, now, now))
                offices.append(
                    (
                        pk,
                        village,
                        term,
                        role,
                        kind,
                        began,
                        None,
                        seat == 0 and village % 3 != 0,
                        seat == 0 and village % 2 == 0,
                        seat == 0 and village % 17 == 0,
                        seat == 0 and village % 13 == 0,
                        None,
                        now,
                        "",  # elected, not appointed; in office: no reason or note for leaving
                        "",
                        "",
                    )
                )
            if village % 10 < 3:
                positions.append((village, "womens_home", village % 10 == 0, began, None, now))
            if village % 7 == 0:
                positions.append((village, "childrens_home", False, began, None, now))
        insert_rows(
            Person,
            (
                "id",
                "unit_id",
                "name",
                "gender",
                "birth_date",
                "ethnicity",
                "political_status",
                "education",
                "phone",
                "id_number",
                "tags",
                "merged_into_id",
                "version",
                "created_at",
                "updated_at",
            ),
            people,
        )
        insert_rows(
            Term,
            (
                "id",
                "unit_id",
                "number",
                "started_on",
                "due_on",
                "original_due_on",
                "ended_on",
                "election_id",
                "created_at",
            ),
            terms,
        )
        insert_rows(
            Office,
            (
                "person_id",
                "unit_id",
                "term_id",
                "role",
                "vice_chair_type",
                "started_on",
                "ended_on",
                "on_party_committee",
                "on_villagers_committee",
                "is_party_secretary",
                "is_village_director",
                "election_id",
                "created_at",
                "appointment",
                "end_reason",
                "end_note",
            ),
            offices,
        )
        insert_rows(
            ServicePosition, ("unit_id", "kind", "standardized", "opened_on", "closed_on", "created_at"), positions
        )
        print(f"  {start + len(chunk)} villages, {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:  # 80% converted: every village whose id is not a multiple of 5
        cursor.execute(
            "UPDATE orgtree_unit SET form = %s WHERE kind IN ('village', 'community') AND id %% 5 <> 0",
            [Form.FEDERATION],
        )
    return [m._meta.db_table for m in (Person, Term, Office, ServicePosition, Unit)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from orgtree.coverage import coverage, coverage_by_child
    from orgtree.models import Office, Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        sys.exit("load the national tree first: .venv/bin/python bench/tree.py")
    figures = {"load_average": load_average()}
    national = ensure_national()
    if args.regenerate or not Office.objects.exists():
        if args.regenerate:
            sys.exit("--regenerate: drop the bench database and run bench/tree.py --reload first")
        start = time.perf_counter()
        with transaction.atomic():
            written = generate()
        vacuum_analyze(*written)  # millions of new rows, and every converted village rewritten
        figures["generate_s"] = time.perf_counter() - start
        print(f"generated in {figures['generate_s']:.0f} s")
    # The generated rows bypassed the services, so the stored figures (today's coverage) must catch
    # up before anything is measured; on a later run this rewrites nothing.
    figures["refresh_changed"], figures["refresh_s"] = refresh_figures()
    print(f"refreshed the stored figures: {figures['refresh_changed']} units changed in {figures['refresh_s']:.0f} s")
    figures["offices"], figures["units"] = Office.objects.count(), Unit.objects.count()
    print(f"{figures['offices']} offices, {figures['units']} units\n")
    levels = (("province 广东省", PROVINCE), ("city 广州市", CITY), ("county 浦东新区", COUNTY))
    units = [("national", national), *((label, Unit.objects.open().get(code=code)) for label, code in levels)]
    past = datetime.date(2025, 12, 31)
    print("today: stored per-unit figures; as_of: computed from the records")
    print(f"{'level':<18}{'coverage':>12}{'by child':>12}{'naive loop':>13}{'as_of':>12}{'as_of/child':>13}  children")
    for label, unit in units:
        level = label.split()[0]
        children = list(unit.children.open())
        total = median_ms(lambda u=unit: coverage(u), runs=5)
        by_child = median_ms(lambda u=unit: coverage_by_child(u), runs=5)
        naive = median_ms(lambda c=children: [coverage(child) for child in c], runs=1)
        as_of = median_ms(lambda u=unit: coverage(u, past), runs=1)
        as_of_child = median_ms(lambda u=unit: coverage_by_child(u, past), runs=1)
        print(
            f"{label:<18}{total:>10.0f} ms{by_child:>10.0f} ms{naive:>11.0f} ms{as_of:>10.0f} ms"
            f"{as_of_child:>11.0f} ms  {len(children)}"
        )
        figures.update(
            {
                f"{level}_coverage_ms": total,
                f"{level}_by_child_ms": by_child,
                f"{level}_naive_ms": naive,
                f"{level}_as_of_ms": as_of,
                f"{level}_as_of_by_child_ms": as_of_child,
            }
        )
    emit("dashboard", **figures)


if __name__ == "__main__":
    main()
