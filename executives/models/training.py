"""领头雁 training: sessions a unit organizes (type from a configurable list, dates, hours, place,
trainers) and the attendance of people from the directory (one row per session and person)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_event_date

# The types a deployment offers: settings.TRAINING_TYPES ([(code, label)]) replaces these defaults.
DEFAULT_TYPES = [
    ("lead_goose", _("Lead-goose training")),
    ("rotation", _("Executive rotation training")),
    ("chairs", _("Chairs' training")),
    ("online", _("Online training")),
    ("other", _("Other training")),
]


def training_types():
    return list(getattr(settings, "TRAINING_TYPES", None) or DEFAULT_TYPES)


class Level(models.TextChoices):
    PROVINCE = "province", _("Province level")
    CITY = "city", _("City level")
    COUNTY = "county", _("County level")
    TOWNSHIP = "township", _("Township level")
    VILLAGE = "village", _("Village level")


class TrainingSession(UnitOwned, Versioned):
    """One session (期) organized by `unit`; closed once its attendance is final."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("organized by")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("training type"), max_length=20, choices=training_types)
    starts_on = models.DateField(_("starts on"), validators=[validate_event_date])
    ends_on = models.DateField(_("ends on"), validators=[validate_event_date])
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainers = models.CharField(_("trainers"), max_length=200, blank=True)
    closed_on = models.DateField(_("attendance closed on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history_labels = {"attendees_added": _("attendees added"), "attendees_removed": _("attendees removed")}

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["unit", "starts_on"], name="training_unit_starts")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("executives:training_session", args=[self.pk])


class Attendance(UnitOwned):
    """A person's attendance of a session (one 人次)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("training session")
    )
    person = models.ForeignKey(
        "orgtree.Person", on_delete=models.PROTECT, related_name="training_attendances", verbose_name=_("person")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_path = "session__unit"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "person__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendance_session_person")]
        indexes = [models.Index(fields=["person", "session"], name="attendance_person_session")]

    def __str__(self):
        return f"{self.person} · {self.session}"
