"""The register's spreadsheet (应建尽建台账): a template pre-filled with the organizations registered in a
unit's subtree (the export of the register is the same workbook, filtered), its reader, and the
通讯录 (基础台帐和妇委会主任通讯录).

One sheet, 组织台账, one row per organization. An organization is found again by its unified social
credit code, else by the area unit it is registered under and its name, so uploading the template as
downloaded changes nothing. `RegisterImporter` (federation.imports: limits, every problem at once,
one transaction) builds, for each row, the organization as it would be saved and runs on it the
rules register.services runs before saving (Organization.clean() and the field checks, the credit
code once among open organizations, the scope of the unit, the committee and the 包建 leader); the
commit then saves each row through register.services (history with source "import"). Column names
are the contract in docs/register-excel.md.
"""

import copy
from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation import locks, scope
from federation.conflicts import ConflictError
from federation.imports import NO, YES, Importer, count, text, yes
from federation.workbook import Workbook
from orgtree.models import Person, Unit
from register import rules, services
from register.models import Coverage, Organization, OrgKind, Requirement, Subtype
from register.models.organization import AREA_KINDS, BUILT, COMMITTEE_KINDS, COUNTED, Status
from register.validators import normalize_credit_code

SHEET, GUIDE_SHEET, AREAS_SHEET, COMMITTEES_SHEET = "组织台账", "填写说明", "所属地区", "妇女组织"
BY_ORGANIZATION_SHEET, BY_COMMITTEE_SHEET = "按组织", "按妇女组织"
COLUMNS = {
    "unit_code": "所属地区区划代码",
    "unit_name": "所属地区名称",
    "name": "组织名称",
    "credit_code": "统一社会信用代码",
    "kind": "类别",
    "subtype": "细类",
    "has_party_org": "已建党组织",
    "employees": "职工人数",
    "women_employees": "女职工人数",
    "coverage": "建设方式",
    "requirement": "是否应建",
    "not_required_reason": "无需建立原因",
    "committee": "妇女组织",
    "committee_parent": "妇女组织上级单位",
    "patron": "包建领导",
    "patron_unit": "包建领导所在单位",
    "head_name": "妇委会主任",
    "head_phone": "主任电话",
    "contact_name": "联系人",
    "contact_phone": "联系人电话",
    "address": "地址",
    "notes": "备注",
}
# Written by the export, never read: the status follows from the other columns and the rule.
STATUS_COLUMN = "状态（导出时计算，导入不读）"

KINDS = {
    "机关（单位）": OrgKind.AGENCY,
    "非公企业": OrgKind.ENTERPRISE,
    "社会组织": OrgKind.SOCIAL_ORG,
    "新领域": OrgKind.NEW_DOMAIN,
}
SUBTYPES = {
    "党政机关": Subtype.AGENCY,
    "事业单位": Subtype.INSTITUTION,
    "楼宇": Subtype.BUILDING,
    "商圈": Subtype.BUSINESS_DISTRICT,
    "园区": Subtype.PARK,
    "专业市场": Subtype.MARKET,
    "网络平台": Subtype.INTERNET,
    "群体": Subtype.GROUP,
}
COVERAGES = {"单独创建": Coverage.SEPARATE, "行业统建": Coverage.INDUSTRY, "区域联建": Coverage.REGIONAL}
REQUIREMENTS = {"按规则认定": Requirement.RULE, "应建": Requirement.REQUIRED, "无需建立": Requirement.NOT_REQUIRED}
STATUSES = {Status.BUILT: "已建", Status.SHOULD_BUILD: "应建未建", Status.NOT_REQUIRED: "无需建立"}
NAMES: dict[str, dict[str, str]] = {
    "kind": {v: k for k, v in KINDS.items()},
    "subtype": {v: k for k, v in SUBTYPES.items()},
    "coverage": {v: k for k, v in COVERAGES.items()},
    "requirement": {v: k for k, v in REQUIREMENTS.items()},
}
# Where the job page's "back to the list" leads: the register's list of the unit, else the unit's page.
# The model's fields at the sheet's columns (the others have the same name).
FIELD_COLUMNS = {"unit": "unit_code", "committee": "committee", "patron": "patron", NON_FIELD_ERRORS: "name"}
LINKS = ("committee", "patron")
TEXT_FIELDS = ("head_name", "head_phone", "contact_name", "contact_phone", "address", "notes", "not_required_reason")

