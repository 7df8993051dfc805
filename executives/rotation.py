"""轮值主席 (rotating chair): the rules and every write of a committee's monthly schedule.

Township and street federations keep a rotating chair by default ("乡镇（街道）妇联主席轮值制度"); any
other unit may enable it and a township may switch it off (`RotationSetting`). A schedule is one row
per month (`RotationMonth`, unique per unit and month: one chair a month), generated in the order an
editor gives from the committee's current executives — the open seats of its running term — and
editable month by month. Every write checks the scope and records history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from executives.models import RotationMonth, RotationSetting
from executives.unique import first_writer_wins
from federation import audit, scope, writes
from orgtree import elections
from orgtree.choices import Kind
from orgtree.models import Election, Office, Role, Unit

DEFAULT_KINDS = (Kind.TOWNSHIP, Kind.STREET)
MAX_MONTHS = 36  # the longest schedule generated at once (a term is five years: generate it in parts)
ROLE_ORDER = {Role.CHAIR: 0, Role.VICE_CHAIR: 1, Role.STANDING: 2, Role.EXECUTIVE: 3}
MONTH_FIELDS = ("month", "office", "note")


def first_of_month(day):
    return day.replace(day=1)


def add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def this_month(today=None):
    return first_of_month(today or timezone.localdate())


def parse_month(value):
    """A month as people type it ("2026-12", "2026-12-01", "2026年12月") → its first day; ValidationError otherwise."""
    text = str(value or "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationError(_("Enter a month such as 2026-12.")) from None


def setting_of(unit):
    return RotationSetting.objects.filter(unit=unit).first()


def applies(unit, setting=None):
    """Does `unit` keep a rotating chair? Its setting if it has one, else by kind (townships, streets)."""
    if setting is None:
        setting = setting_of(unit)
    return setting.enabled if setting is not None else unit.kind in DEFAULT_KINDS


def current_executives(unit):
    """The open seats of `unit`'s running term, in the committee's order (chair, vice-chairs,
    standing members, executives), with their people."""
    offices = Office.objects.filter(unit=unit, ended_on=None, term__unit=unit, term__ended_on=None).select_related(
        "person", "unit"
    )
    return sorted(offices, key=lambda o: (ROLE_ORDER.get(o.role, 9), o.pk))


def schedule(unit, start=None, months=None):
    """The schedule's rows from `start` (default: three months ago) on, with each chair's seat and person."""
    rows = RotationMonth.objects.filter(unit=unit, month__gte=start or add_months(this_month(), -3))
    if months is not None:
        rows = rows.filter(month__lt=add_months(start or this_month(), months))
    return rows.select_related("office__person", "office__unit").order_by("month")


def current_chair(unit, today=None):
    """This month's row of the schedule (None: nobody scheduled)."""
    return (
        RotationMonth.objects.filter(unit=unit, month=this_month(today))
        .select_related("office__person", "office__unit")
        .first()
    )


def plan(start, months, order):
    """[(month, office)]: `months` months from `start`, the executives of `order` in turn."""
    return [(add_months(start, i), order[i % len(order)]) for i in range(months)]


def _require_applies(unit):
    if not applies(unit):
        raise ValidationError(
            _("%(name)s does not keep a rotating chair: enable it first.") % {"name": unit.name}, code="not_enabled"
        )


def _check_executives(unit, offices, field):
    """Each of `offices` must be an open seat of `unit`'s running term."""
    current = {o.pk for o in current_executives(unit)}
    if any(o.pk not in current for o in offices):
        raise ValidationError(
            {field: _("Choose among the current executives of %(name)s.") % {"name": unit.name}}, code="not_current"
        )


