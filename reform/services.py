"""Reform operations: the only way pages, the API and tasks write checklists, problems and tasks.

Each checks the writer's scope, refuses stale versions (optimistic concurrency, as for units) and
records who changed what. The level directly above reviews the level below (下管一级, scope.can_oversee;
BANYAN["REVIEW_ANY_LEVEL_ABOVE"] lets any level above).
"""

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, notices, scope, writes
from federation import figures as figure_sets
from federation.models import ChangeRecord, Role
from federation.uploads import check_upload
from orgtree.coverage import FIGURES, coverage, coverage_by_child
from orgtree.models import Unit
from reform.models import (
    UNRESOLVED,
    Assignment,
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    Evidence,
    ItemStatus,
    KeyTask,
    Milestone,
    Pilot,
    Problem,
    ProblemStatus,
    TaskStatus,
    ValueType,
    Visit,
)
from reform.models.checklist import automatic_key

ITEM_FIELDS = ("value_yes", "value_number", "value_text", "note", "status", "met", "review_comment")
PROBLEM_FIELDS = (
    "area",
    "description",
    "found_on",
    "deadline",
    "responsible",
    "status",
    "rectification",
    "resolved_on",
    "verified_on",
)
TASK_FIELDS = ("title", "deadline", "progress", "status", "note")
VISIT_FIELDS = ("kind", "date", "people_met", "meetings", "attendance", "findings")
MILESTONE_FIELDS = ("phase", "due_on", "coverage_key", "target", "description")


def _locked(model, pk):
    return writes.locked(model, pk, related=("unit",))


def _save(current, user, before, fields, source, note=""):
    return writes.save(current, user, before, fields, source=source, note=note)


# --- checklists ----------------------------------------------------------------------------------


def new_version(user, template):
    """A draft copy of `template` with the next version number, items included."""
    if user is not None and not user.is_superuser:
        raise PermissionDenied(_("Only a system administrator can edit checklist templates."))
    with transaction.atomic():
        latest = ChecklistTemplate.objects.filter(name=template.name).latest("version")
        copy = ChecklistTemplate.objects.create(
            name=template.name,
            version=latest.version + 1,
            description=template.description,
            based_on=template,
            created_by=user,
        )
        for item in template.items.all():
            item.pk = None
            item.template = copy
            item.save()
        return writes.create(copy, user, ("based_on",), source="web")


def assign(user, template, unit, due_on=None, *, source="web"):
    """Hand a published template to `unit`'s subtree: one item per open unit whose kind an item
    applies to. Assigning again (or an overlapping subtree) creates only what is missing."""
    if not template.is_published:
        raise ValidationError(_("Only a published template can be assigned."))
    scope.require(user, scope.CHANGE, unit)
    with transaction.atomic():
        assignment, made = Assignment.objects.get_or_create(
            template=template, unit=unit, defaults={"due_on": due_on, "assigned_by": user}
        )
        if made:
            writes.record_change(
                assignment,
                user,
                {"template": [None, template.pk], "due_on": [None, str(due_on) if due_on else None]},
                source=source,
                action=ChangeRecord.Action.CREATE,
            )
        template_items = list(template.items.all())
        kinds = {kind for item in template_items for kind in item.kinds}
        subtree = Unit.objects.open().within(unit).filter(kind__in=kinds)
        units = list(subtree.values_list("pk", "kind"))
        existing = set(
            ChecklistItem.objects.filter(template_item__template=template, unit__in=subtree.values("pk")).values_list(
                "template_item_id", "unit_id"
            )
        )
        new = [
            ChecklistItem(assignment=assignment, template_item=item, unit_id=pk)
            for pk, kind in units
            for item in template_items
            if kind in item.kinds and (item.pk, pk) not in existing
        ]
        ChecklistItem.objects.bulk_create(new, batch_size=5000)
        fill_automatic(ChecklistItem.objects.filter(assignment=assignment))
        return assignment, len(new)


