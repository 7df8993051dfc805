"""The 区域化 spreadsheet: a template pre-filled with exactly the townships and streets in scope,
and its reader, like the 会改联 one (orgtree/conversion_excel.py).

Sheet 1 has one row per township election, sheet 2 one row per committee member (role, vice-chair
type, where she is drawn from) keyed by the township code. `RegionalizationImporter`
(federation.imports: limits, sheets, cell parsers, every problem at once, one transaction) builds
the Regionalization records, checks each with orgtree.regionalization.validate (what
record_regionalization runs before saving) and saves them through record_regionalization, so an
unchanged file changes nothing. Column names are the contract in docs/regionalization-excel.md.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from federation import scope
from federation.imports import Importer, count, date, text
from federation.workbook import Workbook
from orgtree.committees import keep_clash
from orgtree.conversion_excel import ROLES, VICE_TYPES, units_by_code
from orgtree.elections import REGIONALIZED_KINDS
from orgtree.idnumber import normalize, validate_id_number
from orgtree.models import DrawnFrom, Role, Unit
from orgtree.regionalization import (
    InvalidRegionalizationError,
    Issue,
    Member,
    Regionalization,
    certified,
    members_of,
    record_regionalization,
    validate,
)

TOWNSHIP_SHEET, MEMBER_SHEET = "乡镇（街道）", "执委"
TOWNSHIP_COLUMNS = {
    "code": "区划代码",
    "name": "名称",
    "held_on": "区域化选举日期",
    "entitled": "应到人数",
    "present": "实到人数",
}
MEMBER_COLUMNS = {
    "code": "区划代码",
    "name": "姓名",
    "id_number": "身份证号",
    "role": "职务",
    "vice_chair_type": "副主席类型",
    "drawn_from": "来源",
}
DRAWN_FROM = {
    "村（社区）": DrawnFrom.VILLAGE,
    "机关（单位）": DrawnFrom.AGENCY,
    "企业": DrawnFrom.ENTERPRISE,
    "新领域": DrawnFrom.NEW_DOMAIN,
    "其他": DrawnFrom.OTHER,
}


def townships_in_scope(user, unit=None):
    """Open townships/streets the user may change, under `unit` (or anywhere in her scope)."""
    townships = scope.restrict(Unit.objects.open(), user, scope.CHANGE).filter(kind__in=REGIONALIZED_KINDS)
    return (townships.within(unit) if unit is not None else townships).order_by("code", "pk")


# --- the template ---------------------------------------------------------------------------


def build_template(user, unit):
    """An .xlsx with the townships of `unit` the user may change, filled with their latest certified
    regionalization (so that uploading it unchanged changes nothing)."""
    townships = list(townships_in_scope(user, unit))
    latest = certified(townships)
    book = Workbook()
    sheet = book.sheet(TOWNSHIP_SHEET)
    sheet.append(list(TOWNSHIP_COLUMNS.values()), bold=True)
    members = book.sheet(MEMBER_SHEET)
    members.append(list(MEMBER_COLUMNS.values()), bold=True)
    role_names = {v: k for k, v in ROLES.items()}
    type_names = {v: k for k, v in VICE_TYPES.items()}
    source_names = {v: k for k, v in DRAWN_FROM.items()}
    for township in townships:
        election = latest.get(township.pk)
        sheet.append(
            [
                township.code,
                township.name,
                election.held_on if election else None,
                election.entitled if election else None,
                election.present if election else None,
            ]
        )
        for m in members_of(election) if election else []:
            # ID numbers are not written out (masked for most users); blank keeps the person recorded.
            members.append(
                [
                    township.code,
                    m.name,
                    "",
                    role_names[m.role],
                    type_names.get(m.vice_chair_type, ""),
                    source_names.get(m.drawn_from, ""),
                ]
            )
    sheet.widths([14, 16, 16, 10, 10])
    members.widths([14, 10, 20, 8, 12, 14])
    sheet.freeze()
    members.freeze()
    members.choices(ROLES, "D2:D50000")
    members.choices(VICE_TYPES, "E2:E50000")
    members.choices(DRAWN_FROM, "F2:F50000")
    return book.to_bytes()


# --- reading an upload ----------------------------------------------------------------------


class RegionalizationImporter(Importer):
    kind = "regionalization_import"
    sheets = {TOWNSHIP_SHEET: TOWNSHIP_COLUMNS, MEMBER_SHEET: MEMBER_COLUMNS}
    rows_per_unit = {TOWNSHIP_SHEET: 1, MEMBER_SHEET: 20}

    def __init__(self, user, unit):
        super().__init__(user, unit)
        self.records = {}  # township pk -> Regionalization
        self.townships = {}  # township pk -> Unit
        self.where = {}  # township pk -> (its row, [the row of each member])

    @property
    def empty_message(self):
        return _("No township in the file has a regionalization date: nothing to import.")

    def units_in_scope(self):
        return townships_in_scope(self.user, self.unit).count()

    def parse(self, rows_by_sheet):
        self._townships(rows_by_sheet[TOWNSHIP_SHEET])
        self._members(rows_by_sheet[MEMBER_SHEET])
        self._check()

    def is_empty(self):
        return not self.records

    def summary(self):
        return {"townships": len(self.records), "members": sum(len(r.members) for r in self.records.values())}

    def save(self, progress=None):
        """Each township through record_regionalization (the election services), in the import's one
        transaction: a township refused (the data changed since the check) is reported at its cells,
        and then nothing is saved."""
        changed = 0
        for i, (pk, data) in enumerate(self.records.items(), start=1):
            try:
                _election, written = record_regionalization(self.user, self.townships[pk], data, source="import")
            except InvalidRegionalizationError as exc:
                self.report(pk, exc.issues)
                self.causes.append(exc)
                continue
            except PermissionDenied:
                self.report(pk, [Issue(_("This township is no longer in your scope."))])
                continue
            except ValidationError as exc:
                self.report(pk, [Issue(m) for m in exc.messages])
                self.causes.append(exc)
                continue
            changed += written
            if progress:
                progress(i, len(self.records))
        return changed

    def report(self, pk, issues):
        """Each Issue of a township at its sheet, row and column."""
        row, member_rows = self.where[pk]
        for issue in issues:
            if issue.member is not None:
                column = MEMBER_COLUMNS.get(issue.field, MEMBER_COLUMNS["name"])
                self.problem(MEMBER_SHEET, member_rows[issue.member], column, issue.message)
            else:
                column = TOWNSHIP_COLUMNS.get(issue.field, TOWNSHIP_COLUMNS["code"])
                self.problem(TOWNSHIP_SHEET, row, column, issue.message)

    @classmethod
    def describe(cls, summary, done=False):
        if done:
            return _("Imported %(townships)d townships/streets; %(changed)d regionalizations recorded.") % {
                "townships": summary.get("townships", 0),
                "changed": summary.get("changed", 0),
            }
        return (
            _(
                "No problems found: %(townships)d townships/streets with %(members)d committee members. "
                "Nothing is saved until you confirm."
            )
            % summary
        )

    @classmethod
    def urls(cls, unit):
        return (
            reverse("orgtree:conversion_grid", args=[unit.pk]),
            reverse("orgtree:regionalization_import", args=[unit.pk]),
        )

    def _townships(self, rows):
        self.rows, self.refused = {}, set()
        named = units_by_code(
            self,
            rows,
            townships_in_scope(self.user, self.unit),
            (TOWNSHIP_SHEET, TOWNSHIP_COLUMNS["code"]),
            REGIONALIZED_KINDS,
            _("%(code)s is not a township or street."),
            _("%(code)s is not a township or street in your scope."),
        )
        for n, row, code, township in named:
            if township.pk in self.townships:
                self.problem(TOWNSHIP_SHEET, n, TOWNSHIP_COLUMNS["code"], _("%(code)s appears twice.") % {"code": code})
                continue
            if not text(row["held_on"]):
                continue  # not regionalized yet: the row is left as it is
            values = self.cells(
                TOWNSHIP_SHEET,
                n,
                row,
                (
                    ("held_on", date, _("Not a date (write 2021-03-15).")),
                    ("entitled", count, _("Not a whole number.")),
                    ("present", count, _("Not a whole number.")),
                ),
            )
            if "held_on" not in values:
                self.refused.add(code)
            self.townships[township.pk] = township
            self.rows[code] = (n, township, values)

    def _members(self, rows):
        self.members = {}
        for n, row in rows:
            code = text(row["code"])
            if code in self.refused:
                continue  # the township's row is refused on the first sheet: reported there, once
            if code not in self.rows:
                self.problem(
                    MEMBER_SHEET,
                    n,
                    MEMBER_COLUMNS["code"],
                    _("%(code)s has no regionalization date on the first sheet.") % {"code": code or "—"},
                )
                continue
            name = text(row["name"])
            if not name:
                self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["name"], _("A member has no name."))
                continue
            id_number = normalize(text(row["id_number"]))
            if id_number:
                try:
                    validate_id_number(id_number)
                except ValidationError as exc:
                    for message in exc.messages:
                        self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["id_number"], message)
            role = ROLES.get(text(row["role"]) or "执委")
            if role is None:
                self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["role"], _("Write 主席, 副主席, 常委 or 执委."))
                continue
            vice = text(row["vice_chair_type"])
            if vice and vice not in VICE_TYPES:
                self.problem(MEMBER_SHEET, n, MEMBER_COLUMNS["vice_chair_type"], _("Write 专职, 兼职 or 挂职."))
                continue
            source = text(row["drawn_from"])
            if source and source not in DRAWN_FROM:  # an empty one: validate() asks for it
                self.problem(
                    MEMBER_SHEET,
                    n,
                    MEMBER_COLUMNS["drawn_from"],
                    _("Write 村（社区）, 机关（单位）, 企业, 新领域 or 其他."),
                )
                continue
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
            vice_type = VICE_TYPES.get(vice, "") if role == Role.VICE_CHAIR else ""
            listed[key] = (n, Member(name, id_number, role, vice_type, DRAWN_FROM.get(source, "")))

    def _check(self):
        """Each township through the validation record_regionalization runs, mapped to cells."""
        for code, (n, township, values) in self.rows.items():
            if "held_on" not in values:
                continue
            listed = list(self.members.get(code, {}).values())
            self.where[township.pk] = (n, [row for row, _m in listed])
            self.records[township.pk] = Regionalization(
                held_on=values["held_on"],
                members=[m for _row, m in listed],
                entitled=values.get("entitled"),
                present=values.get("present"),
            )
        latest = certified([self.townships[pk] for pk in self.records])
        clashes = []
        for pk, data in self.records.items():
            self.report(pk, validate(self.user, self.townships[pk], data, latest.get(pk), clashes))
        for clash in clashes:  # a probe by file reaches the admins above like one by form
            keep_clash(clash)
