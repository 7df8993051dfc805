from celery import shared_task

from orgtree.coverage import refresh_all, snapshot_week, turn_the_day
from orgtree.elections import notify_overdue
from orgtree.tree import check_tree


@shared_task(name="orgtree.check_tree")
def check_tree_task():
    """Nightly: report (not repair) tree problems; the number lands in the worker log and the result."""
    problems = check_tree()
    return {"problems": len(problems), "first": [f"{pk}: {what}" for pk, what in problems[:10]]}


@shared_task(name="orgtree.flag_overdue_terms")
def flag_overdue_terms():
    """Daily: tell each editor and admin how many renewals are overdue in her scope (once a day)."""
    return notify_overdue()


@shared_task(name="orgtree.snapshot_coverage")
def snapshot_coverage():
    """Every Monday (beat): the week's coverage figures for every unit down to townships."""
    return {"stored": snapshot_week()}


@shared_task(name="orgtree.refresh_figures")
def refresh_figures_task():
    """Nightly: every unit's stored figures, so date-driven changes (an office starting) catch up."""
    return {"changed": refresh_all()}


@shared_task(name="orgtree.turn_the_day")
def turn_the_day_task():
    """Just after midnight: the figures of the units whose records take effect today, and the group
    sums counted for the new day (seconds nationally); until then today's figures of a county and
    above are read from the units' rows."""
    return {"groups": turn_the_day()}