def _parse_value(item, value):
    """The answer in the item's type, or a ValidationError in Chinese."""
    kind = item.template_item.value_type
    if kind == ValueType.YES_NO:
        if value in (True, "true", "True", "yes", "1", 1, "是"):
            return {"value_yes": True}
        if value in (False, "false", "False", "no", "0", 0, "否"):
            return {"value_yes": False}
        raise ValidationError({"value": _("Answer yes or no.")})
    if kind in (ValueType.NUMBER, ValueType.PERCENT):
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"value": _("Enter a number.")}) from None
        if not number.is_finite() or number < 0:
            raise ValidationError({"value": _("Enter a number that is not negative.")})
        if kind == ValueType.PERCENT and number > 100:
            raise ValidationError({"value": _("A percentage cannot exceed 100.")})
        # The size first: quantize() cannot represent a number of more than 28 digits (InvalidOperation).
        if number >= Decimal("1e10") or number != number.quantize(Decimal("0.01")):
            raise ValidationError({"value": _("Enter a number with at most two decimals.")})
        return {"value_number": number}
    text = str(value or "").strip()
    if not text:
        raise ValidationError({"value": _("Enter an answer.")})
    return {"value_text": text}


def fill(user, item, value, note="", *, version=None, source="web"):
    """An editor's answer to an item of her scope; it goes to the level above for review."""
    scope.require(user, scope.CHANGE, item.unit)
    with transaction.atomic():
        current = _locked(ChecklistItem, item.pk)
        writes.check_version(current, version)
        if current.template_item.automatic:
            raise ValidationError(
                {"value": _("This item is filled from the coverage figures; it cannot be entered by hand.")}
            )
        if current.status == ItemStatus.ACCEPTED:
            raise ValidationError(
                {"value": _("This item has been accepted; ask the level above to return it before changing it.")}
            )
        before = audit.snapshot(current, ITEM_FIELDS)
        for name, parsed in _parse_value(current, value).items():
            setattr(current, name, parsed)
        current.note = note or ""
        current.met = current.compute_met()
        current.status = ItemStatus.SUBMITTED
        current.filled_by = user
        current.filled_at = timezone.now()
        return _save(current, user, before, ITEM_FIELDS, source)


def review(user, item, accept, comment="", *, version=None, source="web"):
    """The level above accepts a submitted item or returns it with a comment."""
    if user is not None and not scope.can_oversee(user, item.unit):
        if scope.review_any_level_above() or item.unit.parent_id is None:
            message = _("Items are reviewed by the level above: %(unit)s cannot review its own.")
        else:
            message = _(
                "Checklist items of %(unit)s are reviewed by the level directly above it, %(parent)s (下管一级)."
            )
        raise PermissionDenied(message % {"unit": item.unit, "parent": item.unit.parent})
    with transaction.atomic():
        current = _locked(ChecklistItem, item.pk)
        writes.check_version(current, version)
        if current.status != ItemStatus.SUBMITTED and not (current.status == ItemStatus.ACCEPTED and not accept):
            raise ValidationError(_("Only a submitted item can be reviewed."))
        if not accept and not comment.strip():
            raise ValidationError({"comment": _("Say why the item is returned.")})
        before = audit.snapshot(current, ITEM_FIELDS)
        current.status = ItemStatus.ACCEPTED if accept else ItemStatus.RETURNED
        current.review_comment = comment.strip()
        current.reviewed_by = user
        current.reviewed_at = timezone.now()
        return _save(current, user, before, ITEM_FIELDS, source, comment)


