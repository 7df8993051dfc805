"""The glossary of DESIGN.md as choices: Unit.kind, Unit.form, Unit.subtype."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NATIONAL = "national", _("National federation")
    PROVINCE = "province", _("Province federation")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County federation")
    TOWNSHIP = "township", _("Township federation")
    STREET = "street", _("Street federation")
    VILLAGE = "village", _("Village federation")
    COMMUNITY = "community", _("Community federation")
    AGENCY = "agency", _("Agency women's committee")
    ENTERPRISE = "enterprise", _("Enterprise women's committee")
    SOCIAL_ORG = "social_org", _("Social organization women's committee")
    NEW_DOMAIN = "new_domain", _("New-domain federation")
    AREA = "area", _("Area federation")
    WOMEN_GROUP = "women_group", _("Women's group")


class Form(models.TextChoices):
    FEDERATION = "federation", _("Federation")
    COMMITTEE = "committee", _("Women's committee")
    WORKING_COMMITTEE = "working_committee", _("Women's working committee")
    CONGRESS = "congress", _("Women's congress")
    GROUP = "group", _("Women's group")


# What the documents call a unit of a kind in a form where that differs from the kind's own label:
# 机关（单位）妇联 beside 机关妇委会 and 机关妇工委, 新领域妇委会 beside 新领域妇联 (kind_label).
KIND_FORM_LABELS = {
    ("agency", "federation"): _("Agency (institution) federation"),
    ("agency", "working_committee"): _("Agency women's working committee"),
    ("enterprise", "federation"): _("Enterprise federation"),
    ("enterprise", "working_committee"): _("Enterprise women's working committee"),
    ("social_org", "federation"): _("Social organization federation"),
    ("social_org", "working_committee"): _("Social organization women's working committee"),
    ("new_domain", "committee"): _("New-domain women's committee"),
    ("new_domain", "working_committee"): _("New-domain women's working committee"),
}


def kind_label(kind, form):
    """A unit's kind as the documents name it in its organizational form (新领域妇委会, 机关（单位）妇联…):
    every page, export and API label that shows a unit's kind asks this (Unit.get_kind_display)."""
    return KIND_FORM_LABELS.get((kind, form)) or Kind(kind).label


class Subtype(models.TextChoices):
    BUILDING = "building", _("Office building")
    BUSINESS_DISTRICT = "business_district", _("Business district")
    PARK = "park", _("Park")
    MARKET = "market", _("Specialized market")
    INTERNET = "internet", _("Internet platform")
    RESIDENTIAL = "residential", _("Residential compound")


K = Kind
# Which kinds a unit of each kind may sit under (DESIGN.md §1). None means "may be a root".
ALLOWED_PARENTS: dict[str, set] = {
    K.NATIONAL: {None},
    K.PROVINCE: {None, K.NATIONAL},
    K.CITY: {K.PROVINCE},
    # Counties of municipalities and province-administered counties sit directly under a province.
    K.COUNTY: {K.CITY, K.PROVINCE},
    K.TOWNSHIP: {K.COUNTY},
    K.STREET: {K.COUNTY},
    K.VILLAGE: {K.TOWNSHIP, K.STREET},
    K.COMMUNITY: {K.TOWNSHIP, K.STREET},
    K.AGENCY: {K.NATIONAL, K.PROVINCE, K.CITY, K.COUNTY},
    K.ENTERPRISE: {K.COUNTY, K.TOWNSHIP, K.STREET, K.NEW_DOMAIN},  # new_domain: parks only
    K.SOCIAL_ORG: {K.NATIONAL, K.PROVINCE, K.CITY, K.COUNTY},
    K.NEW_DOMAIN: {K.COUNTY, K.TOWNSHIP, K.STREET},
    K.AREA: {K.TOWNSHIP, K.STREET},
    K.WOMEN_GROUP: {
        K.VILLAGE,
        K.COMMUNITY,
        K.AGENCY,
        K.ENTERPRISE,
        K.SOCIAL_ORG,
        K.NEW_DOMAIN,
        K.AREA,
    },
}

# Default organizational form per kind when none is given.
DEFAULT_FORM = {
    K.AGENCY: Form.COMMITTEE,
    K.ENTERPRISE: Form.COMMITTEE,
    K.SOCIAL_ORG: Form.COMMITTEE,
    K.WOMEN_GROUP: Form.GROUP,
}

# The administrative levels, top down; the units that the division data creates.
ADMINISTRATIVE_KINDS = [
    K.NATIONAL,
    K.PROVINCE,
    K.CITY,
    K.COUNTY,
    K.TOWNSHIP,
    K.STREET,
    K.VILLAGE,
    K.COMMUNITY,
]
GRASSROOTS_KINDS = [K.VILLAGE, K.COMMUNITY]

# Each unit of these kinds is the root of its own MPTT tree (docs/tree.md): an insert only
# shifts lft/rght inside one township (at most ~170 villages in the national data), and the
# levels above are reached by ancestor columns.
BOUNDARY_KINDS = (K.NATIONAL, K.PROVINCE, K.CITY, K.COUNTY, K.TOWNSHIP, K.STREET)
# The ancestor column each boundary kind fills in for everything beneath it.
ANCESTOR_COLUMNS = {K.PROVINCE: "province", K.CITY: "city", K.COUNTY: "county"}

# Digits of the statistical division code (统计用区划代码) at each level; a unit's code starts with
# its parent's. Other kinds have no division code.
DIVISION_CODE_DIGITS = {
    K.PROVINCE: 2,
    K.CITY: 4,
    K.COUNTY: 6,
    K.TOWNSHIP: 9,
    K.STREET: 9,
    K.VILLAGE: 12,
    K.COMMUNITY: 12,
}
