"""The contact tests' world: executives in county A (a village and its street) and in county B."""

import datetime
from types import SimpleNamespace

import pytest

from orgtree.models import Office, Person, Term

STARTED = datetime.date(2021, 3, 1)


def seat(unit, name, role="executive", started_on=STARTED, ended_on=None):
    person = Person.objects.create(unit=unit, name=name)
    term = Term.objects.filter(unit=unit, ended_on__isnull=True).first() or Term.objects.create(
        unit=unit, number=1, started_on=STARTED, due_on=datetime.date(2026, 3, 1)
    )
    return Office.objects.create(
        unit=unit, person=person, term=term, role=role, started_on=started_on, ended_on=ended_on
    )


@pytest.fixture
def world(tree, users):
    w = SimpleNamespace(tree=tree, users=users)
    w.chair_a1 = seat(tree.village_a1, "林秀英", "chair")
    w.exec_a1 = seat(tree.village_a1, "陈美华")
    w.gone_a1 = seat(tree.village_a1, "黄丽萍", ended_on=datetime.date(2023, 5, 1))
    w.exec_a3 = seat(tree.village_a3, "张玉兰")
    w.exec_township_a = seat(tree.township_a, "李桂香", "vice_chair")
    w.exec_b1 = seat(tree.village_b1, "王春燕")
    return w


@pytest.fixture(autouse=True)
def chinese():
    """Messages read outside a request, in the site's language (another test may have left English on);
    autouse in the modules that take it."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
