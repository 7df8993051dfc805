from celery import shared_task


@shared_task(name="reform.daily_check")
def daily_check():
    """Daily (beat): refresh checklist items filled from coverage figures, and tell each editor and
    admin how many problems and key tasks are past their deadline in her scope."""
    from reform.models import ChecklistItem
    from reform.services import fill_automatic, notify_overdue

    return {"automatic_items_changed": fill_automatic(ChecklistItem.objects.filter(unit__closed_on__isnull=True)),
            **notify_overdue()}