GUIDE = [
    (
        "所属地区区划代码",
        "是（或填名称）",
        "组织登记在其下的地区：县（市、区）、乡镇（街道）或更高一级（如市直机关登记在市）。"
        "只能填写您管理范围内的地区，见“所属地区”表；有区划代码时以代码为准。",
    ),
    ("所属地区名称", "否", "未填区划代码时按名称查找；同名地区须填区划代码。"),
    ("组织名称", "是", "至多 100 字。没有统一社会信用代码的组织按“所属地区 + 组织名称”识别。"),
    ("统一社会信用代码", "否", "18 位，末位为校验码；同一代码只能登记一个存续的组织。填写后按代码识别组织。"),
    ("类别", "是", "机关（单位）/ 非公企业 / 社会组织 / 新领域。"),
    (
        "细类",
        "机关（单位）和新领域必填",
        "机关（单位）：党政机关 / 事业单位；新领域：楼宇 / 商圈 / 园区 / 专业市场 / 网络平台 / 群体"
        "（如广场舞队、全职妈妈群）；其他类别不填。",
    ),
    ("已建党组织", "否", "是 / 否（空为否）。"),
    ("职工人数", "否", "整数；群体填成员数。{patron}"),
    ("女职工人数", "否", "整数，不多于职工人数。"),
    ("建设方式", "否", "单独创建 / 行业统建 / 区域联建。"),
    ("是否应建", "否", "按规则认定（空即此项）/ 应建 / 无需建立。{rule}"),
    ("无需建立原因", "选“无需建立”时必填", "至多 200 字。"),
    (
        "妇女组织",
        "否",
        "覆盖该组织的妇委会或妇联（已有的妇女组织单位，见“妇女组织”表），填名称；一个妇女组织可覆盖多个组织"
        "（区域联建、行业统建）。填写即为已建。",
    ),
    ("妇女组织上级单位", "同名时必填", "妇女组织的上级单位的区划代码或名称，用于区分同名的妇女组织。"),
    ("包建领导", "否", "您管理范围内登记的人员姓名。"),
    ("包建领导所在单位", "同名时必填", "包建领导登记所在单位的区划代码或名称，用于区分同名人员。"),
    ("妇委会主任、主任电话、联系人、联系人电话", "否", "通讯录；电话至多 20 位。"),
    ("地址、备注", "否", "地址至多 200 字。"),
    (STATUS_COLUMN, "不填", "导出时按规则计算（已建 / 应建未建 / 无需建立），导入时不读。"),
    (
        "说明",
        "",
        "模板列出该地区已登记的全部存续组织；原样上传不作任何更改。文件中没有的组织保持不变（不会删除）。"
        "所有问题一次列出（工作表、行、列），确认前不保存，确认后全部保存或全部不保存。",
    ),
]


def guide(unit):
    """The instructions, with the build rule and the 包建 thresholds that apply under `unit`."""
    rule = rules.rule_for(unit)
    reasons = (["已建党组织"] if rule.party_org else []) + (
        [f"女职工 {rule.min_women} 人以上"] if rule.min_women else []
    )
    said = {
        "rule": f"本地区的规则：{'或'.join(reasons)}的应建。" if reasons else "本地区的规则不要求建立，由您逐一认定。",
        "patron": f"包建建议：{rule.chair_patron_from} 人以上由县（市、区）妇联主席包建，"
        f"{rule.vice_patron_from} 人以上由副主席或乡镇（街道）妇联主席包建（只是建议，以“包建领导”列为准）。",
    }
    return [(column, required, help.format(**said)) for column, required, help in GUIDE]


