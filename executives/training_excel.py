"""The attendance spreadsheet of training sessions: a template for one session (its attendees so
far), and its reader (federation.imports: limits, every problem at once, one transaction).

One sheet, one row per attendance: the session number (培训班编号, pre-filled), the name, and either
the ID number or the unit the person is registered at. The check runs what the service runs before
saving (executives.training.check_attendees), so an unchanged file changes nothing and a checked
file meets nothing new at commit. Column names are the contract in docs/executives.md.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from executives import training as services
from executives.models import Attendance, TrainingSession
from federation import scope
from federation.imports import Importer, count, text
from federation.workbook import Workbook
from orgtree.idnumber import normalize, validate_id_number
from orgtree.models import Person, Unit

SHEET = "参训人员"
COLUMNS = {
    "session": "培训班编号",
    "name": "姓名",
    "id_number": "身份证号",
    "unit": "所在单位",
}


def build_template(user, session):
    """An .xlsx for `session`: its attendees so far (ID numbers left blank: the unit names them)."""
    book = Workbook()
    sheet = book.sheet(SHEET)
    sheet.append(list(COLUMNS.values()), bold=True)
    for attendance in (
        Attendance.objects.filter(session=session).select_related("person__unit").order_by("person__name", "pk")
    ):
        sheet.append([session.pk, attendance.person.name, "", attendance.person.unit.name])
    sheet.widths([12, 12, 22, 24])
    sheet.freeze()
    return book.to_bytes()


def sessions_open_for(user, unit):
    """Sessions organized in `unit`'s subtree that the user may change and whose attendance is open."""
    rows = scope.restrict(TrainingSession.objects.filter(closed_on__isnull=True), user, scope.CHANGE)
    return rows.filter(unit.subtree_q("unit__")).select_related("unit")


