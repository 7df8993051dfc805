"""报送: periodic reports — reporting plans, their periods, the reports' states, completeness and
timeliness, the daily notice of missing reports, the Excel export and the 周报's section.

A plan (ReportPlan) is set by a unit for its subtree: the units of `submitting_kind` (counties by
default) report every period of its cadence — weekly (Monday to Sunday), monthly (the calendar
month) or half-yearly (January–June, July–December) — from `starts_on` to `ends_on`; the first and
last periods are cut at those days. A report's figures are the stored coverage figures of the unit's
subtree at the period's end (REPORT_KEYS), refreshed whenever the draft is saved and frozen at
submission, with their change since the previous period (its report's figures, else the figures at
the day before the period). States: draft → submitted → accepted, or returned (with a comment) →
edited and submitted again → …; accepted reports are read-only. The unit's editors write and submit
it; the level above decides (下管一级: scope.can_oversee, BANYAN["REVIEW_ANY_LEVEL_ABOVE"]).

A report is on time when first submitted within `due_days` days after its period's end (the
plan's, by default BANYAN["REPORT_DUE_DAYS"]). Completeness = submitted / expected, timeliness =
on time / expected, where expected are the units of the submitting kind open at the period's end.
"""

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from federation import audit, notices, scope, writes
from federation.models import Role
from federation.validators import validate_plan_date
from federation.workbook import Workbook
from orgtree.choices import ANCESTOR_COLUMNS, Kind
from orgtree.coverage import FIGURES as COVERAGE
from orgtree.coverage import alive, coverage, monday
from orgtree.models import Unit
from reform.models import Cadence, Campaign, Report, ReportPlan, ReportState

# The counts of completeness and timeliness, and the analysis texts, as labelled everywhere they are shown.
COUNT_LABELS = {
    "expected": _l("Expected"),
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "on_time": _l("On time"),
    "late": _l("Late"),
    "missing": _l("Missing"),
    "completeness": _l("Completeness rate"),
    "timeliness": _l("Timeliness rate"),
}
TEXT_LABELS = {
    "progress": _l("Progress"),
    "problems": _l("Problems"),
    "next_steps": _l("Next steps"),
}

# The key figures a report carries (the dashboard's headlines and weekly columns).
REPORT_KEYS = [
    "villages_total",
    "villages_converted",
    "conversion_rate",
    "executives",
    "chairs",
    "chairs_in_two_committees",
    "chairs_in_two_committees_rate",
    "terms_overdue",
    "womens_homes",
    "childrens_homes",
]
PLAN_FIELDS = ("name", "campaign", "cadence", "submitting_kind", "starts_on", "ends_on", "due_days")
REPORT_FIELDS = ("progress", "problems", "next_steps", "state", "comment")
TEXT_FIELDS = ("progress", "problems", "next_steps")
TEXT_MAX = 5000
# The level of each kind that may submit or set plans (a plan's submitting level lies below its unit).
LEVELS = {
    Kind.NATIONAL: 0,
    Kind.PROVINCE: 1,
    Kind.CITY: 2,
    Kind.COUNTY: 3,
    Kind.TOWNSHIP: 4,
    Kind.STREET: 4,
    Kind.VILLAGE: 5,
    Kind.COMMUNITY: 5,
}
SUBMITTING_KINDS = [Kind.CITY, Kind.COUNTY, Kind.TOWNSHIP, Kind.STREET, Kind.VILLAGE, Kind.COMMUNITY]
COUNTS = ["expected", "submitted", "accepted", "returned", "on_time", "late", "missing"]


# --- periods ---------------------------------------------------------------------------------------


def period_of(cadence, day):
    """(first, last) day of the period of `cadence` holding `day`."""
    if cadence == Cadence.WEEKLY:
        first = monday(day)
        return first, first + datetime.timedelta(days=6)
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if cadence == Cadence.HALF_YEARLY:
        if day.month <= 6:
            return datetime.date(day.year, 1, 1), datetime.date(day.year, 6, 30)
        return datetime.date(day.year, 7, 1), datetime.date(day.year, 12, 31)
    raise ValueError(cadence)


def previous_period(cadence, day):
    """The period before the one holding `day`."""
    first, _last = period_of(cadence, day)
    return period_of(cadence, first - datetime.timedelta(days=1))


