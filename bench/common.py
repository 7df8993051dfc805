"""What every benchmark does: point Django at a PostgreSQL database, time things, bring what it
measures up to date first, and end with one JSON line of its figures."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_database(env_name, default_name):
    """Set DATABASE_URL from `env_name` (default: local PostgreSQL, database `default_name`)."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get(env_name, f"postgres://postgres@127.0.0.1:5432/{default_name}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return url


def fresh_database(url):
    """Drop the database `url` names and create it empty (connecting to `postgres` beside it)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def median_ms(fn, runs=7):
    """Median wall time of `runs` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def vacuum_analyze(*tables):
    """VACUUM ANALYZE these tables (all, without names) after a bench's own big writes, outside any
    transaction, so what it measures next runs on fresh statistics and no dead rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("VACUUM ANALYZE")
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def refresh_figures():
    """Bring the stored per-unit figures up to date (`refresh_all` rewrites only the units whose
    figures changed) and VACUUM ANALYZE them when it rewrote any. Returns (units changed, seconds)."""
    from orgtree.coverage import refresh_all
    from orgtree.models import UnitFigures

    start = time.perf_counter()
    changed = refresh_all()
    if changed:
        vacuum_analyze(UnitFigures._meta.db_table)
    return changed, time.perf_counter() - start


def load_average():
    """The 1-minute load average: other work on the machine inflates every figure."""
    return round(os.getloadavg()[0], 1)


def emit(bench, **figures):
    """The bench's last line: its figures as one JSON object (milliseconds and seconds rounded), so runs
    can be compared by a script."""
    rounded = {key: round(value, 1) if isinstance(value, float) else value for key, value in figures.items()}
    print(json.dumps({"bench": bench, **rounded, "cores": os.cpu_count()}, ensure_ascii=False, default=str), flush=True)
