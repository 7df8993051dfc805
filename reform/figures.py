"""Reform progress rolled up the tree: checklists, problems and key tasks of open units, for a
subtree or per child, in a fixed number of statements (orgtree.rollups)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import PERCENT, Figure, FigureSet
from orgtree.rollups import Base, figures_by_child, figures_total
from reform.models import UNRESOLVED, ChecklistItem, ItemStatus, KeyTask, Problem, ProblemStatus, TaskStatus

# Each key once: label, definition (the API docs and the overview legend), unit of measure, rollup.
FIGURES = FigureSet(
    "reform",
    [
        Figure("items", _("Items"), _("Checklist items assigned to open units.")),
        Figure("items_filled", _("Filled"), _("Items submitted or accepted.")),
        Figure("items_accepted", _("Accepted"), _("Items accepted by the level above.")),
        Figure("items_returned", _("Returned"), _("Items returned for correction.")),
        Figure("items_met", _("Met"), _("Items whose answer reaches the target.")),
        Figure("items_unmet", _("Not met"), _("Answered items that miss the target.")),
        Figure(
            "completion_rate",
            _("Filled %"),
            _("items_filled / items, in percent."),
            PERCENT,
            rate=("items_filled", "items"),
        ),
        Figure("met_rate", _("Met %"), _("items_met / items, in percent."), PERCENT, rate=("items_met", "items")),
        Figure("problems", _("Problems"), _("Problems recorded.")),
        Figure("problems_open", _("Open problems"), _("Problems not yet resolved.")),
        Figure("problems_overdue", _("Overdue problems"), _("Unresolved problems past their rectification deadline.")),
        Figure(
            "problems_verified", _("Verified problems"), _("Problems whose rectification the level above verified.")
        ),
        Figure("tasks", _("Key tasks"), _("Key tasks.")),
        Figure("tasks_done", _("Tasks done"), _("Key tasks done.")),
        Figure("tasks_overdue", _("Overdue tasks"), _("Key tasks not done by their deadline.")),
    ],
)


def _bases(today):
    live = Q(unit__closed_on__isnull=True)
    unresolved = Q(status__in=UNRESOLVED)
    return [
        Base(
            ChecklistItem.objects.filter(live),
            "unit__",
            {
                "items": None,
                "items_filled": Q(status__in=[ItemStatus.SUBMITTED, ItemStatus.ACCEPTED]),
                "items_accepted": Q(status=ItemStatus.ACCEPTED),
                "items_returned": Q(status=ItemStatus.RETURNED),
                "items_met": Q(met=True),
                "items_unmet": Q(met=False),
            },
        ),
        Base(
            Problem.objects.filter(live),
            "unit__",
            {
                "problems": None,
                "problems_open": unresolved,
                "problems_overdue": unresolved & Q(deadline__lt=today),
                "problems_verified": Q(status=ProblemStatus.VERIFIED),
            },
        ),
        Base(
            KeyTask.objects.filter(live),
            "unit__",
            {
                "tasks": None,
                "tasks_done": Q(status=TaskStatus.DONE),
                "tasks_overdue": ~Q(status=TaskStatus.DONE) & Q(deadline__lt=today),
            },
        ),
    ]


def reform_figures(unit, today=None):
    return figures_total(unit, _bases(today or timezone.localdate()), FIGURES)


def reform_by_child(unit, today=None):
    """[(child, figures)] for the open children of `unit`."""
    children = list(unit.children.open().order_by("code", "name", "pk"))
    return figures_by_child(children, _bases(today or timezone.localdate()), FIGURES)
