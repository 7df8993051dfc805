"""Demo training for 南平市: a county 领头雁 session of 延平区 and two township sessions, with the
attendance of some of their executives (through the services, as the system). Skips once loaded."""

import datetime

from django.db.models import Q
from django.utils import timezone

from executives import training as services
from executives.models import TrainingSession
from orgtree.models import Office, Unit


def demo_training():
    county = Unit.objects.open().filter(code="350702").first()
    if county is None or TrainingSession.objects.filter(county.subtree_q("unit__")).exists():
        return 0
    today = timezone.localdate()
    offices = Office.objects.filter(county.subtree_q("unit__"), ended_on__isnull=True).select_related("person", "unit")
    people = [o.person for o in offices.order_by("unit__code", "role", "pk")]
    if not people:
        return 0
    start = today - datetime.timedelta(days=60)
    lead = services.create_session(
        None,
        county,
        source="demo",
        title="延平区村（社区）妇联执委“领头雁”培训班（第一期）",
        type="lead_goose",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=2),
        hours=16,
        place="延平区委党校",
        trainers="市妇联组织部、区委党校讲师",
    )
    services.record_attendance(None, lead, people[: len(people) // 2], source="demo")
    sessions = 1
    townships = Unit.objects.open().filter(Q(parent=county), kind__in=["township", "street"]).order_by("code")[:2]
    for i, township in enumerate(townships):
        day = today - datetime.timedelta(days=20 + 7 * i)
        session = services.create_session(
            None,
            township,
            source="demo",
            title=f"{township.name}执委履职能力轮训",
            type="rotation",
            starts_on=day,
            ends_on=day,
            hours=4,
            place=f"{township.name}妇女之家",
            trainers="乡镇妇联主席",
        )
        local = [o.person for o in offices if o.unit.tree_id == township.tree_id][:30]
        services.record_attendance(None, session, local, source="demo")
        sessions += 1
    return sessions
