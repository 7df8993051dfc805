"""Load bench: 50 signed-in users against gunicorn on 127.0.0.1, as docker-compose.yml runs the web service.

    .venv/bin/python bench/load.py                 # 90 s; BENCH_LOAD_DATABASE_URL, BENCH_LOAD_REDIS_URL
    .venv/bin/python bench/load.py --seconds 20    # a quick check
    .venv/bin/python bench/load.py --reuse         # the last run's database (and its saves) as it is

Recreates the database (default postgres://postgres@127.0.0.1:5432/banyan_bench_load), loads the demo
(南平市: 10 counties, 1,943 villages and communities) and creates 30 county editors (three per county)
and 20 viewers of the city (bench/loadsetup.py, in a child process: this one never imports Django).
Starts gunicorn with docker-compose.yml's command and environment — DEBUG=0, Redis cache, whitenoise —
except what a bench on the loopback must change: the database, Redis, a dummy SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1, and no TLS proxy in front (plain HTTP: no HTTPS redirect, no Secure cookies,
no forwarded headers). Then Locust, as a library, runs the users: each signs in once (GET /login/ for
the CSRF token, POST the password), fetches the page's static files once, then acts every 1–3 s.
Viewers read the city's dashboard and drill down, unit pages, renewals, funding, the 会改联 grid,
lists; editors read their county's pages and, on 10 % of their actions, open a village's 会改联 form
and save it (first record, or a correction of the turnout), which must answer 302 to the grid; the
editors of a county whose 会改联结果 are approved and locked (the demo's 建阳区) open the grid instead.

The figures are taken once everyone has signed in (password hashing makes the sign-ins the heaviest
requests of the run), for `--seconds` seconds: requests, failures, p50/p95/p99 per page, target met or
missed (p95 <= 300 ms, no failures), load average, CPU seconds of gunicorn, of this database's
PostgreSQL backends and of Locust itself. The sign-in rows (login page, login, static files) are timed
during the ramp and get no verdict; failures count over the whole run, sign-ins included. The last
line is JSON. Not a test: the exit code is 0 whether the targets are met or not.
"""
# ruff: noqa: E402 - gevent must patch the standard library before anything else uses it

from gevent import monkey

monkey.patch_all()

import argparse
import html
import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import gevent
import psutil
import yaml
from common import ROOT, emit
from locust import FastHttpUser, between, events, task
from locust.env import Environment

TARGET_P95_MS = 300
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/banyan_bench_load"

PLAN = {}  # bench/loadsetup.py's output: unit ids and the accounts
ACCOUNTS = {}  # role -> iterator over that role's accounts, one per Locust user
SIGNED_IN = set()
SAMPLES = {}  # page name -> response times (ms) while measuring
FAILURES = {}  # page name -> number of failed requests over the whole run
ERRORS = {}  # (page name, message) -> count
STATE = {"measuring": False}
SIGN_IN = ("login page", "login", "static files (once)")  # timed during the ramp, the rest once all are in
SURNAMES = "林陈黄张李王吴刘蔡杨郑谢洪许邱曾廖赖徐周"
GIVEN = ["秀英", "美华", "丽萍", "玉兰", "桂香", "春燕", "淑芬", "雪梅", "海燕", "晓红", "丽娟", "慧敏"]


# --- the server ----------------------------------------------------------------------------


def compose_web():
    """docker-compose.yml's web service: its gunicorn arguments and its environment (defaults of
    ${NAME:-default} taken, as an unset variable gives)."""
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]
    command = re.search(r"gunicorn (federation\.wsgi:application[^\"&;]*)", web["command"]).group(1).split()
    env = {}
    for name, value in web["environment"].items():
        match = re.fullmatch(r"\$\{\w+:?([-?])(.*)\}", str(value))
        env[name] = (match.group(2) if match.group(1) == "-" else "") if match else str(value)
    return command, env


def server_env(db_url, redis_url, workdir):
    _command, env = compose_web()
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        SECRET_KEY="bench-load-dummy-secret-key-not-for-production",  # noqa: S106 - a dummy
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(workdir / "media"),
        BANYAN_VAR_DIR=str(workdir),  # collectstatic writes STATIC_ROOT there
        # No TLS proxy on the loopback: plain HTTP, cookies without Secure, no X-Forwarded-* to trust.
        SECURE_PROXY_SSL_HEADER="",
        PROXY_COUNT="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
    )
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "federation.settings", **env}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env, port, log):
    command, _env = compose_web()
    args = [a if not a.startswith("0.0.0.0:") else f"127.0.0.1:{port}" for a in command]
    print("gunicorn " + " ".join(args), flush=True)
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}: see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            gevent.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s: see {log.name}")


