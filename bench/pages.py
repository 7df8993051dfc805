"""Server time of single pages at city scale, one request at a time, against the unit detail page.

    .venv/bin/python bench/pages.py            # BENCH_PAGES_DATABASE_URL, default .../banyan_bench_pages
    .venv/bin/python bench/pages.py --reuse    # the database as it is (e.g. bench/load.py's, after its run)
    .venv/bin/python bench/pages.py --runs 21

Prepares the demo and the bench users as bench/load.py does (bench/loadsetup.py; the database is
recreated unless --reuse), then requests each page through Django's test client with the web
service's settings (DEBUG=0, Redis: BENCH_PAGES_REDIS_URL): a warm-up, then --runs rounds over all the
pages, so that a busy spell of the machine falls on all alike, with no write in between (a dashboard's
and the funding page's figures are kept until a write: federation.datacache); then --runs rounds of an
editor's save of a village's 会改联 form and of those two pages as the first request after a write
finds them (computed afresh). Prints each page's
median wall and CPU ms (this process's CPU time: on a shared machine the steadier figure), the
queries and SQL time of one more request, and the ratio to 南平市's unit detail page measured in the
same run; the city-scale pages (南平市 dashboard, 延平区 会改联 grid, the city's renewals and funding
pages) should take at most 2× that. The last line is JSON. Not a test: exit code 0 either way.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, fresh_database, use_database

DB_URL = use_database("BENCH_PAGES_DATABASE_URL", "banyan_bench_pages")
os.environ.update(DEBUG="0", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0")
# Redis, as the web service has it: the dashboard's and funding page's figures are kept there until a write.
os.environ["REDIS_URL"] = os.environ.get("BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/0")
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: no static files collected here
REFERENCE = "unit detail: 南平市"
RATIO_TARGET = 2.0
# The pages issue #13 holds to RATIO_TARGET × the reference.
CITY_SCALE = ("dashboard: 南平市", "会改联 grid: 延平区", "renewals: 南平市", "funding: 南平市", "register: 南平市")


def pages(plan, viewer, editor):
    """(name, user, url) of the pages users open most (bench/load.py's mix)."""
    city, county = plan["city"], plan["grid_county"]
    yanping = next(c for c in plan["counties"] if c["id"] == county)
    village, township = yanping["villages"][0], yanping["townships"][0]
    return [
        (REFERENCE, viewer, f"/units/{city}/"),
        ("dashboard: 南平市", viewer, f"/units/{city}/dashboard/"),
        ("会改联 grid: 延平区", viewer, f"/units/{county}/conversion/"),
        ("renewals: 南平市", viewer, f"/units/{city}/renewals/"),
        ("funding: 南平市", viewer, f"/units/{city}/funding/"),
        ("reform: 南平市", viewer, f"/units/{city}/reform/"),
        ("会改联 grid: 南平市", viewer, f"/units/{city}/conversion/"),
        ("register: 南平市", viewer, f"/units/{city}/register/"),
        ("register: 延平区", editor, f"/units/{county}/register/"),
        ("unit detail: 延平区", viewer, f"/units/{county}/"),
        ("unit detail: township", viewer, f"/units/{township}/"),
        ("unit detail: village", viewer, f"/units/{village}/"),
        ("committee: village", viewer, f"/units/{village}/committee/"),
        ("dashboard: 延平区", editor, f"/units/{county}/dashboard/"),
        ("会改联 grid: 延平区 (editor)", editor, f"/units/{county}/conversion/"),
        ("renewals: 延平区", editor, f"/units/{county}/renewals/"),
        ("funding: 延平区", editor, f"/units/{county}/funding/"),
        ("会改联 form: village", editor, f"/units/{village}/conversion/edit/"),
        ("list: units", viewer, "/units/?kind=township"),
        ("list: people", viewer, "/people/"),
    ]


def get_page(client, url):
    """A probe: returns the request to time (nothing to prepare for a GET)."""

    def go():
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        return answer

    return go


def after_write(client, url):
    """A probe: the page as the first request after any write sees it (federation.datacache: nothing
    kept from before), so its figures are counted afresh."""
    from federation import datacache

    datacache.move_on()
    return get_page(client, url)


def save_village(client, village):
    """A probe: reads what the form shows now (untimed), returns the POST of a turnout correction with its
    version, as an editor's browser sends it (302 to the grid)."""
    from orgtree.forms import ConversionForm
    from orgtree.models import Unit

    url = f"/units/{village}/conversion/edit/"
    initial = ConversionForm.initial_for(Unit.objects.get(pk=village))
    data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in initial.items() if v not in (None, False)}
    data = {k: "on" if v is True else str(v) for k, v in data.items()}
    data["present"] = "101" if data.get("present") != "101" else "100"

    def go():
        answer = client.post(url, data)
        assert answer.status_code == 302, (url, answer.status_code)
        return answer

    return go


