"""The database bench/load.py and bench/pages.py run against: the demo (南平市) and the load test's users.

    python bench/loadsetup.py PLAN.json [EDITORS VIEWERS]    # bench/load.py runs this, DATABASE_URL set
    python bench/loadsetup.py PLAN.json reuse                # the plan of a database prepared before

Recreates the database DATABASE_URL names, migrates, runs `load_demo`, then creates 30 editors (three
per county of 南平市, each scoped to her county) and 20 viewers of the city: plain editors and
viewers, so no second factor is asked of them. Writes the plan (accounts, unit ids, each editor's
own villages) as JSON, so the load generator never imports Django.
"""

import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, fresh_database

sys.path.insert(0, str(ROOT))

CITY = "3507"
GRID_COUNTY = "350702"  # 延平区: the demo's converted villages are there
# + the user's number. Always the right one, so django-axes never counts a failure.
PASSWORD = "bench-load-password-"  # noqa: S105 - bench accounts on a throw-away database


def prepare(editors=30, viewers=20):
    """Load the demo into the (migrated, empty) database and create the users; returns the plan."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from federation.models import Role, UserScope
    from orgtree.models import Unit

    call_command("load_demo", stdout=io.StringIO())
    counties = list(Unit.objects.open().get(code=CITY).children.open().filter(kind="county").order_by("code"))
    city = Unit.objects.open().get(code=CITY)
    users = get_user_model()
    for i in range(editors + viewers):
        role, unit = (Role.EDITOR, counties[i % len(counties)]) if i < editors else (Role.VIEWER, city)
        user = users.objects.create_user(f"load{role.value}{i + 1:02d}", password=f"{PASSWORD}{i + 1}")
        UserScope.objects.create(user=user, unit=unit, role=role)
    analyze()
    return plan()


def analyze():
    """Fresh planner statistics, as autovacuum keeps them in production (it may be off on a dev server:
    without them PostgreSQL plans the city-wide queries for a handful of rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan():
    """What the load generator needs, from a prepared database: unit ids and the bench accounts (each
    editor with her share of her county's villages: no two editors save the same village)."""
    from federation import locks
    from federation.models import UserScope
    from orgtree.choices import GRASSROOTS_KINDS, Kind
    from orgtree.models import Unit

    city = Unit.objects.open().get(code=CITY)
    counties = []
    for county in city.children.open().filter(kind=Kind.COUNTY).order_by("code"):
        below = Unit.objects.open().within(county)
        counties.append(
            {
                "id": county.pk,
                "code": county.code,
                "name": county.name,
                "townships": list(
                    below.filter(kind__in=[Kind.TOWNSHIP, Kind.STREET]).order_by("code").values_list("pk", flat=True)
                ),
                "villages": list(below.filter(kind__in=GRASSROOTS_KINDS).order_by("code").values_list("pk", flat=True)),
            }
        )
    index = {c["id"]: i for i, c in enumerate(counties)}
    # A county whose 会改联结果 the city approved (the demo approves one) is locked: no form saves there.
    locked = locks.approved(list(city.children.open().filter(pk__in=index)), "conversion")
    scopes = UserScope.objects.filter(user__username__startswith="load").select_related("user").order_by("user_id")
    editors = {}
    for s in scopes:
        if s.role == "editor":
            editors.setdefault(s.unit_id, []).append(s.user.username)
    accounts = []
    for s in scopes:
        name = s.user.username
        account = {"username": name, "password": f"{PASSWORD}{int(name[-2:])}", "role": s.role, "unit": s.unit_id}
        if s.role == "editor":
            county, mates = counties[index[s.unit_id]], editors[s.unit_id]
            villages = [] if s.unit_id in locked else county["villages"][mates.index(name) :: len(mates)]
            account.update(county=index[s.unit_id], villages=villages)
        accounts.append(account)
    return {
        "city": city.pk,
        "grid_county": next(c["id"] for c in counties if c["code"] == GRID_COUNTY),
        "counties": counties,
        "accounts": accounts,
    }


def main():
    import django

    reuse = sys.argv[2:3] == ["reuse"]
    if not reuse:
        fresh_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    if reuse:
        analyze()
        found = plan()
    else:
        call_command("migrate", verbosity=0)
        found = prepare(*map(int, sys.argv[2:4]))
    Path(sys.argv[1]).write_text(json.dumps(found))


if __name__ == "__main__":
    main()
