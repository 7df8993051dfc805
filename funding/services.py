"""Funding writes: the only way pages, the API, imports and the admin record money, population and
standards. Each checks the scope (standards: the unit's admins), validates in Chinese, and records
who changed what; a write that changes nothing records nothing. Saving a line, a population or a
standard recomputes the stored compliance it changes in the same transaction (funding.results)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import audit, scope, writes
from federation.uploads import check_upload
from funding.models import Category, FundingRecord, FundingStandard, Project, Source, WomenPopulation

RECORD_FIELDS = ("budgeted", "disbursed", "note")
PROJECT_FIELDS = ("name", "year", "amount", "source", "beneficiaries", "status")


def check_year(year, field="year"):
    this_year = timezone.localdate().year
    if year is None or not 2000 <= int(year) <= this_year + 1:
        raise ValidationError({field: _("Enter a year from 2000 to %(last)d.") % {"last": this_year + 1}})
    return int(year)


def check_amount(value, field, required=True):
    """Yuan as Decimal, ≥ 0, at most two decimals; floats are refused (they cannot hold cents)."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("Enter an amount in yuan.")})
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if amount >= Decimal("1e12"):  # first: quantize() cannot represent more than 28 digits
        raise ValidationError({field: _("The amount is too large (at most 999,999,999,999.99 yuan).")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter yuan with at most two decimals.")})
    return amount.quantize(Decimal("0.01"))


def _record_change(obj, user, created, before, fields, source):
    """Record the saved `obj`: its creation, or what changed in `fields` since `before`."""
    if created:
        writes.create(obj, user, fields, source=source)
    else:
        writes.record_change(obj, user, audit.diff(before, audit.snapshot(obj, fields)), source=source)


def clean_funding(*, year, category, source, budgeted, disbursed=None, note=""):
    """A funding line's values as saved, or ValidationError with every field's problems ({field: [..]}).
    record_funding runs it, and the import runs it on each line when checking the file."""
    errors, values = {}, {"category": category, "source": source, "note": note or ""}
    checks = (
        ("year", lambda: check_year(year)),
        ("budgeted", lambda: check_amount(budgeted, "budgeted")),
        ("disbursed", lambda: check_amount(disbursed, "disbursed", False)),
    )
    for name, run in checks:
        try:
            values[name] = run()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if category not in Category.values:
        errors["category"] = [_("Unknown category.")]
    if source not in Source.values:
        errors["source"] = [_("Unknown source.")]
    if len(values["note"]) > 200:
        errors["note"] = [
            _("A note has at most 200 characters (this one has %(count)d).") % {"count": len(values["note"])}
        ]
    if errors:
        raise ValidationError(errors)
    return values


def clean_population(year, women):
    """(year, women) as saved, or ValidationError ({field: [..]}): record_population and the import run it."""
    errors = {}
    try:
        year = check_year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        women = int(women)
        if not 0 <= women <= 2_000_000_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["women"] = [_("Enter a whole number of women.")]
    if errors:
        raise ValidationError(errors)
    return year, women


def record_funding(user, unit, line, *, version=None, source="web"):
    """Create or update the line (unit, year, category, source) from `line`, a mapping of year, category,
    source (of the money), budgeted, disbursed and note; `source=` is where the write came from, as for
    every write. Returns (record, changed)."""
    scope.require(user, scope.CHANGE, unit)
    cleaned = clean_funding(**line)
    year, category, money_source = cleaned.pop("year"), cleaned["category"], cleaned["source"]
    values = {k: cleaned[k] for k in RECORD_FIELDS}
    with transaction.atomic():
        record = (
            FundingRecord.objects.select_for_update()
            .filter(unit=unit, year=year, category=category, source=money_source)
            .first()
        )
        created = record is None
        if record is None:
            record = FundingRecord(unit=unit, year=year, category=category, source=money_source, recorded_by=user)
        else:
            writes.check_version(record, version)
        before = {} if created else audit.snapshot(record, RECORD_FIELDS)
        if not created and all(getattr(record, k) == v for k, v in values.items()):
            return record, False
        for name, value in values.items():
            setattr(record, name, value)
        record.version = 1 if created else record.version + 1
        record.recorded_by = user
        record.save()
        _record_change(record, user, created, before, RECORD_FIELDS, source)
        return record, True


def record_population(user, unit, year, women, *, source="web"):
    """The women population of a unit in a year. Returns (row, changed)."""
    scope.require(user, scope.CHANGE, unit)
    year, women = clean_population(year, women)
    with transaction.atomic():
        row = WomenPopulation.objects.select_for_update().filter(unit=unit, year=year).first()
        if row is not None and row.women == int(women):
            return row, False
        created = row is None
        before = {} if created else audit.snapshot(row, ("women",))
        row = row or WomenPopulation(unit=unit, year=year)
        row.women, row.recorded_by = int(women), user
        row.save()
        _record_change(row, user, created, before, ("women",), source)
        return row, True


def record_project(user, unit, fields, *, source="web"):
    """A project from `fields` (its own `source` is where the money comes from)."""
    scope.require(user, scope.CHANGE, unit)
    values = {k: v for k, v in fields.items() if k in PROJECT_FIELDS}
    values["year"] = check_year(values.get("year"))
    values["amount"] = check_amount(values.get("amount"), "amount")
    project = Project(unit=unit, recorded_by=user, **values)
    project.full_clean()
    return writes.create(project, user, PROJECT_FIELDS, source=source)


def set_standard(user, unit, year, *, source="web", **fields):
    """A unit's standards from `year` on (its admins only); empty fields inherit from above."""
    scope.require(user, scope.ADMIN, unit)
    year = check_year(year)
    values = {k: fields.get(k) for k in FundingStandard.FIELDS}
    for field in ("per_woman", "township_funds"):
        values[field] = check_amount(values[field], field, required=False)
    ratio = values["chair_pay_ratio"]
    if ratio not in (None, ""):
        try:
            ratio = Decimal(str(ratio))
        except InvalidOperation:
            raise ValidationError({"chair_pay_ratio": _("Enter a share such as 0.3333.")}) from None
        if not Decimal(0) < ratio <= 1:
            raise ValidationError({"chair_pay_ratio": _("The share must be above 0 and at most 1.")})
        values["chair_pay_ratio"] = ratio.quantize(Decimal("0.0001"))
    else:
        values["chair_pay_ratio"] = None
    with transaction.atomic():
        standard = FundingStandard.objects.select_for_update().filter(unit=unit, year=year).first()
        created = standard is None
        before = {} if created else audit.snapshot(standard, FundingStandard.FIELDS)
        standard = standard or FundingStandard(unit=unit, year=year, created_by=user)
        for name, value in values.items():
            setattr(standard, name, value)
        standard.note = (fields.get("note") or "")[:200]
        standard.save()
        _record_change(standard, user, created, before, FundingStandard.FIELDS, source)
        return standard


def attach_document(user, record, upload, *, source="web"):
    scope.require(user, scope.CHANGE, record.unit)
    _content_type, name = check_upload(upload)  # served by extension: funding.views.DocumentView
    with transaction.atomic():
        record.document.save(name, upload, save=False)
        record.document_name = name
        record.save(update_fields=["document", "document_name", "updated_at"])
        writes.record_change(record, user, {"document": [None, name]}, source=source)
    return record
