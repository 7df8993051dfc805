"""The funding workbook: funding records (one line per unit, year, category and source) and women
population, for the units in the user's scope, imported all or nothing through federation.imports.
Units are named by their division code. Column names are the contract in docs/funding.md."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from federation import scope
from federation.imports import Importer, count, money, text
from federation.workbook import Workbook
from funding import services
from funding.models import Category, FundingRecord, Source, WomenPopulation
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.models import Unit

FUNDS_SHEET, POPULATION_SHEET = "经费", "妇女人口"
FUNDS_COLUMNS = {"code": "区划代码", "name": "单位名称", "year": "年度", "category": "类别", "source": "来源",
                 "budgeted": "预算金额（元）", "disbursed": "到位金额（元）", "note": "说明"}
POPULATION_COLUMNS = {"code": "区划代码", "name": "单位名称", "year": "年度", "women": "妇女人数"}
CATEGORIES = {"工作经费": Category.WORK_FUNDS, "妇女儿童民生": Category.WOMEN_CHILDREN, "项目经费": Category.PROJECT,
              "以奖代补": Category.AWARD, "其他": Category.OTHER}
SOURCES = {"同级财政": Source.SAME_LEVEL, "上级妇联": Source.HIGHER_FEDERATION, "其他部门": Source.OTHER_DEPARTMENT,
           "社会资金": Source.SOCIAL}


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
    for record in (FundingRecord.objects.filter(unit__in=units.values("pk"), year=year).select_related("unit")
                   .order_by("unit__code", "category", "source")):
        funds.append([record.unit.code, record.unit.name, year, category_names[record.category],
                      source_names[record.source], record.budgeted, record.disbursed, record.note])
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

    def __init__(self, user, unit):
        super().__init__(user, unit)
        self.lines = []       # (row, unit, {fields})
        self.population = []  # (row, unit, year, women)

    @property
    def empty_message(self):
        return _("The file has no funding line and no population figure to import.")

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
            self.problem(sheet, n, self.sheets[sheet]["code"],
                         _("%(code)s is not a unit in your scope.") % {"code": code or "—"})
        return unit

    def _year(self, sheet, n, row):
        try:
            return services.check_year(count(row["year"]))
        except (ValueError, ArithmeticError, TypeError, ValidationError):
            self.problem(sheet, n, self.sheets[sheet]["year"], _("Write a year such as 2025."))
            return None

    def _funds(self, rows):
        seen = {}
        for n, row in rows:
            unit, year = self._unit(FUNDS_SHEET, n, row), self._year(FUNDS_SHEET, n, row)
            category = CATEGORIES.get(text(row["category"]))
            if category is None:
                self.problem(FUNDS_SHEET, n, FUNDS_COLUMNS["category"], _("Write one of: %(names)s.") % {
                    "names": "、".join(CATEGORIES)})
            source = SOURCES.get(text(row["source"]))
            if source is None:
                self.problem(FUNDS_SHEET, n, FUNDS_COLUMNS["source"], _("Write one of: %(names)s.") % {
                    "names": "、".join(SOURCES)})
            values = self.cells(FUNDS_SHEET, n, row, (
                ("budgeted", money, _("Not an amount of yuan (at most two decimals).")),
                ("disbursed", money, _("Not an amount of yuan (at most two decimals).")),
            ))
            if "budgeted" in values and values["budgeted"] is None:
                self.problem(FUNDS_SHEET, n, FUNDS_COLUMNS["budgeted"], _("Enter an amount in yuan."))
            if None in (unit, year, category, source) or len(values) < 2:
                continue
            key = (unit.pk, year, category, source)
            if key in seen:
                self.problem(FUNDS_SHEET, n, FUNDS_COLUMNS["code"],
                             _("The same unit, year, category and source is already on row %(row)d.") % {
                                 "row": seen[key]})
                continue
            seen[key] = n
            self.lines.append((n, unit, {"year": year, "category": category, "source": source,
                                         "budgeted": values["budgeted"], "disbursed": values["disbursed"],
                                         "note": text(row["note"])[:200]}))

    def _population(self, rows):
        seen = {}
        for n, row in rows:
            if text(row["women"]) == "":
                continue  # the template lists every unit: an empty figure is not an error
            unit, year = self._unit(POPULATION_SHEET, n, row), self._year(POPULATION_SHEET, n, row)
            values = self.cells(POPULATION_SHEET, n, row, (("women", count, _("Not a whole number.")),))
            if None in (unit, year) or "women" not in values:
                continue
            if (unit.pk, year) in seen:
                self.problem(POPULATION_SHEET, n, POPULATION_COLUMNS["code"],
                             _("%(code)s %(year)d is already on row %(row)d.") % {
                                 "code": unit.code, "year": year, "row": seen[(unit.pk, year)]})
                continue
            seen[(unit.pk, year)] = n
            self.population.append((n, unit, year, values["women"]))

    def is_empty(self):
        return not self.lines and not self.population

    def summary(self):
        return {"lines": len(self.lines), "population": len(self.population)}

    def save(self, progress=None):
        changed, done, total = 0, 0, len(self.lines) + len(self.population)
        try:
            for _n, unit, fields in self.lines:
                changed += services.record_funding(self.user, unit, origin="import", **fields)[1]
                done += 1
                if progress:
                    progress(done, total)
            for _n, unit, year, women in self.population:
                changed += services.record_population(self.user, unit, year, women, origin="import")[1]
                done += 1
                if progress:
                    progress(done, total)
        except PermissionDenied as exc:  # the scope changed since the file was checked
            raise ValidationError(str(exc)) from exc
        return changed

    @classmethod
    def describe(cls, summary, done=False):
        if done:
            return _("Imported %(lines)d funding lines and %(population)d population figures; %(changed)d records "
                     "changed.") % {"changed": 0, **summary}
        return _("No problems found: %(lines)d funding lines and %(population)d population figures. Nothing is "
                 "saved until you confirm.") % summary

    @classmethod
    def urls(cls, unit):
        return reverse("funding:funding", args=[unit.pk]), reverse("funding:import", args=[unit.pk])