def unit_ref(unit):
    """How a sheet names a unit: its division code, else its name."""
    return unit.code or unit.name


def area_units(user, unit, action=scope.CHANGE):
    """The open area units of `unit`'s subtree (itself included) on which the user may do `action`."""
    units = scope.restrict(Unit.objects.open(), user, action).filter(kind__in=AREA_KINDS)
    return units.within(unit)


def organizations(user, unit, action=scope.VIEW, kind="", status=""):
    """The open organizations registered in `unit`'s subtree that the user may see (or change)."""
    rows = scope.restrict(Organization.objects.open(), user, action).filter(unit.subtree_q("unit__"))
    if kind:
        rows = rows.filter(kind=kind)
    if status == Status.BUILT:
        rows = rows.filter(BUILT)
    elif status == Status.SHOULD_BUILD:
        rows = rows.filter(COUNTED).exclude(BUILT)
    elif status == Status.NOT_REQUIRED:
        rows = rows.exclude(COUNTED)
    return rows.select_related("unit", "committee__parent", "patron__unit").order_by(
        "unit__tree_id", "unit__lft", "kind", "name", "pk"
    )


def committees(user, unit):
    """The open committee units of `unit`'s subtree that the user may see (what an organization can link)."""
    rows = scope.restrict(Unit.objects.open(), user, scope.VIEW).filter(kind__in=COMMITTEE_KINDS).within(unit)
    return rows.select_related("parent")


# --- the workbook -------------------------------------------------------------------------------


def row_of(org):
    return [
        org.unit.code,
        org.unit.name,
        org.name,
        org.credit_code,
        NAMES["kind"].get(org.kind, ""),
        NAMES["subtype"].get(org.subtype, ""),
        YES if org.has_party_org else NO,
        org.employees,
        org.women_employees,
        NAMES["coverage"].get(org.coverage, ""),
        NAMES["requirement"].get(org.requirement, ""),
        org.not_required_reason,
        org.committee.name if org.committee_id else "",
        unit_ref(org.committee.parent) if org.committee_id and org.committee.parent_id else "",
        org.patron.name if org.patron_id else "",
        unit_ref(org.patron.unit) if org.patron_id else "",
        org.head_name,
        org.head_phone,
        org.contact_name,
        org.contact_phone,
        org.address,
        org.notes,
        STATUSES[org.status],
    ]


def build_workbook(user, unit, orgs):
    """The register's workbook for `unit`: `orgs` on the first sheet (the template and the export are
    this workbook), then the instructions, the area units the user may register under and the
    committees she may link, with drop-down lists on the first sheet."""
    orgs = list(orgs)
    book = Workbook()
    sheet = book.sheet(SHEET)
    sheet.append([*COLUMNS.values(), STATUS_COLUMN], bold=True)
    for org in orgs:
        sheet.append(row_of(org))
    guide_sheet = book.sheet(GUIDE_SHEET)
    guide_sheet.append(["列", "是否必填", "填写说明"], bold=True)
    for line in guide(unit):
        guide_sheet.append(list(line))
    guide_sheet.widths([30, 22, 100])
    areas = book.sheet(AREAS_SHEET)
    areas.append(["区划代码", "名称", "级别"], bold=True)
    listed_areas = list(area_units(user, unit).order_by("tree_id", "lft"))
    for area in listed_areas:
        areas.append([area.code, area.name, area.get_kind_display()])
    areas.widths([16, 24, 16])
    areas.freeze()
    found = book.sheet(COMMITTEES_SHEET)
    found.append(["名称", "类别", "上级单位", "上级单位区划代码或名称"], bold=True)
    listed_committees = list(committees(user, unit).order_by("tree_id", "lft"))
    for committee in listed_committees:
        parent = committee.parent
        found.append(
            [
                committee.name,
                committee.get_kind_display(),
                parent.name if parent else "",
                unit_ref(parent) if parent else "",
            ]
        )
    found.widths([30, 20, 24, 20])
    found.freeze()
    last = len(orgs) + 5000
    sheet.widths([16, 16, 28, 22, 14, 12, 10, 10, 10, 12, 12, 20, 26, 18, 12, 18, 12, 14, 12, 14, 28, 20, 14])
    sheet.freeze("D2")
    sheet.choices_from(areas, "A", len(listed_areas), f"A2:A{last}")
    sheet.choices(KINDS, f"E2:E{last}")
    sheet.choices(SUBTYPES, f"F2:F{last}")
    sheet.choices([YES, NO], f"G2:G{last}")
    sheet.choices(COVERAGES, f"J2:J{last}")
    sheet.choices(REQUIREMENTS, f"K2:K{last}")
    sheet.choices_from(found, "A", len(listed_committees), f"M2:M{last}")
    return book.to_bytes()


