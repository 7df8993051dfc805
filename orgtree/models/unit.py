"""Unit: one federation, women's committee or women's group in the organization tree.

The tree of record is django-mptt, cut at the administrative boundary (docs/tree.md): every
national, province, city, county and township/street unit is the root of its own MPTT tree, so
an insert shifts lft/rght inside one township at most. `parent` is the real parent everywhere;
`tree_parent` is the MPTT link (None for the boundary kinds); `province`/`city`/`county` are the
nearest strict ancestors of those kinds, so "everything in city X" is one indexed equality and a
township's subtree is its own tree.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from federation.models.bases import Versioned
from federation.validators import validate_event_date
from orgtree.choices import (
    ALLOWED_PARENTS,
    ANCESTOR_COLUMNS,
    BOUNDARY_KINDS,
    DEFAULT_FORM,
    DIVISION_CODE_DIGITS,
    GRASSROOTS_KINDS,
    Form,
    Kind,
    Subtype,
    kind_label,
)
from orgtree.models.figures import UnitFigures


class UnitQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def within(self, unit, path=""):
        """Rows whose unit (reached by `path`, e.g. "unit__") lies in `unit`'s subtree."""
        return self.filter(unit.subtree_q(path))


class UnitManager(models.Manager.from_queryset(UnitQuerySet)):
    pass


