from django import forms, template
from django.template.loader import render_to_string
from django.utils.translation import pgettext

from federation import registry

register = template.Library()


@register.filter
def lookup(mapping, key):
    """`mapping[key]`, or None (a dict keyed by a row's id: e.g. the dashboard's approval marks)."""
    return mapping.get(key) if mapping else None


@register.filter
def shown(field):
    """A bound field's value as a person reads it: choice labels, 是/否, names line by line."""
    value = field.value()
    if isinstance(field.field, forms.BooleanField):
        return pgettext("boolean", "Yes") if value else pgettext("boolean", "No")
    choices = getattr(field.field, "choices", None)
    if choices is not None and not isinstance(field.field, forms.ModelChoiceField):
        return dict(choices).get(value, value)
    return value


@register.simple_tag(takes_context=True)
def unit_tabs(context, unit, active):
    """The tabs the apps registered (federation.registry) that this unit page shows, by weight."""
    return [
        {"label": tab.label, "url": tab.link(unit, context), "active": tab.name == active}
        for tab in registry.unit_tabs()
        if tab.shown(unit, context)
    ]


@register.simple_tag(takes_context=True)
def committee_tabs(context, unit, active):
    """The committee page's tabs the apps registered (federation.registry.committee_tabs), by weight."""
    return [
        {"label": tab.label, "url": tab.link(unit, context), "active": tab.name == active}
        for tab in registry.committee_tabs()
        if tab.shown(unit, context)
    ]


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """One dashboard panel with its own context on top of the page's."""
    with context.push(**panel["context"]):
        return render_to_string(panel["template"], context.flatten())
