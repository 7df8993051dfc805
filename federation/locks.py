"""Approval and lock (审核与锁定): figure sets a unit submits for approval by the level above, and the
guard every write path of those figures calls.

An app registers each approvable set once in its AppConfig.ready() (`approvable(name, label, figures,
kinds)`): orgtree's "conversion" (会改联结果), the register's ledger, … `figures(unit)` gives the set's
figures of a unit, kept as the approval's snapshot; `kinds` are the kinds of unit that submit it.

One app provides the locks (`provide(covered)`, registered by reform, which keeps the approvals):
`covered(units, set_name)` answers {unit id: Lock} for those of `units` that lie in (or are) a unit
whose approval of the set is approved and not unlocked, in one query whatever their number.

Services call `guard(units, set_name)` before writing what the set counts: a `LockedError` (a
ValidationError: forms show it, the API answers 400 with it) names the approval. Without a provider
nothing is locked. This module names no app and no model.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Approvable:
    """A figure set a unit submits for approval. `figures(unit)` is the snapshot kept at approval (a dict
    of JSON values); `kinds` the kinds of unit that submit it (empty: any)."""

    name: str
    label: "StrOrPromise"
    figures: Callable
    kinds: tuple = ()


@dataclass(frozen=True)
class Lock:
    """An approval that locks a unit: the approved unit (the unit itself or one above it), who decided
    (the deciding level's name) and on which day."""

    approval_id: int
    set_name: str
    unit_name: str
    decided_by: str
    decided_on: object  # a date

    @property
    def label(self):
        return approvable_set(self.set_name).label if self.set_name in _sets else self.set_name

    def message(self):
        return _(
            "The %(set)s of %(unit)s were approved and locked by %(by)s on %(date)s and cannot be changed; "
            "to change them, first request an unlock."
        ) % {
            "set": self.label,
            "unit": self.unit_name,
            "by": self.decided_by,
            "date": _("%(year)d-%(month)d-%(day)d") % _ymd(self.decided_on),
        }


def _ymd(day):
    return {"year": day.year, "month": day.month, "day": day.day}


class LockedError(ValidationError):
    """A write refused because what it changes is approved and locked. A ValidationError: page forms show
    its message, the API answers 400 with it ({"detail": [message, …]}), an import lists it."""

    def __init__(self, locks):
        self.locks = list(locks)
        messages = list(dict.fromkeys(lock.message() for lock in self.locks))
        super().__init__(messages, code="locked")


_sets: dict[str, Approvable] = {}
_provider: list[Callable] = []


def approvable(name, label, figures, kinds=()):
    """Register an approvable figure set (in AppConfig.ready()); a name registered twice is refused."""
    if name in _sets:
        raise ValueError(f"{name!r} is registered twice")
    _sets[name] = Approvable(name, label, figures, tuple(kinds))
    return _sets[name]


def approvable_set(name):
    return _sets[name]


def approvable_sets():
    return list(_sets.values())


def choices():
    return [(s.name, s.label) for s in _sets.values()]


def provide(covered):
    """Register the lock provider (one): `covered(units, set_name)` -> {unit id: Lock}."""
    if _provider:
        raise ValueError("a lock provider is registered twice")
    _provider.append(covered)


def approved(units, set_name):
    """{unit id: Lock} for those of `units` covered by an approved, not unlocked approval of `set_name`
    (their own or one above them): one query; {} without a provider."""
    units = [u for u in units if u is not None]
    if not units or not _provider:
        return {}
    return _provider[0](units, set_name)


def guard(units, set_name):
    """Refuse a write to `units` (a unit or several) when any is locked for `set_name`: Locked names
    every approval that locks them (LockedError)."""
    if not isinstance(units, list | tuple | set | frozenset):
        units = [units]
    found = approved(list(units), set_name)
    if found:
        raise LockedError(found.values())


def locked_units(units, set_name):
    """{unit id: message} of the locked ones among `units`: an import lists each refused unit."""
    return {pk: lock.message() for pk, lock in approved(list(units), set_name).items()}
