"""`make fuzz`: schemathesis sends generated requests to every operation of the OpenAPI document,
as a county editor and as the system administrator, and fails on any server error (5xx).

    FUZZ_DATABASE_URL=postgres://postgres@127.0.0.1:5432/banyan_fuzz .venv/bin/python tools/fuzz.py

The database is throwaway: it is dropped and created again, migrated and given a small tree
(延平区 with three townships, 建阳区 with one, from the 2023 division data) with the demo's
committees, reform and funding data, one closed village and one draft election. The app runs under
gunicorn on 127.0.0.1 with the test settings; both users get DRF tokens directly (no logins, so
lock-outs do not apply). Each user's run is bounded by FUZZ_SECONDS (default 110) and by
FUZZ_MAX_EXAMPLES per operation (default 40). Response-schema mismatches are reported too and fail
the run unless FUZZ_SCHEMA_CHECK=report.
"""

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_URL = os.environ.get("FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/banyan_fuzz")
SECONDS = int(os.environ.get("FUZZ_SECONDS", "110"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "40"))
SCHEMA_CHECK = os.environ.get("FUZZ_SCHEMA_CHECK", "fail")
REPORTS = ROOT / "var/fuzz"  # schemathesis' events (ndjson), one file per user
DIVISIONS = ROOT / "data/divisions/nanping_350700_2023.csv"
ENV = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
ENV.update(
    DATABASE_URL=DB_URL,
    DJANGO_SETTINGS_MODULE="federation.settings_test",
    DEBUG="0",
    ALLOWED_HOSTS="127.0.0.1",
    LOG_LEVEL="ERROR",
    SECRET_KEY="fuzz-only",  # noqa: S106 - a throwaway app
)


def recreate_database():
    import psycopg

    if not DB_URL.startswith("postgres"):
        sys.exit("make fuzz needs PostgreSQL: set FUZZ_DATABASE_URL=postgres://…")
    base, _, name = DB_URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def small_divisions():
    """The division rows of 延平区's first three townships and 建阳区's first one, as CSV text."""
    with DIVISIONS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    townships = {"350702": [], "350703": []}
    for row in rows:
        if row["parent_code"] in townships:
            townships[row["parent_code"]].append(row["code"])
    kept = {"35", "3507", "350702", "350703", *townships["350702"][:3], *townships["350703"][:1]}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=rows[0].keys(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(r for r in rows if r["code"] in kept or r["parent_code"] in kept - {"35", "3507"})
    return out.getvalue()


def load_data():
    """Migrate, load the small tree with the demo's data, and return {user: token}."""
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from federation import registry
    from federation.models import Role, UserScope
    from orgtree import elections, services
    from orgtree.choices import GRASSROOTS_KINDS
    from orgtree.models import Unit

    call_command("migrate", verbosity=0)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as f:
        f.write(small_divisions())
        f.flush()
        call_command("load_divisions", f.name, stdout=io.StringIO())
    for loader in registry.demo_loaders():  # every app's demo records, so each API has objects to read
        loader.load()
    county = Unit.objects.get(code="350702")
    villages = Unit.objects.open().within(county).filter(kind__in=GRASSROOTS_KINDS).order_by("-code")
    services.close_unit(None, villages[0], datetime.date(2024, 6, 30), note="fuzz: a closed village")
    elections.create_election(None, villages[1], kind="renewal", source="fuzz")  # a draft to fuzz
    users = get_user_model().objects
    editor = users.create_user("fuzz-editor")
    UserScope.objects.create(user=editor, unit=county, role=Role.EDITOR)
    admin = users.create_superuser("fuzz-admin")
    return {user.username: Token.objects.create(user=user).key for user in (editor, admin)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port):
    """gunicorn on 127.0.0.1; its log (every 4xx, and the tracebacks of 5xx) goes to var/fuzz/server.log."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    with (REPORTS / "server.log").open("w") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "federation.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=ENV,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("the app did not start")


def documented_operations(port, token):
    """{"GET /api/units/", …}: every operation of the OpenAPI document."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/schema/?format=json", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
        paths = json.load(response)["paths"]
    return {
        f"{method.upper()} {path}"
        for path, ops in paths.items()
        for method, op in ops.items()
        if method in ("get", "put", "post", "patch", "delete") and op.get("operationId") != "token_destroy"
    }


def run_schemathesis(port, user, token, report_dir, documented):
    checks = "not_a_server_error,response_schema_conformance"
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"http://127.0.0.1:{port}/api/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        checks,
        "--max-time",
        str(SECONDS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--seed",
        os.environ.get("FUZZ_SEED", "11"),
        "--no-shrink",
        "--request-timeout",
        "30",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report_dir / f"{user}.ndjson"),
        "--output-truncate",
        "true",
        # Revoking the run's own token would turn every later request into a 401: DELETE /api/token/
        # is covered by tests/federation/test_security.py instead.
        "--exclude-operation-id",
        "token_destroy",
    ]
    print(f"== schemathesis as {user}", flush=True)
    subprocess.run(command, cwd=ROOT, env={**ENV, "NO_COLOR": "1"}, check=False)
    return summarize(report_dir / f"{user}.ndjson", documented)


def summarize(path, documented):
    """Operations, requests and failures {(check, operation, first line of the message): count} from the
    ndjson events of one run."""
    operations, requests, failures = set(), 0, {}
    for line in path.read_text(encoding="utf-8").splitlines():
        recorder = json.loads(line).get("ScenarioFinished", {}).get("recorder")
        if not recorder:
            continue
        cases = {
            case_id: f"{c['value']['method']} {c['value']['path']}" for case_id, c in recorder.get("cases", {}).items()
        }
        operations.update(set(cases.values()) & documented)
        requests += len(recorder.get("interactions", {}))
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] == "failure":
                    message = check["failure_info"]["failure"]["message"].strip().split("\n")[0]
                    key = (check["name"], cases.get(case_id, recorder["label"]), message[:160])
                    failures[key] = failures.get(key, 0) + 1
    return {"operations": len(operations), "documented": len(documented), "requests": requests, "failures": failures}


def main():
    recreate_database()
    tokens = load_data()
    port = free_port()
    server = start_server(port)
    results = {}
    try:
        documented = documented_operations(port, next(iter(tokens.values())))
        for user, token in tokens.items():
            results[user] = run_schemathesis(port, user, token, REPORTS, documented)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    failed = False
    print("\n== fuzz summary")
    for user, result in results.items():
        errors = {k: n for k, n in result["failures"].items() if k[0] == "not_a_server_error"}
        mismatches = {k: n for k, n in result["failures"].items() if k[0] == "response_schema_conformance"}
        print(
            f"{user}: {result['operations']} of {result['documented']} operations, {result['requests']} requests, "
            f"{sum(errors.values())} server errors, {sum(mismatches.values())} response-schema mismatches"
        )
        for (check, operation, message), n in sorted({**errors, **mismatches}.items()):
            print(f"  {check}: {operation} ×{n}: {message}")
        failed |= bool(errors) or (bool(mismatches) and SCHEMA_CHECK != "report")
    print(f"events: {REPORTS}/<user>.ndjson, server log with tracebacks: {REPORTS}/server.log")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
