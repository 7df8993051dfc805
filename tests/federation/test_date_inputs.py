"""Every date input renders ISO (YYYY-MM-DD) for the browser's date picker, in Chinese too."""

import datetime
import importlib

from django import forms
from django.urls import reverse
from django.utils import translation

from federation.widgets import DateInput


def project_forms():
    for module in ("orgtree.forms", "reform.forms", "funding.forms", "federation.views_imports"):
        importlib.import_module(module)
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # The Django admin swaps in its own date widget with its own calendar: not ours to change.
        if cls.__module__.split(".")[0] in ("orgtree", "reform", "funding", "federation") and (
            not cls.__module__.endswith(".admin")
        ):
            found.add(cls)
    return found


def test_every_date_field_of_every_form_uses_the_iso_date_input():
    checked = 0
    for form in project_forms():
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DateField):
                assert isinstance(field.widget, DateInput), f"{form.__name__}.{name}"
                checked += 1
    assert checked >= 10


def test_the_problem_form_prefills_todays_date_in_iso(client, tree, users):
    from reform.forms import ProblemForm

    with translation.override("zh-hans"):
        html = str(ProblemForm(initial={"found_on": datetime.date(2026, 11, 28)})["found_on"])
    assert 'type="date"' in html and 'value="2026-11-28"' in html
    client.force_login(users.editor_a)
    page = client.get(reverse("reform:problems", args=[tree.county_a.pk])).content.decode()
    today = datetime.date.today()
    assert f'type="date" name="found_on" value="{today.isoformat()}"' in page
    assert today.strftime("%Y/%m/%d") not in page