def fill_automatic(items, day=None):
    """Fill items tied to a figure from the figures of their unit's subtree. Coverage figures: units
    grouped by parent, a few statements per parent, not per unit; a figure of another registered set
    (e.g. executives' training) through that set's evaluator, a fixed number of statements per set.
    Returns the items changed."""
    items = list(items.filter(template_item__coverage_key__gt="").select_related("template_item", "unit"))
    figures = _other_figures(items, day)
    by_parent = defaultdict(list)
    for item in items:
        if item.template_item.coverage_key in FIGURES:
            by_parent[item.unit.parent_id].append(item)
    for parent_id, group in by_parent.items():
        units = {item.unit_id: item.unit for item in group}
        if parent_id is None:
            for pk, unit in units.items():
                figures[pk].update(coverage(unit, day))
            continue
        parent = Unit.objects.get(pk=parent_id)
        for child, values in coverage_by_child(parent, day):
            if child.pk in units:
                figures[child.pk].update(values)
    changed = []
    for item in items:
        value = figures.get(item.unit_id, {}).get(item.template_item.coverage_key)
        number = None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
        if number == item.value_number and (number is None or item.status != ItemStatus.PENDING):
            continue  # unchanged: not rewritten each night
        item.value_number = number
        item.met = item.compute_met()
        if item.status in (ItemStatus.PENDING, ItemStatus.RETURNED) and number is not None:
            item.status = ItemStatus.SUBMITTED
        item.filled_at = timezone.now()
        changed.append(item)
    ChecklistItem.objects.bulk_update(changed, ["value_number", "met", "status", "filled_at"], batch_size=2000)
    return len(changed)


def _other_figures(items, day):
    """{unit id: {key: value}} of the figures outside coverage that these items are filled from,
    through the evaluator of each registered set (federation.figures.FigureSet.evaluate)."""
    figures: dict[int, dict] = defaultdict(dict)
    other_sets: dict[str, dict] = defaultdict(dict)
    other_keys: dict[str, set] = defaultdict(set)
    for item in items:
        key = item.template_item.coverage_key
        found = None if key in FIGURES else figure_sets.set_of(key)
        if found is not None and found.evaluate is not None:
            other_sets[found.name][item.unit_id] = item.unit
            other_keys[found.name].add(key)
    for name, units in other_sets.items():
        found = figure_sets.figure_set(name)
        keys = [key for key in found if key in other_keys[name]]  # only what the items are filled from
        for pk, values in found.evaluate(list(units.values()), day, keys).items():
            figures[pk].update(values)
    return figures


def evaluated(units, key, day=None):
    """{unit id: value of `key`} over each unit's subtree, for a key of a registered set that gives an
    evaluator (federation.figures.FigureSet.evaluate): a fixed number of statements for all units."""
    found = figure_sets.set_of(key)
    return {pk: values[key] for pk, values in found.evaluate(list(units), day, [key]).items()}


def refresh_automatic(unit_ids):
    """Refill the automatic items of these units and of every ancestor (whose subtree figures
    include theirs): one query per tree level to find the ancestors, then fill_automatic."""
    ids, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        frontier = (
            set(Unit.objects.filter(pk__in=frontier, parent__isnull=False).values_list("parent_id", flat=True)) - ids
        )
        ids |= frontier
    return fill_automatic(ChecklistItem.objects.filter(unit__in=ids, unit__closed_on__isnull=True))


def follow_figures(sender, unit_ids, **kwargs):
    """orgtree.signals.figures_changed: refresh the automatic items once the transaction commits.
    The units wait in one set per connection and the first callback to run takes them all, so a
    transaction that touches 300 villages (an import) refreshes once; units left by a rolled-back
    transaction are refreshed with the next commit, which recomputes them harmlessly."""
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault("_reform_figures_pending", set())
    pending.update(i for i in unit_ids if i is not None)
    transaction.on_commit(partial(_refresh_pending, connection))  # outside a transaction: at once


def _refresh_pending(connection):
    ids = set(connection._reform_figures_pending)
    connection._reform_figures_pending.clear()
    if ids:
        refresh_automatic(ids)


# --- evidence ----------------------------------------------------------------------------------


def attach_evidence(user, upload, *, item=None, problem=None, source="web"):
    target = item or problem
    scope.require(user, scope.CHANGE, target.unit)
    content_type, name = check_upload(upload)
    with transaction.atomic():
        evidence = Evidence(
            unit=target.unit,
            item=item,
            problem=problem,
            name=name,
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )
        evidence.file.save(name, upload, save=False)
        writes.create(evidence, user, ("name",), source=source)
        writes.record_change(target, user, {"evidence": [None, name]}, source=source)
        return evidence


