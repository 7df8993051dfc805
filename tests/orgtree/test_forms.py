import datetime

from orgtree.forms import ElectionForm, UnitForm
from orgtree.models import Election


def test_date_fields_render_iso_dates_for_the_browser_picker(tree):
    election = Election(unit=tree.village_a1, held_on=datetime.date(2024, 5, 10))
    assert 'value="2024-05-10"' in str(ElectionForm(instance=election)["held_on"])
    tree.county_a.opened_on = datetime.date(2021, 3, 8)
    assert 'value="2021-03-08"' in str(UnitForm(instance=tree.county_a)["opened_on"])


def test_conflict_values_are_shown_as_people_read_them(tree):
    from django.template import Context, Template

    form = UnitForm(instance=tree.village_a1)
    rendered = Template("{% load banyan %}{{ form.kind|shown }} {{ form.form|shown }}").render(Context({"form": form}))
    assert rendered == "社区妇联 妇代会"
