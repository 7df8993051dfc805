"""Demo contacts for `load_demo`: some executives of 延平区's villages (those the conversion demo seated)
get contact lists, a few log entries this year and one or two named contacts (generated names).
Idempotent: skipped once any contact list exists."""

import datetime
import random

from django.utils import timezone

from executives import contacts
from executives.models import ContactList
from executives.models.contacts import Category, Way
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.models import Office, Unit

VILLAGES = 12
GIVEN = ["桂英", "秀珍", "玉梅", "金花", "春兰", "冬梅"]


def demo_contacts():
    if ContactList.objects.exists():
        return 0
    county = Unit.objects.open().filter(code="350702").first()
    if county is None:
        return 0
    today = timezone.localdate()
    first = datetime.date(today.year, 1, 1)
    rng = random.Random(14)  # noqa: S311 - reproducible demo figures, not secrets
    villages = list(
        Unit.objects.open().within(county).filter(kind__in=GRASSROOTS_KINDS, offices__isnull=False).distinct()
    )
    villages = sorted(villages, key=lambda u: u.code)[:VILLAGES]
    lists = 0
    for village in villages:
        offices = list(Office.objects.filter(unit=village, ended_on__isnull=True).select_related("unit", "person"))
        for office in offices[: rng.randrange(3, 7)]:
            counts = {name: rng.randrange(0, 4) for name in ("difficulty", "disabled", "left_behind", "single_mother")}
            counts["other"] = rng.randrange(4, 10)
            women = sum(counts.values())
            counts["home_visit"] = rng.randrange(0, women // 2 + 1)
            counts["phone"] = rng.randrange(0, women - counts["home_visit"] + 1)
            counts["wechat"] = women - counts["home_visit"] - counts["phone"]
            counts["wechat_members"] = counts["wechat"] + rng.randrange(20, 120)
            contacts.save_contact_list(None, office, counts, source="demo")
            lists += 1
            start = max(first, office.started_on)
            span = (today - start).days
            for _n in range(rng.randrange(1, 4) if span >= 0 else 0):
                contacts.log_visit(
                    None,
                    office,
                    date=start + datetime.timedelta(days=rng.randrange(span + 1)),
                    way=rng.choice(Way.values),
                    women=rng.randrange(1, 6),
                    note=rng.choice(["", "走访困难家庭", "电话问候", "微信群通知妇女议事会"]),
                    source="demo",
                )
        if offices:
            contacts.add_named_contact(
                None,
                offices[0],
                unit=village,
                name=rng.choice("林陈黄张李王") + rng.choice(GIVEN),
                category=rng.choice(Category.values),
                source="demo",
            )
    return lists