# --- problems ------------------------------------------------------------------------------------


def report_problem(user, unit, *, source="web", visit=None, **fields):
    scope.require(user, scope.CHANGE, unit)
    problem = Problem(
        unit=unit, created_by=user, visit=visit, **{k: v for k, v in fields.items() if k in PROBLEM_FIELDS}
    )
    if problem.deadline and problem.found_on and problem.deadline < problem.found_on:
        raise ValidationError({"deadline": _("The deadline cannot be before the day the problem was found.")})
    problem.full_clean()
    return writes.create(problem, user, PROBLEM_FIELDS, source=source)


# status -> the statuses it may go to, and who moves it: the unit ("unit") or the level above ("above").
PROBLEM_STEPS = {
    ProblemStatus.OPEN: {ProblemStatus.RECTIFYING: "unit", ProblemStatus.RESOLVED: "unit"},
    ProblemStatus.RECTIFYING: {ProblemStatus.RESOLVED: "unit"},
    ProblemStatus.RESOLVED: {ProblemStatus.VERIFIED: "above", ProblemStatus.RECTIFYING: "above"},
    ProblemStatus.VERIFIED: {},
}


def move_problem(user, problem, status, *, rectification="", comment="", version=None, source="web"):
    """open → rectifying → resolved (with evidence) → verified by the level above, who may send it back."""
    with transaction.atomic():
        current = _locked(Problem, problem.pk)
        writes.check_version(current, version)
        who = PROBLEM_STEPS[current.status].get(status)
        if who is None:
            raise ValidationError(
                _("A problem that is %(now)s cannot become %(next)s.")
                % {"now": current.get_status_display(), "next": ProblemStatus(status).label}
            )
        if who == "above" and user is not None and not scope.can_oversee(user, current.unit):
            if scope.review_any_level_above() or current.unit.parent_id is None:
                raise PermissionDenied(_("Rectification is verified by the level above."))
            raise PermissionDenied(
                _("Rectification at %(unit)s is verified by the level directly above it, %(parent)s (下管一级).")
                % {"unit": current.unit, "parent": current.unit.parent}
            )
        if who == "unit":
            scope.require(user, scope.CHANGE, current.unit)
        before = audit.snapshot(current, PROBLEM_FIELDS)
        if status == ProblemStatus.RESOLVED:
            if rectification.strip():
                current.rectification = rectification.strip()
            if not current.rectification or not current.evidence.exists():
                raise ValidationError(_("Describe the rectification and attach evidence before marking it resolved."))
            current.resolved_on = timezone.localdate()
        if status == ProblemStatus.VERIFIED:
            current.verified_by, current.verified_on = user, timezone.localdate()
        if status == ProblemStatus.RECTIFYING and current.status == ProblemStatus.RESOLVED and not comment.strip():
            raise ValidationError({"comment": _("Say why the rectification is sent back.")})
        current.status = status
        return _save(current, user, before, PROBLEM_FIELDS, source, comment)


# --- visits (调研 / 督战) -------------------------------------------------------------------------


def _visited_units(unit, visited):
    """The units visited, each strictly below the visiting `unit` (下管: its subtree, not itself)."""
    ids = {getattr(v, "pk", v) for v in visited or ()}
    if not ids:
        raise ValidationError({"visited": _("Choose at least one unit visited.")})
    found = list(Unit.objects.within(unit).exclude(pk=unit.pk).filter(pk__in=ids).order_by("code", "name", "pk"))
    if len(found) != len(ids):
        raise ValidationError(
            {"visited": _("Units visited must lie below %(unit)s (下管), not be %(unit)s itself.") % {"unit": unit}}
        )
    return found


def _check_visit(visit):
    visit.full_clean(exclude=["unit", "recorded_by"])
    if visit.attendance and not visit.meetings:
        raise ValidationError({"attendance": _("Attendance is counted only when meetings were held.")})


