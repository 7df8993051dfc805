"""Reform benchmark on PostgreSQL: the default checklist assigned to a whole province of the
national tree (bench/tree.py's database), then the reform rollups. Prints figures; not a test.

    .venv/bin/python bench/reform.py

It brings the stored unit figures up to date first (the automatic items are filled from them);
everything else runs in a transaction that is rolled back, so the database is left as it was.
Ends with one JSON line of the figures.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, load_average, median_ms, refresh_figures, use_database

use_database("BENCH_DATABASE_URL", "banyan_bench")
PROVINCE, CITY, COUNTY = "44", "4401", "440106"  # 广东省, 广州市, 天河区


class RollbackError(Exception):
    pass


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from orgtree.models import Unit
    from reform import services
    from reform.figures import reform_by_child, reform_figures
    from reform.models import ChecklistItem, ChecklistTemplate

    call_command("migrate", verbosity=0)
    template = ChecklistTemplate.objects.get(name="破难行动督导目标清单", version=1)
    province = Unit.objects.open().get(code=PROVINCE)
    figures = {"load_average": load_average()}
    figures["figures_changed"], figures["figures_refresh_s"] = refresh_figures()
    try:
        with transaction.atomic():
            start = time.perf_counter()
            _assignment, created = services.assign(None, template, province)
            figures["items"], figures["assign_s"] = created, time.perf_counter() - start
            print(f"assign the default checklist to 广东省: {created} items in {figures['assign_s']:.1f} s")
            with connection.cursor() as cursor:  # the items just written, inside the transaction
                cursor.execute(f"ANALYZE {ChecklistItem._meta.db_table}")
            start = time.perf_counter()
            changed = services.fill_automatic(ChecklistItem.objects.all())
            figures["filled"], figures["fill_s"] = changed, time.perf_counter() - start
            print(f"refresh the automatic items: {changed} changed in {figures['fill_s']:.1f} s")
            print(f"\n{'level':<16}{'subtree':>10}{'by child':>12}  children")
            for label, code in (("province 广东省", PROVINCE), ("city 广州市", CITY), ("county 天河区", COUNTY)):
                unit = Unit.objects.open().get(code=code)
                total = median_ms(lambda u=unit: reform_figures(u), runs=5)
                by_child = median_ms(lambda u=unit: reform_by_child(u), runs=5)
                print(f"{label:<16}{total:>8.0f} ms{by_child:>9.0f} ms  {unit.children.open().count()}")
                level = label.split()[0]
                figures.update({f"{level}_figures_ms": total, f"{level}_by_child_ms": by_child})
            raise RollbackError
    except RollbackError:
        print("\n(rolled back)")
    emit("reform", **figures)


if __name__ == "__main__":
    main()
