"""Reform progress rolled up the tree: checklists, problems and key tasks of open units, for a
subtree or per child, in a fixed number of statements (orgtree.rollups)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import percent
from orgtree.rollups import rollup, total
from reform.models import UNRESOLVED, ChecklistItem, ItemStatus, KeyTask, Problem, ProblemStatus, TaskStatus

DEFINITIONS = {
    "items": _("Checklist items assigned to open units."),
    "items_filled": _("Items submitted or accepted."),
    "items_accepted": _("Items accepted by the level above."),
    "items_returned": _("Items returned for correction."),
    "items_met": _("Items whose answer reaches the target."),
    "items_unmet": _("Answered items that miss the target."),
    "completion_rate": _("items_filled / items, in percent."),
    "met_rate": _("items_met / items, in percent."),
    "problems": _("Problems recorded."),
    "problems_open": _("Problems not yet resolved."),
    "problems_overdue": _("Unresolved problems past their rectification deadline."),
    "problems_verified": _("Problems whose rectification the level above verified."),
    "tasks": _("Key tasks."),
    "tasks_done": _("Key tasks done."),
    "tasks_overdue": _("Key tasks not done by their deadline."),
}

LABELS = {
    "items": _("Items"),
    "items_filled": _("Filled"),
    "items_accepted": _("Accepted"),
    "items_returned": _("Returned"),
    "items_met": _("Met"),
    "items_unmet": _("Not met"),
    "completion_rate": _("Filled %"),
    "met_rate": _("Met %"),
    "problems": _("Problems"),
    "problems_open": _("Open problems"),
    "problems_overdue": _("Overdue problems"),
    "problems_verified": _("Verified problems"),
    "tasks": _("Key tasks"),
    "tasks_done": _("Tasks done"),
    "tasks_overdue": _("Overdue tasks"),
}


def _bases(today):
    live = Q(unit__closed_on__isnull=True)
    unresolved = Q(status__in=UNRESOLVED)
    return [
        (ChecklistItem.objects.filter(live), {
            "items": None,
            "items_filled": Q(status__in=[ItemStatus.SUBMITTED, ItemStatus.ACCEPTED]),
            "items_accepted": Q(status=ItemStatus.ACCEPTED),
            "items_returned": Q(status=ItemStatus.RETURNED),
            "items_met": Q(met=True),
            "items_unmet": Q(met=False),
        }),
        (Problem.objects.filter(live), {
            "problems": None,
            "problems_open": unresolved,
            "problems_overdue": unresolved & Q(deadline__lt=today),
            "problems_verified": Q(status=ProblemStatus.VERIFIED),
        }),
        (KeyTask.objects.filter(live), {
            "tasks": None,
            "tasks_done": Q(status=TaskStatus.DONE),
            "tasks_overdue": ~Q(status=TaskStatus.DONE) & Q(deadline__lt=today),
        }),
    ]


def _rates(figures):
    figures["completion_rate"] = percent(figures["items_filled"], figures["items"])
    figures["met_rate"] = percent(figures["items_met"], figures["items"])
    return {key: figures[key] for key in DEFINITIONS}


def reform_figures(unit, today=None):
    today = today or timezone.localdate()
    figures = {}
    for rows, measures in _bases(today):
        figures.update(total(unit, rows, measures, "unit__"))
    return _rates(figures)


def reform_by_child(unit, today=None):
    """[(child, figures)] for the open children of `unit`."""
    today = today or timezone.localdate()
    children = list(unit.children.open().order_by("code", "name", "pk"))
    per_child = {c.pk: {} for c in children}
    for rows, measures in _bases(today):
        for pk, figures in rollup(children, rows, measures, "unit__").items():
            per_child[pk].update(figures)
    return [(child, _rates(per_child[child.pk])) for child in children]
