"""审核与锁定: submit a figure set for approval, approve or return it, request, grant or refuse an unlock —
the only way pages and the API write approvals — and the lock provider of federation.locks.

The unit's editors submit and request unlocks; the level above decides (下管一级, scope.can_oversee;
BANYAN["REVIEW_ANY_LEVEL_ABOVE"] lets any level above). A campaign with `approval_children_first`
approves a unit's set only after those of all its open children that submit the set are approved.
Every step is recorded in history (federation.writes); a stale version is a conflict (409).
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, locks, scope, writes
from orgtree.choices import Kind
from orgtree.models import Unit
from reform.models import LOCKING, Approval, ApprovalState

S = ApprovalState
FIELDS = ("set_name", "campaign", "phase", "state", "comment", "unlock_reason")


# --- the lock provider ------------------------------------------------------------------------


def _above_ids(unit):
    """The ids a unit's ancestors-or-self are known by without a query: itself, its parent and its
    ancestor columns (a deeper unit's tree ancestors are found by its MPTT range)."""
    return {unit.pk, unit.parent_id, unit.province_id, unit.city_id, unit.county_id} - {None}


def _covers(approval_unit, unit):
    if approval_unit.kind == Kind.NATIONAL or approval_unit.pk in _above_ids(unit):
        return True
    return approval_unit.tree_id == unit.tree_id and approval_unit.lft <= unit.lft and approval_unit.rght >= unit.rght


def covered(units, set_name):
    """{unit id: Lock} of those of `units` in (or equal to) a unit whose approval of `set_name` locks:
    one query, whatever their number (the ids above each unit, its tree range when deeper)."""
    ids: set[int] = set()
    deeper = []
    for unit in units:
        ids |= _above_ids(unit)
        if getattr(unit, "level", 0) and unit.level > 1:
            deeper.append(Q(unit__tree_id=unit.tree_id, unit__lft__lt=unit.lft, unit__rght__gt=unit.rght))
    where = reduce(or_, [Q(unit__in=ids), Q(unit__kind=Kind.NATIONAL), *deeper])
    found = list(
        Approval.objects.filter(where, set_name=set_name, state__in=LOCKING)
        .select_related("unit", "decided_unit")
        .order_by("decided_at", "pk")
    )
    result = {}
    for unit in units:
        for approval in found:
            if _covers(approval.unit, unit):
                result[unit.pk] = lock_of(approval)
                break
    return result


def lock_of(approval):
    decided = approval.decided_at or approval.submitted_at or timezone.now()
    by = approval.decided_unit.name if approval.decided_unit_id else _("the level above")
    return locks.Lock(approval.pk, approval.set_name, approval.unit.name, by, timezone.localdate(decided))


# --- the steps ----------------------------------------------------------------------------------


def _set(set_name, unit):
    try:
        found = locks.approvable_set(set_name)
    except KeyError:
        raise ValidationError({"set_name": _("No such figure set to approve.")}) from None
    if found.kinds and unit.kind not in found.kinds:
        raise ValidationError(
            {"unit": _("A %(kind)s does not submit %(set)s.") % {"kind": unit.get_kind_display(), "set": found.label}}
        )
    return found


def _check_campaign(unit, campaign, phase):
    if campaign is None:
        return
    if not Unit.objects.filter(campaign.unit.subtree_q(), pk=unit.pk).exists():
        raise ValidationError({"campaign": _("The campaign does not cover %(unit)s.") % {"unit": unit}})
    phases = set(campaign.milestones.values_list("phase", flat=True))
    if phase and phase not in phases:
        raise ValidationError({"phase": _("The campaign has no phase %(phase)s.") % {"phase": phase}})


def _text(value, name, limit=300):
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({name: _("At most %(limit)d characters.") % {"limit": limit}})
    return value


def _save(current, user, before, source, note=""):
    return writes.save(current, user, before, FIELDS, source=source, note=note)


def _who(user):
    return user if user is not None and user.is_authenticated else None


def submit(user, unit, set_name, *, campaign=None, phase="", version=None, source="web"):
    """The unit submits `set_name` for `campaign`'s `phase`: a new approval, or a returned or unlocked one
    submitted again (its version, when given, must be the one read)."""
    scope.require(user, scope.CHANGE, unit)
    _set(set_name, unit)
    phase = _text(phase, "phase", 50)
    _check_campaign(unit, campaign, phase)
    with transaction.atomic():
        existing = (
            Approval.objects.select_for_update()
            .filter(unit=unit, set_name=set_name, campaign=campaign, phase=phase)
            .first()
        )
        if existing is None:
            approval = Approval(
                unit=unit,
                set_name=set_name,
                campaign=campaign,
                phase=phase,
                submitted_by=_who(user),
                submitted_at=timezone.now(),
            )
            approval.full_clean()
            return writes.create(approval, user, FIELDS, source=source)
        writes.check_version(existing, version)
        if existing.state not in (S.RETURNED, S.UNLOCKED):
            raise ValidationError(
                _("%(approval)s is already %(state)s.") % {"approval": existing, "state": existing.get_state_display()}
            )
        before = audit.snapshot(existing, FIELDS)
        existing.state, existing.comment, existing.unlock_reason = S.SUBMITTED, "", ""
        existing.submitted_by, existing.submitted_at = _who(user), timezone.now()
        return _save(existing, user, before, source)


def _oversee(user, approval):
    if user is not None and not scope.can_oversee(user, approval.unit):
        raise PermissionDenied(_("Only the level above %(unit)s decides on its approval.") % {"unit": approval.unit})


def _locked(approval, version, wanted):
    current = writes.locked(Approval, approval.pk, related=("unit",))  # (campaign: nullable, read after)
    writes.check_version(current, version)
    if current.state not in wanted:
        raise ValidationError(
            _("%(approval)s is %(state)s: this step is not possible.")
            % {"approval": current, "state": current.get_state_display()}
        )
    return current


def _deciding_unit(user, unit):
    """The unit whose cadre decides: the nearest of the decider's units above `unit` (its parent for
    the system or a superuser)."""
    if user is not None and not user.is_superuser:
        mine = {u.pk: u for u in scope.scope_units(user, scope.CHANGE)}
        for above in reversed(unit.lineage()):
            if above.pk in mine:
                return above
    return unit.parent


def children_not_approved(approval):
    """The open children of the approval's unit that submit its set and whose approval for the same
    campaign phase does not lock yet (the children-first rule)."""
    found = locks.approvable_set(approval.set_name)
    children = approval.unit.children.open()
    if found.kinds:
        children = children.filter(kind__in=found.kinds)
    done = Approval.objects.filter(
        set_name=approval.set_name, campaign=approval.campaign, phase=approval.phase, state__in=LOCKING
    ).values("unit")
    return list(children.exclude(pk__in=done).order_by("code", "name", "pk"))


def approve(user, approval, comment="", *, version=None, source="web"):
    """The level above approves: the set's figures of the unit are kept, and the set is locked for the
    unit's subtree."""
    _oversee(user, approval)
    with transaction.atomic():
        current = _locked(approval, version, (S.SUBMITTED,))
        if current.campaign is not None and current.campaign.approval_children_first:
            waiting = children_not_approved(current)
            if waiting:
                raise ValidationError(
                    _("Approve the children first; not yet approved: %(units)s.")
                    % {"units": "、".join(u.name for u in waiting)}
                )
        before = audit.snapshot(current, FIELDS)
        current.figures = locks.approvable_set(current.set_name).figures(current.unit)
        current.state, current.comment = S.APPROVED, _text(comment, "comment")
        current.decided_by, current.decided_at = _who(user), timezone.now()
        current.decided_unit = _deciding_unit(user, current.unit)
        return _save(current, user, before, source)


def return_approval(user, approval, comment, *, version=None, source="web"):
    """The level above returns the submission with a comment (required)."""
    _oversee(user, approval)
    comment = _text(comment, "comment")
    if not comment:
        raise ValidationError({"comment": _("Say why it is returned.")})
    with transaction.atomic():
        current = _locked(approval, version, (S.SUBMITTED,))
        before = audit.snapshot(current, FIELDS)
        current.state, current.comment = S.RETURNED, comment
        current.decided_by, current.decided_at = _who(user), timezone.now()
        current.decided_unit = _deciding_unit(user, current.unit)
        return _save(current, user, before, source)


def request_unlock(user, approval, reason, *, version=None, source="web"):
    """The unit asks the level above to unlock its approved set, with a reason (required)."""
    scope.require(user, scope.CHANGE, approval.unit)
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the unlock.")})
    with transaction.atomic():
        current = _locked(approval, version, (S.APPROVED,))
        before = audit.snapshot(current, FIELDS)
        current.state, current.unlock_reason = S.UNLOCK_REQUESTED, reason
        return _save(current, user, before, source, note=reason)


def decide_unlock(user, approval, grant, comment="", *, version=None, source="web"):
    """The level above grants the unlock (the set may be changed, then submitted again) or refuses it
    (it stays approved and locked)."""
    _oversee(user, approval)
    with transaction.atomic():
        current = _locked(approval, version, (S.UNLOCK_REQUESTED,))
        before = audit.snapshot(current, FIELDS)
        current.state = S.UNLOCKED if grant else S.APPROVED
        current.comment = _text(comment, "comment")
        return _save(current, user, before, source)
