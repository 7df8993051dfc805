from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models.bases import UnitOwned, Versioned
from federation.validators import validate_birth_date
from orgtree.idnumber import PATTERN, birth_date_of, is_female, mask, normalize, validate_id_number


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")
    PROBATIONARY = "probationary", _("CPC probationary member")
    LEAGUE = "league", _("Youth League member")
    DEMOCRATIC = "democratic", _("Democratic party member")
    MASSES = "masses", _("Masses")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior high school")
    SENIOR = "senior", _("Senior high school / technical school")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class Person(UnitOwned, Versioned):
    """A woman (or man) who holds or held an office; registered under one unit, which scopes her."""

    unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="people", verbose_name=_("registered at")
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, default=Gender.FEMALE)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, validators=[validate_birth_date])
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, validators=[validate_id_number])
    tags = models.JSONField(
        _("background"),
        default=list,
        blank=True,
        help_text=_("e.g. teacher, village doctor, entrepreneur, volunteer leader"),
    )
    # A duplicate record is merged, not deleted: it points at the record that carries on.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="person_id_number_unique"),
        ]
        indexes = [models.Index(fields=["unit", "name"], name="person_unit_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orgtree:person_detail", args=[self.pk])

    @property
    def masked_id_number(self):
        return mask(self.id_number) if self.id_number else ""

    def clean(self):
        from django.core.exceptions import ValidationError

        self.id_number = normalize(self.id_number)
        errors = {}
        if self.tags is None:
            self.tags = []  # blank fields skip validation, and the column is NOT NULL
        if not isinstance(self.tags, list) or not all(isinstance(tag, str) for tag in self.tags):
            errors["tags"] = _("Enter the background as a list of words, e.g. teacher, village doctor.")
        # Only a well-formed number is read for a birth date and a gender: a malformed one has its own
        # error from the field's validator, and clean() runs all the same.
        number = normalize(self.id_number)
        if PATTERN.match(number):
            born = birth_date_of(number)
            if self.birth_date and born and self.birth_date != born:
                errors["birth_date"] = _("The birth date differs from the one in the ID number (%(date)s).") % {
                    "date": born.isoformat()
                }
            elif born and not self.birth_date:
                self.birth_date = born
            if is_female(number) != (self.gender == Gender.FEMALE):
                errors["gender"] = _("The gender differs from the one in the ID number.")
            # Uniqueness is checked by the service (orgtree.committees), which knows who asks.
        if errors:
            raise ValidationError(errors)


class IdNumberClash(UnitOwned):
    """An ID number someone gave for a new or edited record although it belongs to a person she
    cannot see. She is told only that the number cannot be used here; the clash waits for the
    admins of the nearest unit above both records (`unit`), who can see both and resolve it
    (the same woman: move or merge her record; a typing error: tell the writer)."""

    unit = models.ForeignKey(
        "orgtree.Unit",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by the admins of"),
    )
    id_number = models.CharField(_("ID number"), max_length=18)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("registered person"))
    attempted_unit = models.ForeignKey(
        "orgtree.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("given at")
    )
    attempted_name = models.CharField(_("name given"), max_length=50)
    attempts = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ID number clash")
        verbose_name_plural = _("ID number clashes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.attempted_name} / {self.person.name}"
