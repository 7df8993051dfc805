"""Funding compliance on PostgreSQL with the national tree (bench/tree.py's database): a city
standard, population and work funds for every county and township, and a funds line for half
the villages of 广东省, in a transaction rolled back at the end. Prints figures; not a test."""

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median_ms, report, use_database

use_database("BENCH_DATABASE_URL", "banyan_bench")
PROVINCE, CITY, COUNTY = "44", "4401", "440106"
YEAR = 2025


class RollbackError(Exception):
    pass


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from funding.compliance import compliance, money, summarize
    from funding.models import FundingRecord, FundingStandard, WomenPopulation
    from orgtree.bulk import insert_rows
    from orgtree.choices import GRASSROOTS_KINDS, Kind
    from orgtree.models import Unit

    call_command("migrate", verbosity=0)
    province = Unit.objects.open().get(code=PROVINCE)
    figures = {}
    try:
        with transaction.atomic():
            FundingStandard.objects.create(
                unit=province,
                year=YEAR,
                per_woman=Decimal("2"),
                township_funds=Decimal("30000"),
                village_funds_in_budget=True,
                chair_pay_ratio=Decimal("0.3333"),
            )
            units = list(Unit.objects.open().within(province).values_list("pk", "kind"))
            now = timezone.now()
            rows = [
                (
                    pk,
                    YEAR,
                    "work_funds",
                    "same_level_budget",
                    Decimal("30000") if pk % 3 else Decimal("1000"),
                    None,
                    "",
                    "",
                    "",
                    1,
                    now,
                )
                for pk, kind in units
                if kind in (Kind.COUNTY, Kind.TOWNSHIP, Kind.STREET) or (kind in GRASSROOTS_KINDS and pk % 2)
            ]
            insert_rows(
                FundingRecord,
                (
                    "unit_id",
                    "year",
                    "category",
                    "source",
                    "budgeted",
                    "disbursed",
                    "note",
                    "document",
                    "document_name",
                    "version",
                    "updated_at",
                ),
                rows,
            )
            WomenPopulation.objects.bulk_create(
                [WomenPopulation(unit_id=pk, year=YEAR, women=150_000) for pk, kind in units if kind == Kind.COUNTY]
            )
            print(f"广东省: {len(units)} units, {len(rows)} funding lines\n")
            print(f"{'level':<16}{'compliance':>12}{'by child':>12}{'money by child':>16}  units")
            for label, code in (("province 广东省", PROVINCE), ("city 广州市", CITY), ("county 天河区", COUNTY)):
                unit = Unit.objects.open().get(code=code)
                children = list(unit.children.open())
                start = time.perf_counter()
                subtree, results = compliance(unit, YEAR)
                measured = (time.perf_counter() - start) * 1000
                by_child = median_ms(lambda s=subtree, r=results: summarize(s, r), runs=3)
                cash = median_ms(lambda u=unit, c=children: money(u, YEAR, c), runs=3)
                print(f"{label:<16}{measured:>10.0f} ms{by_child:>10.0f} ms{cash:>14.0f} ms  {len(results)}")
                level = label.split()[0]
                figures.update(
                    {f"{level}_compliance_ms": measured, f"{level}_by_child_ms": by_child, f"{level}_money_ms": cash}
                )
            raise RollbackError
    except RollbackError:
        print("\n(rolled back)")
    report("funding", **figures)


if __name__ == "__main__":
    main()
