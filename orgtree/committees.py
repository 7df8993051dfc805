"""People and terms: services that pages, the API and imports call (scope, validation, history)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federation import audit, scope, writes
from federation.models import Notification, Role, UserScope
from orgtree.coverage import refresh_figures
from orgtree.idnumber import normalize
from orgtree.models import Candidate, DutyArea, IdNumberClash, Office, OfficerChoice, Person, Term, TermDelay

REGISTERED_IN_SCOPE = _lazy(
    "This ID number is already registered; search the people directory instead of adding her again."
)
# Said whoever holds the number and wherever she is: nothing about her, and the attempt is kept.
UNUSABLE_HERE = _lazy(
    "This ID number cannot be used here; it has been passed to the administrators above for checking."
)

PERSON_FIELDS = (
    "unit",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "political_status",
    "education",
    "phone",
    "id_number",
    "tags",
)


class UnusableIdNumberError(ValidationError):
    """The refusal of an ID number that belongs to someone the writer cannot see. It says only that
    the number cannot be used here; the clashes it carries are kept for the admins above both
    records once the transaction it aborts has rolled back (federation.audit.after_rollback)."""

    def __init__(self, errors, clashes):
        super().__init__(errors)
        self.clashes = clashes

    def after_rollback(self):
        for clash in self.clashes:
            keep_clash(clash)


def _errors(person, user, clashes, holders=None):
    """{field: [errors]} of one record; an ID number held by someone else is named only to a writer
    who may see that person (system jobs, user=None, see everyone), else it joins `clashes`.
    `holders` (from `id_holders`) answers for a list what would otherwise be asked per person."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        # The unit is never raw input: services pass one they looked up (and checked the scope of), so
        # its existence is not queried again for every person of a list.
        person.full_clean(exclude=["version", "unit"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if person.id_number and "id_number" not in errors:
        if holders is None:
            holders = id_holders(user, [person.id_number], exclude=person.pk)
        holder, visible = holders.get(person.id_number, (None, False))
        if holder is not None and visible:
            errors["id_number"] = [ValidationError(REGISTERED_IN_SCOPE)]
        elif holder is not None:
            errors["id_number"] = [ValidationError(UNUSABLE_HERE)]
            clashes.append(
                IdNumberClash(
                    id_number=person.id_number,
                    person=holder,
                    attempted_unit=person.unit,
                    attempted_name=person.name,
                    created_by=user,
                )
            )
    return errors


def _raise(errors, clashes):
    if clashes:
        raise UnusableIdNumberError(errors, clashes)
    if errors:
        raise ValidationError(errors)


def _validate(person, user):
    clashes: list[IdNumberClash] = []
    _raise(_errors(person, user, clashes), clashes)


def create_person(user, unit, *, source="web", **fields):
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        person = Person(unit=unit, **{k: v for k, v in fields.items() if k in PERSON_FIELDS and k != "unit"})
        _validate(person, user)
        return writes.create(person, user, PERSON_FIELDS, source=source, masked=("id_number",))


def create_people(user, unit, rows, *, source="web"):
    """Several people for one unit (a committee list): one scope check, validated each, saved in bulk."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        people: list[Person] = []
        clashes: list[IdNumberClash] = []
        first_errors: dict[str, list[ValidationError]] = {}
        for fields in rows:
            person = Person(unit=unit, **{k: v for k, v in fields.items() if k in PERSON_FIELDS and k != "unit"})
            errors = _errors(person, user, clashes)
            first_errors = first_errors or errors
            people.append(person)
        _raise(first_errors, clashes)  # every unusable number of the list is kept, not only the first
        numbers = [p.id_number for p in people if p.id_number]
        if len(numbers) != len(set(numbers)):
            raise ValidationError({"id_number": _("The same ID number is given for two people.")})
        return writes.create_many(people, user, PERSON_FIELDS, source=source, masked=("id_number",))


def resolve_people(user, unit, entries, *, source="web"):
    """The Person for each (name, id_number) entry of a list for `unit` (a ballot, a committee):
    the one with that ID number in the user's scope, else the unit's only unmerged record of that
    name (when neither has another ID number), else a new record. A fixed number of queries."""
    found = match_people(user, unit, entries)
    missing = [
        {"name": name, "id_number": number}
        for (name, number), person in zip(entries, found, strict=True)
        if person is None
    ]
    created = iter(create_people(user, unit, missing, source=source)) if missing else iter(())
    return [person if person is not None else next(created) for person in found]


def id_holders(user, numbers, exclude=None):
    """{ID number: (the person who holds it, whether `user` may see her)} for `numbers`, in two queries
    whatever their number (the people, the units the user may see among theirs)."""
    numbers = {normalize(n) for n in numbers if n}
    if not numbers:
        return {}
    people = Person.objects.filter(id_number__in=numbers).exclude(pk=exclude).select_related("unit")
    found = {p.id_number: p for p in people.order_by("-name", "-pk")}  # as .first() would pick
    visible = scope.permitted(user, scope.VIEW, [p.unit for p in found.values()]) if user is not None else None
    return {n: (p, visible is None or p.unit_id in visible) for n, p in found.items()}


def new_person_problems(user, unit, entries, clashes, *, holders=None, built=None):
    """What create_people would refuse for the new people `entries` ((name, id_number)), checked by the
    same rule without saving: {index: {field: [messages]}} (field values, the ID number against the
    gender, birth date and people already registered — a holder outside the writer's scope joins
    `clashes` —, the same ID number twice). `holders` (`id_holders` of the numbers) saves a query per
    number; `built` receives the checked records, as create_people would save them."""
    problems: dict[int, dict[str, list[str]]] = {}
    numbers: dict[str, int] = {}
    if holders is None:
        holders = id_holders(user, [number for _name, number in entries])
    for i, (name, number) in enumerate(entries):
        person = Person(unit=unit, name=name, id_number=number)
        errors = _errors(person, user, clashes, holders)
        if built is not None:
            built.append(person)
        if errors:
            problems[i] = ValidationError(errors).message_dict
        if number and number in numbers:
            problems.setdefault(i, {}).setdefault("id_number", []).append(
                _("The same ID number is given for two people.")
            )
        numbers.setdefault(number, i)
    return problems


def match_people(user, unit, entries):
    """The existing Person each entry resolves to (see resolve_people), None where one would be created."""
    return match_people_many(user, [(unit, entries)])[0]


MATCHED_FIELDS = ("unit", "name", "id_number", "merged_into", "version")
UNMATCHED_FIELDS = tuple(
    f.name for f in Person._meta.concrete_fields if not f.primary_key and f.name not in MATCHED_FIELDS
)


def match_people_many(user, lists):
    """match_people for several lists [(unit, entries)] in two queries whatever their number (a
    conversion import: a committee per village)."""
    # A city's worth of people: their timestamps and details, which matching never reads, are left unread.
    people = Person.objects.only(*MATCHED_FIELDS)
    numbers = {number for _unit, entries in lists for _name, number in entries if number}
    by_number = (
        {p.id_number: p for p in scope.restrict(people.filter(merged_into=None), user).filter(id_number__in=numbers)}
        if numbers
        else {}
    )
    names = {name for _unit, entries in lists for name, _n in entries}
    by_name: dict[tuple[int, str], list[Person]] = {}
    if lists:
        for p in people.filter(unit__in=[unit.pk for unit, _e in lists], merged_into=None, name__in=names):
            by_name.setdefault((p.unit_id, p.name), []).append(p)
    matched = []
    for unit, entries in lists:
        found = []
        for name, number in entries:
            person = by_number.get(number) if number else None
            if person is None:
                same_name = by_name.get((unit.pk, name), [])
                if len(same_name) == 1 and (not number or not same_name[0].id_number):
                    person = same_name[0]
            found.append(person)
        matched.append(found)
    return matched


def save_new_people(user, people, *, source="web"):
    """Save people checked by `new_person_problems` in the same transaction (a conversion import): one
    insert and one history insert, as create_people records them."""
    return writes.create_many(people, user, PERSON_FIELDS, source=source, masked=("id_number",))


def update_person(user, person, changes, *, version=None, source="web"):
    with transaction.atomic():
        current = writes.locked(Person, person.pk)
        scope.require(user, scope.CHANGE, current.unit)
        writes.check_version(current, version)
        before = audit.snapshot(current, PERSON_FIELDS)
        for name, value in changes.items():
            if name in PERSON_FIELDS:
                setattr(current, name, value)
        _validate(current, user)
        scope.require(user, scope.CHANGE, current.unit)  # moving her record out of the scope is refused
        if not audit.diff(before, audit.snapshot(current, PERSON_FIELDS)):
            return current
        return writes.save(current, user, before, PERSON_FIELDS, source=source, masked=("id_number",))


def delay_term(user, term, *, party_approval, federation_approval, approved_on, new_due_on, reason="", source="web"):
    """延期换届: record both approvals and move the due date."""
    with transaction.atomic():
        term = Term.objects.select_for_update().select_related("unit").get(pk=term.pk)
        scope.require(user, scope.CHANGE, term.unit)
        errors = {}
        if term.ended_on is not None:
            errors["new_due_on"] = _("This term has ended; only a running term can be delayed.")
        elif new_due_on <= term.due_on:
            errors["new_due_on"] = _("The new due date must be later than the current one (%(date)s).") % {
                "date": term.due_on
            }
        if not party_approval.strip() or not federation_approval.strip():
            errors["party_approval"] = _(
                "A delayed renewal needs the approval of the party committee at the "
                "same level and of the federation above."
            )
        if errors:
            raise ValidationError(errors)
        delay = TermDelay(
            term=term,
            party_approval=party_approval,
            federation_approval=federation_approval,
            approved_on=approved_on,
            previous_due_on=term.due_on,
            new_due_on=new_due_on,
            reason=reason,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        delay.full_clean(exclude=["previous_due_on"])  # the dates' range
        writes.create(delay, user, DELAY_FIELDS, source=source, note=reason)
        writes.record_change(term, user, {"due_on": [str(term.due_on), str(new_due_on)]}, source=source, note=reason)
        term.due_on = new_due_on
        term.save(update_fields=["due_on"])
        refresh_figures([term.unit_id])
        return delay


def possible_duplicates(user, limit=100):
    """Groups of unmerged people in the user's scope sharing a name and birth date (or a name and unit)."""
    from django.db.models import Count

    people = scope.restrict(Person.objects.filter(merged_into__isnull=True), user)
    dated = (
        people.exclude(birth_date=None)
        .values("name", "birth_date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("name")[:limit]
    )
    undated = (
        people.filter(birth_date=None)
        .values("name", "unit")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("name")[:limit]
    )
    groups = [list(people.filter(name=g["name"], birth_date=g["birth_date"]).select_related("unit")) for g in dated]
    groups += [
        list(people.filter(name=g["name"], unit=g["unit"], birth_date=None).select_related("unit")) for g in undated
    ]
    return groups


DELAY_FIELDS = ("party_approval", "federation_approval", "approved_on", "previous_due_on", "new_due_on")
MERGE_FILL_FIELDS = ("birth_date", "ethnicity", "political_status", "education", "phone", "id_number")


def merge_people(user, keep, duplicate, *, source="web"):
    """Fold `duplicate` into `keep`: her offices, candidacies and missing details move over; the
    duplicate record stays, marked as merged, so nothing recorded about her is lost."""
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
        scope.require(user, scope.CHANGE, keep.unit)
        scope.require(user, scope.CHANGE, duplicate.unit)
        if keep.pk == duplicate.pk or keep.merged_into_id or duplicate.merged_into_id:
            raise ValidationError(_("Choose two different records that are not merged already."))
        if keep.id_number and duplicate.id_number and keep.id_number != duplicate.id_number:
            raise ValidationError(_("The two records have different ID numbers: they are different people."))
        both_elections = set(Candidate.objects.filter(person=keep).values_list("election", flat=True)) & set(
            Candidate.objects.filter(person=duplicate).values_list("election", flat=True)
        )
        both_units = set(Office.objects.filter(person=keep, ended_on=None).values_list("unit", flat=True)) & set(
            Office.objects.filter(person=duplicate, ended_on=None).values_list("unit", flat=True)
        )
        if both_elections or both_units:
            raise ValidationError(_("Both records hold a seat on the same committee or ballot; correct that first."))
        filled = {}
        id_number = duplicate.id_number if not keep.id_number else ""
        for field in MERGE_FILL_FIELDS:
            if field != "id_number" and not getattr(keep, field) and getattr(duplicate, field):
                filled[field] = getattr(duplicate, field)
        moved = {
            "offices": Office.objects.filter(person=duplicate).update(person=keep),
            "candidacies": Candidate.objects.filter(person=duplicate).update(person=keep),
            "officer_choices": OfficerChoice.objects.filter(person=duplicate).update(person=keep),
        }
        Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, id_number="", version=F("version") + 1)
        if id_number:
            filled["id_number"] = id_number
        if filled:
            Person.objects.filter(pk=keep.pk).update(**filled, version=F("version") + 1)
        writes.record_change(
            duplicate,
            user,
            {"merged_into": [None, keep.pk]},
            source=source,
            note=_("Merged into %(name)s (#%(pk)d).") % {"name": keep.name, "pk": keep.pk},
        )
        writes.record_change(
            keep,
            user,
            {k: [None, str(v)] for k, v in filled.items()},
            source=source,
            masked=("id_number",),
            note=_("Merged record #%(pk)d: %(offices)d offices, %(candidacies)d candidacies moved.")
            % {"pk": duplicate.pk, **moved},
        )
        return Person.objects.get(pk=keep.pk)


def nearest_common_ancestor(a, b):
    """The deepest unit that holds both `a` and `b` (None when they share no unit)."""
    above_b = {u.pk for u in [*b.lineage(), b]}
    common = [u for u in [*a.lineage(), a] if u.pk in above_b]
    return common[-1] if common else None


def keep_clash(clash):
    """Record an ID number clash for the admins of the nearest unit above both records and tell
    them (the admins of the nearest unit at or above it that has any). A repeated attempt from the
    same unit with the same number only counts up while the clash is open."""
    from django.urls import reverse

    open_clash = IdNumberClash.objects.filter(
        id_number=clash.id_number, person=clash.person, attempted_unit=clash.attempted_unit, resolved_at=None
    ).first()
    if open_clash is not None:
        IdNumberClash.objects.filter(pk=open_clash.pk).update(attempts=F("attempts") + 1)
        return open_clash
    clash.unit = nearest_common_ancestor(clash.person.unit, clash.attempted_unit)
    clash.save()
    chain = [*clash.unit.lineage(), clash.unit] if clash.unit else []
    for unit in reversed(chain):
        admins = UserScope.objects.filter(unit=unit, role=Role.ADMIN, user__is_active=True).values_list(
            "user_id", flat=True
        )
        if admins:
            Notification.objects.bulk_create(
                [
                    Notification(
                        user_id=user_id,
                        unit=clash.unit,
                        key=f"id-clash:{clash.pk}",
                        url=reverse("orgtree:id_clashes"),
                        message=_(
                            "An ID number given for %(name)s in %(unit)s belongs to a person registered elsewhere "
                            "under %(ancestor)s: check whether they are the same woman."
                        )
                        % {
                            "name": clash.attempted_name,
                            "unit": clash.attempted_unit.name,
                            "ancestor": clash.unit.name,
                        },
                    )
                    for user_id in set(admins)
                ],
                ignore_conflicts=True,
            )
            break
    return clash


def open_clashes(user):
    """The ID number clashes the user resolves: those under units she administers."""
    return scope.restrict(IdNumberClash.objects.filter(resolved_at=None), user, scope.ADMIN).select_related(
        "unit", "person__unit", "attempted_unit", "created_by"
    )


def resolve_clash(user, clash, note="", *, source="web"):
    """Close a clash once the admin has acted (merged or moved the record, or told the writer of a typo)."""
    from django.utils import timezone

    with transaction.atomic():
        clash = IdNumberClash.objects.select_for_update().get(pk=clash.pk)
        if not open_clashes(user).filter(pk=clash.pk).exists():
            raise ValidationError(_("This clash is resolved already or not yours to resolve."))
        clash.resolved_at, clash.resolved_by, clash.note = timezone.now(), user, note.strip()[:200]
        clash.save(update_fields=["resolved_at", "resolved_by", "note"])
        writes.record_change(
            clash,
            user,
            {"resolved_at": [None, audit.jsonable(clash.resolved_at)], "note": ["", clash.note]},
            source=source,
        )
        return clash


# 执委分工 ---------------------------------------------------------------------------------------------

DUTY_AREA_FIELDS = ("name", "order", "active")
NOT_ON_THE_COMMITTEE = _lazy("This seat is not on the committee's current list.")
AREA_NOT_OFFERED = _lazy("This duty area is no longer offered: choose another.")


def offered_duty_areas():
    """The duty areas offered for new choices (those in use), in their order."""
    return DutyArea.objects.filter(active=True).order_by("order", "pk")


def set_duties(user, office, areas, *, source="web"):
    """执委分工 of one seat: the duty areas it carries (replacing the previous ones)."""
    return set_committee_duties(user, office.unit, {office.pk: areas}, source=source)[0]


def set_committee_duties(user, unit, duties, *, source="web"):
    """The duty areas of several seats of `unit`'s committee at once ({office pk: [DutyArea]}): only
    open seats of the unit; an area out of use may stay on a seat that has it, not be newly given.
    One history record per seat whose areas changed; a fixed number of queries whatever the seats."""
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        offices = {
            o.pk: o
            for o in Office.objects.select_for_update(of=("self",))
            .select_related("person", "unit")  # for the history records' names
            .filter(unit=unit, ended_on=None, pk__in=list(duties))
        }
        if len(offices) != len(duties):
            raise ValidationError({"duties": [NOT_ON_THE_COMMITTEE]})
        held: dict[int, set[int]] = {pk: set() for pk in offices}
        through = Office.duties.through
        for office_id, area_id in through.objects.filter(office_id__in=list(offices)).values_list(
            "office_id", "dutyarea_id"
        ):
            held[office_id].add(area_id)
        wanted = {pk: {a.pk for a in areas} for pk, areas in duties.items()}
        areas = {a.pk: a for a in DutyArea.objects.filter(pk__in=set().union(*held.values(), *wanted.values()))}
        for pk, area_ids in wanted.items():
            if any(a not in areas or (not areas[a].active and a not in held[pk]) for a in area_ids):
                raise ValidationError({"duties": [AREA_NOT_OFFERED]})
        changed = [pk for pk in offices if wanted[pk] != held[pk]]
        if changed:
            through.objects.filter(office_id__in=changed).delete()  # the link rows; history keeps the names
            through.objects.bulk_create(
                [through(office_id=pk, dutyarea_id=a) for pk in changed for a in sorted(wanted[pk])]
            )

            def names(ids):
                return [areas[a].name for a in sorted(ids, key=lambda a: (areas[a].order, a))]

            writes.record_changes(
                [(offices[pk], {"duties": [names(held[pk]), names(wanted[pk])]}, "") for pk in changed],
                user,
                source=source,
            )
        return [offices[pk] for pk in duties]


def save_duty_area(user, area, *, source="admin"):
    """Add or edit a duty area of the list (the system administrator's, through the admin)."""
    with transaction.atomic():
        if user is not None and not user.is_superuser:
            raise PermissionDenied(_("Only the system administrator edits the list of duty areas."))
        area.full_clean()
        if area._state.adding:
            return writes.create(area, user, DUTY_AREA_FIELDS, source=source)
        before = audit.snapshot(DutyArea.objects.get(pk=area.pk), DUTY_AREA_FIELDS)
        area.save()
        changes = audit.diff(before, audit.snapshot(area, DUTY_AREA_FIELDS))
        if changes:
            writes.record_change(area, user, changes, source=source)
        return area
