"""Demo activities and points for `load_demo`: 南平市 sets the points of each activity type from this year,
and executives of a few 延平区 villages record activities (at their women's home where they have one);
their township evaluates two of them. Skips once the city has rules."""

import datetime

from django.utils import timezone

from executives import activities
from executives.models import ActivityType, PointsRule
from orgtree.models import Office, ServicePosition, Unit

CITY_POINTS = {"宣传宣讲": 2, "走访慰问": 3, "维权调解": 5, "技能培训": 3, "家庭教育": 2, "志愿服务": 2, "其他": 1}
PLACES = ["村文化礼堂", "村委会会议室", "农户家中", "村广场"]


def demo_activities():
    city = Unit.objects.open().filter(code="3507").first()
    county = Unit.objects.open().filter(code="350702").first()
    if city is None or county is None or PointsRule.objects.filter(unit=city).exists():
        return 0
    today = timezone.localdate()
    types = {t.name: t for t in ActivityType.objects.filter(active=True)}
    activities.set_rules(
        None, city, today.year, {types[n]: p for n, p in CITY_POINTS.items() if n in types}, source="demo"
    )
    offices = list(
        Office.objects.filter(unit__county=county, ended_on__isnull=True, started_on__lte=today)
        .select_related("unit", "person")
        .order_by("unit__code", "role", "pk")[:40]
    )
    villages = sorted({o.unit for o in offices}, key=lambda u: u.code)[:5]
    homes = {p.unit_id: p for p in ServicePosition.objects.filter(unit__in=villages, closed_on__isnull=True)}
    kinds = list(types.values())
    count = 0
    for v, village in enumerate(villages):
        members = [o for o in offices if o.unit_id == village.pk][:4]
        for m, office in enumerate(members):
            for k in range(3 - m % 2):
                day = min(today, datetime.date(today.year, 1, 8) + datetime.timedelta(days=11 * (v + m + k) + k))
                home = homes.get(village.pk) if k == 0 else None
                activities.record_activity(
                    None,
                    village,
                    person=office.person,
                    activity_type=kinds[(v + m + 2 * k) % len(kinds)],
                    held_on=max(day, office.started_on),
                    place="" if home else PLACES[(m + k) % len(PLACES)],
                    position=home,
                    participants=12 + 7 * ((v + m + k) % 5),
                    note="",
                    source="demo",
                )
                count += 1
        if members and v < 2:
            activities.evaluate(
                None, village, members[0].person, today.year, "excellent" if v == 0 else "competent", source="demo"
            )
    return count
