"""People and terms: services that pages, the API and imports call (scope, validation, history)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from federation import audit, scope
from federation.models import ChangeRecord
from orgtree.models import Person, Term, TermDelay
from orgtree.services import ConflictError

PERSON_FIELDS = ("unit", "name", "gender", "birth_date", "ethnicity", "political_status", "education", "phone",
                 "id_number", "tags")


def _validate(person):
    person.full_clean(exclude=["version"], validate_constraints=False)


def create_person(user, unit, *, source="web", **fields):
    with transaction.atomic():
        scope.require(user, scope.CHANGE, unit)
        person = Person(unit=unit, **{k: v for k, v in fields.items() if k in PERSON_FIELDS and k != "unit"})
        _validate(person)
        person.save()
        audit.record(person, user, ChangeRecord.Action.CREATE,
                     audit.diff({}, _public(audit.snapshot(person, PERSON_FIELDS))), source)
        return person


def update_person(user, person, changes, *, version=None, source="web"):
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        scope.require(user, scope.CHANGE, current.unit)
        if version is not None and int(version) != current.version:
            raise ConflictError(current)
        before = audit.snapshot(current, PERSON_FIELDS)
        for name, value in changes.items():
            if name in PERSON_FIELDS:
                setattr(current, name, value)
        _validate(current)
        scope.require(user, scope.CHANGE, current.unit)  # moving her record out of the scope is refused
        delta = audit.diff(before, audit.snapshot(current, PERSON_FIELDS))
        if not delta:
            return current
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        audit.record(current, user, ChangeRecord.Action.UPDATE, _public(delta), source)
        return current


def _public(changes):
    """History keeps that the ID number changed, not the number itself."""
    if "id_number" in changes:
        changes["id_number"] = ["…" if v else v for v in changes["id_number"]]
    return changes


def delay_term(user, term, *, party_approval, federation_approval, approved_on, new_due_on, reason="",
               source="web"):
    """延期换届: record both approvals and move the due date."""
    with transaction.atomic():
        term = Term.objects.select_for_update().select_related("unit").get(pk=term.pk)
        scope.require(user, scope.CHANGE, term.unit)
        errors = {}
        if term.ended_on is not None:
            errors["new_due_on"] = _("This term has ended; only a running term can be delayed.")
        elif new_due_on <= term.due_on:
            errors["new_due_on"] = _("The new due date must be later than the current one (%(date)s).") % {
                "date": term.due_on}
        if not party_approval.strip() or not federation_approval.strip():
            errors["party_approval"] = _("A delayed renewal needs the approval of the party committee at the "
                                         "same level and of the federation above.")
        if errors:
            raise ValidationError(errors)
        delay = TermDelay.objects.create(
            term=term, party_approval=party_approval, federation_approval=federation_approval,
            approved_on=approved_on, previous_due_on=term.due_on, new_due_on=new_due_on, reason=reason,
            created_by=user if user is not None and user.is_authenticated else None)
        audit.record(term, user, ChangeRecord.Action.UPDATE, {"due_on": [str(term.due_on), str(new_due_on)]},
                     source, note=reason)
        term.due_on = new_due_on
        term.save(update_fields=["due_on"])
        return delay
