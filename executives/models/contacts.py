"""Contact with women (联系妇女): each executive's contact list as counts, her contact log, and the
few women she names (optional, minimal, erasable on request).

An executive is an open orgtree.Office (the seat of a person on a unit's committee). Her contact list
is one current record per office, edited in place with optimistic concurrency (`Versioned`) and every
write kept in history. Each woman on the list is counted once, in her main category, and once in the
channel she is mainly reached by; the members of her WeChat group(s) are counted apart (一呼百万: a
group reaches more women than she keeps in regular contact).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date


class Category(models.TextChoices):
    """A woman's main category on a contact list (困难, 残疾, 留守, 单亲, other)."""

    DIFFICULTY = "difficulty", _("Women in difficulty")
    DISABLED = "disabled", _("Disabled women")
    LEFT_BEHIND = "left_behind", _("Left-behind women")
    SINGLE_MOTHER = "single_mother", _("Single mothers")
    OTHER = "other", _("Other women")


class Way(models.TextChoices):
    """How an executive keeps contact (the channel of a list's count, the way of a log entry)."""

    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat group")


# The count columns of a contact list, by category and by channel, in the order forms show them.
CATEGORY_FIELDS = tuple(c.value for c in Category)
CHANNEL_FIELDS = tuple(w.value for w in Way)
COUNT_FIELDS = (*CATEGORY_FIELDS, *CHANNEL_FIELDS, "wechat_members")


def _count(label, help_text=""):
    return models.PositiveIntegerField(label, default=0, help_text=help_text)


class ContactList(UnitOwned, Versioned):
    """An executive's contact list as counts: one current record per office, edited in place."""

    office = models.OneToOneField(
        "orgtree.Office", on_delete=models.PROTECT, related_name="contact_list", verbose_name=_("executive")
    )
    # The office's unit, copied so that scope, history and rollups reach it in one hop (an office
    # never changes unit).
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="contact_lists", verbose_name=_("unit")
    )
    difficulty = _count(_("women in difficulty"))
    disabled = _count(_("disabled women"))
    left_behind = _count(_("left-behind women"))
    single_mother = _count(_("single mothers"))
    other = _count(_("other women"))
    home_visit = _count(_("reached by home visits"))
    phone = _count(_("reached by phone"))
    wechat = _count(_("reached in a WeChat group"))
    wechat_members = _count(_("WeChat group members"), _("All members of her WeChat group(s), contacts or not."))
    women = models.PositiveIntegerField(_("women contacted"), default=0, editable=False)  # the categories' sum
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact list")
        verbose_name_plural = _("contact lists")
        ordering = ["unit_id", "office_id"]

    def __str__(self):
        return gettext("Contact list of %(office)s") % {"office": self.office}

    @property
    def categories(self):
        return [(Category(name).label, getattr(self, name)) for name in CATEGORY_FIELDS]

    @property
    def channels(self):
        return [(Way(name).label, getattr(self, name)) for name in CHANNEL_FIELDS]


class ContactVisit(UnitOwned, Versioned):
    """One entry of an executive's contact log: a day, a way, how many women, a short note; corrected
    in place (with its version), never deleted."""

    office = models.ForeignKey(
        "orgtree.Office", on_delete=models.PROTECT, related_name="contact_visits", verbose_name=_("executive")
    )
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="contact_visits", verbose_name=_("unit")
    )
    date = models.DateField(_("date"), validators=[validate_event_date])
    way = models.CharField(_("way"), max_length=12, choices=Way.choices)
    women = models.PositiveIntegerField(_("number of women"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["office", "date"], name="contactvisit_office_date"),
            models.Index(fields=["unit", "date"], name="contactvisit_unit_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_way_display()} · {self.women}"


class NamedContact(UnitOwned, Versioned):
    """A woman an executive names on her list (optional): name, village, category — nothing more, no ID
    number. Scoped by her village (a unit inside the executive's unit). Erased on request (PIPL): the
    name and category are blanked, the row stays as a tombstone, and history records who erased it,
    when and why, never the erased values (the name is never in history at all: it is masked there)."""

    office = models.ForeignKey(
        "orgtree.Office", on_delete=models.PROTECT, related_name="named_contacts", verbose_name=_("executive")
    )
    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="named_contacts", verbose_name=_("village")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=14, choices=Category.choices, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("named contact")
        verbose_name_plural = _("named contacts")
        ordering = ["unit_id", "pk"]
        indexes = [models.Index(fields=["office"], name="namedcontact_office")]

    def __str__(self):
        # Never the name: this is what history keeps as the object's name (ChangeRecord.object_repr).
        return gettext("Named contact no. %(number)s") % {"number": self.pk}

    @property
    def erased(self):
        return self.erased_at is not None


def masked_name(name):
    """What a viewer sees of a name: its first character, the rest as stars (王**)."""
    return f"{name[:1]}{'*' * max(len(name) - 1, 1)}" if name else ""