class AttendanceImporter(Importer):
    kind = "training_attendance"
    sheets = {SHEET: COLUMNS}
    rows_per_unit = {SHEET: 20}

    def __init__(self, user, unit):
        super().__init__(user, unit)
        self.found = defaultdict(dict)  # session pk -> {person pk: row}
        self.sessions = {}

    @property
    def empty_message(self):
        return _("The file lists no attendance: nothing to import.")

    def units_in_scope(self):
        return max(1, scope.restrict(Unit.objects.open(), self.user, scope.CHANGE).within(self.unit).count())

    def parse(self, rows_by_sheet):
        rows = rows_by_sheet[SHEET]
        wanted = set()
        parsed = []
        for n, row in rows:
            values = self.cells(SHEET, n, row, (("session", count, _("Not a whole number.")),))
            if "session" not in values:
                continue
            if values["session"] is None:
                self.problem(SHEET, n, COLUMNS["session"], _("The session number is empty."))
                continue
            wanted.add(values["session"])
            parsed.append(
                (n, values["session"], text(row["name"]), normalize(text(row["id_number"])), text(row["unit"]))
            )
        self.sessions = {s.pk: s for s in sessions_open_for(self.user, self.unit).filter(pk__in=wanted)}
        # One query each: the people named by ID number, the units named, the people named at those units.
        ids = {i for *_x, i, _u in parsed if i}
        # Only people in the writer's scope: a number registered elsewhere answers like a number of no one.
        people_in_scope = scope.restrict(Person.objects.filter(merged_into__isnull=True), self.user).filter(
            self.unit.subtree_q("unit__")
        )
        by_id = {p.id_number: p for p in people_in_scope.filter(id_number__in=ids)}
        unit_names = {u for *_x, i, u in parsed if u and not i}
        units = defaultdict(list)
        for u in scope.restrict(Unit.objects.open(), self.user).within(self.unit).filter(name__in=unit_names):
            units[u.name].append(u)
        named = defaultdict(list)
        unit_ids = [u.pk for found in units.values() for u in found]
        names = {name for _n, _s, name, i, _u in parsed if not i}
        for p in people_in_scope.filter(unit__in=unit_ids, name__in=names):
            named[(p.unit_id, p.name)].append(p)
        for n, session_pk, name, id_number, unit_name in parsed:
            session = self.sessions.get(session_pk)
            if session is None:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["session"],
                    _("No open training session numbered %(number)s in your scope.") % {"number": session_pk},
                )
                continue
            person = self._person(n, name, id_number, unit_name, by_id, units, named)
            if person is None:
                continue
            listed = self.found[session.pk]
            if person.pk in listed:
                self.problem(
                    SHEET,
                    n,
                    COLUMNS["name"],
                    _("%(name)s is listed twice (first on row %(row)d).") % {"name": name, "row": listed[person.pk][0]},
                )
                continue
            listed[person.pk] = (n, person)
        self._check()

    def _person(self, n, name, id_number, unit_name, by_id, units, named):
        if not name:
            self.problem(SHEET, n, COLUMNS["name"], _("The name is empty."))
            return None
        if id_number:
            try:
                validate_id_number(id_number)
            except ValidationError as exc:
                for message in exc.messages:
                    self.problem(SHEET, n, COLUMNS["id_number"], message)
                return None
            person = by_id.get(id_number)
            if person is None:  # elsewhere or nowhere: the same answer
                self.problem(
                    SHEET, n, COLUMNS["id_number"], _("No one in your scope is registered with this ID number.")
                )
                return None
            if person.name != name:
                self.problem(
                    SHEET, n, COLUMNS["name"], _("The name differs from the one registered with this ID number.")
                )
                return None
            return person
        if not unit_name:
            self.problem(SHEET, n, COLUMNS["unit"], _("Give the ID number or the unit the person is registered at."))
            return None
        found_units = units.get(unit_name, [])
        if not found_units:
            self.problem(SHEET, n, COLUMNS["unit"], _("No unit named %(unit)s in your scope.") % {"unit": unit_name})
            return None
        if len(found_units) > 1:
            self.problem(
                SHEET,
                n,
                COLUMNS["unit"],
                _("Several units are named %(unit)s: give the ID number.") % {"unit": unit_name},
            )
            return None
        people = named.get((found_units[0].pk, name), [])
        if not people:
            self.problem(
                SHEET,
                n,
                COLUMNS["name"],
                _("No one named %(name)s is registered at %(unit)s.") % {"name": name, "unit": unit_name},
            )
            return None
        if len(people) > 1:
            self.problem(
                SHEET,
                n,
                COLUMNS["name"],
                _("Several people named %(name)s are registered at %(unit)s: give the ID number.")
                % {"name": name, "unit": unit_name},
            )
            return None
        return people[0]

    def _check(self):
        """Each session's attendees through the service's rule (registered in its organizer's subtree,
        inside the writer's scope): one query per session in the file."""
        for pk, listed in self.found.items():
            session = self.sessions[pk]
            allowed = set(
                services.attendees_in_scope(self.user, session).filter(pk__in=list(listed)).values_list("pk", flat=True)
            )
            for person_pk, (n, person) in listed.items():
                if person_pk not in allowed:
                    self.problem(
                        SHEET,
                        n,
                        COLUMNS["name"],
                        _("%(name)s is not registered under %(unit)s, the organizer of this session.")
                        % {"name": person.name, "unit": session.unit.name},
                    )

    def is_empty(self):
        return not any(self.found.values())

    def summary(self):
        return {"sessions": len(self.found), "attendances": sum(len(v) for v in self.found.values())}

    def save(self, progress=None):
        added = 0
        for i, (pk, listed) in enumerate(self.found.items(), start=1):
            session = self.sessions[pk]
            try:
                new = services.record_attendance(self.user, session, [p for _n, p in listed.values()], source="import")
            except PermissionDenied:
                self.problem(
                    SHEET,
                    min(n for n, _p in listed.values()),
                    COLUMNS["session"],
                    _("This session is no longer in your scope."),
                )
                continue
            except ValidationError as exc:
                for message in exc.messages:
                    self.problem(SHEET, min(n for n, _p in listed.values()), COLUMNS["session"], message)
                self.causes.append(exc)
                continue
            added += len(new)
            if progress:
                progress(i, len(self.found))
        return added

    @classmethod
    def describe(cls, summary, done=False):
        if done:
            return _("Imported: %(changed)d new attendances.") % {"changed": summary.get("changed", 0)}
        return (
            _(
                "No problems found: %(attendances)d attendances of %(sessions)d sessions. "
                "Nothing is saved until you confirm."
            )
            % summary
        )

    @classmethod
    def urls(cls, unit):
        return reverse("executives:training", args=[unit.pk]), reverse("executives:training_import", args=[unit.pk])
