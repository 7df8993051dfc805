"""The executives' figures (federation.figures set "executives"): training and contact with women,
rolled up the tree in a fixed number of statements (orgtree.rollups), as reform/figures.py does.
One set, so that every rate and average of an executive shares the one denominator
`executives_in_office` (defined once).

- executives_in_office: offices held on the day (today by default) on the committees of open units
  of the subtree (each seat counts, as the coverage figure `executives` does, at every level);
- executives_trained: those of them whose holder attended at least one session started in the
  period: since settings.TRAINING_PERIOD_START when set (a date), otherwise since the start of the
  office's current term (the office's own start where it has no term), and not after the day;
  executives_trained_rate: executives_trained / executives_in_office, in percent;
- training_sessions: sessions organized by units of the subtree that started by the day (since
  TRAINING_PERIOD_START when set); training_attendances: their attendances (人次);
- executives_with_contacts: executives in office whose contact list counts at least one woman;
  executives_with_contacts_rate: of executives_in_office, in percent; women_contacted: the women on
  those lists; contacts_per_executive: women_contacted / executives_in_office, an average with one
  decimal (federation.figures.Average, not a percent), those who keep no list included;
- contact_visits, contact_visit_women: entries of the contact log dated in the period (default: this
  calendar year; for a day given, from 1 January of its year to the day) and their women (人次).

The contact lists are counts as they stand (they keep no history): for a past day they are today's
lists of the offices held that day.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from executives.models import Attendance, ContactList, ContactVisit, TrainingSession
from federation.figures import COUNT, PEOPLE, PERCENT, Average, Figure, FigureSet
from orgtree.models import Office
from orgtree.rollups import Base, figures_by_child, total

PER_EXECUTIVE = pgettext_lazy("unit of measure", "women per executive")


# --- periods --------------------------------------------------------------------------------------------


def period_start():
    """settings.TRAINING_PERIOD_START as a date (None: since the start of each executive's term)."""
    value = getattr(settings, "TRAINING_PERIOD_START", None)
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value or None


def this_year(today=None):
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def period_from(params):
    """(first, last) day of the contact log's period named by `from` and `to` (YYYY-MM-DD) in
    `params`; by default this calendar year. ValidationError in Chinese for a date that is no date or
    a reversed period."""
    first, last = this_year()
    errors = {}
    for name in ("from", "to"):
        value = (params.get(name) or "").strip()
        if not value:
            continue
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            errors[name] = [gettext("Enter a date such as 2025-01-31.")]
        elif name == "from":
            first = day
        else:
            last = day
    if not errors and first > last:
        errors["to"] = [gettext("The end of the period comes before its start.")]
    if errors:
        raise ValidationError(errors)
    return first, last


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


def _evaluate(units, day=None, keys=None):
    """{unit id: figures} of each of `units` over its subtree (with `keys`, only those, counting only
    the sources they need), in a fixed number of statements: the evaluator reform's automatic
    checklist items and milestones and the coverage dashboard's export and snapshots call for keys
    outside the coverage figures."""
    return {unit.pk: values for unit, values in figures_by_child(list(units), _bases(day), FIGURES, keys)}


FIGURES = FigureSet(
    "executives",
    [
        Figure(
            "executives_in_office",
            _("Executives in office"),
            _("Seats on the committees of open units of the subtree held today."),
            PEOPLE,
            counted="offices",
        ),
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
        Figure(
            "executives_with_contacts",
            _("Executives keeping contact"),
            _("Executives in office whose contact list counts at least one woman."),
            PEOPLE,
            counted="lists",
            where=Q(women__gt=0),
        ),
        Figure(
            "executives_with_contacts_rate",
            _("Keeping contact %"),
            _("executives_with_contacts / executives_in_office, in percent."),
            PERCENT,
            rate=("executives_with_contacts", "executives_in_office"),
        ),
        Figure(
            "women_contacted",
            _("Women contacted"),
            _(
                "Women on the contact lists of executives in office, each counted once in her main category "
                "(in difficulty, disabled, left-behind, single mother, other)."
            ),
            PEOPLE,
            counted="lists",
            summed="women",
        ),
        Average(
            "contacts_per_executive",
            _("Women per executive"),
            _(
                "women_contacted / executives_in_office, one decimal: the average over every executive in "
                "office, those who keep no list included (not a percent)."
            ),
            PER_EXECUTIVE,
            per=("women_contacted", "executives_in_office"),
        ),
        Figure(
            "contact_visits",
            _("Contacts logged"),
            _("Entries of the contact log dated in the period (default: this calendar year), of open units."),
            COUNT,
            counted="visits",
        ),
        Figure(
            "contact_visit_women",
            _("Women reached (times)"),
            _("The number of women of those log entries, added up (人次: a woman met twice counts twice)."),
            PEOPLE,
            counted="visits",
            summed="women",
        ),
    ],
    evaluate=_evaluate,
    title=_("Executives at work"),
)

TRAINING_KEYS = [
    "training_sessions",
    "training_attendances",
    "executives_in_office",
    "executives_trained",
    "executives_trained_rate",
]
CONTACT_KEYS = [
    "executives_in_office",
    "executives_with_contacts",
    "executives_with_contacts_rate",
    "women_contacted",
    "contacts_per_executive",
    "contact_visits",
    "contact_visit_women",
]


def _bases(day=None, period=None):
    """One base per source, as of `day` (today by default); the contact log over `period` (by
    default this year, or from 1 January of the day's year to the day when a day is given)."""
    if period is None:
        period = this_year() if day is None else (datetime.date(day.year, 1, 1), day)
    day = day or timezone.localdate()
    live = Q(unit__closed_on__isnull=True)
    held = Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    list_held = Q(office__started_on__lte=day) & (Q(office__ended_on__isnull=True) | Q(office__ended_on__gt=day))
    first, last = period
    sources = {
        "offices": (Office.objects.filter(live & held), "unit__"),
        "sessions": (TrainingSession.objects.all(), "unit__"),
        "attendances": (Attendance.objects.all(), "session__unit__"),
        "lists": (ContactList.objects.filter(live & list_held), "unit__"),
        "visits": (ContactVisit.objects.filter(live, date__gte=first, date__lte=last), "unit__"),
    }
    # Some measures are subqueries, which sqlcache cannot describe: the statements depend on these only
    # (the training period's start is a setting).
    key = ("executives", day, first, last, period_start())
    return [
        Base(rows, path, FIGURES.measures(source, day), key=(*key, source)) for source, (rows, path) in sources.items()
    ]


def _needed(bases, keys):
    """The bases with only the measures `keys` need (the others left out: no statement for them)."""
    needed = FIGURES.needs(keys)
    found = [base._replace(measures={k: m for k, m in base.measures.items() if k in needed}) for base in bases]
    return [base for base in found if base.measures]


def executive_figures(unit, day=None, period=None, keys=None):
    """The figures of `keys` (all by default) over `unit`'s subtree: one statement per source they
    are counted from."""
    keys = list(FIGURES) if keys is None else keys
    sums = {}
    for base in _needed(_bases(day, period), keys):
        sums.update(total(unit, base.rows, base.measures, base.path, base.tree_path))
    return FIGURES.complete(sums, keys)


def executives_by_child(unit, day=None, period=None, children=None, keys=None):
    """[(child, figures)] for the open children of `unit` (or `children`, when the caller has them;
    with `keys`, only those figures): one statement or a few per source, whatever the children."""
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    return figures_by_child(children, _bases(day, period), FIGURES, keys)


def training_figures(unit, day=None):
    """The training figures over `unit`'s subtree (three statements)."""
    return executive_figures(unit, day, keys=TRAINING_KEYS)


def training_by_child(unit, day=None, children=None, keys=None):
    return executives_by_child(unit, day, children=children, keys=keys or TRAINING_KEYS)


def contact_figures(unit, period=None):
    """The contact figures over `unit`'s subtree (the period: the log's; default this year)."""
    return executive_figures(unit, period=period, keys=CONTACT_KEYS)


def contacts_by_child(unit, period=None, children=None):
    return executives_by_child(unit, period=period, children=children, keys=CONTACT_KEYS)