def _clipped(plan, first, last):
    first = max(first, plan.starts_on)
    if plan.ends_on is not None:
        last = min(last, plan.ends_on)
    return (first, last) if first <= last else None


def plan_period(plan, day):
    """The plan's period holding `day` (cut at the plan's start and end), or None outside the plan."""
    if day < plan.starts_on or (plan.ends_on is not None and day > plan.ends_on):
        return None
    return _clipped(plan, *period_of(plan.cadence, day))


def periods(plan, until):
    """The plan's periods that have begun by `until`, oldest first."""
    found = []
    day = plan.starts_on
    last_day = until if plan.ends_on is None else min(until, plan.ends_on)
    while day <= last_day:
        period = _clipped(plan, *period_of(plan.cadence, day))
        if period is None:  # pragma: no cover - a period holding a day of the plan is never empty
            break
        found.append(period)
        day = period[1] + datetime.timedelta(days=1)
    return found


def ended_periods(plan, day):
    """The plan's periods that ended before `day`, oldest first."""
    return [p for p in periods(plan, day) if p[1] < day]


def period_ending(plan, end):
    """The plan's period that ends on `end`; a ValidationError in Chinese when none does."""
    if isinstance(end, datetime.date):
        try:
            validate_plan_date(end)
        except ValidationError as exc:
            raise ValidationError({"period_end": exc.messages}) from exc
    period = plan_period(plan, end) if isinstance(end, datetime.date) else None
    if period is None or period[1] != end:
        raise ValidationError({"period_end": _("No period of this plan ends on that day.")})
    return period


def due_on(plan, end):
    """The last day a report of the period ending `end` is on time."""
    return end + datetime.timedelta(days=plan.due_days)


def _cutoff(plan, end):
    """The first moment a first submission is late (midnight after the due day, local time)."""
    day = due_on(plan, end) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def is_on_time(report):
    return report.first_submitted_at is not None and report.first_submitted_at < _cutoff(report.plan, report.period_end)


def timeliness_of(report, today=None):
    """ "on_time", "late", "overdue" (not submitted after the due day), "pending" (not yet due)."""
    if report is not None and report.first_submitted_at is not None:
        return "on_time" if is_on_time(report) else "late"
    today = today or timezone.localdate()
    return "overdue" if report is not None and today > due_on(report.plan, report.period_end) else "pending"


# --- which plans concern a unit ----------------------------------------------------------------------


def _above(unit):
    """A Q for the units above `unit` that may set a plan concerning it, from its own columns (no
    query): its parent, its province, city and county, and the national federation."""
    ids = {i for i in (unit.parent_id, unit.province_id, unit.city_id, unit.county_id, unit.pk) if i}
    return Q(unit__in=ids) | Q(unit__kind=Kind.NATIONAL)


def plans_concerning(unit):
    """Plans set by the unit, by a unit above it or by a unit in its subtree (newest first)."""
    return (
        ReportPlan.objects.filter(_above(unit) | unit.subtree_q("unit__"))
        .select_related("unit", "campaign")
        .order_by("-starts_on", "-pk")
    )


def plans_in_reach(queryset, user):
    """Plans a user may name: those set in her subtrees and above them."""
    if not user.is_authenticated or user.is_superuser:
        return scope.restrict(queryset, user)
    above = {a.pk for unit in scope.scope_units(user) for a in unit.lineage()}
    return scope.restrict(queryset, user) | queryset.filter(unit__in=above)


def submits(plan, unit):
    """Does `unit` submit reports under `plan`? (its kind, and in the plan unit's subtree)"""
    return unit.kind == plan.submitting_kind and Unit.objects.filter(plan.unit.subtree_q(), pk=unit.pk).exists()


# --- figures ----------------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def figures_at(unit, day):
    """The key figures of `unit`'s subtree at `day` (today's stored figures when `day` is not past)."""
    today = timezone.localdate()
    found = coverage(unit, day if day < today else None)
    return {key: _jsonable(found.get(key)) for key in REPORT_KEYS}


def change_between(now, before):
    """{key: now − before} (None where either is missing)."""
    change = {}
    for key in REPORT_KEYS:
        a, b = now.get(key), (before or {}).get(key)
        change[key] = None if a is None or b is None else round(a - b, 1)
    return change


