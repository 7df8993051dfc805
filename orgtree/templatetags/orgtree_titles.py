"""Titles that follow the unit's organizational form in templates: {{ unit.form|role_title:"vice_chair" }}
reads 副主任 on a 妇委会 and 副主席 on a 妇联 (orgtree.models.committee.role_title)."""

from django import template

from orgtree.models.committee import role_title as title_of

register = template.Library()


@register.filter
def role_title(form, role):
    return title_of(role, form)
