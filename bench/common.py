"""What every benchmark does first: point Django at a PostgreSQL database, and time things."""

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


def emit(bench, **figures):
    """The bench's last line: its figures as one JSON object, so runs can be compared by a script."""
    print(json.dumps({"bench": bench, **figures, "cores": os.cpu_count()}, ensure_ascii=False, default=str))


def median_ms(fn, runs=7):
    """Median wall time of `runs` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
