"""Contact with women: the services' rules (in Chinese, nothing saved), versions, history, scope,
masking and erasure (PIPL)."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from executives import contacts
from executives.models import ContactList, ContactVisit, NamedContact
from executives.models.contacts import masked_name
from federation.conflicts import ConflictError
from federation.models import ChangeRecord
from tests.executives import contacts_world

world = contacts_world.world  # the fixture
chinese = contacts_world.chinese  # autouse: messages in Chinese

COUNTS = {"difficulty": 2, "disabled": 1, "left_behind": 3, "single_mother": 1, "other": 5}
CHANNELS = {"home_visit": 4, "phone": 3, "wechat": 5, "wechat_members": 80}


def records_of(obj):
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


def messages(exc):
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


def test_a_list_is_saved_with_its_total_and_recorded_in_history(world):
    saved, changed = contacts.save_contact_list(world.users.editor_a, world.exec_a1, {**COUNTS, **CHANNELS})
    assert changed and saved.women == 12 and saved.unit == world.tree.village_a1 and saved.version == 1
    [created] = records_of(saved)
    assert created.action == "create" and created.unit_id == world.tree.village_a1.pk
    assert created.changes["women"] == [None, 12]
    again, changed = contacts.save_contact_list(
        world.users.editor_a, world.exec_a1, {**COUNTS, **CHANNELS, "other": 6, "phone": 4}, version=1
    )
    assert changed and again.women == 13 and again.version == 2
    update = records_of(saved).get(action="update")
    assert update.changes == {"other": [5, 6], "phone": [3, 4], "women": [12, 13]}
    _same, changed = contacts.save_contact_list(
        world.users.editor_a, world.exec_a1, {**COUNTS, **CHANNELS, "other": 6, "phone": 4}, version=2
    )
    assert not changed and records_of(saved).count() == 2


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({**COUNTS, "home_visit": 10, "phone": 10}, "home_visit", "每名妇女"),
        ({**COUNTS, "wechat": 5, "wechat_members": 3}, "wechat_members", "微信群"),
        ({"difficulty": -1}, "difficulty", "负数"),
        ({"disabled": "三"}, "disabled", "整数"),
        ({"other": 100_001}, "other", "100000"),
        ({"note": "长" * 201}, "note", "200"),
    ],
)
def test_bad_counts_are_refused_in_chinese_and_nothing_is_saved(world, values, field, words):
    with pytest.raises(ValidationError) as exc:
        contacts.save_contact_list(world.users.editor_a, world.exec_a1, values)
    assert field in exc.value.message_dict
    assert words in messages(exc)
    assert (
        not ContactList.objects.exists()
        and not ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(ContactList)).exists()
    )


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    contacts.save_contact_list(world.users.editor_a, world.exec_a1, COUNTS)
    contacts.save_contact_list(world.users.admin_a, world.exec_a1, {**COUNTS, "other": 9}, version=1)
    with pytest.raises(ConflictError) as exc:
        contacts.save_contact_list(world.users.editor_a, world.exec_a1, {**COUNTS, "other": 1}, version=1)
    assert "其他人" in str(exc.value) or "修改" in str(exc.value)
    assert ContactList.objects.get().other == 9
    # Two editors who both saw no list: the second is told, not silently overwriting the first.
    contacts.save_contact_list(world.users.editor_a, world.exec_a3, COUNTS, version=0)
    with pytest.raises(ConflictError):
        contacts.save_contact_list(world.users.admin_a, world.exec_a3, {"other": 1}, version=0)


def test_an_executive_out_of_office_keeps_no_list_nor_log(world):
    with pytest.raises(ValidationError) as exc:
        contacts.save_contact_list(world.users.editor_a, world.gone_a1, COUNTS)
    assert "不在任" in messages(exc)
    with pytest.raises(ValidationError):
        contacts.log_visit(world.users.editor_a, world.gone_a1, date=datetime.date(2023, 1, 2), way="phone", women=1)
    assert not ContactList.objects.exists() and not ContactVisit.objects.exists()


def test_only_editors_of_the_scope_write(world):
    for user in (world.users.editor_b, world.users.viewer):
        with pytest.raises(PermissionDenied):
            contacts.save_contact_list(user, world.exec_a1, COUNTS)
        with pytest.raises(PermissionDenied):
            contacts.log_visit(user, world.exec_a1, date=datetime.date(2025, 1, 2), way="phone", women=1)
        with pytest.raises(PermissionDenied):
            contacts.add_named_contact(
                user, world.exec_a1, unit=world.tree.village_a1, name="王芳", category="difficulty"
            )
    assert not ContactList.objects.exists() and not ContactVisit.objects.exists()
    assert not NamedContact.objects.exists()


def test_a_log_entry_is_recorded_with_history(world):
    visit = contacts.log_visit(
        world.users.editor_a, world.exec_a1, date=datetime.date(2025, 4, 1), way="home_visit", women=3, note="走访"
    )
    assert visit.unit == world.tree.village_a1 and visit.created_by == world.users.editor_a
    [record] = records_of(visit)
    assert record.unit_id == world.tree.village_a1.pk and record.changes["women"] == [None, 3]


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({"date": "tomorrow"}, "date", "未来"),
        ({"date": datetime.date(2020, 1, 1)}, "date", "2021-03-01"),
        ({"women": 0}, "women", "至少"),
        ({"women": "两"}, "women", "整数"),
        ({"way": "letter"}, "way", "方式"),
        ({"note": "长" * 101}, "note", "100"),
    ],
)
def test_bad_log_entries_are_refused_in_chinese(world, entry, field, words):
    values = {"date": datetime.date(2025, 4, 1), "way": "phone", "women": 2, **entry}
    if values["date"] == "tomorrow":
        values["date"] = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        contacts.log_visit(world.users.editor_a, world.exec_a1, **values)
    assert field in exc.value.message_dict and words in messages(exc)
    assert not ContactVisit.objects.exists()


def test_named_contacts_are_minimal_and_inside_the_executives_unit(world):
    add = contacts.add_named_contact
    with pytest.raises(ValidationError) as exc:
        add(
            world.users.editor_a, world.exec_a1, unit=world.tree.village_a1, name="王芳35070219800101", category="other"
        )
    assert "身份证" in messages(exc)
    with pytest.raises(ValidationError) as exc:  # another village than the executive's own
        add(world.users.editor_a, world.exec_a1, unit=world.tree.village_a2, name="王芳", category="other")
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        add(world.users.editor_a, world.exec_a1, unit=world.tree.village_a1, name="王芳", category="rich")
    assert "category" in exc.value.message_dict
    assert not NamedContact.objects.exists()
    # A street's executive names women of its villages.
    contact = add(
        world.users.editor_a, world.exec_township_a, unit=world.tree.village_a2, name="王芳", category="disabled"
    )
    assert contact.unit == world.tree.village_a2
    [record] = records_of(contact)
    assert record.unit_id == world.tree.village_a2.pk
    assert record.changes["name"] == [None, "…"] and record.changes["category"] == [None, "…"]
    assert "王芳" not in record.object_repr


def test_a_viewer_sees_names_masked():
    assert masked_name("王芳") == "王*"
    assert masked_name("欧阳娜娜") == "欧***"
    assert masked_name("王") == "王*"
    assert masked_name("") == ""


def test_erasure_blanks_her_everywhere_and_records_who_when_why(world):
    contact = contacts.add_named_contact(
        world.users.editor_a, world.exec_a1, unit=world.tree.village_a1, name="赵小燕", category="left_behind"
    )
    contact = contacts.update_named_contact(
        world.users.editor_a, contact, {"name": "赵晓燕", "category": "single_mother"}, version=1
    )
    with pytest.raises(ValidationError) as exc:
        contacts.erase_named_contact(world.users.editor_a, contact, "赵晓燕本人要求", version=2)
    assert "姓名" in messages(exc)
    with pytest.raises(ValidationError):
        contacts.erase_named_contact(world.users.editor_a, contact, " ", version=2)
    with pytest.raises(PermissionDenied):
        contacts.erase_named_contact(world.users.viewer, contact, "本人要求", version=2)
    erased = contacts.erase_named_contact(world.users.editor_a, contact, "本人 2025-03-01 来电要求删除", version=2)
    assert erased.erased and erased.name == "" and erased.category == "" and erased.erased_by == world.users.editor_a
    assert NamedContact.objects.filter(pk=contact.pk).exists()  # the tombstone
    records = list(records_of(contact).order_by("pk"))
    assert [r.action for r in records] == ["create", "update", "update"]
    erasure = records[-1]
    assert erasure.user == world.users.editor_a and erasure.note == "本人 2025-03-01 来电要求删除"
    assert set(erasure.changes) == {"name", "category", "erased_at"}
    assert erasure.changes["name"] == ["…", ""]
    everything = json.dumps(
        [list(ChangeRecord.objects.values()), list(NamedContact.objects.values())], ensure_ascii=False, default=str
    )
    for secret in ("赵小燕", "赵晓燕", "left_behind", "single_mother"):
        assert secret not in everything
    with pytest.raises(ValidationError):
        contacts.erase_named_contact(world.users.editor_a, erased, "再次", version=erased.version)
    with pytest.raises(ValidationError):
        contacts.update_named_contact(world.users.editor_a, erased, {"name": "某某"}, version=erased.version)
    assert contacts.shown_name(erased, True) == ""


def test_a_log_entry_is_corrected_never_deleted_with_history(world):
    visit = contacts.log_visit(
        world.users.editor_a, world.exec_a1, date=datetime.date(2025, 4, 1), way="phone", women=3
    )
    with pytest.raises(ValidationError) as exc:
        contacts.correct_visit(world.users.editor_a, visit, {"women": 0}, version=1)
    assert "至少" in messages(exc)
    with pytest.raises(PermissionDenied):
        contacts.correct_visit(world.users.editor_b, visit, {"women": 4}, version=1)
    fixed = contacts.correct_visit(world.users.editor_a, visit, {"women": 4, "way": "home_visit"}, version=1)
    assert fixed.women == 4 and fixed.way == "home_visit" and fixed.version == 2
    assert records_of(visit).get(action="update").changes == {"way": ["phone", "home_visit"], "women": [3, 4]}
    with pytest.raises(ConflictError):
        contacts.correct_visit(world.users.admin_a, visit, {"women": 5}, version=1)
    assert ContactVisit.objects.get(pk=visit.pk).women == 4
