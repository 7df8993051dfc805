"""The funding workbook: funding records (one line per unit, year, category and source) and women
population, for the units in the user's scope, imported all or nothing through federation.imports.
Units are named by their division code. Each line is checked by the validation the services run
when saving it (funding.services.clean_funding / clean_population), so a checked file meets nothing
new at commit. Column names are the contract in docs/funding.md."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import scope
from federation.imports import Importer, count, money, text
from federation.workbook import Workbook
from funding import results, services
from funding.models import Category, FundingRecord, Source, WomenPopulation
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.models import Unit

FUNDS_SHEET, POPULATION_SHEET = "经费", "妇女人口"
FUNDS_COLUMNS = {
    "code": "区划代码",
    "name": "单位名称",
    "year": "年度",
    "category": "类别",
    "source": "来源",
    "budgeted": "预算金额（元）",
    "disbursed": "到位金额（元）",
    "note": "说明",
}
POPULATION_COLUMNS = {"code": "区划代码", "name": "单位名称", "year": "年度", "women": "妇女人数"}
CATEGORIES = {
    "工作经费": Category.WORK_FUNDS,
    "妇女儿童民生项目经费": Category.WOMEN_CHILDREN,
    "项目经费": Category.PROJECT,
    "以奖代补": Category.AWARD,
    "其他": Category.OTHER,
}
# Read too: the shorter name earlier templates offered.
OLDER_CATEGORIES = {"妇女儿童民生": Category.WOMEN_CHILDREN}
SOURCES = {
    "同级财政": Source.SAME_LEVEL,
    "上级妇联": Source.HIGHER_FEDERATION,
    "其他部门": Source.OTHER_DEPARTMENT,
    "社会资金": Source.SOCIAL,
}


def units_in_scope(user, unit):
    """Open units with a division code that the user may change, under `unit` (or her whole scope)."""
    units = scope.restrict(Unit.objects.open(), user, scope.CHANGE).exclude(code="")
    return (units.within(unit) if unit is not None else units).order_by("code", "pk")


def build_template(user, unit, year=None):
    """The workbook for `unit`: this year's recorded lines, and a population row per county/township."""
    year = year or timezone.localdate().year
    units = units_in_scope(user, unit)
    book = Workbook()
    funds = book.sheet(FUNDS_SHEET)
    funds.append(list(FUNDS_COLUMNS.values()), bold=True)
    category_names = {v: k for k, v in CATEGORIES.items()}
    source_names = {v: k for k, v in SOURCES.items()}
    for record in (
        FundingRecord.objects.filter(unit__in=units.values("pk"), year=year)
        .select_related("unit")
        .order_by("unit__code", "category", "source")
    ):
        funds.append(
            [
                record.unit.code,
                record.unit.name,
                year,
                category_names[record.category],
                source_names[record.source],
                record.budgeted,
                record.disbursed,
                record.note,
            ]
        )
    population = book.sheet(POPULATION_SHEET)
    population.append(list(POPULATION_COLUMNS.values()), bold=True)
    recorded = dict(WomenPopulation.objects.filter(unit__in=units.values("pk"), year=year).values_list("unit", "women"))
    for row in units.exclude(kind__in=GRASSROOTS_KINDS).values("pk", "code", "name"):
        population.append([row["code"], row["name"], year, recorded.get(row["pk"])])
    funds.widths([14, 18, 8, 14, 12, 16, 16, 24])
    population.widths([14, 18, 8, 12])
    funds.freeze()
    population.freeze()
    funds.choices(CATEGORIES, "D2:D20000")
    funds.choices(SOURCES, "E2:E20000")
    return book.to_bytes()


