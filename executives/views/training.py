"""Training pages: the sessions of a unit's subtree, a session with its attendance, the phone-first
tick list of a committee, and the Excel import of attendance (federation.imports)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View
from django.views.generic import TemplateView

from executives import training as services
from executives.figures import FIGURES, TRAINING_KEYS, training_by_child, training_figures
from executives.filtersets_training import TrainingSessionFilterSet
from executives.forms_training import CloseForm, SessionEditForm, SessionForm, TickForm
from executives.models import Attendance, TrainingSession
from executives.training_excel import build_template
from federation import audit, scope
from federation.conflicts import ConflictError
from federation.figures import definitions_sheet
from federation.pages import ActionPage, ObjectMixin, UnitMixin, add_errors
from federation.views_imports import ImportUploadView
from federation.views_lists import ListMixin
from federation.workbook import Workbook, download
from orgtree.choices import GRASSROOTS_KINDS

SUMMARY_KEYS = ["training_sessions", "training_attendances", "executives_in_office", "executives_trained"]
BY_CHILD_KEYS = ["executives_in_office", "executives_trained", "executives_trained_rate", "training_sessions"]


class TrainingListView(UnitMixin, ListMixin, ActionPage):
    """The sessions organized in the subtree (newest first, paged, by type and period), the
    subtree's training figures, and a form to record a session for editors."""

    template_name = "executives/training_list.html"
    forms = {"create": SessionForm}
    filterset_class = TrainingSessionFilterSet
    filters_shown = ("type", "starts_from", "starts_until")
    per_page = 30
    sorts = {
        "starts_on": (_l("Newest first"), ("-starts_on",)),
        "unit": (_l("Unit"), ("unit__code", "-starts_on")),
    }
    default_sort = "starts_on"
    export_title = _l("Training sessions")
    export_columns = [
        (_l("Title"), lambda s: s.title),
        (_l("Organized by"), lambda s: s.unit.name),
        (_l("Training type"), lambda s: s.get_type_display()),
        (_l("Level"), lambda s: s.get_level_display()),
        (_l("Starts on"), lambda s: s.starts_on),
        (_l("Ends on"), lambda s: s.ends_on),
        (_l("Hours"), lambda s: s.hours),
        (_l("Place"), lambda s: s.place),
        (_l("Trainers"), lambda s: s.trainers),
    ]

    def list_queryset(self):
        return TrainingSession.objects.filter(self.unit.subtree_q("unit__")).select_related("unit")

    def decorate(self, rows):
        counts = dict(
            Attendance.objects.filter(session__in=[s.pk for s in rows])
            .values_list("session")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in rows:
            row.attendance_count = counts.get(row.pk, 0)

    def get_context_data(self, **kwargs):
        can_change = scope.can(self.request.user, scope.CHANGE, self.unit) and self.unit.closed_on is None
        if can_change:
            today = timezone.localdate()
            kwargs.setdefault("create_form", SessionForm(initial={"starts_on": today, "ends_on": today}))
        figures = training_figures(self.unit)
        children = training_by_child(self.unit) if self.unit.kind not in GRASSROOTS_KINDS else []
        return super().get_context_data(
            can_change=can_change,
            by_child_columns=[FIGURES.label(k) for k in BY_CHILD_KEYS],
            by_child=[(child, [values[k] for k in BY_CHILD_KEYS]) for child, values in children],
            summary=[(FIGURES.label(k), figures[k]) for k in SUMMARY_KEYS],
            trained_rate=figures["executives_trained_rate"],
            trained_label=FIGURES.label("executives_trained_rate"),
            **kwargs,
        )

    def do_create(self, form):
        session = services.create_session(self.request.user, self.unit, **form.cleaned_data)
        self.created = session
        return _("Training session %(name)s recorded.") % {"name": session.title}


class SessionView(ObjectMixin, ActionPage):
    """A session: its facts, its attendance, and (for editors) close, edit, tick and import."""

    template_name = "executives/training_session.html"
    queryset = TrainingSession.objects.all()
    forms = {"close": CloseForm}

    def get_context_data(self, **kwargs):
        session, user = self.object, self.request.user
        can_change = scope.can(user, scope.CHANGE, session.unit)
        if can_change and session.closed_on is None:
            kwargs.setdefault("close_form", CloseForm(initial={"version": session.version}))
        attendances = list(
            Attendance.objects.filter(session=session).select_related("person__unit").order_by("person__name", "pk")
        )
        return super().get_context_data(
            session=session,
            attendances=attendances,
            can_change=can_change,
            can_write=can_change and session.closed_on is None,
            history=audit.readable(audit.history_of(session, user)[:30]),
            **kwargs,
        )

    def do_close(self, form):
        services.close_session(self.request.user, self.object, version=form.cleaned_data["version"])
        return _("Attendance closed.")


class SessionEditView(ObjectMixin, TemplateView):
    template_name = "service_form.html"
    queryset = TrainingSession.objects.all()
    action = scope.CHANGE

    def form(self, data=None):
        s = self.object
        initial = {f: getattr(s, f) for f in ("title", "type", "level", "starts_on", "ends_on", "hours", "place")}
        return SessionEditForm(data, initial={**initial, "trainers": s.trainers, "version": s.version})

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(title=_("Edit the training session"), **kwargs)

    def post(self, request, pk):
        form = self.form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            if not data.get("level"):
                data["level"] = services.default_level(self.object.unit)
            try:
                services.edit_session(request.user, self.object, data, version=version)
            except ValidationError as exc:
                add_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Training session %(name)s saved.") % {"name": self.object.title})
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(form=form))