def _check_month(month, field="month"):
    try:
        RotationMonth._meta.get_field("month").run_validators(month)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def generate(user, unit, *, start, months, order, source="web"):
    """Fill `months` months from `start` with the executives of `order` in turn (each once per round).
    Months already scheduled in that range are replaced (recorded as changes); other months stay."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        _require_applies(unit)
        start = first_of_month(start)
        errors = {}
        if start < this_month():
            errors["start"] = _("A schedule is generated from this month on; correct a past month on its own.")
        if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
            errors["months"] = _("Generate from 1 to %(max)d months at a time.") % {"max": MAX_MONTHS}
        if not order:
            errors["order"] = _("Choose at least one executive for the rotation.")
        elif len({o.pk for o in order}) != len(order):
            errors["order"] = _("Each executive takes one place in the order.")
        if errors:
            raise ValidationError(errors)
        _check_month(start, "start")
        _check_month(add_months(start, months - 1), "months")
        _check_executives(unit, order, "order")
        wanted = plan(start, months, order)
        existing = {
            r.month: r
            for r in RotationMonth.objects.select_for_update().filter(
                unit=unit, month__gte=start, month__lt=add_months(start, months)
            )
        }
        new, changed = [], []
        for month, office in wanted:
            row = existing.get(month)
            if row is None:
                new.append(RotationMonth(unit=unit, month=month, office=office))
            elif row.office_id != office.pk:
                changed.append((row, row.office_id, office.pk))
        with first_writer_wins(
            message=_("Someone changed this rotation schedule at the same time. Reload the page and check it.")
        ):
            writes.create_many(new, user, MONTH_FIELDS, source=source)
        if changed:
            now = timezone.now()
            for row, _before, after in changed:
                row.office_id, row.version, row.updated_at = after, F("version") + 1, now
            RotationMonth.objects.bulk_update([r for r, _b, _a in changed], ["office", "version", "updated_at"])
            writes.record_changes(
                [(row, {"office": [before, after]}, _("Generated schedule")) for row, before, after in changed],
                user,
                source=source,
            )
        return list(schedule(unit, start, months))


def set_month(user, unit, month, office, *, version=None, note="", source="web"):
    """Who chairs `unit` in `month`: one executive of the current committee. `version` is the row's as
    the writer saw it (0: she saw the month empty)."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        _require_applies(unit)
        month = first_of_month(month)
        _check_month(month)
        _check_executives(unit, [office], "office")
        row = RotationMonth.objects.select_for_update().filter(unit=unit, month=month).first()
        writes.check_version(row, version, shown=row if row is not None else RotationMonth(unit=unit, month=month))
        if row is None:
            row = RotationMonth(unit=unit, month=month, office=office, note=note.strip())
            row.full_clean(exclude=["unit", "office"], validate_constraints=False)
            with first_writer_wins(lambda: RotationMonth.objects.filter(unit=unit, month=month).first()):
                return writes.create(row, user, MONTH_FIELDS, source=source)
        before = audit.snapshot(row, MONTH_FIELDS)
        row.office, row.note = office, note.strip()
        row.full_clean(exclude=["unit", "office"], validate_constraints=False)
        if not audit.diff(before, audit.snapshot(row, MONTH_FIELDS)):
            return row
        return writes.save(row, user, before, MONTH_FIELDS, source=source)


def set_enabled(user, unit, enabled, *, version=None, source="web"):
    """Switch the rotating chair on or off for `unit` (the schedule itself is kept either way)."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        setting = RotationSetting.objects.select_for_update().filter(unit=unit).first()
        writes.check_version(setting, version, shown=setting if setting is not None else RotationSetting(unit=unit))
        if setting is None:
            with first_writer_wins(lambda: RotationSetting.objects.filter(unit=unit).first()):
                return writes.create(RotationSetting(unit=unit, enabled=enabled), user, ("enabled",), source=source)
        if setting.enabled == enabled:
            return setting
        before = audit.snapshot(setting, ("enabled",))
        setting.enabled = enabled
        return writes.save(setting, user, before, ("enabled",), source=source)


DEMO_NAMES = ["郑秀英", "林美华", "黄丽萍", "陈玉兰", "吴桂香", "刘春燕", "蔡淑芬", "杨雪梅", "谢海燕"]


def demo_rotation(townships=2):
    """Demo: a rotating-chair schedule (12 months from this one) for the first townships of 延平区. A
    township without a committee gets one through the election services first (a 7-seat renewal);
    a township whose schedule has any month is left as it is."""
    county = Unit.objects.open().filter(code="350702").first()
    if county is None:
        return 0
    done = 0
    for unit in Unit.objects.open().filter(parent=county, kind__in=DEFAULT_KINDS).order_by("code")[:townships]:
        if RotationMonth.objects.filter(unit=unit).exists():
            continue
        if not current_executives(unit):
            held_on = add_months(this_month(), -14)
            election = elections.create_election(
                None,
                unit,
                kind=Election.Kind.RENEWAL,
                method=Election.Method.DELEGATES,
                held_on=held_on,
                entitled=60,
                present=54,
                ballots_issued=54,
                ballots_returned=54,
                ballots_invalid=0,
                seats=7,
                source="demo",
            )
            candidates = [
                elections.add_candidate(None, election, name=name, approve=50 - i, disapprove=2, source="demo")
                for i, name in enumerate(DEMO_NAMES)
            ]
            elections.set_officers(
                None,
                election,
                [
                    {"person_id": candidates[0].person_id, "role": Role.CHAIR},
                    *(
                        {"person_id": c.person_id, "role": Role.VICE_CHAIR, "vice_chair_type": "part_time"}
                        for c in candidates[1:4]
                    ),
                ],
            )
            elections.certify_election(None, election, source="demo")
        executives = current_executives(unit)
        generate(None, unit, start=this_month(), months=12, order=executives, source="demo")
        done += 1
    return done
