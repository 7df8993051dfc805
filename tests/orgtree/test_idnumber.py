"""Resident ID numbers: real-format numbers pass; each kind of mistake gets its own Chinese message."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from federation.models import ChangeRecord
from orgtree.committees import create_people, create_person, merge_people, update_person
from orgtree.idnumber import check_char, mask, validate_id_number
from orgtree.models import Person


def id_number(area="350702", born="19850315", sequence="002"):
    first17 = f"{area}{born}{sequence}"
    return first17 + check_char(first17)


def test_the_standard_example_passes():
    validate_id_number("11010519491231002X")  # the example of GB 11643-1999
    validate_id_number("11010519491231002x")  # lower-case x is accepted and normalized


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("35070219850315002", "17"),  # 17 characters
        ("3507021985031500A2", "17"),  # a letter inside
        ("350702198502300021", "出生日期"),  # 30 February
        (id_number(born="20990101"), "出生日期"),  # born in the future
    ],
)
def test_malformed_numbers_are_refused_in_chinese(value, word):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert word in excinfo.value.messages[0]


def test_a_typing_error_breaks_the_checksum():
    good = id_number()
    bad = good[:-2] + str((int(good[-2]) + 1) % 10) + good[-1]
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(bad)
    assert "校验" in excinfo.value.messages[0]


def test_mask_shows_area_and_last_four():
    assert mask("11010519491231002X") == "110105********002X"


def test_person_takes_birth_date_from_the_id_and_checks_gender(tree):
    person = Person(unit=tree.village_a1, name="林秀英", id_number=id_number())
    person.full_clean()
    assert person.birth_date == datetime.date(1985, 3, 15)
    male = Person(unit=tree.village_a1, name="王某", id_number=id_number(sequence="003"))
    with pytest.raises(ValidationError) as excinfo:
        male.full_clean()
    assert "gender" in excinfo.value.message_dict


def test_one_person_per_id_number_without_naming_her(tree):
    from orgtree.committees import create_person

    Person.objects.create(unit=tree.village_b1, name="陈美华", id_number=id_number())
    with pytest.raises(ValidationError) as excinfo:  # the system sees everyone (scoped writers: test_id_clashes)
        create_person(None, tree.village_a1, name="陈美华", id_number=id_number().lower())
    message = " ".join(excinfo.value.message_dict["id_number"])
    assert "已登记" in message and "陈美华" not in message


def test_history_keeps_that_a_number_was_given_never_the_number(tree, users):
    """Created alone or in a list, changed, or merged in: the record says "…" where a number was."""
    alone = create_person(users.editor_a, tree.village_a1, name="王芳", id_number=id_number())
    listed, without = create_people(
        users.editor_a, tree.village_a1, [{"name": "李娜", "id_number": id_number(sequence="004")}, {"name": "张静"}]
    )
    update_person(users.editor_a, alone, {"id_number": id_number(sequence="006")})
    twin = create_person(users.editor_a, tree.village_a1, name="张静", id_number=id_number(sequence="008"))
    merge_people(users.editor_a, without, twin)
    people = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Person))
    records = {(r.object_id, r.action): r.changes for r in people}
    assert records[alone.pk, "create"]["id_number"] == [None, "…"]
    assert records[listed.pk, "create"]["id_number"] == [None, "…"]
    assert records[without.pk, "create"]["id_number"] == [None, ""]
    assert records[alone.pk, "update"]["id_number"] == ["…", "…"]
    assert records[without.pk, "update"]["id_number"] == [None, "…"]
    numbers = {id_number(sequence=s) for s in ("002", "004", "006", "008")}
    assert not any(n in str(r.changes) for r in ChangeRecord.objects.all() for n in numbers)
