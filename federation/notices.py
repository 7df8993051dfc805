"""Daily notices (overdue renewals, overdue problems and key tasks): one per scope and day.

The domains register their producers here (in their AppConfig.ready(), so the platform imports no
domain). Beat runs them for every scope each night; besides, the first page a user opens on a day
runs them for her own scopes (`catch_up`), so a notice is there the same day whatever beat did,
and a scope added in the afternoon is not silent until tomorrow. Producers are idempotent (keyed
by scope and day): running twice adds nothing.
"""

from django.utils import timezone

from federation.models import Notification, UserScope
from federation.scope import scopes_of

_producers = []


def daily(producer):
    """Register `producer(today=, scopes=)`: it notifies the users of those scopes it addresses and
    returns {"notified": n}."""
    if producer not in _producers:
        _producers.append(producer)
    return producer


def produce(scopes, today=None):
    today = today or timezone.localdate()
    return sum(producer(today=today, scopes=scopes)["notified"] for producer in _producers)


def catch_up(user):
    """Produce today's notices for the user's scopes not yet done today (no query once done)."""
    today = timezone.localdate()
    stale = [s for s in scopes_of(user) if s.notices_on != today and s.unit.closed_on is None]
    if not stale or not user.is_active:
        return 0
    created = produce(stale, today)
    UserScope.objects.filter(pk__in=[s.pk for s in stale]).update(notices_on=today)
    for s in stale:
        s.notices_on = today
    return created


def open_scopes(scopes=None):
    """`scopes` as given (a producer's argument), or every scope of an active user on an open unit."""
    if scopes is not None:
        return scopes
    return UserScope.objects.filter(unit__closed_on__isnull=True, user__is_active=True).select_related("unit")


def notify(user_scope, kind, today, *, url, message):
    """The day's notice of `kind` about the scope's unit to the scope's user, once (keyed by kind, unit
    and day: a rerun adds nothing). Returns 1 when it was new, else 0."""
    unit = user_scope.unit
    _note, made = Notification.objects.get_or_create(
        user_id=user_scope.user_id,
        key=f"{kind}:{unit.pk}:{today.isoformat()}",
        defaults={"unit": unit, "url": url, "message": message},
    )
    return int(made)
