"""Money recorded per unit and year: funding (budgeted and disbursed, by category and source) and
projects won. Amounts are yuan as Decimal, never floats."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned


class Category(models.TextChoices):
    WORK_FUNDS = "work_funds", _("Work funds")
    # 妇女儿童民生项目经费: what the per-woman standard (e.g. 2 元/woman) is measured against.
    WOMEN_CHILDREN = "women_children", _("Women's and children's livelihood project funds")
    PROJECT = "project", _("Project funds")
    AWARD = "award", _("Awards in lieu of subsidies")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    SAME_LEVEL = "same_level_budget", _("Same-level budget")
    HIGHER_FEDERATION = "higher_federation", _("Higher federation")
    OTHER_DEPARTMENT = "other_department", _("Other department")
    SOCIAL = "social", _("Social")


def document_path(instance, filename):
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"funding/{instance.unit_id}/{uuid.uuid4().hex}.{suffix}"


class FundingRecord(UnitOwned, Versioned):
    """One line per unit, year, category and source: an import of the same line updates it."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="funding_records", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    budgeted = models.DecimalField(_("budgeted (yuan)"), max_digits=14, decimal_places=2)
    disbursed = models.DecimalField(_("disbursed (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    document = models.FileField(_("document"), upload_to=document_path, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("funding record")
        verbose_name_plural = _("funding records")
        ordering = ["unit", "-year", "category", "source"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "category", "source"], name="fundingrecord_line")
        ]
        indexes = [models.Index(fields=["year", "category"], name="fundingrecord_year_category")]

    def __str__(self):
        return f"{self.unit} {self.year} {self.get_category_display()}: {self.budgeted}"


class Project(UnitOwned, Versioned):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        UNDER_WAY = "under_way", _("Under way")
        COMPLETED = "completed", _("Completed")

    unit = models.ForeignKey("orgtree.Unit", on_delete=models.PROTECT, related_name="projects", verbose_name=_("unit"))
    name = models.CharField(_("project"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.APPROVED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name