class Unit(MPTTModel, Versioned):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    form = models.CharField(
        _("organizational form"),
        max_length=20,
        choices=Form.choices,
        blank=True,
        help_text=_("Left empty, the usual form of the kind is used."),
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    code = models.CharField(
        _("division code"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("Statistical division code, where the unit has one."),
    )
    subtype = models.CharField(_("subtype"), max_length=20, choices=Subtype.choices, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True, validators=[validate_event_date])
    closed_on = models.DateField(_("closed on"), null=True, blank=True, validators=[validate_event_date])
    # Two facts of a village or community (村（社区）两委), whoever chairs its women's federation:
    # counted by women_party_secretaries and women_village_directors (orgtree.coverage). A chair in
    # office marked party secretary (director) sets the fact (orgtree.committees.follow_chair_posts).
    secretary_is_woman = models.BooleanField(
        _("The party organization secretary is a woman"), default=False, db_default=False
    )
    director_is_woman = models.BooleanField(
        _("The villagers' (residents') committee director is a woman"), default=False, db_default=False
    )

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        db_index=False,  # (parent, kind) index
        on_delete=models.PROTECT,
        related_name="children",
    )
    tree_parent = TreeForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="tree_children",
    )
    # Declared here so MPTT does not add a tree_id index beside (tree_id, lft): every index is
    # rewritten for each row an insert shifts.
    tree_id = models.PositiveIntegerField(editable=False)
    province = models.ForeignKey(
        "self", null=True, blank=True, editable=False, db_index=False, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(
        "self", null=True, blank=True, editable=False, db_index=False, on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "self", null=True, blank=True, editable=False, db_index=False, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitManager()
    scope_unit_path = ""  # a unit is its own unit for scope and history

    class MPTTMeta:
        parent_attr = "tree_parent"

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["tree_id", "lft"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(closed_on__isnull=True) & ~Q(code=""),
                name="unit_code_unique_among_open",
            ),
        ]
        indexes = [
            models.Index(fields=["province", "kind"], name="unit_province_kind"),
            models.Index(fields=["city", "kind"], name="unit_city_kind"),
            models.Index(fields=["county", "kind"], name="unit_county_kind"),
            models.Index(fields=["parent", "kind"], name="unit_parent_kind"),
            models.Index(fields=["name"], name="unit_name"),
            # The units opened or closed between two days (coverage as of another day: orgtree.coverage).
            models.Index(fields=["opened_on"], condition=Q(opened_on__isnull=False), name="unit_opened"),
            models.Index(fields=["closed_on"], condition=Q(closed_on__isnull=False), name="unit_closed"),
        ]

    def __str__(self):
        return self.name

    def get_kind_display(self):
        """The kind as the documents name it in the unit's form (新领域妇委会, 机关（单位）妇联): kind_label."""
        return kind_label(self.kind, self.form or DEFAULT_FORM.get(self.kind, Form.FEDERATION))

    def get_absolute_url(self):
        return reverse("orgtree:unit_detail", args=[self.pk])

    # --- the tree -------------------------------------------------------------------------

    @property
    def is_boundary(self):
        return self.kind in BOUNDARY_KINDS

    @property
    def is_open(self):
        return self.closed_on is None

    def subtree_q(self, path="", tree_path=None):
        """A Q for this unit and everything beneath it; `path` prefixes the lookups (`tree_path`
        those of the MPTT columns, when the rows carry their own ancestor columns)."""
        if self.kind == Kind.NATIONAL:  # a deployment has one national unit: it holds everything
            return Q()
        if path and self.kind in ANCESTOR_COLUMNS:
            # From another table, "unit = X OR unit.city = X" would span two tables and defeat
            # every index (a 6-million-office scan); a semi-join on the units keeps both indexed.
            return Q(**{f"{path[:-2]}__in": Unit.objects.filter(self.subtree_q()).values("pk")})
        column = ANCESTOR_COLUMNS.get(self.kind)
        if column:
            return Q(**{f"{path}pk": self.pk}) | Q(**{f"{path}{column}": self.pk})
        tree_path = path if tree_path is None else tree_path
        return Q(
            **{
                f"{tree_path}tree_id": self.tree_id,
                f"{tree_path}lft__gte": self.lft,
                f"{tree_path}lft__lte": self.rght,
            }
        )

    def inherited_links(self):
        """The ancestor columns a child of this unit carries."""
        links = {"province_id": self.province_id, "city_id": self.city_id, "county_id": self.county_id}
        column = ANCESTOR_COLUMNS.get(self.kind)
        if column:
            links[f"{column}_id"] = self.pk
        return links

    def sync_tree_links(self):
        """Set tree_parent and the ancestor columns from `parent` (before a save)."""
        parent = self.parent
        self.tree_parent = None if self.kind in BOUNDARY_KINDS or parent is None else parent
        links = parent.inherited_links() if parent else {}
        for column in ("province_id", "city_id", "county_id"):
            setattr(self, column, links.get(column))

    def lineage(self):
        """Ancestors from the top down (breadcrumbs): at most three queries."""
        tree_ancestors = list(self.get_ancestors()) if self.tree_parent_id else []
        upper_ids = [i for i in (self.province_id, self.city_id, self.county_id) if i]
        upper = {u.pk: u for u in Unit.objects.filter(pk__in=upper_ids)} if upper_ids else {}
        chain = [upper[i] for i in upper_ids if i in upper and i not in {a.pk for a in tree_ancestors}]
        chain += tree_ancestors
        top = chain[0] if chain else self
        if top.parent_id and top.parent_id not in {u.pk for u in chain}:
            chain.insert(0, Unit.objects.get(pk=top.parent_id))
        return chain

    # --- rules ----------------------------------------------------------------------------

    def clean(self):
        errors = {**self._parent_errors(), **self._kind_errors(), **self._date_errors()}
        code_error = self._code_error()
        if code_error:
            errors["code"] = code_error
        if errors:
            raise ValidationError(errors)

    def _parent_errors(self):
        parent = self.parent
        parent_kind = parent.kind if parent else None
        if parent is not None and parent.closed_on is not None:
            return {"parent": _("The parent unit %(name)s is closed.") % {"name": parent.name}}
        if parent_kind not in ALLOWED_PARENTS.get(self.kind, set()):
            if parent is None:
                return {"parent": _("A %(kind)s must have a parent unit.") % {"kind": self.get_kind_display()}}
            return {
                "parent": _("A %(kind)s cannot sit under a %(parent_kind)s.")
                % {"kind": self.get_kind_display(), "parent_kind": parent.get_kind_display()}
            }
        if self.kind == Kind.ENTERPRISE and parent_kind == Kind.NEW_DOMAIN and parent.subtype != Subtype.PARK:
            return {"parent": _("Among new domains, only a park can have enterprise committees.")}
        return {}

    def _kind_errors(self):
        errors = {}
        if self.kind not in GRASSROOTS_KINDS and (self.secretary_is_woman or self.director_is_woman):
            field = "secretary_is_woman" if self.secretary_is_woman else "director_is_woman"
            errors[field] = _(
                "Only a village or community records whether its party secretary and its director are women."
            )
        if self.kind == Kind.NATIONAL and Unit.objects.open().filter(kind=Kind.NATIONAL).exclude(pk=self.pk).exists():
            errors["kind"] = _("There is already a national federation.")
        if self.kind == Kind.NEW_DOMAIN and not self.subtype:
            errors["subtype"] = _("Choose which kind of new domain this is.")
        if self.kind != Kind.NEW_DOMAIN and self.subtype:
            errors["subtype"] = _("Only new-domain units have a subtype.")
        return errors

    def _date_errors(self):
        if self.opened_on and self.opened_on > timezone.localdate():
            return {"opened_on": _("The founding date cannot be in the future.")}
        if self.opened_on and self.closed_on and self.closed_on < self.opened_on:
            return {"closed_on": _("A unit cannot close before it opened.")}
        return {}

    def _code_error(self):
        if not self.code:
            return None
        if not self.code.isdigit():
            return _("A division code has digits only.")
        entered = self._code_entered()
        if entered and (problem := self._code_problem()):
            return problem
        # An open unit that keeps the code it was stored with cannot clash: the database holds the
        # rule for stored rows (unit_code_unique_among_open). A code entered, or a unit reopened, is asked.
        if self.closed_on is None and (entered or self._stored_as()[2] is not None):
            clash = Unit.objects.open().filter(code=self.code).exclude(pk=self.pk).first()
            if clash:
                return _("Code %(code)s is already used by %(name)s.") % {"code": self.code, "name": clash.name}
        return None

    def _code_entered(self):
        """Is the code (or the kind it is judged by) being entered now? A unit moved keeps the
        code it has until the next division edition renumbers it, so the parent alone does not count."""
        if self.pk is None:
            return True
        return self._stored_as()[:2] != (self.code, self.kind)

    # The code, kind and closing date as stored: remembered when the row is read, saved or refreshed
    # (Django's documented from_db hook), so that validating many units asks nothing per unit.
    STORED = ("code", "kind", "closed_on")

    @classmethod
    def from_db(cls, db, field_names, values):
        unit = super().from_db(db, field_names, values)
        unit._remember_stored()
        return unit

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or set(self.STORED) <= set(fields):
            self._remember_stored()
        elif set(self.STORED) & set(fields):
            self._stored = None  # partly refreshed: asked again when needed

    def _remember_stored(self):
        deferred = self.get_deferred_fields()
        self._stored = None if deferred & set(self.STORED) else tuple(getattr(self, f) for f in self.STORED)

    def _stored_as(self):
        """(code, kind, closed_on) as stored; asked of the database for a unit not read through the ORM."""
        if getattr(self, "_stored", None) is None:
            self._stored = Unit.objects.filter(pk=self.pk).values_list(*self.STORED).first() or (None, None, None)
        return self._stored

    def _code_problem(self):
        digits = DIVISION_CODE_DIGITS.get(self.kind)
        if digits is None:
            return _("Only administrative units (province down to village or community) have a division code.")
        if len(self.code) != digits:
            return _("The division code of a %(kind)s has %(digits)d digits.") % {
                "kind": self.get_kind_display(),
                "digits": digits,
            }
        parent_code = self.parent.code if self.parent is not None else ""
        if parent_code and not self.code.startswith(parent_code):
            return _("The division code must start with the code of the parent unit, %(code)s.") % {"code": parent_code}
        return None

    def save(self, *args, **kwargs):
        if not self.form:
            self.form = DEFAULT_FORM.get(self.kind, Form.FEDERATION)
        self.sync_tree_links()
        super().save(*args, **kwargs)
        self._remember_stored()
        UnitFigures.follow([self])
