"""Should an organization of the register build a women's organization, and who 包建 it.

The rule is the nearest BuildRule at or above the organization's unit (its county, city, province, the
country); without one, the defaults of register.models.rule. `should_build` is kept on each row, so the
figures are counts: it is recomputed when an organization is saved (register.services) and, for every
organization beneath, when a rule changes (`recompute`)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgtree.models import Office, Role, Unit, ViceChairType
from register.models import BuildRule, Organization, Requirement
from register.models.rule import RULE_KINDS

DEFAULT_RULE = BuildRule()  # unsaved: the defaults of every field


def _rule_units(unit):
    """The ids of the units whose rule may apply to organizations of `unit`, nearest first."""
    ids = [unit.pk] if unit.kind in RULE_KINDS else []
    ids += [i for i in (unit.county_id, unit.city_id, unit.province_id) if i and i not in ids]
    return ids


def _national_ids():
    return list(Unit.objects.open().filter(kind="national").values_list("pk", flat=True))


def rules_for(units):
    """{unit id: the BuildRule that applies beneath it} for `units`: one query (two with the country)."""
    chains = {unit.pk: [*_rule_units(unit), *_national_ids()] for unit in units}
    wanted = {i for chain in chains.values() for i in chain}
    found = {rule.unit_id: rule for rule in BuildRule.objects.filter(unit_id__in=wanted)}
    return {pk: next((found[i] for i in chain if i in found), DEFAULT_RULE) for pk, chain in chains.items()}


def rule_for(unit):
    return rules_for([unit])[unit.pk]


def should_build(org, rule):
    """The decision: a cadre's where she made one, otherwise the rule's."""
    if org.requirement == Requirement.REQUIRED:
        return True
    if org.requirement == Requirement.NOT_REQUIRED:
        return False
    if rule.party_org and org.has_party_org:
        return True
    return bool(rule.min_women and (org.women_employees or 0) >= rule.min_women)


def why(org, rule):
    """Why it should build or not, in words (the organization's page)."""
    if org.requirement == Requirement.REQUIRED:
        return _("Decided: it should build.")
    if org.requirement == Requirement.NOT_REQUIRED:
        return _("Decided: not required (%(reason)s).") % {"reason": org.not_required_reason}
    if rule.party_org and org.has_party_org:
        return _("It has a party organization.")
    if rule.min_women and (org.women_employees or 0) >= rule.min_women:
        return _("It has at least %(n)d women.") % {"n": rule.min_women}
    return _("Neither a party organization nor enough women by the rule.")


def recompute(unit):
    """After a rule of `unit` changed: `should_build` of every open organization beneath it decided by the
    rule, in one update per answer. Returns how many changed."""
    beneath = Organization.objects.filter(unit.subtree_q("unit__"), requirement=Requirement.RULE)
    rows = list(beneath.select_related("unit"))
    rules = rules_for({org.unit_id: org.unit for org in rows}.values())
    flip: dict[bool, list[int]] = {True: [], False: []}
    for org in rows:
        answer = should_build(org, rules[org.unit_id])
        if answer != org.should_build:
            flip[answer].append(org.pk)
    for answer, pks in flip.items():
        if pks:
            Organization.objects.filter(pk__in=pks).update(should_build=answer)
    return len(flip[True]) + len(flip[False])


# --- 包建 -----------------------------------------------------------------------------------------------


def _held(day):
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


# A full-time vice-chair first, then part-time, then seconded.
VICE_ORDER: dict[str, int] = {ViceChairType.FULL_TIME: 0, ViceChairType.PART_TIME: 1, ViceChairType.SECONDED: 2}


def _officer(unit_id, role):
    found = Office.objects.filter(_held(timezone.localdate()), unit_id=unit_id, role=role).select_related("person")
    rows = sorted(found, key=lambda o: (VICE_ORDER.get(o.vice_chair_type, 3), o.pk))
    office = next(iter(rows), None)
    return office.person if office else None


def suggest_patron(org, rule=None):
    """(person or None, the post in words) 包建 suggests by size: from `chair_patron_from` people the chair of
    the county federation ("区妇联主席包建百人以上"), from `vice_patron_from` the township chair (an
    organization of a township or street) or a vice-chair of the county federation; below, nobody."""
    rule = rule or rule_for(org.unit)
    size = org.employees or 0
    unit = org.unit
    county_id = unit.pk if unit.kind in RULE_KINDS else unit.county_id
    if size >= rule.chair_patron_from:
        return _officer(county_id, Role.CHAIR), _("the chair of %(unit)s") % {"unit": _name(county_id)}
    if size >= rule.vice_patron_from:
        if unit.kind in ("township", "street"):
            return _officer(unit.pk, Role.CHAIR), _("the chair of %(unit)s") % {"unit": unit.name}
        return _officer(county_id, Role.VICE_CHAIR), _("a vice-chair of %(unit)s") % {"unit": _name(county_id)}
    return None, ""


def _name(unit_id):
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""
