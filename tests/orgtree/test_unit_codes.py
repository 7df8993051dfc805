"""A unit's division code fits its level and its parent's code; a founding date is not in the future.
The same rule (Unit.clean) answers the page's form and the API, in Chinese."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from orgtree import services
from orgtree.forms import UnitForm
from orgtree.models import Unit

TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def form_errors(parent, **data):
    form = UnitForm(data={"kind": "village", "name": "新村", "code": "", **data}, parent=parent)
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("parent", "kind", "code", "message"),
    [
        ("county_a", "township", "12345", "9 位"),
        ("township_a", "village", "35070200300", "12 位"),
        ("township_a", "village", "350703001777", "350702003"),  # another township's prefix
        ("city", "county", "350801", "3507"),
        ("city", "agency", "350799", "行政区划"),
    ],
)
def test_a_code_that_does_not_fit_its_level_or_parent_is_refused(tree, parent, kind, code, message):
    errors = form_errors(getattr(tree, parent), kind=kind, code=code)
    assert message in " ".join(errors["code"])


def test_a_fitting_code_is_accepted(tree):
    form = UnitForm(
        data={"kind": "village", "name": "新村", "code": "350702003777", "form": ""}, parent=tree.township_a
    )
    assert form.is_valid(), form.errors


def test_a_founding_date_in_the_future_is_refused(tree):
    errors = form_errors(tree.township_a, code="350702003777", opened_on=TOMORROW)
    assert errors["opened_on"] == ["成立日期不能晚于今天。"]


def test_the_page_shows_the_rule_on_the_form(client, tree, users):
    client.force_login(users.editor_a)
    response = client.post(
        reverse("orgtree:unit_create", args=[tree.county_a.pk]),
        {"kind": "township", "name": "新镇", "code": "12345", "opened_on": "2030-01-01"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "乡镇妇联的区划代码应为 9 位" in page and "成立日期不能晚于今天" in page
    assert not Unit.objects.filter(name="新镇").exists()


def test_the_api_answers_400_in_chinese(api, tree, users):
    client = api(users.editor_a)
    response = client.post(
        "/api/units/",
        {"parent": tree.county_a.pk, "kind": "township", "name": "新镇", "code": "12345", "opened_on": TOMORROW},
    )
    assert response.status_code == 400
    body = response.json()
    assert "9 位" in " ".join(body["code"]) and "成立日期不能晚于今天" in " ".join(body["opened_on"])
    response = client.patch(f"/api/units/{tree.village_a1.pk}/", {"code": "350703001001"})
    assert response.status_code == 400 and "350702003" in " ".join(response.json()["code"])
    assert not Unit.objects.filter(name="新镇").exists()


def test_a_moved_unit_keeps_its_code_until_the_next_edition(tree):
    moved = services.move_unit(None, tree.village_a1, tree.township_b)
    assert moved.code == "350702003001"
    assert services.update_unit(None, moved, {"name": "黄墩社区（迁入）"}).name == "黄墩社区（迁入）"
    with pytest.raises(ValidationError):
        services.update_unit(None, moved, {"code": "350702003099"})  # a new code must fit the new parent
    assert services.update_unit(None, moved, {"code": "350703001099"}).code == "350703001099"
