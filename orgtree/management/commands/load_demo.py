import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from federation import registry
from federation.models import Role, UserScope
from orgtree import changes, elections
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.committees import offered_duty_areas, set_committee_duties
from orgtree.conversion import Conversion, Member, record_conversion
from orgtree.elections import REGIONALIZED_KINDS
from orgtree.models import DrawnFrom, Election, Office, Unit
from orgtree.regionalization import Member as TownshipMember
from orgtree.regionalization import Regionalization, record_regionalization

DEMO_FILE = settings.BASE_DIR / "data/divisions/nanping_350700_2023.csv"
# username, password, scope code, role — the README lists them.
DEMO_USERS = [
    ("admin", "banyan-admin", None, None),
    ("nanping", "banyan-nanping", "3507", Role.VIEWER),
    ("yanping", "banyan-yanping", "350702", Role.EDITOR),
]


class Command(BaseCommand):
    help = (
        "Load the demo into an empty database: 南平市 from the 2023 division data, three demo users and "
        "demo records. A database that holds any unit is left exactly as it is."
    )

    def handle(self, *args, **options):
        # `make run` calls this every time. Loading again would diff the division file against what
        # users entered since (load_divisions closes units the file lacks), so it never does.
        units = Unit.objects.count()
        if units:
            self.stdout.write(
                f"demo not loaded: the database already holds {units} units, and they are kept as "
                "they are. To apply a division file deliberately, run load_divisions."
            )
            return
        with transaction.atomic():  # all or nothing, so an interrupted load leaves an empty database
            self.load()
        self.stdout.write(self.style.SUCCESS("demo ready: " + ", ".join(u[0] for u in DEMO_USERS)))

    def load(self):
        call_command("load_divisions", str(DEMO_FILE), stdout=self.stdout)
        users = get_user_model()
        for username, password, code, role in DEMO_USERS:
            user, created = users.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = code is None
                user.save()
            if code:
                UserScope.objects.get_or_create(
                    user=user, unit=Unit.objects.open().get(code=code), defaults={"role": role}
                )
        for loader in registry.demo_loaders():  # each app's, registered in its AppConfig.ready()
            result = loader.load()
            if result:
                self.stdout.write(loader.done.format(result=result))


SURNAMES = "林陈黄张李王吴刘蔡杨郑谢洪许邱曾廖赖徐周"
GIVEN = ["秀英", "美华", "丽萍", "玉兰", "桂香", "春燕", "淑芬", "雪梅", "海燕", "晓红", "丽娟", "慧敏"]


def demo_conversions(share=0.7):
    """Record conversions for most villages of 延平区 (generated names; none before), so the grid,
    the committees and the dashboards have something to show. Idempotent: skips once done."""
    import datetime
    import random

    county = Unit.objects.open().get(code="350702")
    villages = list(Unit.objects.open().within(county).filter(kind__in=GRASSROOTS_KINDS).order_by("code"))
    if Election.objects.filter(unit__in=villages).exists():
        return 0
    rng = random.Random(350702)  # noqa: S311 - reproducible demo names, not secrets
    chosen = villages[: int(len(villages) * share)]
    for village in chosen:
        names = rng.sample([s + g for s in SURNAMES for g in GIVEN], 9)
        members = [
            Member(names[0], role="chair"),
            *[Member(n, role="vice_chair", vice_chair_type="part_time") for n in names[1:3]],
            *[Member(n) for n in names[3:]],
        ]
        record_conversion(
            None,
            village,
            Conversion(
                held_on=datetime.date(2021, 3, 1) + datetime.timedelta(days=rng.randrange(120)),
                members=members,
                entitled=120,
                present=rng.randrange(85, 115),
                chair_flags={
                    "on_party_committee": rng.random() < 0.85,
                    "on_villagers_committee": rng.random() < 0.6,
                    "is_party_secretary": rng.random() < 0.1,
                    "is_village_director": rng.random() < 0.12,
                },
                womens_home=rng.choice(["yes", "standardized", ""]),
                childrens_home=rng.random() < 0.3,
                # Women in the village's posts besides the chair (开江县: 23 secretaries, 30 directors of 227).
                secretary_is_woman=rng.random() < 0.08 or None,
                director_is_woman=rng.random() < 0.1 or None,
            ),
            source="demo",
        )
    return len(chosen)