def cpu_seconds(processes):
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def server_processes(server):
    root = psutil.Process(server.pid)
    return [root, *root.children(recursive=True)]


def backend_cpu(db_name):
    """CPU seconds of this database's PostgreSQL backends (their title names the database), by pid."""
    found = {}
    for p in psutil.process_iter(["cmdline"]):
        line = " ".join(p.info["cmdline"] or [])
        if line.startswith("postgres:") and f" {db_name} " in line:
            found[p.pid] = cpu_seconds([p])
    return found


# --- what the users do ---------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of the form holding `wanted` (a field name), as a browser would post them."""

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.forms, self.textarea, self.select = wanted, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = a.get("name")
            fields[self.textarea] = ""
        elif tag == "select":
            self.select = a.get("name")
            fields.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in a:
            fields[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1][self.textarea] += data

    @classmethod
    def of(cls, text, wanted):
        parser = cls(wanted)
        parser.feed(text)
        return next((f for f in parser.forms if wanted in f), None)


def first_error(text):
    found = re.search(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split() if found else ["no", "redirect"]


def new_conversion(fields, rng):
    names = rng.sample([s + g for s in SURNAMES for g in GIVEN], 9)
    fields.update(
        held_on=f"2024-{rng.randrange(3, 7):02d}-{rng.randrange(1, 29):02d}",
        entitled="120",
        present=str(rng.randrange(90, 116)),
        chair=names[0],
        vice_chairs_part_time="\n".join(names[1:3]),
        executives="\n".join(names[3:]),
        womens_home=rng.choice(["yes", "standardized", ""]),
    )
    for flag in ("on_party_committee", "on_villagers_committee", "childrens_home"):
        if rng.random() < 0.5:
            fields[flag] = "on"


class BanyanUser(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        self.account = next(ACCOUNTS[self.role])
        self.rng = random.Random(self.account["username"])  # which page next: reproducible per user
        answer = self.page("/login/", "login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text or "")
        with self.client.post(
            "/login/",
            data={
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/login" in (answer.headers.get("Location") or ""):
                answer.failure(f"sign-in refused ({answer.status_code})")
                return
        home = self.page(self.home_url(), "unit: " + self.home_level())
        for url in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', home.text or ""))):
            self.page(url, "static files (once)")
        SIGNED_IN.add(self.account["username"])

    def page(self, url, name):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location') or ''}".strip())
        return answer

    def unit(self, pk, name, suffix=""):
        return self.page(f"/units/{pk}/{suffix}", name)

    def county(self):
        return PLAN["counties"][self.account["county"]]

    def any_county(self):
        return self.rng.choice(PLAN["counties"])


class Viewer(BanyanUser):
    """A city cadre: the city's figures, drilling down to counties, townships and villages."""

    fixed_count = 20
    role = "viewer"

    def home_url(self):
        return f"/units/{PLAN['city']}/"

    def home_level(self):
        return "city"

    @task(4)
    def city_dashboard(self):
        self.unit(PLAN["city"], "dashboard: city", "dashboard/")

    @task(3)
    def drill_down(self):
        county = self.any_county()
        self.unit(county["id"], "dashboard: county", "dashboard/")
        self.wait()
        township = self.rng.choice(county["townships"])
        self.unit(township, "unit: township")
        self.wait()
        self.unit(self.rng.choice(county["villages"]), "unit: village")

    @task(2)
    def city_unit(self):
        self.unit(PLAN["city"], "unit: city")

    @task(2)
    def county_unit(self):
        self.unit(self.any_county()["id"], "unit: county")

    @task(3)
    def renewals(self):
        self.unit(PLAN["city"], "renewals: city", "renewals/")

    @task(3)
    def funding(self):
        self.unit(PLAN["city"], "funding: city", "funding/")

    @task(3)
    def grid(self):
        self.unit(PLAN["grid_county"], "会改联 grid: county", "conversion/")

    @task(1)
    def city_grid(self):
        self.unit(PLAN["city"], "会改联 grid: city", "conversion/")

    @task(1)
    def reform(self):
        self.unit(PLAN["city"], "reform: city", "reform/")

    @task(1)
    def committee(self):
        self.unit(self.rng.choice(PLAN["counties"][0]["villages"]), "committee: village", "committee/")

    @task(1)
    def unit_list(self):
        self.page(f"/units/?kind=township&page={self.rng.randrange(1, 4)}", "list: units")

    @task(1)
    def people(self):
        self.page("/people/", "list: people")


class Editor(BanyanUser):
    """A county cadre: her county's pages, the grid, and the 会改联 form of her own villages."""

    fixed_count = 30
    role = "editor"

    def home_url(self):
        return f"/units/{self.account['unit']}/"

    def home_level(self):
        return "county"

    def on_start(self):
        super().on_start()
        self.villages = itertools.cycle(self.account["villages"])

    @task(2)
    def county_unit(self):
        self.unit(self.county()["id"], "unit: county")

    @task(3)
    def dashboard(self):
        self.unit(self.county()["id"], "dashboard: county", "dashboard/")

    @task(4)
    def grid(self):
        self.page(f"/units/{self.county()['id']}/conversion/?page={self.rng.randrange(1, 3)}", "会改联 grid: county")

    @task(2)
    def township(self):
        self.unit(self.rng.choice(self.county()["townships"]), "unit: township")

    @task(2)
    def village(self):
        self.unit(self.rng.choice(self.county()["villages"]), "unit: village")

    @task(1)
    def committee(self):
        self.unit(self.rng.choice(self.county()["villages"]), "committee: village", "committee/")

    @task(1)
    def renewals(self):
        self.unit(self.county()["id"], "renewals: county", "renewals/")

    @task(1)
    def funding(self):
        self.unit(self.county()["id"], "funding: county", "funding/")

    @task(1)
    def reform(self):
        self.unit(self.county()["id"], "reform: county", "reform/")

    @task(1)
    def people(self):
        self.page("/people/", "list: people")

    @task(2)  # 2 of the 20 weights: 10 % of an editor's actions
    def save_village(self):
        village = next(self.villages, None)
        if village is None:  # her county's 会改联结果 are approved and locked: she only reads
            self.unit(self.county()["id"], "会改联 grid: county", "conversion/")
            return
        form = self.unit(village, "会改联 form (GET)", "conversion/edit/")
        fields = FormFields.of(form.text or "", "held_on")
        if form.status_code != 200 or fields is None:
            return
        if fields.get("chair"):  # recorded already: correct the turnout
            fields["present"] = "101" if fields.get("present") != "101" else "102"
        else:
            new_conversion(fields, self.rng)
        with self.client.post(
            f"/units/{village}/conversion/edit/",
            data=fields,
            name="会改联 form (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location") or ""
            if answer.status_code != 302 or "/conversion/" not in location:
                answer.failure(f"not saved ({answer.status_code}): " + " ".join(first_error(answer.text or ""))[:120])
                return
        self.page(location.split("#")[0], "会改联 grid: county")


def record(request_type, name, response_time, response_length, exception=None, **_kwargs):
    if exception is not None:
        FAILURES[name] = FAILURES.get(name, 0) + 1
        key = (name, str(exception)[:160])
        ERRORS[key] = ERRORS.get(key, 0) + 1
    elif STATE["measuring"] or name in SIGN_IN:
        SAMPLES.setdefault(name, []).append(response_time)


# --- the run and the figures -----------------------------------------------------------------


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def figures(name):
    values = SAMPLES.get(name, [])
    failures = FAILURES.get(name, 0)
    if not values:
        return {"requests": 0, "failures": failures, "p50": None, "p95": None, "p99": None}
    return {
        "requests": len(values),
        "failures": failures,
        "p50": round(statistics.median(values)),
        "p95": round(percentile(values, 95)),
        "p99": round(percentile(values, 99)),
        "max": round(max(values)),
    }


def measure_users(base_url, users, spawn_rate, seconds, server, db_name):
    """Start the users, wait until all have signed in, then measure for `seconds`; the run's figures."""
    environment = Environment(user_classes=[Viewer, Editor], events=events, host=base_url)
    events.request.add_listener(record)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    while len(SIGNED_IN) < users and time.monotonic() - started < 300:
        gevent.sleep(0.2)
    ramp = time.monotonic() - started
    print(f"{len(SIGNED_IN)} of {users} users signed in after {ramp:.0f} s; measuring {seconds} s", flush=True)
    load_before = [round(x, 2) for x in os.getloadavg()]
    me = psutil.Process()
    server_cpu, db_cpu, own_cpu = cpu_seconds(server_processes(server)), backend_cpu(db_name), cpu_seconds([me])
    STATE["measuring"] = True
    gevent.sleep(seconds)
    STATE["measuring"] = False
    server_cpu = cpu_seconds(server_processes(server)) - server_cpu
    db_cpu = sum(cpu - db_cpu.get(pid, 0) for pid, cpu in backend_cpu(db_name).items())
    own_cpu = cpu_seconds([me]) - own_cpu
    load_after = [round(x, 2) for x in os.getloadavg()]
    runner.quit()
    requests = sum(len(v) for n, v in SAMPLES.items() if n not in SIGN_IN)
    return {
        "ramp_s": round(ramp),
        "seconds": seconds,
        "requests": requests,
        "rps": round(requests / seconds, 1),
        "server_cpu_s": round(server_cpu, 1),
        "db_cpu_s": round(db_cpu, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, requests), 1),
        "db_cpu_ms_per_request": round(db_cpu * 1000 / max(1, requests), 1),
        "locust_cpu_s": round(own_cpu, 1),
        "load_before": load_before,
        "load_after": load_after,
    }


def report(pages, run):
    names = sorted(pages, key=lambda n: (n in SIGN_IN, n))
    print(f"\n{'page':<24} {'requests':>8} {'failed':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}  target")
    for name in names:
        f = pages[name]
        cells = " ".join(f"{f[k]:>6}" if f.get(k) is not None else f"{'-':>6}" for k in ("p50", "p95", "p99", "max"))
        verdict = "met" if f["met"] else "MISSED"
        if name in SIGN_IN:
            verdict = "(a password hash)" if name == "login" else f"{verdict} (while signing in: no verdict)"
        print(f"{name:<24} {f['requests']:>8} {f['failures']:>6} {cells}  {verdict}")
    if ERRORS:
        print("\nfailures:")
        for (name, message), count in sorted(ERRORS.items(), key=lambda e: -e[1])[:15]:
            print(f"  {count:>5} × {name}: {message}")
    print(
        f"\nsign-in ramp {run['ramp_s']} s (not measured but for the sign-in rows); measured {run['seconds']} s: "
        f"{run['requests']} requests, {run['rps']}/s; CPU gunicorn {run['server_cpu_s']} s, PostgreSQL "
        f"{run['db_cpu_s']} s ({run['server_cpu_ms_per_request']} + {run['db_cpu_ms_per_request']} ms per "
        f"request), Locust {run['locust_cpu_s']} s; load average {run['load_before']} → {run['load_after']} "
        f"on {os.cpu_count()} cores"
    )


def prepare(args, env, workdir):
    """The database, the users and the static files (in child processes: Django stays out of this one)."""
    started = time.perf_counter()
    plan_file = workdir / "plan.json"
    how = ["reuse"] if args.reuse else [str(args.editors), str(args.viewers)]
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "bench/loadsetup.py"), str(plan_file), *how],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    PLAN.update(json.loads(plan_file.read_text()))
    for role in ("editor", "viewer"):
        ACCOUNTS[role] = iter([a for a in PLAN["accounts"] if a["role"] == role])
    print(f"database and {len(PLAN['accounts'])} users ready in {time.perf_counter() - started:.0f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=90, help="how long to measure once all are signed in")
    parser.add_argument("--editors", type=int, default=30)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--reuse", action="store_true", help="keep the database and users of the last run")
    args = parser.parse_args()
    Viewer.fixed_count, Editor.fixed_count = args.viewers, args.editors
    users = args.editors + args.viewers
    db_url = os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")
    workdir = Path(tempfile.mkdtemp(prefix="banyan-load-"))
    env = server_env(db_url, redis_url, workdir)
    prepare(args, env, workdir)

    port = free_port()
    with open(workdir / "gunicorn.log", "w") as log:
        server = start_gunicorn(env, port, log)
        try:
            run = measure_users(
                f"http://127.0.0.1:{port}", users, args.spawn_rate, args.seconds, server, db_url.rpartition("/")[2]
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    server_errors = (workdir / "gunicorn.log").read_text().count("Internal Server Error")
    shutil.rmtree(workdir / "staticfiles", ignore_errors=True)  # the log stays

    pages = {}
    for name in set(SAMPLES) | set(FAILURES):
        f = figures(name)
        f["met"] = f["failures"] == 0 and f["p95"] is not None and f["p95"] <= TARGET_P95_MS
        pages[name] = f
    report(pages, run)
    all_met = all(f["met"] for n, f in pages.items() if n not in SIGN_IN) and not FAILURES and not server_errors
    print(f"server errors (500) in the gunicorn log: {server_errors}; log kept in {workdir}")
    print(
        f"target (every page of the mix p95 <= {TARGET_P95_MS} ms; 0 errors, signing in included): "
        f"{'met' if all_met else 'missed'}"
    )
    emit(
        "load",
        users=users,
        editors=args.editors,
        viewers=args.viewers,
        **run,
        failures=sum(FAILURES.values()),
        server_errors=server_errors,
        target_p95_ms=TARGET_P95_MS,
        target_met=all_met,
        pages={n: pages[n] for n in sorted(pages)},
    )


if __name__ == "__main__":
    main()