def _previous_figures(plan, unit, start):
    """The previous period's figures: its report's when there is one, else those at the day before."""
    previous = (
        Report.objects.filter(plan=plan, unit=unit, period_end__lt=start)
        .exclude(figures={})
        .order_by("-period_end")
        .values_list("figures", flat=True)
        .first()
    )
    return previous if previous else figures_at(unit, start - datetime.timedelta(days=1))


def _fill(report):
    report.figures = figures_at(report.unit, report.period_end)
    report.change = change_between(report.figures, _previous_figures(report.plan, report.unit, report.period_start))


def preview(plan, unit, period):
    """An unsaved report of the period, its figures filled (a page shows it before the first save)."""
    report = Report(plan=plan, unit=unit, period_start=period[0], period_end=period[1])
    _fill(report)
    return report


def figure_rows(report):
    """[(label, value, change)] of the report's figures, in REPORT_KEYS order."""
    return [(COVERAGE.label(k), report.figures.get(k), (report.change or {}).get(k)) for k in REPORT_KEYS]


# --- plans ------------------------------------------------------------------------------------------


def _check_plan(plan):
    errors = {}
    if plan.unit.kind not in LEVELS:
        errors["unit"] = _("Reporting plans are set by a federation of an administrative level.")
    elif plan.submitting_kind not in SUBMITTING_KINDS or LEVELS[plan.submitting_kind] <= LEVELS[plan.unit.kind]:
        errors["submitting_kind"] = _("The submitting level must lie below %(unit)s.") % {"unit": plan.unit}
    if plan.campaign_id and not Unit.objects.filter(plan.campaign.unit.subtree_q(), pk=plan.unit_id).exists():
        errors["campaign"] = _("The campaign must be one of %(unit)s or of a unit above it.") % {"unit": plan.unit}
    if plan.ends_on and plan.starts_on and plan.ends_on < plan.starts_on:
        errors["ends_on"] = _("The plan cannot end before it starts.")
    if plan.due_days is not None and plan.due_days > 366:
        errors["due_days"] = _("Give at most 366 days to submit.")
    if errors:
        raise ValidationError(errors)
    plan.full_clean(exclude=["unit", "campaign", "created_by"])


def create_plan(user, unit, *, source="web", **fields):
    """A reporting plan set by `unit` (its editors and admins, or above). Tied to a campaign, the
    dates default to the campaign's (when no start is given); the name to the campaign's and the
    cadence."""
    scope.require(user, scope.CHANGE, unit)
    data = {k: v for k, v in fields.items() if k in PLAN_FIELDS and v not in (None, "")}
    campaign = data.get("campaign")
    if isinstance(campaign, Campaign) and "starts_on" not in data:  # no dates given: the campaign's
        data["starts_on"] = campaign.starts_on
        data.setdefault("ends_on", campaign.ends_on)
    plan = ReportPlan(unit=unit, created_by=user, **data)
    if not plan.name:
        cadence = Cadence(plan.cadence).label if plan.cadence in Cadence.values else ""
        plan.name = f"{campaign.name} · {cadence}" if campaign else str(cadence)
    if not plan.starts_on:
        raise ValidationError({"starts_on": _("Give the day the plan starts.")})
    _check_plan(plan)
    return writes.create(plan, user, PLAN_FIELDS, source=source)


def update_plan(user, plan, *, version=None, source="web", **fields):
    scope.require(user, scope.CHANGE, plan.unit)
    with transaction.atomic():
        current = writes.locked(ReportPlan, plan.pk, related=("unit",))
        writes.check_version(current, version)
        before = audit.snapshot(current, PLAN_FIELDS)
        for name, value in fields.items():
            if name in PLAN_FIELDS:
                setattr(current, name, value)
        periods_changed = any(
            before[name] != audit.snapshot(current, (name,))[name]
            for name in ("cadence", "starts_on", "submitting_kind")
        )
        if periods_changed and current.reports.exists():
            raise ValidationError(
                _("The cadence, the start and the submitting level cannot change once reports have been made.")
            )
        if not current.name:
            raise ValidationError({"name": _("Name the plan.")})
        _check_plan(current)
        return writes.save(current, user, before, PLAN_FIELDS, source=source)


# --- reports ----------------------------------------------------------------------------------------


def _texts(fields):
    texts = {}
    for name in TEXT_FIELDS:
        if name in fields and fields[name] is not None:
            value = str(fields[name]).strip()
            if "\x00" in value:
                raise ValidationError({name: _("The text holds a character that cannot be stored.")})
            if len(value) > TEXT_MAX:
                raise ValidationError({name: _("Write at most %(n)d characters.") % {"n": TEXT_MAX}})
            texts[name] = value
    return texts


