from django import forms, template
from django.utils.translation import pgettext

register = template.Library()


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