class FundingImporter(Importer):
    kind = "funding_import"
    sheets = {FUNDS_SHEET: FUNDS_COLUMNS, POPULATION_SHEET: POPULATION_COLUMNS}
    optional_sheets = (FUNDS_SHEET, POPULATION_SHEET)
    rows_per_unit = {FUNDS_SHEET: 4, POPULATION_SHEET: 1}

    def __init__(self, user, unit):
        super().__init__(user, unit)
        self.lines = []  # (row, unit, {fields})
        self.population = []  # (row, unit, year, women)

    @property
    def empty_message(self):
        return _("The file has no funding line and no population figure to import.")

    def units_in_scope(self):
        return units_in_scope(self.user, self.unit).count()

    def parse(self, rows_by_sheet):
        rows = [r for name in (FUNDS_SHEET, POPULATION_SHEET) for _n, r in rows_by_sheet.get(name, [])]
        codes = {text(r["code"]) for r in rows}
        self.units = {u.code: u for u in units_in_scope(self.user, self.unit).filter(code__in=codes)}
        self._funds(rows_by_sheet.get(FUNDS_SHEET, []))
        self._population(rows_by_sheet.get(POPULATION_SHEET, []))

    def _unit(self, sheet, n, row):
        code = text(row["code"])
        unit = self.units.get(code)
        if unit is None:
            self.problem(
                sheet, n, self.sheets[sheet]["code"], _("%(code)s is not a unit in your scope.") % {"code": code or "—"}
            )
        return unit

    def report(self, sheet, n, error, skip=()):
        """A service's ValidationError at the row's cells (its fields are the sheet's keys)."""
        fields = error.message_dict if hasattr(error, "error_dict") else {"code": error.messages}
        for field, messages in fields.items():
            if field not in skip:
                for message in messages:
                    self.problem(sheet, n, self.sheets[sheet].get(field, self.sheets[sheet]["code"]), message)

    def _funds(self, rows):
        seen = {}
        for n, row in rows:
            unit = self._unit(FUNDS_SHEET, n, row)
            name = text(row["category"])
            category = CATEGORIES.get(name) or OLDER_CATEGORIES.get(name)
            if category is None:
                self.problem(
                    FUNDS_SHEET,
                    n,
                    FUNDS_COLUMNS["category"],
                    _("Write one of: %(names)s.") % {"names": "、".join(CATEGORIES)},
                )
            source = SOURCES.get(text(row["source"]))
            if source is None:
                self.problem(
                    FUNDS_SHEET,
                    n,
                    FUNDS_COLUMNS["source"],
                    _("Write one of: %(names)s.") % {"names": "、".join(SOURCES)},
                )
            values = self.cells(
                FUNDS_SHEET,
                n,
                row,
                (
                    ("year", count, _("Write a year such as 2025.")),
                    ("budgeted", money, _("Not an amount of yuan (at most two decimals).")),
                    ("disbursed", money, _("Not an amount of yuan (at most two decimals).")),
                ),
            )
            # Cells that could not be read are reported once, by the parser, not again by the service.
            unread = {"year", "budgeted", "disbursed"} - set(values)
            unread |= {k for k, v in (("category", category), ("source", source)) if v is None}
            year = values.get("year")
            fields = {
                "year": year,
                "category": category,
                "source": source,
                "budgeted": values.get("budgeted"),
                "disbursed": values.get("disbursed"),
                "note": text(row["note"]),
            }
            try:
                services.clean_funding(**fields)  # what record_funding will check
            except ValidationError as exc:
                self.report(FUNDS_SHEET, n, exc, skip=unread)
            if unit is None or unread:
                continue
            key = (unit.pk, year, category, source)
            if key in seen:
                self.problem(
                    FUNDS_SHEET,
                    n,
                    FUNDS_COLUMNS["code"],
                    _("The same unit, year, category and source is already on row %(row)d.") % {"row": seen[key]},
                )
                continue
            seen[key] = n
            self.lines.append((n, unit, fields))

    def _population(self, rows):
        seen = {}
        for n, row in rows:
            if text(row["women"]) == "":
                continue  # the template lists every unit: an empty figure is not an error
            unit = self._unit(POPULATION_SHEET, n, row)
            values = self.cells(
                POPULATION_SHEET,
                n,
                row,
                (("year", count, _("Write a year such as 2025.")), ("women", count, _("Not a whole number."))),
            )
            unread, year = {"year", "women"} - set(values), values.get("year")
            try:
                services.clean_population(year, values.get("women"))  # what record_population checks
            except ValidationError as exc:
                self.report(POPULATION_SHEET, n, exc, skip=unread)
            if unit is None or unread:
                continue
            if year is not None and (unit.pk, year) in seen:
                self.problem(
                    POPULATION_SHEET,
                    n,
                    POPULATION_COLUMNS["code"],
                    _("%(code)s %(year)d is already on row %(row)d.")
                    % {"code": unit.code, "year": year, "row": seen[(unit.pk, year)]},
                )
                continue
            seen[(unit.pk, year)] = n
            self.population.append((n, unit, year, values["women"]))

    def is_empty(self):
        return not self.lines and not self.population

    def summary(self):
        return {"lines": len(self.lines), "population": len(self.population)}

    def save(self, progress=None):
        """Each line through the service; what it refuses (a change since the check) is reported at its row.
        The stored compliance is recomputed once, at the end, for every unit and year written."""
        with results.batch():
            return self._save(progress)

    def _save(self, progress):
        changed, total = 0, len(self.lines) + len(self.population)
        work = [
            (
                FUNDS_SHEET,
                n,
                lambda unit=unit, fields=fields: services.record_funding(self.user, unit, fields, source="import"),
            )
            for n, unit, fields in self.lines
        ]
        work += [
            (
                POPULATION_SHEET,
                n,
                lambda unit=unit, year=year, women=women: services.record_population(
                    self.user, unit, year, women, source="import"
                ),
            )
            for n, unit, year, women in self.population
        ]
        for done, (sheet, n, record) in enumerate(work, start=1):
            try:
                changed += record()[1]
            except ValidationError as exc:
                self.report(sheet, n, exc)
            except PermissionDenied:
                self.problem(sheet, n, self.sheets[sheet]["code"], _("This unit is no longer in your scope."))
            except IntegrityError:  # a concurrent save took the same line first (savepoint rolled back)
                self.problem(
                    sheet,
                    n,
                    self.sheets[sheet]["code"],
                    _("Someone saved this line at the same time. Check the file again."),
                )
            if progress:
                progress(done, total)
        return changed

    @classmethod
    def describe(cls, summary, done=False):
        if done:
            return _(
                "Imported %(lines)d funding lines and %(population)d population figures; %(changed)d records changed."
            ) % {"changed": 0, **summary}
        return (
            _(
                "No problems found: %(lines)d funding lines and %(population)d population figures. Nothing is "
                "saved until you confirm."
            )
            % summary
        )

    @classmethod
    def urls(cls, unit):
        return reverse("funding:funding", args=[unit.pk]), reverse("funding:import", args=[unit.pk])