def open_report(user, plan, unit, period_end, *, source="web", **fields):
    """The unit's report of the period ending `period_end`, a new draft (figures filled, with the
    analysis texts given) if none yet. Only the unit's editors open one, for a period that has begun."""
    scope.require(user, scope.CHANGE, unit)
    texts = _texts(fields)
    if not submits(plan, unit):
        raise ValidationError({"unit": _("%(unit)s does not submit reports under this plan.") % {"unit": unit}})
    first, last = period_ending(plan, period_end)
    if first > timezone.localdate():
        raise ValidationError({"period_end": _("This period has not begun yet.")})
    existing = Report.objects.filter(plan=plan, unit=unit, period_end=last).first()
    if existing is not None:
        return existing
    report = Report(plan=plan, unit=unit, period_start=first, period_end=last, **texts)
    _fill(report)
    return writes.create(report, user, REPORT_FIELDS, source=source)


def _editable(current):
    if current.state == ReportState.ACCEPTED:
        raise ValidationError(_("This report has been accepted; it can no longer be changed."))
    if current.state == ReportState.SUBMITTED:
        raise ValidationError(_("This report has been submitted and awaits review; it cannot be changed now."))


def save_draft(user, report, *, version=None, source="web", **fields):
    """Save the analysis texts of a draft or returned report; the figures are refreshed."""
    scope.require(user, scope.CHANGE, report.unit)
    texts = _texts(fields)
    with transaction.atomic():
        current = writes.locked(Report, report.pk, related=("unit", "plan"))
        writes.check_version(current, version)
        _editable(current)
        before = audit.snapshot(current, REPORT_FIELDS)
        for name, value in texts.items():
            setattr(current, name, value)
        _fill(current)
        return writes.save(current, user, before, REPORT_FIELDS, source=source)


def submit(user, report, *, version=None, source="web", at=None, **fields):
    """Submit (or resubmit, after a return) the report to the level above; its figures are frozen.
    From the last day of its period; the progress (进展) must be written. `at`: the moment recorded
    (default now; the demo back-dates its reports)."""
    scope.require(user, scope.CHANGE, report.unit)
    texts = _texts(fields)
    with transaction.atomic():
        current = writes.locked(Report, report.pk, related=("unit", "plan"))
        writes.check_version(current, version)
        _editable(current)
        if current.period_end > timezone.localdate():
            raise ValidationError(_("A report can be submitted from the last day of its period."))
        before = audit.snapshot(current, REPORT_FIELDS)
        for name, value in texts.items():
            setattr(current, name, value)
        if not current.progress.strip():
            raise ValidationError({"progress": _("Describe the progress (进展) before submitting.")})
        _fill(current)
        now = at or timezone.now()
        current.state = ReportState.SUBMITTED
        current.submitted_at, current.submitted_by = now, user
        current.first_submitted_at = current.first_submitted_at or now
        return writes.save(current, user, before, REPORT_FIELDS, source=source)


def can_decide(user, report):
    return scope.can_oversee(user, report.unit)


def decide(user, report, accept, comment="", *, version=None, source="web", at=None):
    """The level above accepts a submitted report or returns it with a comment (下管一级)."""
    if user is not None and not can_decide(user, report):
        if scope.review_any_level_above() or report.unit.parent_id is None:
            message = _("Reports are reviewed by the level above: %(unit)s cannot review its own.")
        else:
            message = _("Reports of %(unit)s are reviewed by the level directly above it, %(parent)s (下管一级).")
        raise PermissionDenied(message % {"unit": report.unit, "parent": report.unit.parent})
    comment = (comment or "").strip()
    if "\x00" in comment or len(comment) > TEXT_MAX:
        raise ValidationError({"comment": _("Write at most %(n)d characters.") % {"n": TEXT_MAX}})
    with transaction.atomic():
        current = writes.locked(Report, report.pk, related=("unit", "plan"))
        writes.check_version(current, version)
        if current.state != ReportState.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted or returned."))
        if not accept and not comment:
            raise ValidationError({"comment": _("Say why the report is returned.")})
        before = audit.snapshot(current, REPORT_FIELDS)
        current.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
        current.comment = comment
        current.decided_at, current.decided_by = at or timezone.now(), user
        return writes.save(current, user, before, REPORT_FIELDS, source=source, note=comment)


