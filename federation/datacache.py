"""Results that are the same for everyone who may see a unit (a dashboard's figures and panels), kept in
the shared cache until the next write.

One number, the data generation, moves on whenever a transaction that wrote to the database commits:
every statement goes through `watch` (a database execute wrapper, installed on each connection), which
notes an INSERT, UPDATE or DELETE (or a COPY, through `written()`) of any table but those that hold no
figures (sessions, sign-in attempts, notifications, …), and the commit moves the generation on. A kept
result is stored under the generation it was computed in, the day and the language, so the first
request after any write, or after midnight, computes afresh: nothing is invalidated by name, and a
write path added later needs nothing to stay fresh. The timeout is only a safety net.

A request reads the generation before computing: a write that commits while it computes moves the
generation on, so its result is never read by a later request. Kept only with a shared cache
(BANYAN["FIGURE_CACHE_SECONDS"], on with Redis): one process's local memory would not see another's writes.
A failing cache is no error: the result is computed as if nothing were kept."""

import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

# Tables written on reads or sign-ins, whose rows no kept result shows.
UNCOUNTED = re.compile(
    r'^"?(django_session|django_admin_log|auth_user|axes_\w+|otp_\w+|federation_notification'
    r'|federation_securityevent|federation_job)"?$'
)
_WRITE = re.compile(r"^\s*(INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+(\S+)", re.IGNORECASE)
_WITH_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def enabled():
    return settings.BANYAN["FIGURE_CACHE_SECONDS"] > 0


def _key(*parts):
    return ":".join(["banyan", str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]), *map(str, parts)])


def generation():
    """The current data generation; a missing one (first use, evicted) starts from the clock, so it
    never repeats one under which results were kept."""
    key = _key("generation")
    found = cache.get(key)
    if found is None:
        cache.add(key, time.time_ns(), None)
        found = cache.get(key)
    return found


def move_on():
    """The data changed: what was kept before is never read again."""
    if not enabled():
        return
    key = _key("generation")
    try:
        try:
            cache.incr(key)
        except ValueError:  # missing: any new value differs from every kept one
            cache.set(key, time.time_ns(), None)
    except Exception:
        logger.exception("the data generation could not move on")


def kept(name, parts, compute):
    """`compute()`, or what it returned for the same name and parts in this generation, day and language."""
    if not enabled():
        return compute()
    try:
        key = _key(name, generation(), timezone.localdate().isoformat(), translation.get_language(), *parts)
        found = cache.get(key)
    except Exception:
        logger.exception("kept result %s could not be read", name)
        return compute()
    if found is not None:
        return found
    found = compute()
    try:
        cache.set(key, found, settings.BANYAN["FIGURE_CACHE_SECONDS"])
    except Exception:
        logger.exception("kept result %s could not be stored", name)
    return found


def written(using=DEFAULT_DB_ALIAS):
    """A write this module cannot see (a COPY): the generation moves on when its transaction commits."""
    if not enabled():
        return
    connection = connections[using]
    if connection.in_atomic_block:
        # Once per transaction and savepoint: a savepoint rolled back takes its callbacks with it.
        here = set(connection.savepoint_ids)
        if not any(entry[1] is move_on and entry[0] == here for entry in connection.run_on_commit):
            transaction.on_commit(move_on, using=using)
    else:
        move_on()


def is_write(sql):
    found = _WRITE.match(sql)
    if found:
        return not UNCOUNTED.match(found.group(2))
    return sql.lstrip()[:4].upper() == "WITH" and bool(_WITH_WRITE.search(sql))


def watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and isinstance(sql, str) and is_write(sql):
        written(context["connection"].alias)
    return result


def install(sender=None, connection=None, **kwargs):
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)


def connect():
    """Watch every connection's statements, those already open included."""
    connection_created.connect(install, dispatch_uid="federation.datacache")
    for connection in connections.all(initialized_only=True):
        install(connection=connection)
