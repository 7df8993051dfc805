"""History by construction: every model with a unit is written through a service that records the write
in history with that unit. A new model with a `scope_unit_path` fails here until it has a write below, or an
exemption that says why no record is kept for it (after NetBox's test_model_test_coverage). And only
federation.writes records: no module outside the platform calls `audit.record` or writes ChangeRecord rows
itself (its source is read, so the rule holds for code no test runs)."""

import ast
import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from executives import rotation
from executives.models import ActivityType
from federation.models import ChangeRecord, Role
from funding import services as funding
from orgtree import committees, services
from orgtree.conversion import record_conversion
from orgtree.models import ChairPay, Election, IdNumberClash, Office, Person, ServicePosition, Term
from reform import approvals
from reform import reports as reform_reports
from reform import services as reform
from reform.models import Assignment, ChecklistItem, ChecklistTemplate, ValueType
from tests.conftest import scoped_user
from tests.orgtree.test_conversion import data
from tests.orgtree.test_idnumber import id_number

DAY = datetime.date(2026, 9, 1)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

EXEMPT = {
    "federation.ChangeRecord": "history itself",
    "federation.Job": "a job is itself the record of who ran which import or export, when, with what result",
    "federation.UserScope": "access rights are kept in the security log (federation.security), not in history",
    "orgtree.UnitFigures": "figures derived from the records, recomputed on every change; never written by hand",
    "orgtree.CoverageSnapshot": "figures derived from the records, taken by the nightly snapshot; never written "
    "by hand",
}


def _converted(w):
    record_conversion(w.users.editor_a, w.tree.village_a1, data())
    return w.tree.village_a1


def _unit(w):
    return services.update_unit(w.users.editor_a, w.tree.village_a1, {"short_name": "黄墩"}), w.tree.village_a1


def _term(w):
    village = _converted(w)
    term = Term.objects.get(unit=village)
    delay = committees.delay_term(
        w.users.editor_a,
        term,
        party_approval="延平区委",
        federation_approval="南平市妇联",
        approved_on=DAY,
        new_due_on=term.due_on.replace(year=term.due_on.year + 1),
    )
    return delay, village


def _clash(w):
    """A number given in county A that belongs to a woman of county B waits for the city's admins."""
    holder = Person.objects.create(unit=w.tree.village_b1, name="陈美华", id_number=id_number(sequence="002"))
    clash = committees.keep_clash(
        IdNumberClash(
            id_number=holder.id_number,
            person=holder,
            attempted_name="王芳",
            attempted_unit=w.tree.village_a1,
            created_by=w.users.editor_a,
        )
    )
    return committees.resolve_clash(scoped_user("city_admin", w.tree.city, Role.ADMIN), clash, "同一人"), w.tree.city


def _item(w):
    reform.assign(
        w.users.editor_a, ChecklistTemplate.objects.get(name="破难行动督导目标清单", version=1), w.tree.county_a
    )
    items = ChecklistItem.objects.filter(unit=w.tree.township_a, template_item__value_type=ValueType.YES_NO)
    item = next(i for i in items if not i.template_item.automatic)
    return reform.fill(w.users.editor_a, item, True), w.tree.township_a


def _problem(w):
    return reform.report_problem(
        w.users.editor_a,
        w.tree.village_a1,
        area="organization",
        description="执委人数不足",
        found_on=DAY,
        deadline=DAY + datetime.timedelta(days=30),
        responsible="王芳",
    ), w.tree.village_a1


def _campaign(w):
    return reform.create_campaign(
        w.users.admin_a,
        w.tree.county_a,
        [{"phase": "一", "due_on": DAY + datetime.timedelta(days=60), "coverage_key": "conversion_rate", "target": 50}],
        name="百日攻坚",
        starts_on=DAY,
        ends_on=DAY + datetime.timedelta(days=90),
    ), w.tree.county_a


def _funding_line(w):
    line = {"year": 2025, "category": "work_funds", "source": "same_level_budget", "budgeted": "30000"}
    return funding.record_funding(w.users.editor_a, w.tree.township_a, line)[0], w.tree.township_a


def _rotation_month(w):
    term = Term.objects.create(unit=w.tree.township_a, number=1, started_on=DAY, due_on=DAY.replace(year=2031))
    person = Person.objects.create(unit=w.tree.township_a, name="郑秀英")
    office = Office.objects.create(unit=w.tree.township_a, person=person, term=term, started_on=DAY, role="chair")
    return rotation.set_month(w.users.editor_a, w.tree.township_a, rotation.this_month(), office), w.tree.township_a


def _activity(w):
    from executives import activities

    village = _converted(w)
    office = Office.objects.filter(unit=village).select_related("person").first()
    activity = activities.record_activity(
        w.users.editor_a,
        village,
        person=office.person,
        activity_type=ActivityType.objects.get(name="走访慰问"),
        held_on=office.started_on,
        place="村委会",
        participants=12,
    )
    return activity, village, office.person


