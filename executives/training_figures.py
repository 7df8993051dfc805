"""Training figures (federation.figures set "training"), rolled up the tree in a fixed number of
statements (orgtree.rollups), as reform/figures.py does.

- executives_in_office: offices open today on the committees of open units of the subtree (each seat
  counts, as the coverage figure `executives` does);
- executives_trained: those of them whose holder attended at least one session started in the
  period: since settings.TRAINING_PERIOD_START when set (a date), otherwise since the start of the
  office's current term (the office's own start where it has no term), and not after today;
- executives_trained_rate: executives_trained / executives_in_office, in percent;
- training_sessions: sessions organized by units of the subtree that started by today (since
  TRAINING_PERIOD_START when set); training_attendances: their attendances (人次).
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from executives.models import Attendance, TrainingSession
from federation.figures import COUNT, PEOPLE, PERCENT, Figure, FigureSet
from orgtree.models import Office
from orgtree.rollups import Base, figures_by_child, figures_total


def period_start():
    """settings.TRAINING_PERIOD_START as a date (None: since the start of each executive's term)."""
    value = getattr(settings, "TRAINING_PERIOD_START", None)
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value or None


def _in_period(prefix=""):
    def where(day):
        q = Q(**{f"{prefix}starts_on__lte": day or timezone.localdate()})
        start = period_start()
        return q & Q(**{f"{prefix}starts_on__gte": start}) if start else q

    return where


def _trained(day):
    attended = Attendance.objects.filter(person_id=OuterRef("person_id")).filter(_in_period("session__")(day))
    if period_start() is None:
        attended = attended.filter(
            session__starts_on__gte=Coalesce(OuterRef("term__started_on"), OuterRef("started_on"))
        )
    return Q(Exists(attended))


def _evaluate(units, day=None):
    """{unit id: figures} of each of `units` over its subtree, in a fixed number of statements (the
    evaluator reform's automatic checklist items call for keys outside the coverage figures)."""
    return {unit.pk: values for unit, values in figures_by_child(list(units), _bases(day), FIGURES)}


FIGURES = FigureSet(
    "training",
    [
        Figure(
            "training_sessions",
            _("Training sessions"),
            _("Sessions organized by units of the subtree that have started (in the period, when one is set)."),
            COUNT,
            counted="sessions",
            where=_in_period(),
        ),
        Figure(
            "training_attendances",
            _("Training attendances"),
            _("Attendances (人次) of those sessions: each person counts once per session."),
            PEOPLE,
            counted="attendances",
            where=_in_period("session__"),
        ),
        Figure(
            "executives_in_office",
            _("Executives in office"),
            _("Seats on the committees of open units of the subtree held today."),
            PEOPLE,
            counted="offices",
        ),
        Figure(
            "executives_trained",
            _("Executives trained"),
            _(
                "Executives in office who attended at least one session in the period: since the start of "
                "their current term, or since the date the setting TRAINING_PERIOD_START fixes."
            ),
            PEOPLE,
            counted="offices",
            where=_trained,
        ),
        Figure(
            "executives_trained_rate",
            _("Trained %"),
            _("executives_trained / executives_in_office, in percent."),
            PERCENT,
            rate=("executives_trained", "executives_in_office"),
        ),
    ],
    evaluate=_evaluate,
)


def _bases(day=None):
    today = timezone.localdate()
    day = day or today
    offices = Office.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day), started_on__lte=day, unit__closed_on__isnull=True
    )
    return [
        Base(TrainingSession.objects.all(), "unit__", FIGURES.measures("sessions", day)),
        Base(Attendance.objects.all(), "session__unit__", FIGURES.measures("attendances", day)),
        Base(offices, "unit__", FIGURES.measures("offices", day)),
    ]


def training_figures(unit, day=None):
    """Every training figure over `unit`'s subtree (three statements)."""
    return figures_total(unit, _bases(day), FIGURES)


def training_by_child(unit, day=None, children=None, keys=None):
    """[(child, figures)] for the open children of `unit` (or `children`, when the caller has them;
    with `keys`, only those figures): a fixed number of statements."""
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    return figures_by_child(children, _bases(day), FIGURES, keys)
