"""History reads like the rest of the app: Chinese field labels and values, names instead of ids."""

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import strip_tags

from federation import audit
from federation.models import ChangeRecord
from orgtree import services
from orgtree.choices import Kind
from orgtree.conversion import record_conversion
from tests.orgtree.test_conversion import data


def history_section(page):
    start = page.index("<h2>变更记录</h2>")
    return strip_tags(page[start : page.index("</section>", start)])


def test_a_created_edited_and_moved_unit_shows_labels_and_names(client, tree, users):
    unit = services.create_unit(
        users.editor_a,
        tree.township_a,
        kind=Kind.COMMUNITY,
        name="新社区",
        code="350702003009",
        opened_on=datetime.date(2020, 1, 5),
    )
    unit = services.update_unit(users.editor_a, unit, {"kind": Kind.VILLAGE, "name": "新村"})
    street = services.create_unit(users.editor_a, tree.county_a, kind=Kind.STREET, name="新街道")
    services.move_unit(users.editor_a, unit, street)
    client.force_login(users.editor_a)
    text = history_section(client.get(reverse("orgtree:unit_detail", args=[unit.pk])).content.decode())
    assert f"类型：{Kind.COMMUNITY.label} → {Kind.VILLAGE.label}" in text
    assert "上级组织：黄墩街道 → 新街道" in text  # the parents' names, not their ids
    assert "成立日期：— → 2020-01-05" in text and "名称：新社区 → 新村" in text
    assert "网页" in text and "调整隶属" in text
    assert not re.search("[A-Za-z]", text.replace("editor_a", "")), text  # no field name, code or source in English


def test_every_recorded_change_of_a_conversion_is_readable(tree, users):
    """Elections, people, offices' roles, chair's pay, service positions: labels and values in Chinese."""
    first = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    record_conversion(users.editor_a, tree.village_a1, data())
    record_conversion(users.editor_a, tree.village_a1, data(womens_home="yes", childrens_home=False))
    records = ChangeRecord.objects.filter(pk__gt=first)
    rows = audit.readable(records)
    assert len(rows) == records.count() > 5
    for row in rows:
        model = ContentType.objects.get_for_id(row.content_type_id).model_class()
        codes = {str(value) for f in model._meta.concrete_fields for value, _label in f.flatchoices}
        assert not re.search("[A-Za-z]", row.source + row.action)
        for label, before, after in row.changes:
            assert not re.search("[A-Za-z]", label), (model, label)
            assert before not in codes and after not in codes, (model, label, before, after)
            assert "True" not in (before, after) and "False" not in (before, after) and "None" not in (before, after)
    shown = [change for row in rows for change in row.changes]
    assert ("标准化", "是", "否") in shown  # the women's home is no longer standardized