def _points_rule(w):
    from executives import activities

    rules = activities.set_rules(w.users.editor_a, w.tree.county_a, 2025, {ActivityType.objects.first(): 3})
    return rules[0], w.tree.county_a


def _evaluation(w):
    from executives import activities

    _done, village, person = _activity(w)
    return activities.evaluate(w.users.editor_a, village, person, timezone.localdate().year, "competent"), village


def _training(w):
    from executives import training

    session = training.create_session(
        w.users.editor_a, w.tree.township_a, title="领头雁培训", type="lead_goose", starts_on=DAY, ends_on=DAY, hours=8
    )
    return session, w.tree.township_a


def _attendance(w):
    from executives import training

    session, _unit = _training(w)
    person = Person.objects.create(unit=w.tree.village_a1, name="林秀英")
    return training.record_attendance(w.users.editor_a, session, [person])[0], w.tree.township_a


# model label -> a write through its service: (an object of that model the write touched, its unit)
WRITES = {
    "executives.RotationMonth": _rotation_month,
    "executives.RotationSetting": lambda w: (
        rotation.set_enabled(w.users.editor_a, w.tree.village_a1, True),
        w.tree.village_a1,
    ),
    "orgtree.Unit": _unit,
    "orgtree.Election": lambda w: (Election.objects.get(unit=_converted(w)), w.tree.village_a1),
    "orgtree.Person": lambda w: (Person.objects.filter(unit=_converted(w)).first(), w.tree.village_a1),
    "orgtree.ChairPay": lambda w: (ChairPay.objects.get(unit=_converted(w)), w.tree.village_a1),
    "orgtree.ServicePosition": lambda w: (
        ServicePosition.objects.filter(unit=_converted(w)).first(),
        w.tree.village_a1,
    ),
    "orgtree.IdNumberClash": _clash,
    "orgtree.Office": lambda w: (Office.objects.filter(unit=_converted(w)).first(), w.tree.village_a1),
    "orgtree.Term": lambda w: (_term(w)[0].term, w.tree.village_a1),
    "orgtree.TermDelay": _term,
    "reform.Assignment": lambda w: (_item(w) and Assignment.objects.get(unit=w.tree.county_a), w.tree.county_a),
    "reform.ChecklistItem": _item,
    "reform.Problem": _problem,
    "reform.Evidence": lambda w: (
        reform.attach_evidence(w.users.editor_a, SimpleUploadedFile("报告.pdf", PDF), problem=_problem(w)[0]),
        w.tree.village_a1,
    ),
    "reform.Campaign": _campaign,
    "reform.Milestone": lambda w: (_campaign(w)[0].milestones.get(), w.tree.county_a),
    "reform.KeyTask": lambda w: (
        reform.create_task(w.users.editor_a, w.tree.township_a, title="建妇女之家", deadline=DAY),
        w.tree.township_a,
    ),
    "reform.Visit": lambda w: (
        reform.record_visit(w.users.editor_a, w.tree.county_a, [w.tree.township_a], date=DAY, meetings=1),
        w.tree.county_a,
    ),
    "reform.Approval": lambda w: (
        approvals.submit(w.users.editor_a, w.tree.county_a, "conversion"),
        w.tree.county_a,
    ),
    "reform.Pilot": lambda w: (
        reform.mark_pilot(w.users.editor_a, w.tree.township_a, "会改联", DAY),
        w.tree.township_a,
    ),
    "reform.ReportPlan": lambda w: (
        reform_reports.create_plan(w.users.editor_a, w.tree.county_a, starts_on=DAY, submitting_kind="street"),
        w.tree.county_a,
    ),
    "reform.Report": lambda w: (
        reform_reports.open_report(
            w.users.editor_a,
            reform_reports.create_plan(None, w.tree.city, starts_on=datetime.date(2026, 1, 1)),
            w.tree.county_a,
            datetime.date(2026, 1, 4),
            progress="进展",
        ),
        w.tree.county_a,
    ),
    "executives.TrainingSession": _training,
    "executives.Attendance": _attendance,
    "funding.FundingRecord": _funding_line,
    "executives.Activity": lambda w: _activity(w)[:2],
    "executives.PointsRule": _points_rule,
    "executives.Evaluation": _evaluation,
    "funding.Project": lambda w: (
        funding.record_project(
            w.users.editor_a,
            w.tree.county_a,
            {
                "name": "巾帼家政技能培训",
                "year": 2025,
                "amount": "160000",
                "source": "higher_federation",
                "beneficiaries": 320,
                "status": "under_way",
            },
        ),
        w.tree.county_a,
    ),
    "funding.FundingStandard": lambda w: (
        funding.set_standard(w.users.admin_a, w.tree.county_a, 2025, township_funds="30000"),
        w.tree.county_a,
    ),
    "funding.WomenPopulation": lambda w: (
        funding.record_population(w.users.editor_a, w.tree.county_a, 2025, 198_000)[0],
        w.tree.county_a,
    ),
}


def _contact_office(w):
    return Office.objects.create(
        unit=w.tree.village_a1,
        person=Person.objects.create(unit=w.tree.village_a1, name="林秀英"),
        started_on=datetime.date(2021, 3, 1),
    )


