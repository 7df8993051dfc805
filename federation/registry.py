"""Where apps plug in: unit-page tabs, committee-page tabs, dashboard panels and demo loaders, registered by each app in
its AppConfig.ready() (overdue-notice producers register with `federation.notices`, importers with
`federation.imports`). A new app appears on the unit pages, the dashboard and the demo without
editing the domain core.

The registries are static: filled once at start-up, read per request; registering runs no query.
A name registered twice is refused, so two apps cannot silently shadow each other.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _always(unit, context):
    return True


@dataclass(frozen=True)
class Tab:
    """A tab on every unit page. `name` is what a page passes as `tab` to mark it active; `url(unit,
    context)` overrides the default `reverse(url_name, args=[unit.pk])`; `hidden_for_kinds` hides it
    on those kinds of unit, `visible(unit, context)` by anything else (e.g. the viewer's role)."""

    name: str
    label: "StrOrPromise"
    url_name: str
    weight: int
    hidden_for_kinds: tuple = ()
    visible: Callable = _always
    url: Callable | None = None

    def link(self, unit, context):
        return self.url(unit, context) if self.url else reverse(self.url_name, args=[unit.pk])

    def shown(self, unit, context):
        return unit.kind not in self.hidden_for_kinds and self.visible(unit, context)


@dataclass(frozen=True)
class Panel:
    """A section of the unit dashboard below the coverage figures. `build(unit, children, figures)`
    returns the template's context (None: the panel is left out); `children` are the unit's children
    as the dashboard lists them, `figures` the unit's coverage figures."""

    name: str
    weight: int
    template: str
    build: Callable


@dataclass(frozen=True)
class DemoLoader:
    """Demo records of one app: `load()` returns something true when it loaded anything (it must skip
    what is already there); `done` is then printed, formatted with {result}."""

    name: str
    weight: int
    load: Callable
    done: str


_tabs: dict[str, Tab] = {}
_committee_tabs: dict[str, Tab] = {}
_panels: dict[str, Panel] = {}
_committee_panels: dict[str, Panel] = {}
_person_panels: dict[str, Panel] = {}
_demo_loaders: dict[str, DemoLoader] = {}


def _add(store, item):
    if item.name in store:
        raise ValueError(f"{item.name!r} is registered twice")
    store[item.name] = item
    return item


def unit_tab(tab):
    return _add(_tabs, tab)


def committee_tab(tab):
    """A tab of the committee page (members and duties, rotation, contacts, training, …): the same
    Tab, its page showing the unit tab "committee" and these below it."""
    return _add(_committee_tabs, tab)


def dashboard_panel(panel):
    return _add(_panels, panel)


def committee_panel(panel):
    """A section of the committee page below its facts (e.g. this month's rotating chair): a Panel
    whose `build(unit, context)` gets the committee's unit and the page's context and returns the
    template's context (None: left out). It should cost at most a query or two: the page's query
    count is pinned."""
    return _add(_committee_panels, panel)


def person_panel(panel):
    """A section of a person's page (her training, contacts, activities and points, evaluations,
    rotation months, …): a Panel whose `build(person, context)` gets the person and the page's context
    (`context["viewer"]` is the user looking) and returns the template's context (None: left out).
    Each panel reads only rows inside the viewer's scope (`scope.restrict`) and costs a fixed query
    or two whatever the number of rows: the page's query count is pinned."""
    return _add(_person_panels, panel)


def demo_loader(loader):
    return _add(_demo_loaders, loader)


def _by_weight(store):
    return sorted(store.values(), key=lambda item: (item.weight, item.name))


def unit_tabs():
    return _by_weight(_tabs)


def committee_tabs():
    return _by_weight(_committee_tabs)


def dashboard_panels():
    return _by_weight(_panels)


def committee_panels():
    return _by_weight(_committee_panels)


def person_panels():
    return _by_weight(_person_panels)


def demo_loaders():
    return _by_weight(_demo_loaders)
