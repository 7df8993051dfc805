"""The daily overdue check: one notice per scope with overdue renewals, to every user of the scope,
shown in the header and on /notifications/ the same day (beat or not)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from federation.models import Notification
from orgtree.models import Term
from orgtree.tasks import flag_overdue_terms


def test_overdue_renewals_notify_editors_and_admins_of_that_scope_once_a_day(client, tree, users):
    Term.objects.create(
        unit=tree.village_a1, number=1, started_on=datetime.date(2018, 1, 1), due_on=datetime.date(2023, 1, 1)
    )
    assert flag_overdue_terms.delay().get() == {"notified": 3}  # editor_a, admin_a, the city's viewer
    assert flag_overdue_terms.delay().get() == {"notified": 0}  # idempotent within the day
    notice = Notification.objects.get(user=users.editor_a)
    assert "1" in notice.message and "延平区" in notice.message
    assert "南平市" in Notification.objects.get(user=users.viewer).message
    assert not Notification.objects.filter(user=users.editor_b).exists()

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


def test_a_renewal_overdue_today_is_on_every_scoped_users_notices_without_beat(client, tree, users):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for village in (tree.village_a1, tree.village_a2):
        Term.objects.create(
            unit=village, number=1, started_on=yesterday.replace(year=yesterday.year - 5), due_on=yesterday
        )
    for user, where in ((users.viewer, "南平市"), (users.editor_a, "延平区"), (users.admin_a, "延平区")):
        client.force_login(user)
        page = client.get(reverse("notifications")).content.decode()
        assert f"{where}有 2 个组织逾期未换届" in page, user.username
        client.get(reverse("notifications"))  # again: still one notice per scope and day
        assert Notification.objects.filter(user=user).count() == 1
    client.force_login(users.editor_b)
    assert "逾期未换届" not in client.get(reverse("notifications")).content.decode()
    assert not Notification.objects.filter(user=users.editor_b).exists()


def test_once_done_today_the_header_asks_nothing_more(client, tree, users, django_assert_num_queries):
    client.force_login(users.editor_a)
    client.get(reverse("notifications"))
    from federation.models import UserScope

    assert UserScope.objects.get(user=users.editor_a).notices_on == timezone.localdate()
    from federation.notices import catch_up

    users.editor_a._banyan_scopes = list(UserScope.objects.filter(user=users.editor_a).select_related("unit"))
    with django_assert_num_queries(0):
        assert catch_up(users.editor_a) == 0
