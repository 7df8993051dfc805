"""督导目标清单: versioned checklist templates, their assignment to a subtree, and per-unit items
that editors fill with evidence and the level above reviews."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation import figures
from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date, validate_plan_date
from orgtree.choices import Kind


class Area(models.TextChoices):
    PARTY_LEADERSHIP = "party_leadership", _("Party leadership")
    FUNDING = "funding", _("Funding")
    ORGANIZATION = "organization", _("Organization building")
    EXECUTIVES = "executives", _("Executives' role")
    WORK_STYLE = "work_style", _("Work style")


class ValueType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percentage")
    TEXT = "text", _("Text")


def automatic_key(key):
    """Can an item be filled from the figure `key`? A coverage figure, or one of a registered set
    that gives an evaluator (federation.figures.FigureSet.evaluate)."""
    found = figures.set_of(key)
    return found is not None and (found.name == "coverage" or found.evaluate is not None)


class ChecklistTemplate(models.Model):
    """A named, versioned list of items. A published version is frozen: changes make a new version."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True, validators=[validate_event_date])
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("based on")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="template_name_version")]

    def __str__(self):
        return _("%(name)s (version %(version)s)") % {"name": self.name, "version": self.version}

    @property
    def is_published(self):
        return self.published_on is not None


class TemplateItem(models.Model):
    """One target of a template: what is asked, of which kinds of unit, and how it is met."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    number = models.CharField(_("number"), max_length=10)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    text = models.CharField(_("item"), max_length=300)
    value_type = models.CharField(_("type"), max_length=10, choices=ValueType.choices)
    # yes/no: met when yes; number/percentage: met at or above the target (at or below, for counts
    # of what should not be, such as overdue renewals); text: met when filled.
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    at_most = models.BooleanField(_("target is a maximum"), default=False)
    kinds = models.JSONField(_("applies to"), default=list, help_text=_("Unit kinds the item applies to."))
    coverage_key = models.CharField(_("filled from the coverage figure"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        ordering = ["template", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_item_number")]

    def __str__(self):
        return f"{self.number} {self.text}"

    def clean(self):
        if self.coverage_key and not automatic_key(self.coverage_key):
            raise ValidationError({"coverage_key": _("Unknown coverage figure: %(key)s") % {"key": self.coverage_key}})

    @property
    def automatic(self):
        return bool(self.coverage_key)

    @property
    def coverage_label(self):
        """The label of the coverage figure an automatic item is filled from (federation.figures)."""
        found = figures.set_of(self.coverage_key)
        return found.label(self.coverage_key) if found is not None else self.coverage_key

    @property
    def target_display(self):
        if self.target is None:
            return ""
        number = f"{self.target.normalize():f}" + ("%" if self.value_type == ValueType.PERCENT else "")
        return ("≤ " if self.at_most else "≥ ") + number

    def kind_labels(self):
        return [Kind(k).label for k in self.kinds if k in Kind.values]


class Assignment(UnitOwned):
    """A template handed to a subtree: one item per applicable unit, due on a date."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("template")
    )
    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    due_on = models.DateField(_("due on"), null=True, blank=True, validators=[validate_plan_date])
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checklist assignment")
        verbose_name_plural = _("checklist assignments")
        ordering = ["-assigned_at"]
        constraints = [models.UniqueConstraint(fields=["template", "unit"], name="assignment_template_unit")]

    def __str__(self):
        return f"{self.template} → {self.unit}"


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Not filled")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ChecklistItem(UnitOwned, Versioned):
    """A unit's answer to one template item. `met` is kept on save so rollups can count it."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="items", verbose_name=_("assignment")
    )
    template_item = models.ForeignKey(TemplateItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="checklist_items", verbose_name=_("unit")
    )
    value_yes = models.BooleanField(_("yes"), null=True, blank=True)
    value_number = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    value_text = models.TextField(_("answer"), blank=True)
    note = models.TextField(_("note"), blank=True)
    met = models.BooleanField(_("met"), null=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filled_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["unit", "template_item__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template_item", "unit"], name="checklist_item_unit")]
        indexes = [models.Index(fields=["unit", "status"], name="checklist_item_unit_status")]

    def __str__(self):
        return f"{self.unit}: {self.template_item}"

    def get_absolute_url(self):
        return reverse("reform:item", args=[self.pk])

    @property
    def value(self):
        """The answer as people read it."""
        kind = self.template_item.value_type
        if kind == ValueType.YES_NO:
            return None if self.value_yes is None else (_("Yes") if self.value_yes else _("No"))
        if kind in (ValueType.NUMBER, ValueType.PERCENT):
            if self.value_number is None:
                return None
            number = self.value_number.normalize()
            return f"{number:f}%" if kind == ValueType.PERCENT else f"{number:f}"
        return self.value_text or None

    def compute_met(self):
        """None while unanswered; otherwise whether the answer reaches the template's target."""
        item = self.template_item
        if item.value_type == ValueType.YES_NO:
            return self.value_yes
        if item.value_type in (ValueType.NUMBER, ValueType.PERCENT):
            if self.value_number is None:
                return None
            if item.target is None:
                return True
            return self.value_number <= item.target if item.at_most else self.value_number >= item.target
        return bool(self.value_text.strip()) or None


def evidence_path(instance, filename):
    # The stored name is ours, never the uploader's: no path tricks, no clashes.
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"evidence/{instance.unit_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(UnitOwned):
    """A file backing a checklist item or a problem's rectification; served only within scope."""

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    problem = models.ForeignKey(
        "reform.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, problem__isnull=True) | Q(item__isnull=True, problem__isnull=False),
                name="evidence_for_one_thing",
            )
        ]

    def __str__(self):
        return self.name