def _names(units):
    return [u.name for u in units]


def record_visit(user, unit, visited, *, source="web", **fields):
    """A visit by `unit`'s cadres to units below it; nothing is saved on bad input."""
    scope.require(user, scope.CHANGE, unit)
    units = _visited_units(unit, visited)
    visit = Visit(unit=unit, recorded_by=user, **{k: v for k, v in fields.items() if k in VISIT_FIELDS})
    _check_visit(visit)
    with transaction.atomic():
        visit.save()
        visit.visited.set(units)
        return writes.create(visit, user, VISIT_FIELDS, source=source, note="、".join(_names(units)))


def correct_visit(user, visit, visited=None, *, version=None, source="web", **fields):
    """Correct a recorded visit (same scope rule); `visited` None keeps the units visited."""
    scope.require(user, scope.CHANGE, visit.unit)
    with transaction.atomic():
        current = _locked(Visit, visit.pk)
        writes.check_version(current, version)
        before = audit.snapshot(current, VISIT_FIELDS)
        old_units = list(current.visited.order_by("code", "name", "pk"))
        units = old_units if visited is None else _visited_units(current.unit, visited)
        for name, value in fields.items():
            if name in VISIT_FIELDS:
                setattr(current, name, value)
        _check_visit(current)
        if units != old_units:
            current.visited.set(units)
            writes.record_change(current, user, {"visited": [_names(old_units), _names(units)]}, source=source)
        return _save(current, user, before, VISIT_FIELDS, source)


def problem_from_visit(user, visit, visited_unit, *, source="web", **fields):
    """A finding of the visit becomes a problem on one of the units visited, in one step: the visit's
    date is the day it was found, the description defaults to the visit's findings."""
    if not visit.visited.filter(pk=visited_unit.pk).exists():
        raise ValidationError({"unit": _("The problem must be on one of the units visited.")})
    fields.setdefault("found_on", visit.date)
    if not (fields.get("description") or "").strip():
        fields["description"] = visit.findings
    if not (fields.get("description") or "").strip():
        raise ValidationError({"description": _("Describe the problem.")})
    return report_problem(user, visited_unit, source=source, visit=visit, **fields)


PILOT_FIELDS = ("topic", "since", "ended_on")


def mark_pilot(user, unit, topic, since, *, source="web"):
    """Mark `unit` a pilot (试点) for `topic`: by the level above (下管), not the unit itself."""
    if user is not None and not scope.can_restructure(user, unit):
        raise PermissionDenied(_("Pilots are marked by the level above."))
    topic = (topic or "").strip()
    if not topic:
        raise ValidationError({"topic": _("Name the pilot's topic.")})
    if Pilot.objects.filter(unit=unit, topic=topic, ended_on__isnull=True).exists():
        raise ValidationError({"topic": _("%(unit)s is already a pilot for this topic.") % {"unit": unit}})
    pilot = Pilot(unit=unit, topic=topic, since=since, marked_by=user)
    pilot.full_clean(exclude=["unit", "marked_by"])
    return writes.create(pilot, user, PILOT_FIELDS, source=source)


def end_pilot(user, pilot, ended_on, *, version=None, source="web"):
    if user is not None and not scope.can_restructure(user, pilot.unit):
        raise PermissionDenied(_("Pilots are marked by the level above."))
    with transaction.atomic():
        current = _locked(Pilot, pilot.pk)
        writes.check_version(current, version)
        if current.ended_on is not None:
            raise ValidationError(
                {"ended_on": _("This pilot already ended on %(day)s.") % {"day": current.ended_on.isoformat()}}
            )
        if ended_on < current.since:
            raise ValidationError({"ended_on": _("A pilot cannot end before it began.")})
        before = audit.snapshot(current, PILOT_FIELDS)
        current.ended_on = ended_on
        current.full_clean(exclude=["unit", "marked_by"])
        return _save(current, user, before, PILOT_FIELDS, source)