# --- completeness and timeliness --------------------------------------------------------------------


def _counts(expected, found):
    submitted, on_time = found.get("submitted", 0), found.get("on_time", 0)
    counts = {
        "expected": expected,
        "submitted": submitted,
        "accepted": found.get("accepted", 0),
        "returned": found.get("returned", 0),
        "on_time": on_time,
        "late": submitted - on_time,
        "missing": max(expected - submitted, 0),
    }
    counts["completeness"] = round(100 * submitted / expected, 1) if expected else None
    counts["timeliness"] = round(100 * on_time / expected, 1) if expected else None
    return counts


def _child_of(children, unit):
    """A Case naming, for a unit row, the child of `children` (or `unit` itself) whose subtree holds
    it: by the ancestor columns, a township's tree or an MPTT range — one expression, one query."""
    whens = [When(pk=unit.pk, then=Value(unit.pk))]
    by_column: dict = {}
    for child in children:
        column = ANCESTOR_COLUMNS.get(child.kind)
        if column:
            by_column.setdefault(column, []).append(child.pk)
        elif child.tree_parent_id is None:  # a township roots its own tree
            whens.append(When(tree_id=child.tree_id, then=Value(child.pk)))
        else:
            whens.append(When(tree_id=child.tree_id, lft__gte=child.lft, lft__lte=child.rght, then=Value(child.pk)))
    for column, ids in by_column.items():
        whens.append(When(pk__in=ids, then=F("pk")))
        whens.append(When(**{f"{column}_id__in": ids}, then=F(f"{column}_id")))
    return Case(*whens, default=None, output_field=IntegerField())


def completeness(unit, plan, end, children=None):
    """{"children": [(child, counts)], "total": counts} for the period of `plan` ending `end`: per
    child of `unit` (those open at the period's end with any unit expected), the units of the
    submitting kind open at the period's end in its subtree (and the plan's) — expected — and how
    many submitted (ever), were accepted, returned, on time, late, missing. The unit itself counts
    in the total when it submits. One query (and one for the children when not given), whatever the
    number of units."""
    if children is None:
        children = list(unit.children.filter(alive(end)).order_by("code", "name", "pk"))
    report = FilteredRelation("reports", condition=Q(reports__plan=plan, reports__period_end=end))
    grouped = (
        Unit.objects.filter(alive(end), plan.unit.subtree_q(), unit.subtree_q(), kind=plan.submitting_kind)
        .annotate(child=_child_of(children, unit), report=report)
        .filter(child__isnull=False)
        .order_by()
        .values("child")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(report__first_submitted_at__isnull=False)),
            accepted=Count("pk", filter=Q(report__state=ReportState.ACCEPTED)),
            returned=Count("pk", filter=Q(report__state=ReportState.RETURNED)),
            on_time=Count("pk", filter=Q(report__first_submitted_at__lt=_cutoff(plan, end))),
        )
    )
    found = {row["child"]: row for row in grouped}
    rows = [(c, _counts(found[c.pk]["expected"], found[c.pk])) for c in children if c.pk in found]
    total = {k: sum(row.get(k, 0) for row in found.values()) for k in ("submitted", "accepted", "returned", "on_time")}
    expected = sum(row["expected"] for row in found.values())
    return {"children": rows, "total": _counts(expected, total)}


def completeness_over(unit, plan, ends, children=None):
    """The same counts added up over several periods (their ends): a unit expected in three periods
    counts three times. A fixed number of queries per period."""
    if children is None:
        children = list(unit.children.open().order_by("code", "name", "pk"))
    sums: dict = {c.pk: dict.fromkeys(COUNTS, 0) for c in children}
    totals = dict.fromkeys(COUNTS, 0)
    for end in ends:
        found = completeness(unit, plan, end, children)
        for child, counts in found["children"]:
            for key in COUNTS:
                sums[child.pk][key] += counts[key]
        for key in COUNTS:
            totals[key] += found["total"][key]
    rows = [(c, _counts(sums[c.pk]["expected"], sums[c.pk])) for c in children if sums[c.pk]["expected"]]
    return {"children": rows, "total": _counts(totals["expected"], totals)}


