"""Contact with women (联系妇女): the only way pages, the API and the demo write contact lists, the
contact log and named contacts. Each write checks the writer's scope on the executive's unit (and on
the village of a named contact), validates in Chinese, refuses stale versions and records who changed
what in history (federation.writes). A write that changes nothing records nothing.

Rules:
- an executive is an open office (orgtree.Office without an end date) of an open unit;
- a contact list's counts are whole numbers, at most MAX_COUNT each; each woman is counted in one
  category (her main one), so the list's total is the sum of the categories; the channels count the
  same women by the way each is mainly reached, so they add up to at most that total; whoever is reached
  in a WeChat group is a member of it, so the group has at least as many members as that channel;
- a log entry: a day not in the future and not before the office began, a way, at least one woman,
  a note of at most 100 characters;
- a named contact: a name (no digits: no ID or phone number), a village or community inside the
  executive's unit, a category; her name and category never enter history (shown there as changed);
- erasure (PIPL) blanks name and category, keeps the row as a tombstone and records who erased it,
  when and why; the reason must not repeat the name.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from executives.models import ContactList, ContactVisit, NamedContact
from executives.models.contacts import CATEGORY_FIELDS, CHANNEL_FIELDS, COUNT_FIELDS, Category, Way, masked_name
from executives.unique import first_writer_wins
from federation import audit, scope, writes
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.models import Office

MAX_COUNT = 100_000  # a village's women at most: a larger count is a typing error
LIST_FIELDS = (*COUNT_FIELDS, "women", "note")
VISIT_FIELDS = ("office", "date", "way", "women", "note")
NAMED_FIELDS = ("office", "unit", "name", "category")
PRIVATE = ("name", "category")  # never in history: masked as changed ("…")
NAME_PATTERN = re.compile(r"^[^\d@]{1,20}$")


def _user(user):
    return user if user is not None and user.is_authenticated else None


def _fresh(office):
    """The office and its unit as stored (the caller's copy may predate a move or an end)."""
    return Office.objects.select_related("unit", "person").get(pk=office.pk)


def _open_office(office):
    if office.ended_on is not None or office.unit.closed_on is not None:
        raise ValidationError({"office": _("This executive is no longer in office.")})


def _number(value, field, errors, maximum=MAX_COUNT):
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or (isinstance(value, float) and value != int(value)):
        errors[field] = [_("Enter a whole number.")]
    elif number < 0:
        errors[field] = [_("A count cannot be negative.")]
    elif number > maximum:
        errors[field] = [_("At most %(max)d.") % {"max": maximum}]
    else:
        return number
    return 0


def clean_counts(values):
    """The list's counts as saved ({field: int}, with `women` their categories' sum), or
    ValidationError naming every field's problem."""
    errors: dict[str, list[str]] = {}
    counts = {name: _number(values.get(name), name, errors) for name in COUNT_FIELDS}
    note = (values.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = [_("A note has at most 200 characters (this one has %(count)d).") % {"count": len(note)}]
    if not errors:
        women = sum(counts[name] for name in CATEGORY_FIELDS)
        reached = sum(counts[name] for name in CHANNEL_FIELDS)
        if reached > women:
            errors["home_visit"] = [
                _(
                    "The channels count %(reached)d women but the categories only %(women)d: each woman is "
                    "counted once in each."
                )
                % {"reached": reached, "women": women}
            ]
        if counts["wechat_members"] < counts["wechat"]:
            errors["wechat_members"] = [
                _("The WeChat group has at least the %(count)d women reached in it.") % {"count": counts["wechat"]}
            ]
    if errors:
        raise ValidationError(errors)
    return {**counts, "women": sum(counts[name] for name in CATEGORY_FIELDS), "note": note}


def save_contact_list(user, office, values, *, version=None, source="web"):
    """Create or update the contact list of `office` (an open office) from `values` (the counts and a
    note; missing counts are 0). `version` is the one the writer saw (0 or None: she saw no list yet).
    Returns (list, changed)."""
    with transaction.atomic():
        office = writes.locked(Office, office.pk, related=("unit",))
        scope.require(user, scope.CHANGE, office.unit)
        current = ContactList.objects.select_for_update().filter(office=office).order_by().first()
        if current is not None:
            writes.check_version(current, version)
        _open_office(office)
        cleaned = clean_counts(values)
        if current is None:
            created = ContactList(office=office, unit=office.unit, updated_by=_user(user), **cleaned)
            created.full_clean()
            with first_writer_wins(lambda: ContactList.objects.filter(office=office).first()):
                return writes.create(created, user, LIST_FIELDS, source=source), True
        before = audit.snapshot(current, LIST_FIELDS)
        for name, value in cleaned.items():
            setattr(current, name, value)
        if not audit.diff(before, audit.snapshot(current, LIST_FIELDS)):
            return current, False
        current.updated_by = _user(user)
        current.full_clean()
        return writes.save(current, user, before, LIST_FIELDS, source=source), True


def _clean_visit(office, date, way, women, note):
    """A log entry's (women, note) as saved, or ValidationError naming every field's problem."""
    errors: dict[str, list[str]] = {}
    count = _number(women, "women", errors)
    if "women" not in errors and count < 1:
        errors["women"] = [_("A contact reaches at least one woman.")]
    if way not in Way.values:
        errors["way"] = [_("Choose how the contact was made.")]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("A note has at most 100 characters (this one has %(count)d).") % {"count": len(note)}]
    if date is None:
        errors["date"] = [_("Enter the date of the contact.")]
    elif date > timezone.localdate():
        errors["date"] = [_("The date of a contact cannot be in the future.")]
    elif date < office.started_on:
        errors["date"] = [
            _("She took office on %(date)s; a contact before that is not hers as an executive.")
            % {"date": office.started_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    return count, note


def log_visit(user, office, *, date, way, women, note="", source="web"):
    """One entry of the contact log of `office` (an open office)."""
    office = _fresh(office)
    scope.require(user, scope.CHANGE, office.unit)
    _open_office(office)
    count, note = _clean_visit(office, date, way, women, note)
    visit = ContactVisit(
        office=office, unit=office.unit, date=date, way=way, women=count, note=note, created_by=_user(user)
    )
    visit.full_clean()
    with transaction.atomic():
        return writes.create(visit, user, VISIT_FIELDS, source=source)


def correct_visit(user, visit, changes, *, version=None, source="web"):
    """Correct a log entry's date, way, number of women or note (a typing error); the executive stays.
    Entries are corrected, never deleted: the figures follow, history keeps what it said before."""
    with transaction.atomic():
        current = writes.locked(ContactVisit, visit.pk, related=("office", "unit"))
        scope.require(user, scope.CHANGE, current.unit)
        writes.check_version(current, version)
        before = audit.snapshot(current, VISIT_FIELDS)
        values = {name: changes.get(name, getattr(current, name)) for name in ("date", "way", "women", "note")}
        current.women, current.note = _clean_visit(current.office, **values)
        current.date, current.way = values["date"], values["way"]
        if not audit.diff(before, audit.snapshot(current, VISIT_FIELDS)):
            return current
        current.full_clean()
        return writes.save(current, user, before, VISIT_FIELDS, source=source)


def _clean_named(office, village, name, category):
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter her name.")]
    elif not NAME_PATTERN.match(name):
        errors["name"] = [_("Enter a name of at most 20 characters, without numbers (no ID or phone number).")]
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if village is None:
        errors["unit"] = [_("Choose her village or community.")]
    elif (
        village.kind not in GRASSROOTS_KINDS
        or village.closed_on is not None
        or not type(village).objects.filter(office.unit.subtree_q(), pk=village.pk).exists()
    ):
        errors["unit"] = [_("Choose an open village or community of %(unit)s.") % {"unit": office.unit}]
    if errors:
        raise ValidationError(errors)
    return name


def add_named_contact(user, office, *, unit, name, category, source="web"):
    """A woman `office`'s executive names on her list, in village `unit`."""
    office = _fresh(office)
    scope.require(user, scope.CHANGE, office.unit)
    _open_office(office)
    name = _clean_named(office, unit, name, category)
    scope.require(user, scope.CHANGE, unit)
    contact = NamedContact(office=office, unit=unit, name=name, category=category)
    contact.full_clean()
    with transaction.atomic():
        return writes.create(contact, user, NAMED_FIELDS, source=source, masked=PRIVATE)


def update_named_contact(user, contact, changes, *, version=None, source="web"):
    """Correct a named contact's name, village or category (not an erased one)."""
    with transaction.atomic():
        current = writes.locked(NamedContact, contact.pk, related=("unit", "office__unit"))
        scope.require(user, scope.CHANGE, current.unit)
        writes.check_version(current, version)
        if current.erased:
            raise ValidationError(_("This contact was erased; nothing of her can be changed."))
        before = audit.snapshot(current, NAMED_FIELDS)
        village = changes.get("unit", current.unit)
        name = _clean_named(
            current.office, village, changes.get("name", current.name), changes.get("category", current.category)
        )
        scope.require(user, scope.CHANGE, village)
        current.unit, current.name = village, name
        current.category = changes.get("category", current.category)
        if not audit.diff(before, audit.snapshot(current, NAMED_FIELDS)):
            return current
        current.full_clean()
        return writes.save(current, user, before, NAMED_FIELDS, source=source, masked=PRIVATE)


def erase_named_contact(user, contact, reason, *, version=None, source="web"):
    """Erase a named contact on request (PIPL): blank her name and category, keep the row as a
    tombstone, and record who erased it, when and why (the reason), without the erased values."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = writes.locked(NamedContact, contact.pk, related=("unit",))
        scope.require(user, scope.CHANGE, current.unit)
        writes.check_version(current, version)
        if current.erased:
            raise ValidationError(_("This contact was already erased."))
        if not reason:
            raise ValidationError({"reason": [_("Say why she is erased (e.g. at her request, on which date).")]})
        if len(reason) > 200:
            raise ValidationError({"reason": [_("A reason has at most 200 characters.")]})
        if current.name and current.name in reason:
            raise ValidationError({"reason": [_("Do not repeat her name in the reason: it is kept in history.")]})
        fields = (*PRIVATE, "erased_at")
        before = audit.snapshot(current, fields)
        current.name, current.category = "", ""
        current.erased_at, current.erased_by = timezone.now(), _user(user)
        writes.save(current, user, before, fields, source=source, note=reason, masked=PRIVATE)
        return current


def shown_name(contact, may_change):
    """A named contact's name as a user sees it: in clear for those who may change her unit, masked
    for viewers, nothing once erased."""
    if contact.erased:
        return ""
    return contact.name if may_change else masked_name(contact.name)
