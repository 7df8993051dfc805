"""Committees with executives in both counties of the shared tree, for the training tests."""

import datetime
from types import SimpleNamespace

import pytest

from orgtree.models import Office, Person, Term
from tests.orgtree.test_idnumber import id_number

TERM_START = datetime.date(2021, 3, 1)
LIN_ID = id_number(born="19800101", sequence="002")


def seat(unit, names, started=TERM_START, ids=None):
    term = Term.objects.create(unit=unit, number=1, started_on=started, due_on=started.replace(year=started.year + 5))
    people = []
    for i, name in enumerate(names):
        person = Person.objects.create(unit=unit, name=name, id_number=(ids or {}).get(name, ""))
        Office.objects.create(
            person=person, unit=unit, term=term, started_on=started, role="chair" if i == 0 else "executive"
        )
        people.append(person)
    return people


@pytest.fixture(name="world")
def training_world(tree, users):
    w = SimpleNamespace(tree=tree, users=users)
    w.a1 = seat(tree.village_a1, ["林秀英", "陈美华", "张芳"], ids={"林秀英": LIN_ID})
    w.a2 = seat(tree.village_a2, ["王丽", "黄春燕"])
    w.ta = seat(tree.township_a, ["刘淑芬"])
    w.b1 = seat(tree.village_b1, ["郑雪梅", "谢海燕"])
    for unit in vars(tree).values():  # their places in the tree as stored (lft/rght moved on inserts)
        unit.refresh_from_db()
    return w


def session_fields(**extra):
    return {
        "title": "领头雁培训班",
        "type": "lead_goose",
        "starts_on": datetime.date(2024, 5, 10),
        "ends_on": datetime.date(2024, 5, 11),
        "hours": 12,
        "place": "区委党校",
        "trainers": "市妇联",
        **extra,
    }