def measure(probes, runs):
    """Round-robin over the pages, `runs` rounds after a warm-up (so a busy spell of the machine falls on
    all pages alike); the median wall and CPU ms of each, and the queries and SQL time of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sizes = {name: len(probe()().content) for name, probe in probes.items()}  # templates compiled
    samples = {name: [] for name in probes}
    for _ in range(runs):
        for name, probe in probes.items():
            go = probe()
            start, start_cpu = time.perf_counter(), time.process_time()
            go()
            samples[name].append(((time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000))
    results = {}
    for name, probe in probes.items():
        go = probe()
        with CaptureQueriesContext(connection) as queries:
            go()
        results[name] = {
            "ms": round(statistics.median(s[0] for s in samples[name]), 1),
            "cpu_ms": round(statistics.median(s[1] for s in samples[name]), 1),  # Python's, not PostgreSQL's
            "queries": len(queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),  # of that one request
            "kb": round(sizes[name] / 1024),
        }
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="requests per page (the median is reported)")
    parser.add_argument("--reuse", action="store_true", help="keep the database: it was prepared before")
    args = parser.parse_args()
    if not args.reuse:
        fresh_database(DB_URL)
    import django

    django.setup()
    import loadsetup
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    if not args.reuse:
        call_command("migrate", verbosity=0)
        loadsetup.prepare(editors=10, viewers=1)
    else:
        loadsetup.analyze()
    plan = loadsetup.plan()
    users = get_user_model().objects
    viewer = users.get(username=next(a["username"] for a in plan["accounts"] if a["role"] == "viewer"))
    editor = users.get(
        username=next(
            a["username"] for a in plan["accounts"] if a["role"] == "editor" and a["unit"] == plan["grid_county"]
        )
    )
    clients = {}
    for user in (viewer, editor):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)

    probes = {name: partial(get_page, clients[user.pk], url) for name, user, url in pages(plan, viewer, editor)}
    results = measure(probes, args.runs)  # no write in between: what is kept is read
    # Then the writes and the pages as the first request after a write finds them.
    village = next(c for c in plan["counties"] if c["id"] == plan["grid_county"])["villages"][0]
    city = plan["city"]
    writes = {
        "会改联 form: save (POST)": partial(save_village, clients[editor.pk], village),
        "dashboard: 南平市, after a write": partial(after_write, clients[viewer.pk], f"/units/{city}/dashboard/"),
        "funding: 南平市, after a write": partial(after_write, clients[viewer.pk], f"/units/{city}/funding/"),
    }
    results.update(measure(writes, args.runs))
    reference = results[REFERENCE]
    print(f"{'page':<32} {'ms':>7} {'× ref':>6} {'CPU ms':>7} {'× ref':>6} {'queries':>7} {'SQL ms':>7} {'KB':>4}")
    for name, r in results.items():
        r["ratio"] = round(r["ms"] / reference["ms"], 2)
        r["cpu_ratio"] = round(r["cpu_ms"] / reference["cpu_ms"], 2)
        mark = ("met" if r["ratio"] <= RATIO_TARGET else "MISSED") if name in CITY_SCALE else ""
        print(
            f"{name:<32} {r['ms']:>7} {r['ratio']:>6} {r['cpu_ms']:>7} {r['cpu_ratio']:>6} {r['queries']:>7} "
            f"{r['sql_ms']:>7} {r['kb']:>4}  {mark}"
        )
    met = all(results[n]["ratio"] <= RATIO_TARGET for n in CITY_SCALE)
    load = [round(x, 2) for x in os.getloadavg()]
    print(
        f"median of {args.runs} requests each (wall and this process's CPU), test client, DEBUG=0, PostgreSQL; "
        f"SQL ms and queries of one more request; load average {load} on {os.cpu_count()} cores"
    )
    print(f"target (city-scale pages <= {RATIO_TARGET:g}× {REFERENCE}): {'met' if met else 'missed'}")
    emit(
        "pages",
        runs=args.runs,
        reference=REFERENCE,
        target_ratio=RATIO_TARGET,
        target_met=met,
        load=load,
        pages=results,
    )


if __name__ == "__main__":
    main()
