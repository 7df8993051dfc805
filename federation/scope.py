"""Subtree scope: the one place that decides what a user may see and change.

Every page, form, API view, export and admin goes through `restrict()`; services call
`require()` before and after a write so nothing can be moved out of the writer's subtree.
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.models import Role, UserScope

VIEW, CHANGE, ADMIN = "view", "change", "admin"
ROLES_FOR = {
    VIEW: {Role.VIEWER, Role.EDITOR, Role.ADMIN},
    CHANGE: {Role.EDITOR, Role.ADMIN},
    ADMIN: {Role.ADMIN},
}


def unit_model():
    """The model scopes are rooted at (settings.UNIT_MODEL, the unit tree); the platform imports no domain."""
    return UserScope._meta.get_field("unit").related_model


def scope_path(model):
    """The lookup prefix from `model` to its unit. Every scoped model declares `scope_unit_path`: ''
    for the unit model itself, 'unit' or 'term__unit' for models hung off a unit."""
    path = model.scope_unit_path
    return f"{path}__" if path else ""


def unit_of(obj):
    """The unit `obj` belongs to, along its model's `scope_unit_path` (a unit is its own)."""
    for hop in filter(None, type(obj).scope_unit_path.split("__")):
        obj = getattr(obj, hop)
    return obj


def scopes_of(user):
    """The user's scopes with their units, cached on the user object for the request."""
    if not hasattr(user, "_banyan_scopes"):
        user._banyan_scopes = list(UserScope.objects.filter(user=user).select_related("unit"))
    return user._banyan_scopes


def scope_units(user, action=VIEW):
    return [s.unit for s in scopes_of(user) if s.role in ROLES_FOR[action] and s.unit.closed_on is None]


def subtree_q(user, action=VIEW, path="", exclude_roots=False):
    """A Q for the rows in the user's subtrees, or None when the user has no such scope."""
    units = scope_units(user, action)
    parts = []
    for unit in units:
        q = unit.subtree_q(path)
        if exclude_roots:
            q &= ~Q(**{f"{path}pk": unit.pk})
        parts.append(q)
    return reduce(or_, parts) if parts else None


def restrict(queryset, user, action=VIEW):
    """Limit `queryset` to the user's subtree for `action` (view, change or admin)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    q = subtree_q(user, action, scope_path(queryset.model))
    return queryset.filter(q) if q is not None else queryset.none()


def can(user, action, unit):
    """May `user` do `action` on `unit`? (checked against the database, not in memory)"""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return restrict(type(unit).objects.filter(pk=unit.pk), user, action).exists()


def can_restructure(user, unit):
    """Move or close `unit`: it must lie strictly inside a subtree the user may change."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    q = subtree_q(user, CHANGE, exclude_roots=True)
    return q is not None and type(unit).objects.filter(q, pk=unit.pk).exists()


def review_any_level_above():
    """BANYAN["REVIEW_ANY_LEVEL_ABOVE"]: may any level above review, not only the one directly above?"""
    from django.conf import settings

    return bool(settings.BANYAN.get("REVIEW_ANY_LEVEL_ABOVE", False))


def can_oversee(user, unit):
    """Review `unit`'s checklist or verify its rectification (下管一级): by default the level directly
    above does it — a user who may change from a scope rooted at `unit`'s parent (a county reviews its
    townships and its own agencies, a township its villages; nobody reviews her own unit, nor a county
    a village's). With BANYAN["REVIEW_ANY_LEVEL_ABOVE"], any level above: `unit` strictly inside a
    subtree the user may change."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if review_any_level_above():
        return can_restructure(user, unit)
    return unit.parent_id is not None and unit.parent_id in {u.pk for u in scope_units(user, CHANGE)}


def can_oversee_below(user, unit):
    """May `user` review the units directly below `unit` (can_oversee of each of its children)?"""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if review_any_level_above():
        return can(user, CHANGE, unit)
    return unit.pk in {u.pk for u in scope_units(user, CHANGE)}


def get_or_404(queryset, user, action=VIEW, **lookup):
    """The object if the user may see it; 404 otherwise (existence is not leaked)."""
    obj = restrict(queryset, user, VIEW).filter(**lookup).first()
    if obj is None:
        raise Http404(_("No such unit in your scope."))
    if action != VIEW and not can(user, action, unit_of(obj)):
        raise PermissionDenied(_("You may view this unit but not change it."))
    return obj


def require(user, action, unit, message=None):
    """Raise PermissionDenied unless `user` may do `action` on `unit` (services call this)."""
    if user is None:  # management commands act as the system
        return
    if not can(user, action, unit):
        raise PermissionDenied(message or _("%(unit)s is outside your scope.") % {"unit": unit})


def permitted(user, action, units):
    """The pks of those of `units` (of one model) on which `user` may do `action`: `can` for many units
    in one query, so a service writing many units checks them all at once."""
    units = list(units)
    if not units or user is None or not user.is_authenticated:
        return set()
    pks = {u.pk for u in units}
    if user.is_superuser:
        return pks
    return set(restrict(type(units[0]).objects.filter(pk__in=pks), user, action).values_list("pk", flat=True))


def require_all(user, action, units, message=None):
    """`require` for several units in one query: PermissionDenied naming the first unit refused."""
    if user is None:  # management commands act as the system
        return
    units = list(units)
    allowed = permitted(user, action, units)
    for unit in units:
        if unit.pk not in allowed:
            raise PermissionDenied(message or _("%(unit)s is outside your scope.") % {"unit": unit})


ROLE_MESSAGE = gettext_lazy("Your role lets you view this unit but not change it.")
