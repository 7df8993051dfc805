"""Register operations: the only way pages, the API, the import and commands write the register.

Each checks the writer's scope before and after (an organization stays inside her subtree, and so does
the committee it is linked to), validates with Organization.clean(), keeps `should_build` by the rule,
refuses a write based on a stale version, and records who changed what."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federation import audit, locks, scope, writes
from orgtree import services as units
from register import rules
from register.models import BuildRule, Coverage, Organization
from register.models.rule import RULE_KINDS

EDITABLE_FIELDS = (
    "name",
    "credit_code",
    "kind",
    "subtype",
    "has_party_org",
    "employees",
    "women_employees",
    "requirement",
    "not_required_reason",
    "coverage",
    "committee",
    "patron",
    "head_name",
    "head_phone",
    "contact_name",
    "contact_phone",
    "address",
    "notes",
)
TRACKED_FIELDS = ("unit", *EDITABLE_FIELDS, "should_build", "closed_on")
RULE_FIELDS = ("party_org", "min_women", "chair_patron_from", "vice_patron_from")


def validate(org):
    """Organization.clean() and the field checks; the credit code once among open organizations, in Chinese."""
    org.full_clean(exclude=["version"], validate_constraints=False)
    if org.credit_code and org.closed_on is None:
        clash = Organization.objects.open().filter(credit_code=org.credit_code).exclude(pk=org.pk).first()
        if clash:
            raise ValidationError(
                {
                    "credit_code": _("Credit code %(code)s is already registered for %(name)s.")
                    % {"code": org.credit_code, "name": clash.name}
                }
            )


def _check_links(user, org):
    """The committee and the 包建 leader must be inside the writer's scope too (no linking, hence no
    reading, of another county's units)."""
    if org.committee_id:
        scope.require(user, scope.VIEW, org.committee)
    if org.patron_id:
        scope.require(user, scope.VIEW, org.patron.unit)


# The approvable figure set (federation.locks) of the register: approved, its organizations are locked.
LOCK = "register"


def _decide(org):
    org.should_build = rules.should_build(org, rules.rule_for(org.unit))


@transaction.atomic
def create_organization(user, unit, *, source="web", **fields):
    scope.require(user, scope.CHANGE, unit)
    locks.guard(unit, LOCK)
    org = Organization(unit=unit, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    validate(org)
    _check_links(user, org)
    _decide(org)
    org.save()
    return writes.create(org, user, TRACKED_FIELDS, source=source)


@transaction.atomic
def update_organization(user, org, changes, *, version=None, source="web"):
    """Change the editable fields. `version` is what the writer saw: a stale one is a conflict."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    current = writes.locked(Organization, org.pk, related=("unit",))
    scope.require(user, scope.CHANGE, current.unit)
    writes.check_version(current, version)
    before = audit.snapshot(current, TRACKED_FIELDS)
    for name, value in changes.items():
        setattr(current, name, value)
    validate(current)
    _check_links(user, current)
    _decide(current)
    if not audit.diff(before, audit.snapshot(current, TRACKED_FIELDS)):
        return current
    locks.guard([current.unit, *([org.unit] if org.unit_id != current.unit_id else [])], LOCK)
    return writes.save(current, user, before, TRACKED_FIELDS, source=source)


@transaction.atomic
def close_organization(user, org, closed_on, *, note="", version=None, source="web"):
    """An organization that ceased is closed on a day, never deleted."""
    current = writes.locked(Organization, org.pk, related=("unit",))
    scope.require(user, scope.CHANGE, current.unit)
    writes.check_version(current, version)
    if current.closed_on is not None:
        raise ValidationError(_("This organization is already closed."))
    locks.guard(current.unit, LOCK)
    before = audit.snapshot(current, TRACKED_FIELDS)
    current.closed_on = closed_on
    validate(current)
    return writes.save(current, user, before, TRACKED_FIELDS, source=source, note=note)


@transaction.atomic
def link_committee(user, orgs, committee, *, coverage="", source="web"):
    """Link organizations to one committee that covers them all (区域联建, 行业统建: one committee for
    several). With more than one organization and no way given, the way is 区域联建."""
    orgs = list(orgs)
    if not orgs:
        raise ValidationError(_("Choose at least one organization."))
    if not coverage:
        coverage = Coverage.REGIONAL if len(orgs) > 1 else Coverage.SEPARATE
    return [
        update_organization(user, org, {"committee": committee, "coverage": coverage}, source=source) for org in orgs
    ]


@transaction.atomic
def build_committee(user, orgs, parent, *, kind, name, coverage="", opened_on=None, source="web", **fields):
    """Found a new committee unit under `parent` (orgtree.services.create_unit: the tree lock, scope and
    history) and link the organizations it covers."""
    committee = units.create_unit(user, parent, kind=kind, name=name, opened_on=opened_on, source=source, **fields)
    link_committee(user, orgs, committee, coverage=coverage, source=source)
    return committee


@transaction.atomic
def set_rule(user, unit, values, *, version=None, source="web"):
    """Set the build rule of a county or a level above; `should_build` of every organization beneath that
    the rule decides follows at once. Returns (rule, how many organizations changed their answer)."""
    if unit.kind not in RULE_KINDS:
        raise ValidationError(_("A build rule is set by a county or a level above."))
    scope.require(user, scope.CHANGE, unit)
    locks.guard(unit, LOCK)  # the rule decides should_build beneath it
    current = BuildRule.objects.select_for_update().filter(unit=unit).first()
    # No rule yet is version 0: a writer who saw one is told so with the defaults that apply instead.
    writes.check_version(current, version, shown=current or BuildRule(unit=unit, version=0))
    creating = current is None
    rule = current or BuildRule(unit=unit)
    before = audit.snapshot(rule, RULE_FIELDS) if not creating else {}
    for name, value in values.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    rule.full_clean(exclude=["unit", "version"])
    if rule.vice_patron_from > rule.chair_patron_from:
        raise ValidationError({"vice_patron_from": _("The vice-chair's threshold cannot be above the chair's.")})
    if creating:
        rule.save()
        writes.create(rule, user, RULE_FIELDS, source=source)
    elif audit.diff(before, audit.snapshot(rule, RULE_FIELDS)):
        writes.save(rule, user, before, RULE_FIELDS, source=source)
    return rule, rules.recompute(unit)
