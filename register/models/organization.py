"""An organization of the register (台账): an agency or institution, a non-public enterprise, a social
organization, a new-domain place or group, registered under the area unit it belongs to — a county, a
township or street, or a city/province/the country for its own agencies (e.g. 73 市直机关).

Whether it should build a women's organization follows the build rule of the nearest unit above
(register.rules: by default it has a party organization — "已建立党组织的…同步跟进" — or at least N women),
unless a cadre decided otherwise (`requirement`, with a reason for "not required"). It is built when it is
linked to an open committee unit of the tree; one committee can cover several organizations (区域联建,
行业统建). An organization that ceases is closed (closed_on), never deleted.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date
from register.validators import normalize_credit_code, validate_credit_code


class OrgKind(models.TextChoices):
    """The four kinds of the register; each the kind of the committee unit that covers it (orgtree Kind)."""

    AGENCY = "agency", _("Agency or institution")
    ENTERPRISE = "enterprise", _("Non-public enterprise")
    SOCIAL_ORG = "social_org", _("Social organization")
    NEW_DOMAIN = "new_domain", _("New domain")


class Subtype(models.TextChoices):
    # Agencies and institutions (机关（单位）).
    AGENCY = "agency", _("Party or government agency")
    INSTITUTION = "institution", _("Public institution")
    # New-domain places (the orgtree new-domain subtypes) and groups.
    BUILDING = "building", _("Office building")
    BUSINESS_DISTRICT = "business_district", _("Business district")
    PARK = "park", _("Park")
    MARKET = "market", _("Specialized market")
    INTERNET = "internet", _("Internet platform")
    GROUP = "group", _("Group (e.g. square dance team, full-time mothers' group)")


SUBTYPES = {
    OrgKind.AGENCY: {Subtype.AGENCY, Subtype.INSTITUTION},
    OrgKind.NEW_DOMAIN: {
        Subtype.BUILDING,
        Subtype.BUSINESS_DISTRICT,
        Subtype.PARK,
        Subtype.MARKET,
        Subtype.INTERNET,
        Subtype.GROUP,
    },
}

# The area units an organization is registered under (orgtree Kind values).
AREA_KINDS = ("national", "province", "city", "county", "township", "street")
# The committee units that can cover an organization of the register.
COMMITTEE_KINDS = ("agency", "enterprise", "social_org", "new_domain", "area")


class Coverage(models.TextChoices):
    """How it is or will be covered."""

    SEPARATE = "separate", _("Built separately")
    INDUSTRY = "industry", _("Built by the industry")
    REGIONAL = "regional", _("Built jointly in the area")


class Requirement(models.TextChoices):
    RULE = "rule", _("By the rule")
    REQUIRED = "required", _("Should build")
    NOT_REQUIRED = "not_required", _("Need not build")


class Status(models.TextChoices):
    BUILT = "built", _("Built")
    SHOULD_BUILD = "should_build", _("Should build, not yet built")
    NOT_REQUIRED = "not_required", _("Need not build")


class OrganizationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def built(self):
        return self.filter(BUILT)

    def counted(self):
        """Those the coverage rates count: should build, or built whatever the rule."""
        return self.filter(COUNTED)

    def not_built(self):
        return self.filter(COUNTED).exclude(BUILT)


# Built: linked to a committee that is open. Counted (the denominator): should build or built.
BUILT = Q(committee__isnull=False, committee__closed_on__isnull=True)
COUNTED = Q(should_build=True) | BUILT


class Organization(UnitOwned, Versioned):
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="register", verbose_name=_("registered under")
    )
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, where the organization has one."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    subtype = models.CharField(_("subtype"), max_length=20, choices=Subtype.choices, blank=True)
    has_party_org = models.BooleanField(_("has a party organization"), default=False)
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, help_text=_("For a group: its members.")
    )
    women_employees = models.PositiveIntegerField(_("women employees"), null=True, blank=True)
    requirement = models.CharField(
        _("should build"),
        max_length=12,
        choices=Requirement.choices,
        default=Requirement.RULE,
        help_text=_("By the rule of the unit above, unless decided otherwise."),
    )
    not_required_reason = models.CharField(_("reason it is not required"), max_length=200, blank=True)
    # The rule's answer or the cadre's decision, kept on the row so that the figures are one count
    # (register.rules recomputes it when the organization or a rule changes).
    should_build = models.BooleanField(_("should build"), default=False, editable=False)
    coverage = models.CharField(_("how it is covered"), max_length=10, choices=Coverage.choices, blank=True)
    committee = models.ForeignKey(
        "orgtree.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_organizations",
        verbose_name=_("women's organization"),
        help_text=_("The committee that covers it; one committee can cover several organizations."),
    )
    patron = models.ForeignKey(
        "orgtree.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patronized_organizations",
        verbose_name=_("responsible leader"),
    )
    head_name = models.CharField(_("committee head"), max_length=50, blank=True)
    head_phone = models.CharField(_("head's phone"), max_length=20, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        validators=[validate_event_date],
        help_text=_("The day the organization ceased (it is kept, never deleted)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registered organization")
        verbose_name_plural = _("registered organizations")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(closed_on__isnull=True) & ~Q(credit_code=""),
                name="register_credit_code_unique_among_open",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "kind"], name="register_unit_kind"),
            models.Index(fields=["committee"], name="register_committee"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("register:organization_detail", args=[self.pk])

    @property
    def is_built(self):
        return self.committee_id is not None and self.committee.closed_on is None

    @property
    def status(self):
        if self.is_built:
            return Status.BUILT
        return Status.SHOULD_BUILD if self.should_build else Status.NOT_REQUIRED

    def get_status_display(self):
        return Status(self.status).label

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)
        errors = {}
        unit = self.unit if self.unit_id else None
        if unit is not None and unit.kind not in AREA_KINDS:
            errors["unit"] = _("An organization is registered under a county, a township or street, or a level above.")
        allowed = SUBTYPES.get(self.kind, set())
        if allowed and self.subtype not in allowed:
            errors["subtype"] = _("Choose the subtype of this kind.")
        elif not allowed and self.subtype:
            errors["subtype"] = _("Only agencies and new domains have a subtype.")
        if self.employees is not None and self.women_employees is not None and self.women_employees > self.employees:
            errors["women_employees"] = _("There cannot be more women than employees.")
        if self.requirement == Requirement.NOT_REQUIRED and not self.not_required_reason.strip():
            errors["not_required_reason"] = _("Say why this organization need not build one.")
        if self.committee_id:
            errors.update(self._committee_errors())
        if errors:
            raise ValidationError(errors)

    def _committee_errors(self):
        committee = self.committee
        if committee.kind not in COMMITTEE_KINDS:
            return {"committee": _("Link a women's committee or new-domain federation, not an area federation.")}
        if committee.closed_on is not None and self.closed_on is None:
            return {"committee": _("The women's organization %(name)s is closed.") % {"name": committee.name}}
        return {}