def submitting_units(unit, plan, end):
    """The units expected to report for the period ending `end` in `unit`'s subtree, by code."""
    return list(
        Unit.objects.filter(alive(end), plan.unit.subtree_q(), unit.subtree_q(), kind=plan.submitting_kind).order_by(
            "code", "name", "pk"
        )
    )


def period_reports(unit, plan, end):
    """[(submitting unit, its report or None)] of the period ending `end` in `unit`'s subtree."""
    units = submitting_units(unit, plan, end)
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(plan=plan, period_end=end, unit__in=[u.pk for u in units]).select_related(
            "plan", "submitted_by", "decided_by"
        )
    }
    return [(u, reports.get(u.pk)) for u in units]


# --- notices ----------------------------------------------------------------------------------------


def notify_missing(today=None, scopes=None):
    """Daily: tell the editors and admins of each submitting unit and of the level above how many
    reports are still missing after their due day (the latest period past due of each plan
    concerning them), and how many of that period came late. One notice per scope and day."""
    today = today or timezone.localdate()
    created = 0
    for user_scope in notices.open_scopes(scopes):
        if user_scope.role not in (Role.EDITOR, Role.ADMIN):
            continue
        unit = user_scope.unit
        plans = ReportPlan.objects.filter(_above(unit), starts_on__lte=today).select_related("unit")
        missing = late = 0
        for plan in plans:
            past_due = [p for p in ended_periods(plan, today) if due_on(plan, p[1]) < today]
            if not past_due:
                continue
            end = past_due[-1][1]
            near = Unit.objects.filter(
                Q(pk=unit.pk) | Q(parent=unit), alive(end), plan.unit.subtree_q(), kind=plan.submitting_kind
            )
            submitted = Report.objects.filter(plan=plan, period_end=end, first_submitted_at__isnull=False)
            missing += near.exclude(pk__in=submitted.values("unit_id")).count()
            late += submitted.filter(unit__in=near.values("pk"), first_submitted_at__gte=_cutoff(plan, end)).count()
        if missing:
            created += notices.notify(
                user_scope,
                "reform-reports-missing",
                today,
                url=reverse("reform:reports", args=[unit.pk]),
                message=_(
                    "%(unit)s: %(missing)d periodic reports not submitted after their due day, %(late)d submitted late."
                )
                % {"unit": unit.name, "missing": missing, "late": late},
            )
    return {"notified": created}


# --- export and the 周报's section ------------------------------------------------------------------


def timeliness_label(value):
    labels = {
        "on_time": _("On time"),
        "late": _("Late"),
        "overdue": _("Missing after the due day"),
        "pending": _("Not yet due"),
    }
    return labels[value]


