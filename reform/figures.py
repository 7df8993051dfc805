"""Reform progress rolled up the tree: checklists, problems and key tasks of open units, for a
subtree or per child, in a fixed number of statements (orgtree.rollups)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.figures import PERCENT, Figure, FigureSet
from orgtree.rollups import Base, figures_by_child, figures_total
from reform.models import UNRESOLVED, ChecklistItem, ItemStatus, KeyTask, Problem, ProblemStatus, TaskStatus

NOT_RESOLVED = Q(status__in=UNRESOLVED)

# Each key once: label, definition (the API docs and the overview legend), unit of measure, how it is
# counted (from the checklist items, problems or key tasks: SOURCES), rollup.
FIGURES = FigureSet(
    "reform",
    [
        Figure("items", _("Items"), _("Checklist items assigned to open units."), counted="items"),
        Figure(
            "items_filled",
            _("Filled"),
            _("Items submitted or accepted."),
            counted="items",
            where=Q(status__in=[ItemStatus.SUBMITTED, ItemStatus.ACCEPTED]),
        ),
        Figure(
            "items_accepted",
            _("Accepted"),
            _("Items accepted by the level above."),
            counted="items",
            where=Q(status=ItemStatus.ACCEPTED),
        ),
        Figure(
            "items_returned",
            _("Returned"),
            _("Items returned for correction."),
            counted="items",
            where=Q(status=ItemStatus.RETURNED),
        ),
        Figure("items_met", _("Met"), _("Items whose answer reaches the target."), counted="items", where=Q(met=True)),
        Figure(
            "items_unmet", _("Not met"), _("Answered items that miss the target."), counted="items", where=Q(met=False)
        ),
        Figure(
            "completion_rate",
            _("Filled %"),
            _("items_filled / items, in percent."),
            PERCENT,
            rate=("items_filled", "items"),
        ),
        Figure("met_rate", _("Met %"), _("items_met / items, in percent."), PERCENT, rate=("items_met", "items")),
        Figure("problems", _("Problems"), _("Problems recorded."), counted="problems"),
        Figure(
            "problems_open", _("Open problems"), _("Problems not yet resolved."), counted="problems", where=NOT_RESOLVED
        ),
        Figure(
            "problems_overdue",
            _("Overdue problems"),
            _("Unresolved problems past their rectification deadline."),
            counted="problems",
            where=lambda today: NOT_RESOLVED & Q(deadline__lt=today),
        ),
        Figure(
            "problems_verified",
            _("Verified problems"),
            _("Problems whose rectification the level above verified."),
            counted="problems",
            where=Q(status=ProblemStatus.VERIFIED),
        ),
        Figure("tasks", _("Key tasks"), _("Key tasks."), counted="tasks"),
        Figure("tasks_done", _("Tasks done"), _("Key tasks done."), counted="tasks", where=Q(status=TaskStatus.DONE)),
        Figure(
            "tasks_overdue",
            _("Overdue tasks"),
            _("Key tasks not done by their deadline."),
            counted="tasks",
            where=lambda today: ~Q(status=TaskStatus.DONE) & Q(deadline__lt=today),
        ),
    ],
)
# The rows each source counts: those of open units.
SOURCES = {
    "items": ChecklistItem.objects,
    "problems": Problem.objects,
    "tasks": KeyTask.objects,
}


def _bases(today):
    live = Q(unit__closed_on__isnull=True)
    return [Base(rows.filter(live), "unit__", FIGURES.measures(source, today)) for source, rows in SOURCES.items()]


def reform_figures(unit, today=None):
    return figures_total(unit, _bases(today or timezone.localdate()), FIGURES)


def reform_by_child(unit, today=None, children=None, keys=None):
    """[(child, figures)] for the open children of `unit` (or `children`, when the caller has them);
    with `keys`, only those figures."""
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    return figures_by_child(children, _bases(today or timezone.localdate()), FIGURES, keys)
