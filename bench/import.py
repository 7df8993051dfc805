"""会改联 import benchmark on PostgreSQL: a generated city file, ~2,000 villages and ~20,000 members.

    make bench-import        # BENCH_IMPORT_DATABASE_URL defaults to .../banyan_bench_import

Loads 南平市 (1,943 villages/communities) into a fresh database, writes a workbook with every
village converted and 10 committee members each, then prints seconds for building the template,
reading/validating the upload, committing it, and re-importing the same file (which must change
nothing), the queries each step sent (COPY inserts not counted), with peak memory, and ends with one
JSON line of them. The re-import is measured after a VACUUM ANALYZE of what the first import wrote.
Not a test: figures only.
"""

import datetime
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, fresh_database, load_average, use_database, vacuum_analyze

DB_URL = use_database("BENCH_IMPORT_DATABASE_URL", "banyan_bench_import")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉梅", "丽", "敏", "静", "芳", "艳", "娟", "霞"]


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(key, label, fn, results):
    """Run `fn`, keeping its seconds and the number of queries it sent under `key`."""
    from django.db import connection

    sent = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        value = fn()
    results.append((key, label, time.perf_counter() - start, len(sent)))
    return value


def main():
    fresh_database(DB_URL)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from openpyxl import load_workbook

    from federation.models import UserScope
    from orgtree.conversion_excel import MEMBER_SHEET, VILLAGE_SHEET, ConversionImporter, build_template
    from orgtree.models import Office, Unit

    call_command("migrate", verbosity=0)
    call_command(
        "load_divisions", str(settings.BASE_DIR / "data/divisions/nanping_350700_2023.csv"), stdout=io.StringIO()
    )
    city = Unit.objects.get(code="3507")
    user = get_user_model().objects.create_user("bench")
    UserScope.objects.create(user=user, unit=city, role="editor")

    results = []
    average = load_average()
    template = timed("template_s", "build the template (empty)", lambda: build_template(user, city), results)
    book = load_workbook(io.BytesIO(template))
    villages, members = book[VILLAGE_SHEET], book[MEMBER_SHEET]
    header = [c.value for c in villages[1]]
    count = 0
    for i, row in enumerate(villages.iter_rows(min_row=2)):
        code = row[0].value
        for column, value in {
            "会改联选举日期": datetime.date(2021, 3, 1) + datetime.timedelta(days=i % 200),
            "应到人数": 150,
            "实到人数": 120,
            "主席进村党组织班子": "是",
            "妇女之家": "有",
            "儿童之家": "否",
        }.items():
            row[header.index(column)].value = value
        for j in range(10):
            name = SURNAMES[(i + j) % len(SURNAMES)] + GIVEN[(i * 7 + j) % len(GIVEN)] + ("" if j < 5 else str(j))
            role, kind = ("主席", None) if j == 0 else ("副主席", "兼职") if j < 3 else ("执委", None)
            members.append([code, name, None, role, kind])
            count += 1
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    village_count = villages.max_row - 1

    reader = timed(
        "validate_s", "read and validate the upload", lambda: ConversionImporter(user, city).read(data), results
    )
    assert not reader.problems, reader.problems[:5]
    changed = timed("commit_s", "commit (one transaction)", lambda: reader.commit(), results)
    vacuum_analyze()  # ~20,000 people and offices written: the re-import is measured on fresh statistics
    again = timed("reread_s", "read the same file again", lambda: ConversionImporter(user, city).read(data), results)
    unchanged = timed("recommit_s", "commit the same file again", lambda: again.commit(), results)
    timed("template_filled_s", "build the template (filled)", lambda: build_template(user, city), results)

    print(
        f"{village_count} villages, {count} members, file {len(data) / 2**20:.1f} MB, PostgreSQL, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"first import changed {changed} villages; re-import changed {unchanged}; "
        f"{Office.objects.filter(ended_on=None).count()} offices open"
    )
    for _key, label, seconds, queries in results:
        print(f"{label:<32} {seconds:8.2f} s  {queries:6d} queries")
    print(f"peak memory {peak_mb():.0f} MB, load average {average}")
    queries = {key.removesuffix("_s") + "_queries": n for key, _label, _seconds, n in results}
    emit(
        "import",
        load_average=average,
        villages=village_count,
        members=count,
        changed=changed,
        changed_again=unchanged,
        **{key: seconds for key, _label, seconds, _n in results},
        **queries,
        peak_mb=peak_mb(),
    )


if __name__ == "__main__":
    main()
