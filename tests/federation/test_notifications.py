"""The daily overdue check: one notice per editor/admin scope with overdue renewals, shown in the header."""

import datetime

from django.urls import reverse

from federation.models import Notification
from orgtree.models import Term
from orgtree.tasks import flag_overdue_terms


def test_overdue_renewals_notify_editors_and_admins_of_that_scope_once_a_day(client, tree, users):
    Term.objects.create(unit=tree.village_a1, number=1, started_on=datetime.date(2018, 1, 1),
                        due_on=datetime.date(2023, 1, 1))
    assert flag_overdue_terms.delay().get() == {"notified": 2}  # editor_a and admin_a; not county B, not viewers
    assert flag_overdue_terms.delay().get() == {"notified": 0}  # idempotent within the day
    notice = Notification.objects.get(user=users.editor_a)
    assert "1" in notice.message and "延平区" in notice.message
    assert not Notification.objects.filter(user__in=[users.editor_b, users.viewer]).exists()

    client.force_login(users.editor_a)
    page = client.get(reverse("orgtree:unit_detail", args=[tree.county_a.pk])).content.decode()
    assert 'class="count">1<' in page
    assert notice.message in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(user=users.editor_a, read_at__isnull=True).exists()


def test_notices_are_private(client, tree, users):
    Notification.objects.create(user=users.editor_b, key="x", message="乙县的提醒")
    client.force_login(users.editor_a)
    assert "乙县的提醒" not in client.get(reverse("notifications")).content.decode()