def period_workbook(unit, plan, end):
    """An .xlsx of the period's reports by unit of `unit`'s subtree: state, submitted at, on time or
    late, the figures and their change, the texts; units that have not submitted are listed as such."""
    today = timezone.localdate()
    book = Workbook()
    sheet = book.sheet(_("Reports"))
    headers = [
        _("Unit"),
        _("State"),
        _("First submitted at"),
        _("Submitted at"),
        _("Timeliness"),
        *[str(COVERAGE.label(k)) for k in REPORT_KEYS],
        *[_("Change: %(figure)s") % {"figure": COVERAGE.label(k)} for k in REPORT_KEYS],
        _("Progress"),
        _("Problems"),
        _("Next steps"),
        _("Review comment"),
    ]
    sheet.append(headers, bold=True)
    for submitting, report in period_reports(unit, plan, end):
        if report is None or report.first_submitted_at is None:
            state = _("Not submitted")
            overdue = today > due_on(plan, end)
            sheet.append(
                [
                    submitting.name,
                    state,
                    None,
                    None,
                    timeliness_label("overdue" if overdue else "pending"),
                    *[None] * (2 * len(REPORT_KEYS)),
                    report.progress if report else "",
                    report.problems if report else "",
                    report.next_steps if report else "",
                    "",
                ]
            )
            continue
        sheet.append(
            [
                submitting.name,
                report.get_state_display(),
                timezone.localtime(report.first_submitted_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M") if report.submitted_at else None,
                timeliness_label(timeliness_of(report, today)),
                *[report.figures.get(k) for k in REPORT_KEYS],
                *[(report.change or {}).get(k) for k in REPORT_KEYS],
                report.progress,
                report.problems,
                report.next_steps,
                report.comment,
            ]
        )
    sheet.widths([20, 14, 18, 18, 14, *[10] * (2 * len(REPORT_KEYS)), 40, 40, 40, 30])
    sheet.freeze("B2")
    return book.to_bytes()


def document_section(unit, start, end):
    """The 报送 section of a unit's 周报 for the days [start, end], as plain JSON-serializable data:

    {"unit": id, "name": str, "start": "YYYY-MM-DD", "end": "YYYY-MM-DD",
     "plans": [{"plan": id, "name": str, "cadence": str, "cadence_label": str, "submitting_kind": str,
                "due_days": int,
                "periods": [{"start", "end", "due_on": "YYYY-MM-DD",
                             "total": counts,
                             "children": [{"unit": id, "name": str, **counts}],
                             "reports": [{"unit": id, "unit_name": str, "state": str, "state_label": str,
                                          "timeliness": "on_time"|"late"|"overdue"|"pending",
                                          "submitted_at": ISO datetime or None,
                                          "progress": str, "problems": str, "next_steps": str,
                                          "figures": {key: value}, "change": {key: value}}]}]}]}

    `counts` are {"expected", "submitted", "accepted", "returned", "on_time", "late", "missing",
    "completeness", "timeliness"} (the last two percentages or None). The plans are those concerning
    the unit (set by it, above it or in its subtree); the periods those ending within [start, end];
    `children` the unit's children with any unit expected; `reports` the reports written (draft ones
    included, with their state) by the units of the unit's subtree, by unit code."""
    today = timezone.localdate()
    children = list(unit.children.open().order_by("code", "name", "pk"))
    section: dict = {"unit": unit.pk, "name": unit.name, "start": start.isoformat(), "end": end.isoformat()}
    section["plans"] = []
    for plan in plans_concerning(unit):
        ends = [p for p in periods(plan, end) if start <= p[1] <= end]
        if not ends:
            continue
        rows = []
        for first, last in ends:
            found = completeness(unit, plan, last, [c for c in children if alive_on(c, last)])
            reports = (
                Report.objects.filter(unit.subtree_q("unit__"), plan=plan, period_end=last)
                .select_related("unit", "plan")
                .order_by("unit__code", "unit__name", "pk")
            )
            rows.append(
                {
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                    "due_on": due_on(plan, last).isoformat(),
                    "total": found["total"],
                    "children": [{"unit": c.pk, "name": c.name, **counts} for c, counts in found["children"]],
                    "reports": [
                        {
                            "unit": r.unit_id,
                            "unit_name": r.unit.name,
                            "state": r.state,
                            "state_label": str(r.get_state_display()),
                            "timeliness": timeliness_of(r, today),
                            "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                            "progress": r.progress,
                            "problems": r.problems,
                            "next_steps": r.next_steps,
                            "figures": r.figures,
                            "change": r.change,
                        }
                        for r in reports
                    ],
                }
            )
        section["plans"].append(
            {
                "plan": plan.pk,
                "name": plan.name,
                "cadence": plan.cadence,
                "cadence_label": str(plan.get_cadence_display()),
                "submitting_kind": plan.submitting_kind,
                "due_days": plan.due_days,
                "periods": rows,
            }
        )
    return section


def alive_on(unit, day):
    return (unit.opened_on is None or unit.opened_on <= day) and (unit.closed_on is None or unit.closed_on > day)


# --- the dashboard panel ---------------------------------------------------------------------------


def latest_plan(unit):
    """The plan concerning `unit` whose latest ended period is the most recent (None: none ended)."""
    today = timezone.localdate()
    best = None
    for plan in plans_concerning(unit).filter(starts_on__lt=today):
        ended = ended_periods(plan, today)
        if ended and (best is None or ended[-1][1] > best[1][1]):
            best = (plan, ended[-1])
    return best


def dashboard_panel(unit, children, figures):
    """报送 on the dashboard: completeness and timeliness by child of the latest ended period of the
    plan concerning the unit whose period ended last; None when no plan has an ended period or no
    child is expected to report. Two queries."""
    found = latest_plan(unit)
    if found is None:
        return None
    plan, (first, last) = found
    counts = completeness(unit, plan, last, [c for c in children if alive_on(c, last)])
    if not counts["children"]:  # no child expected to report (e.g. a county's own plan for itself)
        return None
    return {"reports": {"plan": plan, "period": (first, last), **counts}}
