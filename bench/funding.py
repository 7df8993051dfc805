"""Funding compliance on PostgreSQL with the national tree (bench/tree.py's database): a province
standard, population and work funds for every county and township, and a funds line for half
the villages of 广东省, in a transaction rolled back at the end. Prints figures; not a test.

It compares what a page pays to count compliance over a subtree: measured unit by unit in the request
(funding.compliance, the old way and still the fallback) against counted from the stored results
(funding.results.Report), and what keeping those results costs the writes. The last line is JSON."""

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, median_ms, use_database

use_database("BENCH_DATABASE_URL", "banyan_bench")
PROVINCE, CITY, COUNTY = "44", "4401", "440106"


class RollbackError(Exception):
    pass


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from funding import results, services
    from funding.compliance import compliance, money, summarize
    from funding.models import FundingRecord, FundingStandard, UnitCompliance, WomenPopulation
    from orgtree.bulk import insert_rows
    from orgtree.choices import GRASSROOTS_KINDS, Kind
    from orgtree.models import Unit

    year = timezone.localdate().year
    call_command("migrate", verbosity=0)
    province = Unit.objects.open().get(code=PROVINCE)
    figures = {"year": year}
    try:
        with transaction.atomic():
            # Written around the services (no signals): the refresh is timed on its own below.
            FundingStandard.objects.bulk_create(
                [
                    FundingStandard(
                        unit=province,
                        year=year,
                        per_woman=Decimal("2"),
                        township_funds=Decimal("30000"),
                        village_funds_in_budget=True,
                        chair_pay_ratio=Decimal("0.3333"),
                    )
                ]
            )
            units = list(Unit.objects.open().within(province).values_list("pk", "kind"))
            now = timezone.now()
            rows = [
                (
                    pk,
                    year,
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
                [WomenPopulation(unit_id=pk, year=year, women=150_000) for pk, kind in units if kind == Kind.COUNTY]
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE funding_fundingrecord")
            print(f"广东省: {len(units)} units, {len(rows)} funding lines, year {year}\n")

            # What keeping the results costs: the background task for the province (its standard),
            # then the same run again (nothing changed: nothing rewritten).
            kept = [y for y in results.kept_years() if y >= year]
            refresh_ms, written = seconds(lambda: results.refresh_subtree(province, year))
            again_ms, rewritten = seconds(lambda: results.refresh_subtree(province, year))
            stored_rows = UnitCompliance.objects.filter(year=year).count()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE funding_unitcompliance")
            print(f"province recompute ({len(kept)} years {kept[0]}–{kept[-1]}): {refresh_ms:.0f} ms, {written} rows")
            print(f"  again, nothing changed: {again_ms:.0f} ms, {rewritten} rows rewritten")
            nightly_ms, nightly = seconds(results.refresh_all)
            print(f"  nightly refresh_all (665k units), nothing changed: {nightly_ms / 1000:.1f} s, {nightly} rows\n")
            figures["nightly_refresh_s"] = round(nightly_ms / 1000, 1)
            figures["province_refresh_ms"] = round(refresh_ms)
            figures["province_refresh_again_ms"] = round(again_ms)
            figures["rows_per_year"] = stored_rows

            print(f"{'level':<16}{'measured':>10}{'stored':>10}{'page':>9}{'export':>9}{'money':>9}  units")
            for label, code in (("province 广东省", PROVINCE), ("city 广州市", CITY), ("county 天河区", COUNTY)):
                unit = Unit.objects.open().get(code=code)
                children = list(unit.children.open().order_by("code", "name", "pk"))

                def measured(u=unit, c=children):  # the old panel: every unit measured in the request
                    overall, by_child = summarize(*compliance(u, year))
                    return overall, [by_child[child.pk] for child in c]

                def stored(u=unit, c=children):  # the panel now: counted from the stored results
                    report = results.Report(u, year)
                    assert report.stored
                    by_child = report.by_child(c)
                    return report.overall(), [by_child[child.pk] for child in c]

                assert measured() == stored(), label  # the same figures
                old = median_ms(measured, runs=3)
                new = median_ms(stored, runs=7)
                page = median_ms(lambda u=unit: results.Report(u, year).missing(300), runs=3)
                export = median_ms(lambda u=unit: list(results.Report(u, year).measured()), runs=3)
                cash = median_ms(lambda u=unit, c=children: money(u, year, c), runs=3)
                count = sum(n for counts in stored()[0].values() for n in counts.values())
                timings = f"{old:>8.0f} ms{new:>8.1f} ms{page:>7.0f} ms{export:>7.0f} ms{cash:>7.0f} ms"
                print(f"{label:<16}{timings}  {count}")
                key = label.split()[0]
                figures[f"{key}_measured_ms"] = round(old, 1)
                figures[f"{key}_stored_ms"] = round(new, 1)
                figures[f"{key}_missing_list_ms"] = round(page, 1)
                figures[f"{key}_export_rows_ms"] = round(export, 1)

            # What a write pays: one village's line (its own row, at the end of the service), and a
            # city's standard (its whole subtree, every kept year, before the service returns).
            village = Unit.objects.open().filter(city__code=CITY, kind=Kind.VILLAGE).order_by("pk").first()
            amounts = iter(range(10, 100))

            def write():
                line = {"year": year, "category": "work_funds", "source": "social", "budgeted": next(amounts)}
                services.record_funding(None, village, line, source="bench")

            write_ms = median_ms(write, runs=5)
            city = Unit.objects.open().get(code=CITY)
            standard_ms = median_ms(
                lambda: services.set_standard(None, city, year, township_funds="40000", source="bench"), runs=1
            )
            print(f"\nwrite one village's line: {write_ms:.0f} ms; set a city's standard: {standard_ms:.0f} ms")
            figures["write_line_ms"] = round(write_ms, 1)
            figures["city_standard_ms"] = round(standard_ms)
            raise RollbackError
    except RollbackError:
        print("\n(rolled back)")
    emit("funding", **figures)


if __name__ == "__main__":
    main()