class TickView(ObjectMixin, TemplateView):
    """Phone-first attendance: choose a committee in scope, tick its current executives who attended."""

    template_name = "executives/training_tick.html"
    queryset = TrainingSession.objects.all()
    action = scope.CHANGE

    def committee(self):
        committees = services.committees_in_scope(self.request.user, self.object.unit)
        wanted = self.request.GET.get("committee", "")
        chosen = committees.filter(pk=wanted).first() if wanted.isdigit() else None
        return committees, chosen

    def get_context_data(self, **kwargs):
        committees, chosen = self.committee()
        if chosen is not None and "form" not in kwargs:
            members = services.current_executives(chosen)
            present = set(
                Attendance.objects.filter(session=self.object, person__in=members).values_list("person_id", flat=True)
            )
            kwargs["form"] = TickForm(members=members, initial={"people": [str(pk) for pk in present]})
        return super().get_context_data(
            session=self.object,
            committees=committees.only("pk", "name", "kind", "tree_id", "lft"),
            chosen=chosen,
            **kwargs,
        )

    def post(self, request, pk):
        _committees, chosen = self.committee()
        if chosen is None:
            raise Http404
        form = TickForm(request.POST, members=services.current_executives(chosen))
        if form.is_valid():
            try:
                added, removed = services.set_committee_attendance(request.user, self.object, chosen, form.ticked())
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(unit)s: %(added)d attendances added, %(removed)d removed.")
                    % {"unit": chosen.name, "added": added, "removed": removed},
                )
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(form=form))


class TrainingImportView(ImportUploadView):
    kind = "training_attendance"
    template_name = "executives/training_import.html"
    extra_context = {"tab": "committee"}

    def get_context_data(self, **kwargs):
        session = None
        wanted = self.request.GET.get("session", "")
        if wanted.isdigit():
            rows = TrainingSession.objects.filter(self.unit.subtree_q("unit__"), closed_on__isnull=True)
            session = rows.filter(pk=wanted).first()
        return super().get_context_data(session=session, **kwargs)


class TrainingTemplateView(ObjectMixin, View):
    """The attendance template of one session (its current attendees listed)."""

    queryset = TrainingSession.objects.all()
    action = scope.CHANGE

    def get(self, request, pk):
        return download(
            build_template(request.user, self.object),
            f"{self.object.title}-参训人员-{timezone.localdate():%Y%m%d}.xlsx",
        )


class TrainingFiguresExportView(UnitMixin, View):
    """The training figures of the unit and of each child, with the 指标说明 sheet."""

    def get(self, request, pk):
        keys = TRAINING_KEYS
        book = Workbook()
        sheet = book.sheet(_("Training"))
        sheet.append([_("Unit"), *[str(FIGURES.label(k)) for k in keys]], bold=True)
        figures = training_figures(self.unit)
        sheet.append([self.unit.name, *[figures[k] for k in keys]])
        for child, values in training_by_child(self.unit):
            sheet.append([child.name, *[values[k] for k in keys]])
        sheet.freeze()
        definitions_sheet(book, keys)
        return download(book.to_bytes(), f"{self.unit.name}-{_('Training')}-{timezone.localdate():%Y%m%d}.xlsx")