def build_template(user, unit):
    """The template: every open organization of `unit`'s subtree the user may change."""
    return build_workbook(user, unit, organizations(user, unit, scope.CHANGE))


def build_export(user, unit, kind="", status=""):
    """The register as the user may see it (filtered by kind and status): the template's workbook."""
    return build_workbook(user, unit, organizations(user, unit, scope.VIEW, kind, status))


def _joined(values):
    return "、".join(dict.fromkeys(v for v in values if v))


def build_contacts(user, unit):
    """基础台帐和妇委会主任通讯录: one sheet by organization, one by committee (the organizations it covers,
    its heads, contacts and 包建 leaders)."""
    orgs = list(organizations(user, unit, scope.VIEW))
    book = Workbook()
    by_org = book.sheet(BY_ORGANIZATION_SHEET)
    by_org.append(
        [
            "所属地区",
            "组织名称",
            "类别",
            "状态",
            "妇女组织",
            "建设方式",
            "妇委会主任",
            "主任电话",
            "联系人",
            "联系人电话",
            "包建领导",
            "地址",
        ],
        bold=True,
    )
    covered = defaultdict(list)
    for org in orgs:
        built = org.is_built
        by_org.append(
            [
                org.unit.name,
                org.name,
                NAMES["kind"].get(org.kind, ""),
                STATUSES[org.status],
                org.committee.name if built else "",
                NAMES["coverage"].get(org.coverage, ""),
                org.head_name,
                org.head_phone,
                org.contact_name,
                org.contact_phone,
                org.patron.name if org.patron_id else "",
                org.address,
            ]
        )
        if built:
            covered[org.committee_id].append(org)
    by_org.widths([16, 28, 14, 12, 26, 12, 12, 14, 12, 14, 12, 28])
    by_org.freeze()
    by_committee = book.sheet(BY_COMMITTEE_SHEET)
    by_committee.append(
        [
            "妇女组织",
            "上级单位",
            "建设方式",
            "覆盖组织数",
            "覆盖的组织",
            "妇委会主任",
            "主任电话",
            "联系人",
            "联系人电话",
            "包建领导",
        ],
        bold=True,
    )
    for listed in sorted(covered.values(), key=lambda rows: (rows[0].committee.name, rows[0].committee_id)):
        committee = listed[0].committee
        by_committee.append(
            [
                committee.name,
                committee.parent.name if committee.parent_id else "",
                _joined(NAMES["coverage"].get(o.coverage, "") for o in listed),
                len(listed),
                _joined(o.name for o in listed),
                _joined(o.head_name for o in listed),
                _joined(o.head_phone for o in listed),
                _joined(o.contact_name for o in listed),
                _joined(o.contact_phone for o in listed),
                _joined(o.patron.name if o.patron_id else "" for o in listed),
            ]
        )
    by_committee.widths([28, 18, 14, 10, 40, 14, 16, 14, 16, 14])
    by_committee.freeze()
    return book.to_bytes()


# --- reading an upload ----------------------------------------------------------------------------