def _named_contact(w):
    from executives import contacts

    contact = contacts.add_named_contact(
        w.users.editor_a, _contact_office(w), unit=w.tree.village_a1, name="王芳", category="other"
    )
    return contacts.erase_named_contact(w.users.editor_a, contact, "本人要求"), w.tree.village_a1


def _contact_writes():
    from executives import contacts

    return {
        "executives.ContactList": lambda w: (
            contacts.save_contact_list(w.users.editor_a, _contact_office(w), {"other": 3})[0],
            w.tree.village_a1,
        ),
        "executives.ContactVisit": lambda w: (
            contacts.log_visit(w.users.editor_a, _contact_office(w), date=DAY, way="phone", women=2),
            w.tree.village_a1,
        ),
        "executives.NamedContact": _named_contact,
    }


WRITES.update(_contact_writes())


def _register_writes():
    from register import services as register

    def organization(w):
        org = register.create_organization(
            w.users.editor_a, w.tree.township_a, name="黄墩电商园", kind="enterprise", women_employees=12
        )
        return register.update_organization(w.users.editor_a, org, {"has_party_org": True}), w.tree.township_a

    return {
        "register.Organization": organization,
        "register.BuildRule": lambda w: (
            register.set_rule(w.users.admin_a, w.tree.county_a, {"min_women": 5})[0],
            w.tree.county_a,
        ),
    }


WRITES.update(_register_writes())


def models_with_a_unit():
    return {m._meta.label for m in apps.get_models() if getattr(m, "scope_unit_path", None) is not None}


def test_every_model_with_a_unit_has_a_recorded_write_or_a_reason():
    assert not set(WRITES) & set(EXEMPT)
    assert models_with_a_unit() == set(WRITES) | set(EXEMPT)


@pytest.mark.parametrize("label", sorted(WRITES))
def test_a_write_through_the_service_leaves_a_record_carrying_its_unit(label, tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # evidence files
    obj, unit = WRITES[label](SimpleNamespace(tree=tree, users=users))
    assert obj._meta.label == label
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    assert records.exists(), f"no history record of {label}"
    assert {r.unit_id for r in records} == {unit.pk}


# --- only federation.writes records ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("orgtree", "reform", "funding", "executives", "bench", "tools")  # every package but the platform (and tests)
RECORDERS = {"record", "build"}  # federation.audit's writers of ChangeRecord rows
ROW_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update", "delete"}


def _audit_names(tree):
    """The names the module binds to federation.audit, and those it binds to its recorders."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "federation":
            modules |= {a.asname or a.name for a in node.names if a.name == "audit"}
        elif isinstance(node, ast.ImportFrom) and node.module == "federation.audit":
            functions |= {a.asname or a.name for a in node.names if a.name in RECORDERS}
        elif isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == "federation.audit" and a.asname}
    return modules, functions


def _dotted(node):
    """ "a.b.c" of a Name/Attribute chain, "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def _by_hand(call, modules, functions):
    """What `call` does that records history by hand, or None."""
    name = _dotted(call.func)
    head, _dot, last = name.rpartition(".")
    audit_call = (head in modules or head == "federation.audit") and last in RECORDERS
    row_write = name == "ChangeRecord" or (head == "ChangeRecord.objects" and last in ROW_WRITES)
    if audit_call or row_write or name in functions:
        return f"calls {name}"
    if any(_dotted(arg) == "ChangeRecord" for arg in call.args):  # a raw insert into its table
        return f"passes ChangeRecord to {name}"
    return None


def records_by_hand(source):
    """(line, what) of each place in `source` that records history other than through federation.writes."""
    tree = ast.parse(source)
    modules, functions = _audit_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "federation.audit":
            found += [(node.lineno, f"imports audit.{a.name}") for a in node.names if a.name in RECORDERS]
        what = _by_hand(node, modules, functions) if isinstance(node, ast.Call) else None
        if what:
            found.append((node.lineno, what))
    return sorted(found)


def test_the_source_check_sees_every_way_of_recording():
    source = """
from federation import audit as history
from federation.audit import record
import federation.audit
history.record(obj, user, "create", {}, "web")
record(obj, user, "create", {}, "web")
federation.audit.build(obj, user, "create", {}, "web")
ChangeRecord.objects.bulk_create(rows)
ChangeRecord(user=user).save()
insert_rows(ChangeRecord, COLUMNS, rows)
writes.create(obj, user, FIELDS, source="web")
audit.snapshot(obj, FIELDS)
ChangeRecord.objects.filter(unit=unit).count()
"""
    assert [line for line, _what in records_by_hand(source)] == [3, 5, 6, 7, 8, 9, 10]


def test_only_federation_writes_records_history():
    found = []
    for package in CHECKED:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            found += [f"{name}:{line} {what}" for line, what in records_by_hand(path.read_text(encoding="utf-8"))]
    assert found == [], "record history through federation.writes (create, save, record_change), not by hand"
