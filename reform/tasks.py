from celery import shared_task

from federation.models import Notification
from orgtree.models import Unit
from reform.models import ChecklistItem, ChecklistTemplate
from reform.services import assign, fill_automatic, notify_overdue


@shared_task(name="reform.daily_check")
def daily_check():
    """Daily (beat): refresh checklist items filled from coverage figures, and tell each editor and
    admin how many problems and key tasks are past their deadline in her scope."""
    return {
        "automatic_items_changed": fill_automatic(ChecklistItem.objects.filter(unit__closed_on__isnull=True)),
        **notify_overdue(),
    }


@shared_task(name="reform.assign_checklist")
def assign_checklist(template_id, unit_id, user_id, due_on=None):
    """A large assignment (a province: ~100k items, ~10 s) runs here; she is notified when done."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils.translation import gettext as _

    user = get_user_model().objects.get(pk=user_id)
    unit = Unit.objects.get(pk=unit_id)
    template = ChecklistTemplate.objects.get(pk=template_id)
    _assignment, created = assign(user, template, unit, datetime.date.fromisoformat(due_on) if due_on else None)
    Notification.objects.create(
        user=user,
        unit=unit,
        key=f"assigned:{template_id}:{unit_id}:{_assignment.pk}",
        url=reverse("reform:checklist", args=[unit_id]),
        message=_("%(template)s assigned to %(unit)s: %(count)d checklist items created.")
        % {"template": template, "unit": unit.name, "count": created},
    )
    return {"created": created}