# --- campaigns and key tasks ---------------------------------------------------------------------


def create_campaign(user, unit, milestones=(), *, source="web", **fields):
    scope.require(user, scope.ADMIN, unit)
    with transaction.atomic():
        campaign = Campaign(unit=unit, created_by=user, **fields)
        campaign.full_clean()
        campaign.save()
        for milestone in milestones:
            if not automatic_key(milestone["coverage_key"]):
                raise ValidationError(
                    {"coverage_key": _("Unknown coverage figure: %(key)s") % {"key": milestone["coverage_key"]}}
                )
            milestone = Milestone(campaign=campaign, **milestone)
            milestone.full_clean()
            writes.create(milestone, user, MILESTONE_FIELDS, source=source)
        return writes.create(campaign, user, ("name",), source=source)


def milestone_status(milestone, unit, figures_today, today=None):
    """{"actual", "met", "state"} of one milestone for a unit: met / behind (not yet due) / missed.
    A past milestone is judged on the figures of its due date."""
    today = today or timezone.localdate()
    key = milestone.coverage_key
    if key not in FIGURES:  # a figure of another set (e.g. executives' training), through its evaluator
        actual = evaluated([unit], key, min(milestone.due_on, today))[unit.pk]
    elif milestone.due_on < today:
        actual = coverage(unit, milestone.due_on)[key]
    else:
        actual = figures_today[key]
    met = actual is not None and Decimal(str(actual)) >= milestone.target
    state = "met" if met else ("missed" if milestone.due_on < today else "behind")
    return {"actual": actual, "met": met, "state": state}


def create_task(user, unit, *, campaign=None, source="web", **fields):
    scope.require(user, scope.CHANGE, unit)
    if campaign is not None and not Unit.objects.within(campaign.unit).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("The responsible unit must lie within the campaign's unit.")})
    task = KeyTask(
        unit=unit, campaign=campaign, created_by=user, **{k: v for k, v in fields.items() if k in TASK_FIELDS}
    )
    task.status = _task_status(task.progress)
    task.full_clean()
    return writes.create(task, user, TASK_FIELDS, source=source)


def _task_status(progress):
    return TaskStatus.DONE if progress >= 100 else TaskStatus.IN_PROGRESS if progress > 0 else TaskStatus.NOT_STARTED


def report_progress(user, task, progress, note=None, *, version=None, source="web"):
    scope.require(user, scope.CHANGE, task.unit)
    if not 0 <= int(progress) <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    with transaction.atomic():
        current = _locked(KeyTask, task.pk)
        writes.check_version(current, version)
        before = audit.snapshot(current, TASK_FIELDS)
        current.progress = int(progress)
        current.status = _task_status(current.progress)
        if note is not None:
            current.note = note
        return _save(current, user, before, TASK_FIELDS, source)


# --- overdue -------------------------------------------------------------------------------------


def notify_overdue(today=None, scopes=None):
    """Daily: tell each editor and admin how many problems and key tasks are overdue in her scope.
    `scopes`: UserScope rows (default: all open ones); viewers' scopes are skipped."""
    today = today or timezone.localdate()
    created = 0
    for user_scope in notices.open_scopes(scopes):
        if user_scope.role not in (Role.EDITOR, Role.ADMIN):
            continue
        unit = user_scope.unit
        problems = Problem.objects.filter(unit.subtree_q("unit__"), status__in=UNRESOLVED, deadline__lt=today).count()
        tasks = (
            KeyTask.objects.filter(unit.subtree_q("unit__"), deadline__lt=today).exclude(status=TaskStatus.DONE).count()
        )
        if problems or tasks:
            created += notices.notify(
                user_scope,
                "reform-overdue",
                today,
                url=reverse("reform:diagnosis", args=[unit.pk]),
                message=_(
                    "%(unit)s: %(problems)d problems past their rectification deadline, "
                    "%(tasks)d key tasks past their deadline."
                )
                % {"unit": unit.name, "problems": problems, "tasks": tasks},
            )
    return {"notified": created}