def demo_regionalizations(count=4):
    """区域化 for the first townships/streets of 延平区 (generated names): a chair, a full-time,
    two part-time and one seconded vice-chair, and executives drawn from villages, agencies,
    enterprises and new domains ("1+1+N"), recorded through orgtree.regionalization. Skips a
    township with any election already recorded (never changes what users entered); a second run
    records nothing."""
    import random

    county = Unit.objects.open().get(code="350702")
    townships = list(Unit.objects.open().within(county).filter(kind__in=REGIONALIZED_KINDS).order_by("code")[:count])
    held = set(Election.objects.filter(unit__in=townships).values_list("unit", flat=True))
    rng = random.Random(3507021)  # noqa: S311 - reproducible demo names, not secrets
    sources = [DrawnFrom.VILLAGE] * 5 + [DrawnFrom.AGENCY] * 2 + [DrawnFrom.ENTERPRISE, DrawnFrom.NEW_DOMAIN]
    recorded = 0
    for township in townships:
        if township.pk in held:
            continue
        names = rng.sample([s + g for s in SURNAMES for g in GIVEN], 27)
        members = [
            TownshipMember(names[0], role="chair", drawn_from=DrawnFrom.OTHER),
            TownshipMember(names[1], role="vice_chair", vice_chair_type="full_time", drawn_from=DrawnFrom.OTHER),
            *[
                TownshipMember(n, role="vice_chair", vice_chair_type="part_time", drawn_from=rng.choice(sources))
                for n in names[2:4]
            ],
            TownshipMember(names[4], role="vice_chair", vice_chair_type="seconded", drawn_from=DrawnFrom.AGENCY),
            *[TownshipMember(n, drawn_from=rng.choice(sources)) for n in names[5:]],
        ]
        held_on = datetime.date(2021, 6, 1) + datetime.timedelta(days=rng.randrange(90))
        record_regionalization(
            None,
            township,
            Regionalization(held_on=held_on, members=members, entitled=60, present=rng.randrange(45, 58)),
            source="demo",
        )
        recorded += 1
    return recorded


def demo_duties(committees_count=20):
    """执委分工 for the committees of the first villages of 延平区 that have one (each seat one or two
    duty areas in turn, the chair 组织联络). Skips once any seat carries a duty area, and never touches a
    committee whose duties someone set."""
    if Office.duties.through.objects.exists():
        return 0
    areas = list(offered_duty_areas())
    if not areas:
        return 0
    county = Unit.objects.open().get(code="350702")
    units = (
        Unit.objects.open()
        .within(county)
        .filter(terms__isnull=False, terms__ended_on=None)
        .distinct()
        .order_by("code")[:committees_count]
    )
    done = 0
    for unit in units:
        offices = list(Office.objects.filter(unit=unit, ended_on=None, term__ended_on=None).order_by("role", "pk"))
        duties = {o.pk: [areas[(i + k) % len(areas)] for k in range(1 + i % 2)] for i, o in enumerate(offices)}
        if duties:
            set_committee_duties(None, unit, duties, source="demo")
            done += 1
    return done


def demo_changes():
    """能进能出 in the demo: in the last converted village of 延平区, an executive is transferred and
    another resigns, a by-election fills both seats, and 延平区妇联 seconds a vice-chair for two years.
    Skipped when the county holds any by-election, leaving or appointment (users' records stay as
    they are). Returns the number of changes recorded."""
    county = Unit.objects.open().filter(code="350702").first()
    if county is None:
        return 0
    in_county = Office.objects.filter(county.subtree_q("unit__"))
    if (
        Election.objects.filter(county.subtree_q("unit__"), kind=Election.Kind.BY_ELECTION).exists()
        or in_county.exclude(end_reason="").exists()
        or in_county.exclude(appointment="").exists()
    ):
        return 0
    village = (
        Unit.objects.open()
        .within(county)
        .filter(kind__in=GRASSROOTS_KINDS, terms__ended_on__isnull=True, terms__election__kind=Election.Kind.CONVERSION)
        .order_by("-code")
        .first()
    )
    if village is None:
        return 0
    term = changes.running_term(village)
    leavers = list(Office.objects.filter(term=term, role="executive", ended_on__isnull=True).order_by("pk")[:2])
    if len(leavers) < 2:
        return 0
    left_on = max(term.started_on + datetime.timedelta(days=400), datetime.date(2023, 3, 1))
    changes.leave_office(None, leavers[0], ended_on=left_on, reason="transferred", source="demo")
    changes.leave_office(
        None, leavers[1], ended_on=left_on + datetime.timedelta(days=30), reason="resigned", source="demo"
    )
    election = elections.create_election(
        None,
        village,
        kind=Election.Kind.BY_ELECTION,
        held_on=left_on + datetime.timedelta(days=90),
        entitled=120,
        present=96,
        ballots_issued=96,
        ballots_returned=96,
        seats=2,
        source="demo",
    )
    for name, approve in (("郑晓红", 88), ("邱春燕", 81)):
        elections.add_candidate(
            None, election, name=name, approve=approve, disapprove=96 - approve - 3, abstain=3, source="demo"
        )
    elections.certify_election(None, election, source="demo")
    changes.appoint_vice_chair(
        None,
        village,
        name="许丽娟",
        appointment="seconded",
        appointed_by=county,
        started_on=left_on + datetime.timedelta(days=120),
        appointed_until=left_on + datetime.timedelta(days=120 + 730),
        source="demo",
    )
    return 4