class RegisterImporter(Importer):
    kind = "register_import"
    sheets = {SHEET: COLUMNS}
    rows_per_unit = {SHEET: 20}

    def __init__(self, user, unit):
        super().__init__(user, unit)
        self.creates = []  # (row, area unit, {field: value})
        self.updates = []  # (row, organization as read, {field: new value})
        self.unchanged = 0

    empty_message = gettext_lazy("The file lists no organization: nothing to import.")

    def units_in_scope(self):
        return area_units(self.user, self.unit).count()

    def column(self, field):
        return COLUMNS[FIELD_COLUMNS.get(field, field if field in COLUMNS else "name")]

    def report(self, n, error, skip=()):
        """A ValidationError of the organization (or of a service) at the row's cells."""
        fields = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for field, messages in fields.items():
            if field in skip:
                continue
            for message in messages:
                self.problem(SHEET, n, self.column(field), message)

    # The database, read once for the whole file ---------------------------------------------------

    def _lookups(self, rows):
        def wanted(key):
            return {text(row[key]) for _n, row in rows} - {""}

        self.areas = list(area_units(self.user, self.unit))
        self.area_ids = {a.pk for a in self.areas}
        self.area_by_code = {a.code: a for a in self.areas if a.code}
        self.area_by_name = defaultdict(list)
        for area in self.areas:
            self.area_by_name[area.name].append(area)
        unknown = wanted("unit_code") - set(self.area_by_code)
        self.known_codes = dict(Unit.objects.filter(code__in=unknown).values_list("code", "kind"))
        codes = {normalize_credit_code(text(row["credit_code"])) for _n, row in rows} - {""}
        self.by_code = {
            o.credit_code: o
            for o in Organization.objects.open()
            .filter(credit_code__in=codes)
            .select_related("unit", "committee__parent", "patron__unit")
        }
        self.visible = set(
            scope.restrict(
                Organization.objects.filter(pk__in=[o.pk for o in self.by_code.values()]), self.user
            ).values_list("pk", flat=True)
        )
        self.by_name = defaultdict(list)
        for org in (
            Organization.objects.open()
            .filter(unit__in=[a.pk for a in self.areas], name__in=wanted("name"))
            .select_related("unit", "committee__parent", "patron__unit")
        ):
            self.by_name[(org.unit_id, org.name)].append(org)
        self.committees = defaultdict(list)
        for committee in (
            scope.restrict(Unit.objects.filter(kind__in=COMMITTEE_KINDS, name__in=wanted("committee")), self.user)
            .select_related("parent")
            .order_by("pk")
        ):
            self.committees[committee.name].append(committee)
        self.people = defaultdict(list)
        for person in (
            scope.restrict(Person.objects.filter(name__in=wanted("patron"), merged_into__isnull=True), self.user)
            .select_related("unit")
            .order_by("pk")
        ):
            self.people[person.name].append(person)

    # Each row --------------------------------------------------------------------------------------

    def parse(self, rows_by_sheet):
        rows = rows_by_sheet[SHEET]
        self._lookups(rows)
        self.seen_codes, self.seen_names, self.seen_orgs = {}, {}, {}
        for n, row in rows:
            self._row(n, row)
        self._locked()

    def _locked(self):
        """Rows of units whose approved ledger is locked (federation.locks), all named at once (one query)."""
        rows = [(n, area) for n, area, _f in self.creates] + [(n, org.unit) for n, org, _c in self.updates]
        locked = locks.locked_units(list({area.pk: area for _n, area in rows}.values()), services.LOCK)
        for n, area in rows:
            if area.pk in locked:
                self.problem(SHEET, n, COLUMNS["unit_code"], locked[area.pk])

    def _area(self, n, row):
        code, name = text(row["unit_code"]), text(row["unit_name"])
        if code:
            area = self.area_by_code.get(code)
            if area is not None:
                return area
            if code not in self.known_codes:
                message = _("%(code)s is not a known division code.") % {"code": code}
            elif self.known_codes[code] not in AREA_KINDS:
                message = _("%(code)s is not a county, township or street, or a level above.") % {"code": code}
            else:
                message = _("%(code)s is not a unit in your scope.") % {"code": code}
            self.problem(SHEET, n, COLUMNS["unit_code"], message)
            return None
        if not name:
            self.problem(SHEET, n, COLUMNS["unit_code"], _("Give the area unit's division code or name."))
            return None
        found = self.area_by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if found:
            message = _("Several units are named %(unit)s: write the division code.") % {"unit": name}
        else:
            message = _("No unit named %(unit)s in your scope.") % {"unit": name}
        self.problem(SHEET, n, COLUMNS["unit_name"], message)
        return None

    def _choice(self, n, row, key, choices, unread):
        written = text(row[key]).replace("(", "（").replace(")", "）")
        if not written:
            return ""
        if written in choices:
            return choices[written]
        self.problem(SHEET, n, COLUMNS[key], _("Write one of: %(names)s.") % {"names": "、".join(choices)})
        unread.add(key)
        return ""

    def _row(self, n, row):
        area = self._area(n, row)
        unread = set()
        values = self.cells(
            SHEET,
            n,
            row,
            (
                ("has_party_org", yes, _("Write 是 or 否.")),
                ("employees", count, _("Not a whole number.")),
                ("women_employees", count, _("Not a whole number.")),
            ),
        )
        unread |= {"has_party_org", "employees", "women_employees"} - set(values)
        kind = self._choice(n, row, "kind", KINDS, unread)
        if not kind and "kind" not in unread:
            self.problem(SHEET, n, COLUMNS["kind"], _("Choose the kind: %(names)s.") % {"names": "、".join(KINDS)})
            unread.add("kind")
        fields = {
            "name": text(row["name"]),
            "credit_code": normalize_credit_code(text(row["credit_code"])),
            "kind": kind,
            "subtype": self._choice(n, row, "subtype", SUBTYPES, unread),
            "has_party_org": values.get("has_party_org", False),
            "employees": values.get("employees"),
            "women_employees": values.get("women_employees"),
            "coverage": self._choice(n, row, "coverage", COVERAGES, unread),
            "requirement": self._choice(n, row, "requirement", REQUIREMENTS, unread) or Requirement.RULE,
            **{key: text(row[key]) for key in TEXT_FIELDS},
        }
        if not fields["name"]:
            self.problem(SHEET, n, COLUMNS["name"], _("The organization's name is empty."))
            unread.add("name")
        existing = self._match(n, area, fields)
        fields["committee"] = self._committee(n, row, existing, unread)
        fields["patron"] = self._patron(n, row, existing, unread)
        if area is None or existing is False:  # placed nowhere: its cells are still checked, nothing is saved
            existing = None
            unread.add("unit")
        self._check(n, area, existing, fields, unread)

    def _match(self, n, area, fields):
        """The open organization this row is (None: a new one; False: the row cannot be placed). A row
        with a credit code is that code's organization; one without, the organization of that name
        under that area unit."""
        code, name = fields["credit_code"], fields["name"]
        if self._listed_twice(n, area, code, name):
            return False
        found = self.by_code.get(code) if code else None
        if found is not None:
            if not self._placed(n, area, code, found):
                return False
        elif area is not None and name:
            named = self.by_name.get((area.pk, name), [])
            if code:  # a new code: it may complete an organization registered without one, never replace one
                named = [o for o in named if not o.credit_code]
            if len(named) > 1:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["name"],
                    _("Several organizations named %(name)s are registered under %(unit)s: write the credit code.")
                    % {"name": name, "unit": area.name},
                )
                return False
            found = named[0] if named else None
        if found is not None:
            if found.pk in self.seen_orgs:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["name"],
                    _("Row %(row)d already names this organization.") % {"row": self.seen_orgs[found.pk]},
                )
                return False
            self.seen_orgs[found.pk] = n
        return found

    def _listed_twice(self, n, area, code, name):
        """The same credit code, or the same name under one area unit without a code, on an earlier row."""
        if code:
            if code in self.seen_codes:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["credit_code"],
                    _("This credit code is already on row %(row)d.") % {"row": self.seen_codes[code]},
                )
                return True
            self.seen_codes[code] = n
        elif area is not None and name:
            key = (area.pk, name)
            if key in self.seen_names:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["name"],
                    _("%(name)s of %(unit)s without a credit code is already on row %(row)d.")
                    % {"name": name, "unit": area.name, "row": self.seen_names[key]},
                )
                return True
            self.seen_names[key] = n
        return False

    def _placed(self, n, area, code, found):
        """The organization registered with the row's credit code can be this row's: it is registered
        under an area unit of this import, the row's."""
        if found.unit_id not in self.area_ids:
            if found.pk in self.visible:
                message = _("Credit code %(code)s is already registered for %(name)s under %(unit)s.") % {
                    "code": code,
                    "name": found.name,
                    "unit": found.unit.name,
                }
            else:
                message = _("Credit code %(code)s is already registered outside your scope.") % {"code": code}
            self.problem(SHEET, n, COLUMNS["credit_code"], message)
            return False
        if area is not None and found.unit_id != area.pk:
            self.problem(
                SHEET,
                n,
                COLUMNS["unit_code"],
                _(
                    "This organization is registered under %(unit)s; an import does not move it (correct the "
                    "area unit, or change it on the organization's page)."
                )
                % {"unit": found.unit.name},
            )
            return False
        return True

    def _committee(self, n, row, existing, unread):
        name, parent = text(row["committee"]), text(row["committee_parent"])
        if not name:
            return None
        current = existing.committee if existing and existing.committee_id else None
        if current is not None and current.name == name and (not parent or _is(current.parent, parent)):
            return current  # as recorded (even outside the writer's scope: unchanged, nothing to refuse)
        found = self.committees.get(name, [])
        if parent:
            found = [c for c in found if _is(c.parent, parent)]
        if len(found) > 1:
            found = [c for c in found if c.closed_on is None] or found
        if len(found) == 1:
            return found[0]
        unread.add("committee")
        if not found:
            message = (
                _("No women's committee named %(name)s under %(parent)s in your scope.")
                % {"name": name, "parent": parent}
                if parent
                else _("No women's committee named %(name)s in your scope.") % {"name": name}
            )
            self.problem(SHEET, n, COLUMNS["committee"], message)
        else:
            self.problem(
                SHEET,
                n,
                COLUMNS["committee_parent"],
                _("Several women's committees are named %(name)s: write the code or name of the unit above it.")
                % {"name": name},
            )
        return None

    def _patron(self, n, row, existing, unread):
        name, where = text(row["patron"]), text(row["patron_unit"])
        if not name:
            return None
        current = existing.patron if existing and existing.patron_id else None
        if current is not None and current.name == name and (not where or _is(current.unit, where)):
            return current
        found = self.people.get(name, [])
        if where:
            found = [p for p in found if _is(p.unit, where)]
        if len(found) == 1:
            return found[0]
        unread.add("patron")
        if not found:
            message = (
                _("No one named %(name)s is registered at %(unit)s.") % {"name": name, "unit": where}
                if where
                else _("No one named %(name)s is registered in your scope.") % {"name": name}
            )
            self.problem(SHEET, n, COLUMNS["patron"], message)
        elif where:
            self.problem(
                SHEET,
                n,
                COLUMNS["patron"],
                _("Several people named %(name)s are registered at %(unit)s: choose on the organization's page.")
                % {"name": name, "unit": where},
            )
        else:
            self.problem(
                SHEET,
                n,
                COLUMNS["patron_unit"],
                _("Several people are named %(name)s: write the code or name of the unit she is registered at.")
                % {"name": name},
            )
        return None

    def _check(self, n, area, existing, fields, unread):
        """The organization as the service would save it, through the service's rules (without saving)."""
        if existing is None:
            org = Organization(unit=area, **{k: v for k, v in fields.items() if k in services.EDITABLE_FIELDS})
            changes = fields
        else:
            changes = {k: v for k, v in fields.items() if _value(existing, k) != _id(v)}
            if not changes:
                self.unchanged += 1
                return
            org = copy.copy(existing)  # its own state: the organization as read stays as it was
            for key, value in changes.items():
                setattr(org, key, value)
        try:
            # The links were read from the database above (through the scope); the rest is services.validate.
            org.full_clean(exclude=["version", "unit", *LINKS], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            # A kind that could not be read says nothing of the subtype: reported once, at the kind.
            self.report(n, exc, skip=unread | ({"subtype"} if "kind" in unread else set()))
        # The service checks that the writer may see the committee and the leader it saves with the row.
        committee, patron = org.committee, org.patron
        if committee is not None and "committee" not in unread and committee not in self.committees[committee.name]:
            self.problem(
                SHEET, n, COLUMNS["committee"], _("%(unit)s is outside your scope.") % {"unit": committee.name}
            )
            unread.add("committee")
        if patron is not None and "patron" not in unread and patron not in self.people[patron.name]:
            self.problem(SHEET, n, COLUMNS["patron"], _("%(unit)s is outside your scope.") % {"unit": patron.name})
            unread.add("patron")
        if unread:
            return
        if existing is None:
            self.creates.append((n, area, fields))
        else:
            self.updates.append((n, existing, changes))

    def is_empty(self):
        return not (self.creates or self.updates or self.unchanged)

    def summary(self):
        return {"new": len(self.creates), "updated": len(self.updates), "unchanged": self.unchanged}

    # Saving ----------------------------------------------------------------------------------------

    def save(self, progress=None):
        """Each row through register.services (scope, rules, history with source "import"); what a
        service refuses (a change since the check) is reported at its row, and the import saves nothing."""
        changed, total = 0, len(self.creates) + len(self.updates)
        work = [
            (
                n,
                lambda area=area, fields=fields: services.create_organization(
                    self.user, area, source="import", **fields
                ),
            )
            for n, area, fields in self.creates
        ]
        work += [
            (
                n,
                lambda org=org, changes=changes: services.update_organization(
                    self.user, org, changes, version=org.version, source="import"
                ),
            )
            for n, org, changes in self.updates
        ]
        for done, (n, save) in enumerate(work, start=1):
            try:
                save()
                changed += 1
            except ValidationError as exc:
                self.report(n, exc)
                self.causes.append(exc)
            except PermissionDenied as exc:
                self.problem(SHEET, n, COLUMNS["unit_code"], str(exc) or _("This unit is no longer in your scope."))
            except ConflictError:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["name"],
                    _("Someone changed this organization since the file was checked. Check the file again."),
                )
            except IntegrityError:  # a concurrent save took the same credit code (its savepoint rolled back)
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["credit_code"],
                    _("Someone saved this line at the same time. Check the file again."),
                )
            if progress:
                progress(done, total)
        return changed

    @classmethod
    def describe(cls, summary, done=False):
        if done:
            return _("Imported the register: %(changed)d organizations added or changed.") % {
                "changed": summary.get("changed", 0)
            }
        return (
            _(
                "No problems found: %(new)d organizations to add, %(updated)d to change, %(unchanged)d unchanged. "
                "Nothing is saved until you confirm."
            )
            % summary
        )

    @classmethod
    def urls(cls, unit):
        return reverse("register:organizations", args=[unit.pk]), reverse("register:register_import", args=[unit.pk])


def _is(unit, written):
    """Does `written` (a division code or a name) name `unit`?"""
    return unit is not None and written in (unit.code, unit.name)


def _id(value):
    return value.pk if isinstance(value, (Unit, Person)) else value


def _value(org, field):
    return getattr(org, f"{field}_id") if field in LINKS else getattr(org, field)
