"""The 会改联 spreadsheet: a template pre-filled with exactly the villages in scope, and its reader.

Sheet 1 has one row per village, sheet 2 one row per committee member keyed by the village code.
`ConversionImporter` (federation.imports: limits, sheets, cell parsers, every problem at once,
one transaction) builds the Conversion records, checks them with orgtree.conversion.validate_many
(the validation record_conversion(s) runs before saving) and saves them all at once through
record_conversions, so an unchanged file changes nothing and a checked file meets nothing new at commit. Each problem is
mapped to its sheet, row and column. Column names are the contract in docs/conversion-excel.md.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from federation import locks, scope
from federation.imports import NO, YES, Importer, count, date, money, text, yes
from federation.workbook import Workbook
from orgtree import services
from orgtree.choices import GRASSROOTS_KINDS
from orgtree.committees import keep_clash
from orgtree.conversion import (
    CHAIR_FLAGS,
    LOCK,
    Conversion,
    InvalidConversionError,
    Issue,
    Member,
    current_elections,
    record_conversions,
    validate_many,
)
from orgtree.idnumber import normalize, validate_id_number
from orgtree.models import ChairPay, Office, Role, Unit, ViceChairType
from orgtree.models.position import ServicePosition

VILLAGE_SHEET, MEMBER_SHEET = "村（社区）", "执委"
VILLAGE_COLUMNS = {
    "code": "区划代码",
    "name": "名称",
    "held_on": "会改联选举日期",
    "entitled": "应到人数",
    "present": "实到人数",
    "on_party_committee": "主席进村党组织班子",
    "on_villagers_committee": "主席进村（居）委会班子",
    "is_party_secretary": "主席任村党组织书记",
    "is_village_director": "主席任村（居）委会主任",
    "pay_year": "报酬年度",
    "chair_pay": "主席年报酬（元）",
    "secretary_pay": "书记年报酬（元）",
    "womens_home": "妇女之家",
    "childrens_home": "儿童之家",
    # The village facts (whoever chairs the federation): 是/否, blank keeps what is recorded.
    "secretary_is_woman": "村（社区）党组织书记为女性",
    "director_is_woman": "村（居）委会主任为女性",
}
FACTS = ("secretary_is_woman", "director_is_woman")
MEMBER_COLUMNS = {
    "code": "区划代码",
    "name": "姓名",
    "id_number": "身份证号",
    "role": "职务",
    "vice_chair_type": "副主席类型",
}
ROLES = {"主席": Role.CHAIR, "副主席": Role.VICE_CHAIR, "常委": Role.STANDING, "执委": Role.EXECUTIVE}
VICE_TYPES = {"专职": ViceChairType.FULL_TIME, "兼职": ViceChairType.PART_TIME, "挂职": ViceChairType.SECONDED}
# 标准化 is the documents' word; 规范化, which earlier templates used, is still read.
HOMES = {"无": "", "有": "yes", "标准化": "standardized", "规范化": "standardized"}


def villages_in_scope(user, unit=None):
    """Open villages/communities the user may change, under `unit` (or anywhere in her scope)."""
    villages = scope.restrict(Unit.objects.open(), user, scope.CHANGE).filter(kind__in=GRASSROOTS_KINDS)
    return (villages.within(unit) if unit is not None else villages).order_by("code", "pk")


# --- the template ---------------------------------------------------------------------------


def build_template(user, unit):
    """An .xlsx with the villages of `unit` the user may change, filled with what is recorded now."""
    villages = list(villages_in_scope(user, unit))
    book = Workbook()
    sheet = book.sheet(VILLAGE_SHEET)
    sheet.append(list(VILLAGE_COLUMNS.values()), bold=True)
    members = book.sheet(MEMBER_SHEET)
    members.append(list(MEMBER_COLUMNS.values()), bold=True)
    offices = {}
    for office in (
        Office.objects.filter(unit__in=villages, ended_on__isnull=True)
        .select_related("person")
        .order_by("unit", "role", "pk")
    ):
        offices.setdefault(office.unit_id, []).append(office)
    homes = {}
    for p in ServicePosition.objects.filter(unit__in=villages, closed_on__isnull=True):
        homes.setdefault(p.unit_id, {})[p.kind] = p
    pay = {p.unit_id: p for p in ChairPay.objects.filter(unit__in=villages).order_by("year")}
    role_names = {v: k for k, v in ROLES.items()}
    type_names = {v: k for k, v in VICE_TYPES.items()}
    elections = current_elections(villages)
    for village in villages:
        election = elections.get(village.pk) if village.form == "federation" else None
        chair = next((o for o in offices.get(village.pk, []) if o.role == Role.CHAIR), None)
        home = homes.get(village.pk, {}).get(ServicePosition.Kind.WOMENS_HOME)
        p = pay.get(village.pk)
        sheet.append(
            [
                village.code,
                village.name,
                election.held_on if election else None,
                election.entitled if election else None,
                election.present if election else None,
                *[(YES if getattr(chair, f) else NO) if chair else None for f in CHAIR_FLAGS],
                p.year if p else None,
                p.chair_annual if p else None,
                p.party_secretary_annual if p else None,
                ("标准化" if home.standardized else "有") if home else "无",
                YES if ServicePosition.Kind.CHILDRENS_HOME in homes.get(village.pk, {}) else NO,
                *[YES if getattr(village, f) else NO for f in FACTS],
            ]
        )
        for office in offices.get(village.pk, []):
            # ID numbers are not written out (they are masked for most users); blank keeps what is recorded.
            members.append(
                [
                    village.code,
                    office.person.name,
                    "",
                    role_names[office.role],
                    type_names.get(office.vice_chair_type, ""),
                ]
            )
    sheet.widths([14, 16, 16, 10, 10, 12, 14, 12, 14, 10, 14, 14, 10, 10, 16, 16])
    members.widths([14, 10, 20, 8, 12])
    sheet.freeze()
    members.freeze()
    sheet.choices([YES, NO], "F2:I5000", "N2:P5000")
    sheet.choices(["无", "有", "标准化"], "M2:M5000")
    members.choices(ROLES, "D2:D50000")
    members.choices(VICE_TYPES, "E2:E50000")
    return book.to_bytes()


# --- reading an upload ----------------------------------------------------------------------


def units_by_code(importer, rows, units, where, kinds, not_kind, not_in_scope):
    """(n, row, code, unit) of each row whose division code names one of `units` (those of the
    importer's scope); every other row is refused at its code cell (`where`: sheet, column) with why —
    empty, unknown, not of `kinds` (`not_kind`), or outside the scope (`not_in_scope`) — and its code
    added to `importer.refused`. One query for the units, one for the codes refused."""
    codes = {text(row["code"]) for _n, row in rows}
    allowed = {u.code: u for u in units.filter(code__in=codes)}
    known = dict(Unit.objects.filter(code__in=codes - set(allowed)).values_list("code", "kind"))
    for n, row in rows:
        code = text(row["code"])
        unit = allowed.get(code)
        if unit is not None:
            yield n, row, code, unit
            continue
        importer.refused.add(code)
        if not code:
            message = _("The division code is empty.")
        elif code not in known:
            message = _("%(code)s is not a known division code.") % {"code": code}
        else:
            message = (not_kind if known[code] not in kinds else not_in_scope) % {"code": code}
        sheet, column = where
        importer.problem(sheet, n, column, message)


class ConversionImporter(Importer):
    kind = "conversion_import"
    sheets = {VILLAGE_SHEET: VILLAGE_COLUMNS, MEMBER_SHEET: MEMBER_COLUMNS}
    rows_per_unit = {VILLAGE_SHEET: 1, MEMBER_SHEET: 4}

    def __init__(self, user, unit):
        super().__init__(user, unit)
        self.conversions = {}  # village pk -> Conversion
        self.villages = {}  # village pk -> Unit
        self.where = {}  # village pk -> (its row, [the row of each member])
        self.facts = {}  # village pk -> {fact: bool} of a row without a conversion date

    @property
    def empty_message(self):
        return _("No village in the file has a conversion date: nothing to import.")

    def units_in_scope(self):
        return villages_in_scope(self.user, self.unit).count()

    def parse(self, rows_by_sheet):
        self._villages(rows_by_sheet[VILLAGE_SHEET])
        self._members(rows_by_sheet[MEMBER_SHEET])
        self._check()

    def is_empty(self):
        return not self.conversions and not self.facts

    def summary(self):
        return {
            "villages": len(self.conversions) + len(self.facts),  # rows changing their village facts alone too
            "members": sum(len(c.members) for c in self.conversions.values()),
        }

    def save(self, progress=None):
        """All villages through record_conversions at once (the rules and history of one village's
        record, in a fixed number of queries). Should the batch meet a concurrent write the check
        could not see (a unique ID number taken meanwhile, a village moved), it is rolled back and
        the villages are saved one by one, each in its savepoint, to say which village met what."""
        items = [(self.villages[pk], data) for pk, data in self.conversions.items()]
        facts = self._save_facts()
        try:
            with transaction.atomic():
                recorded = record_conversions(self.user, items, source="import", progress=progress)
        except (IntegrityError, ValidationError, PermissionDenied):
            return facts + self._one_by_one(items, progress)
        for pk, error in recorded.refused.items():
            self.refuse(pk, error)
        return facts + len(recorded.changed)

    def _save_facts(self):
        """The village facts of the rows without a conversion date (those with one are saved with it)."""
        if not self.facts:
            return 0
        try:
            with transaction.atomic():
                changed = services.set_village_facts(
                    self.user, {self.villages[pk]: facts for pk, facts in self.facts.items()}, source="import"
                )
        except (ValidationError, PermissionDenied) as exc:
            for pk in self.facts:
                self.refuse(pk, exc)
            return 0
        return len(changed)

    def _one_by_one(self, items, progress):
        changed = 0
        for i, (village, data) in enumerate(items, start=1):
            try:
                with transaction.atomic():
                    recorded = record_conversions(self.user, [(village, data)], source="import")
            except IntegrityError:  # a concurrent save took the same record first (savepoint rolled back)
                self.report(
                    village.pk, [Issue(_("Someone saved this village at the same time. Check the file again."))]
                )
                continue
            except (ValidationError, PermissionDenied) as exc:
                self.refuse(village.pk, exc)
                continue
            for pk, error in recorded.refused.items():
                self.refuse(pk, error)
            changed += len(recorded.changed)
            if progress:
                progress(i, len(items))
        return changed

    def refuse(self, pk, error):
        """What record_conversion(s) refused for a village, at its cells."""
        if isinstance(error, InvalidConversionError):  # the data changed since the check
            self.report(pk, error.issues)
            self.causes.append(error)
        elif isinstance(error, PermissionDenied):
            self.report(pk, [Issue(_("This village is no longer in your scope."))])
        else:
            self.report(pk, [Issue(m) for m in error.messages])
            self.causes.append(error)

    def report(self, pk, issues):
        """Each Issue of a village at its sheet, row and column."""
        row, member_rows = self.where[pk]
        for issue in issues:
            if issue.member is not None:
                self.problem(
                    MEMBER_SHEET,
                    member_rows[issue.member],
                    MEMBER_COLUMNS.get(issue.field, MEMBER_COLUMNS["name"]),
                    issue.message,
                )
            else:
                self.problem(
                    VILLAGE_SHEET, row, VILLAGE_COLUMNS.get(issue.field, VILLAGE_COLUMNS["code"]), issue.message
                )

    @classmethod
    def describe(cls, summary, done=False):
        if done:
            return _("Imported %(villages)d villages/communities; %(changed)d records changed.") % {
                "villages": summary.get("villages", 0),
                "changed": summary.get("changed", 0),
            }
        return (
            _(
                "No problems found: %(villages)d villages/communities with %(members)d committee members. "
                "Nothing is saved until you confirm."
            )
            % summary
        )

    @classmethod
    def urls(cls, unit):
        return reverse("orgtree:conversion_grid", args=[unit.pk]), reverse("orgtree:conversion_import", args=[unit.pk])

    def _villages(self, rows):
        self.rows, self.refused = {}, set()
        named = units_by_code(
            self,
            rows,
            villages_in_scope(self.user, self.unit),
            (VILLAGE_SHEET, VILLAGE_COLUMNS["code"]),
            GRASSROOTS_KINDS,
            _("%(code)s is not a village or community."),
            _("%(code)s is not a village or community in your scope."),
        )
        for n, row, code, village in named:
            if village.pk in self.villages:
                self.problem(VILLAGE_SHEET, n, VILLAGE_COLUMNS["code"], _("%(code)s appears twice.") % {"code": code})
                continue
            stated = self._facts(n, row)
            if not text(row["held_on"]):
                # Not converted yet: the row is left as it is, but for the village facts that differ
                # from the record (an unchanged row changes nothing).
                facts = {f: v for f, v in stated.items() if v != getattr(village, f)}
                if facts:
                    self.villages[village.pk] = village
                    self.facts[village.pk] = facts
                    self.where[village.pk] = (n, [])
                continue
            values = self.cells(
                VILLAGE_SHEET,
                n,
                row,
                (
                    ("held_on", date, _("Not a date (write 2021-03-15).")),
                    ("entitled", count, _("Not a whole number.")),
                    ("present", count, _("Not a whole number.")),
                    ("pay_year", count, _("Not a whole number.")),
                    ("chair_pay", money, _("Not an amount of yuan.")),
                    ("secretary_pay", money, _("Not an amount of yuan.")),
                    *[(flag, yes, _("Write 是 or 否.")) for flag in CHAIR_FLAGS],
                    ("childrens_home", yes, _("Write 是 or 否.")),
                ),
            )
            home = text(row["womens_home"])
            if home not in HOMES:
                self.problem(VILLAGE_SHEET, n, VILLAGE_COLUMNS["womens_home"], _("Write 无, 有 or 标准化."))
            if "held_on" not in values:
                self.refused.add(code)
            self.villages[village.pk] = village
            self.rows[code] = (n, village, {**values, **stated}, HOMES.get(home, ""))

    def _facts(self, n, row):
        """{fact: bool} of the cells filled in (是/否; blank keeps what is recorded)."""
        found = {}
        for name in FACTS:
            value = text(row.get(name))
            if not value:
                continue
            try:
                found[name] = yes(value)
            except ValueError:
                self.problem(VILLAGE_SHEET, n, VILLAGE_COLUMNS[name], _("Write 是 or 否."))
        return found

    def _members(self, rows):
        self.members = {}
        for n, row in rows:
            code = text(row["code"])
            if code in self.refused:
                continue  # the village's row is refused on the first sheet: reported there, once
            if code not in self.rows:
                self.problem(
                    MEMBER_SHEET,
                    n,
                    MEMBER_COLUMNS["code"],
                    _("%(code)s has no conversion date on the first sheet.") % {"code": code or "—"},
                )
                continue
            name = text(row["name"])
            if not name:
                self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["name"], _("A member has no name."))
                continue
            id_number = normalize(text(row["id_number"]))
            if id_number:  # validate() says the same of members it sees: the problem is listed once
                try:
                    validate_id_number(id_number)
                except ValidationError as exc:
                    for message in exc.messages:
                        self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["id_number"], message)
            role = ROLES.get(text(row["role"]) or "执委")
            if role is None:
                self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["role"], _("Write 主席, 副主席, 常委 or 执委."))
                continue
            vice_type = VICE_TYPES.get(text(row["vice_chair_type"]), "")  # a vice-chair's: validate() says
            key = (name, id_number)
            listed = self.members.setdefault(code, {})
            if key in listed:
                self.problem(
                    MEMBER_SHEET,
                    n,
                    MEMBER_COLUMNS["name"],
                    _("%(name)s is listed twice (first on row %(row)d).") % {"name": name, "row": listed[key][0]},
                )
                continue
            listed[key] = (n, Member(name, id_number, role, vice_type))

    def _check(self):
        """Each village through the validation record_conversion runs, its problems mapped to cells."""
        for code, (n, village, values, home) in self.rows.items():
            if "held_on" not in values:
                continue
            listed = list(self.members.get(code, {}).values())
            data = Conversion(
                held_on=values["held_on"],
                members=[m for _row, m in listed],
                entitled=values.get("entitled"),
                present=values.get("present"),
                chair_flags={f: values.get(f, False) for f in CHAIR_FLAGS},
                pay_year=values.get("pay_year"),
                chair_pay=values.get("chair_pay"),
                secretary_pay=values.get("secretary_pay"),
                womens_home=home,
                childrens_home=values.get("childrens_home", False),
                **{f: values[f] for f in FACTS if f in values},
            )
            self.where[village.pk] = (n, [row for row, _m in listed])
            self.conversions[village.pk] = data
        clashes = []
        items = [(self.villages[pk], data) for pk, data in self.conversions.items()]
        for (village, _data), issues in zip(items, validate_many(self.user, items, clashes), strict=True):
            self.report(village.pk, issues)
        # Rows changing a village's facts alone: refused too where its 会改联结果 are approved and locked.
        facts_only = [self.villages[pk] for pk in self.facts if pk not in self.conversions]
        for pk, message in locks.locked_units(facts_only, LOCK).items():
            self.report(pk, [Issue(message)])
        for clash in clashes:  # a probe by file reaches the admins above like one by form
            keep_clash(clash)
