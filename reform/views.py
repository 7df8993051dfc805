"""Reform pages: the overview by child, a unit's checklist, items (fill, evidence, review),
problems, key tasks (倒排工期), campaigns and the diagnostic sheet (诊断单) with its Excel export.
Every write goes through reform.services; every lookup through the scope."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View
from django.views.generic import TemplateView

from federation import audit, locks, scope
from federation import figures as figure_sets
from federation.pages import ActionPage, ObjectMixin, UnitMixin, add_errors
from federation.views_lists import ListMixin
from federation.workbook import Workbook, download
from orgtree.coverage import FIGURES as COVERAGE
from orgtree.coverage import coverage, coverage_by_child
from orgtree.models import Unit
from reform import approvals, services, visits
from reform.figures import FIGURES, reform_by_child, reform_figures
from reform.filtersets import ChecklistItemFilterSet, ProblemFilterSet, VisitFilterSet
from reform.forms import (
    ApprovalStepForm,
    ApprovalSubmitForm,
    AssignForm,
    CampaignForm,
    EvidenceForm,
    FillForm,
    MilestoneFormSet,
    PilotEndForm,
    PilotForm,
    ProblemForm,
    ProblemMoveForm,
    ProgressForm,
    ReviewForm,
    TaskForm,
    VisitForm,
    VisitProblemForm,
)
from reform.models import (
    UNRESOLVED,
    Approval,
    ApprovalState,
    Campaign,
    ChecklistItem,
    Evidence,
    ItemStatus,
    KeyTask,
    Pilot,
    Problem,
    Visit,
)
from reform.tasks import assign_checklist

BACKGROUND_ASSIGNMENT_UNITS = 2000
OVERVIEW = [
    "items",
    "items_filled",
    "completion_rate",
    "items_met",
    "met_rate",
    "items_returned",
    "problems_open",
    "problems_overdue",
    "tasks",
    "tasks_done",
    "tasks_overdue",
]


class ReformView(UnitMixin, TemplateView):
    """The reform overview of a unit: figures by child, campaigns, links to the lists."""

    template_name = "reform/overview.html"

    def get_context_data(self, **kwargs):
        figures = reform_figures(self.unit)
        rows = reform_by_child(self.unit)
        lineage = [u.pk for u in self.unit.lineage()] + [self.unit.pk]
        return super().get_context_data(
            headlines=[(FIGURES[k], figures[k]) for k in OVERVIEW],
            columns=[FIGURES[k] for k in OVERVIEW],
            rows=[(child, [f[k] for k in OVERVIEW]) for child, f in rows],
            campaigns=Campaign.objects.filter(unit__in=lineage).select_related("unit"),
            can_admin=scope.can(self.request.user, scope.ADMIN, self.unit),
            **kwargs,
        )


class ChecklistView(UnitMixin, ListMixin, ActionPage):
    """A unit's checklist items through the API's filterset, paged and grouped by template on each page."""

    template_name = "reform/checklist.html"
    forms = {"assign": AssignForm}
    filterset_class = ChecklistItemFilterSet
    filters_shown = ("status", "met")
    sorts = {"template": (_l("Item"), ("assignment__template", "template_item__order"))}
    default_sort = "template"
    export_title = _l("Checklist")
    export_columns = [
        (_l("Checklist"), lambda i: str(i.assignment.template)),
        (_l("Item"), lambda i: f"{i.template_item.number} {i.template_item.text}"),
        (_l("Target"), lambda i: i.template_item.target_display),
        (_l("Answer"), lambda i: i.value),
        (_l("met"), lambda i: "" if i.met is None else (_("Yes") if i.met else _("No"))),
        (_l("Status"), lambda i: i.get_status_display()),
    ]

    def list_queryset(self):
        return ChecklistItem.objects.filter(unit=self.unit).select_related("template_item", "assignment__template")

    def get_context_data(self, **kwargs):
        can_change = scope.can(self.request.user, scope.CHANGE, self.unit)
        to_review = ChecklistItem.objects.none()
        if scope.can_oversee_below(self.request.user, self.unit):  # 下管一级: she reviews the level below
            to_review = (
                ChecklistItem.objects.filter(
                    unit__parent=self.unit,
                    unit__closed_on__isnull=True,
                    status=ItemStatus.SUBMITTED,
                )
                .select_related("unit", "template_item")
                .order_by("unit__name", "template_item__order")
            )
        kwargs.setdefault("assign_form", AssignForm())
        context = super().get_context_data(can_change=can_change, to_review=to_review[:200], **kwargs)
        items = context["page"].object_list
        context["groups"] = [
            (template, list(rows)) for template, rows in groupby(items, key=lambda i: i.assignment.template)
        ]
        return context

    def do_assign(self, form):
        template, due_on = form.cleaned_data["template"], form.cleaned_data["due_on"]
        scope.require(self.request.user, scope.CHANGE, self.unit)
        if Unit.objects.open().within(self.unit).count() > BACKGROUND_ASSIGNMENT_UNITS:
            # A city or province takes seconds (bench/reform.py): a job, with a notice when done.
            assign_checklist.delay(
                template.pk, self.unit.pk, self.request.user.pk, due_on.isoformat() if due_on else None
            )
            return _("The checklist is being created for every unit; you will get a notice when it is done.")
        _assignment, created = services.assign(self.request.user, template, self.unit, due_on)
        return _("%(count)d checklist items created.") % {"count": created}


class ItemView(ObjectMixin, ActionPage):
    template_name = "reform/item.html"
    queryset = ChecklistItem.objects.select_related("template_item", "assignment__template")
    forms = {"fill": FillForm, "review": ReviewForm, "evidence": EvidenceForm}

    def make_form(self, name, **kwargs):
        if name == "fill":
            return FillForm(item=self.object, **kwargs)
        return super().make_form(name, **kwargs)

    def get_context_data(self, **kwargs):
        item, user = self.object, self.request.user
        can_change = scope.can(user, scope.CHANGE, item.unit)
        can_review = scope.can_oversee(user, item.unit)
        initial = {"version": item.version, "note": item.note}
        if item.value is not None:
            initial["value"] = (
                ("yes" if item.value_yes else "no")
                if item.value_yes is not None
                else (item.value_number if item.value_number is not None else item.value_text)
            )
        if can_change and not item.template_item.automatic and item.status != ItemStatus.ACCEPTED:
            kwargs.setdefault("fill_form", FillForm(item=item, initial=initial))
        if can_review and item.status in (ItemStatus.SUBMITTED, ItemStatus.ACCEPTED):
            kwargs.setdefault("review_form", ReviewForm(initial={"version": item.version}))
        if can_change:
            kwargs.setdefault("evidence_form", EvidenceForm())
        return super().get_context_data(
            item=item, evidence=item.evidence.all(), history=audit.readable(audit.history_of(item, user)[:30]), **kwargs
        )

    def do_fill(self, form):
        data = form.cleaned_data
        services.fill(self.request.user, self.object, data["value"], data["note"], version=data["version"])
        return _("Saved; the level above will review it.")

    def do_review(self, form):
        data = form.cleaned_data
        services.review(
            self.request.user, self.object, data["decision"] == "accept", data["comment"], version=data["version"]
        )
        return _("Review saved.")

    def do_evidence(self, form):
        services.attach_evidence(self.request.user, form.cleaned_data["file"], item=self.object)
        return _("Evidence uploaded.")


class EvidenceView(LoginRequiredMixin, View):
    """An evidence file, to users who may see its unit only; always as a download."""

    def get(self, request, pk):
        evidence = scope.get_or_404(Evidence.objects.all(), request.user, pk=pk)
        return FileResponse(
            evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=evidence.content_type
        )


class ProblemListView(UnitMixin, ListMixin, ActionPage):
    """The problems of the subtree through the API's filterset (unresolved first seen), paged, exported."""

    template_name = "reform/problems.html"
    forms = {"report": ProblemForm}
    filterset_class = ProblemFilterSet
    filter_defaults = {"status": "unresolved"}
    filters_shown = ("status", "area")
    sorts = {
        "deadline": (_l("Rectify by"), ("deadline",)),
        "found_on": (_l("found on"), ("-found_on",)),
        "unit": (_l("Unit"), ("unit__code", "deadline")),
    }
    default_sort = "deadline"
    export_title = _l("Problem list")
    export_columns = [
        (_l("Problem"), lambda p: p.description),
        (_l("Unit"), lambda p: p.unit.name),
        (_l("area"), lambda p: p.get_area_display()),
        (_l("responsible person"), lambda p: p.responsible),
        (_l("found on"), lambda p: p.found_on),
        (_l("Rectify by"), lambda p: p.deadline),
        (_l("Status"), lambda p: p.get_status_display()),
    ]

    def list_queryset(self):
        return Problem.objects.filter(self.unit.subtree_q("unit__"), unit__closed_on__isnull=True).select_related(
            "unit"
        )

    def get_context_data(self, **kwargs):
        can_change = scope.can(self.request.user, scope.CHANGE, self.unit)
        if can_change:
            kwargs.setdefault("report_form", ProblemForm(initial={"found_on": timezone.localdate()}))
        return super().get_context_data(today=timezone.localdate(), can_change=can_change, **kwargs)

    def do_report(self, form):
        services.report_problem(self.request.user, self.unit, **form.cleaned_data)
        return _("Problem recorded.")


class ProblemView(ObjectMixin, ActionPage):
    template_name = "reform/problem.html"
    queryset = Problem.objects.all()
    forms = {"move": ProblemMoveForm, "evidence": EvidenceForm}

    def get_context_data(self, **kwargs):
        problem, user = self.object, self.request.user
        steps = services.PROBLEM_STEPS[problem.status]
        allowed = [
            (s, s.label)
            for s, who in steps.items()
            if (who == "unit" and scope.can(user, scope.CHANGE, problem.unit))
            or (who == "above" and scope.can_oversee(user, problem.unit))
        ]
        if allowed:
            form = kwargs.setdefault(
                "move_form",
                ProblemMoveForm(initial={"version": problem.version, "rectification": problem.rectification}),
            )
            form.fields["status"].choices = allowed
        if scope.can(user, scope.CHANGE, problem.unit):
            kwargs.setdefault("evidence_form", EvidenceForm())
        return super().get_context_data(
            problem=problem,
            evidence=problem.evidence.all(),
            overdue=problem.is_overdue(timezone.localdate()),
            history=audit.readable(audit.history_of(problem, user)[:30]),
            **kwargs,
        )

    def do_move(self, form):
        data = form.cleaned_data
        services.move_problem(
            self.request.user,
            self.object,
            data["status"],
            rectification=data["rectification"],
            comment=data["comment"],
            version=data["version"],
        )
        return _("Status changed.")

    def do_evidence(self, form):
        services.attach_evidence(self.request.user, form.cleaned_data["file"], problem=self.object)
        return _("Evidence uploaded.")


class TasksView(UnitMixin, ActionPage):
    """倒排工期: the subtree's key tasks by deadline, overdue first, with days left."""

    template_name = "reform/tasks.html"
    forms = {"create": TaskForm, "progress": ProgressForm}

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        tasks = list(
            KeyTask.objects.filter(self.unit.subtree_q("unit__"), unit__closed_on__isnull=True)
            .select_related("unit", "campaign")
            .order_by("deadline", "pk")[:500]
        )
        can_change = scope.can(self.request.user, scope.CHANGE, self.unit)
        failed = kwargs.pop("progress_form", None)
        rows = []
        for task in tasks:
            form = None
            if can_change:
                form = (
                    failed
                    if failed is not None and str(failed.data.get("task")) == str(task.pk)
                    else ProgressForm(initial={"version": task.version, "progress": task.progress, "note": task.note})
                )
            rows.append((task, abs((task.deadline - today).days), task.is_overdue(today), form))
        if can_change:
            kwargs.setdefault("create_form", TaskForm(unit=self.unit))
        return super().get_context_data(rows=rows, can_change=can_change, **kwargs)

    def make_form(self, name, **kwargs):
        return TaskForm(unit=self.unit, **kwargs) if name == "create" else super().make_form(name, **kwargs)

    def do_create(self, form):
        data = dict(form.cleaned_data)
        services.create_task(self.request.user, data.pop("unit"), **data)
        return _("Key task added.")

    def do_progress(self, form):
        task = scope.get_or_404(
            KeyTask.objects.filter(self.unit.subtree_q("unit__")),
            self.request.user,
            scope.CHANGE,
            pk=self.request.POST.get("task"),
        )
        data = form.cleaned_data
        services.report_progress(self.request.user, task, data["progress"], data["note"], version=data["version"])
        return _("Progress saved.")


def diagnosis_rows(unit):
    """(unmet items, open problems) of the unit itself: what its diagnostic sheet lists."""
    items = (
        ChecklistItem.objects.filter(unit=unit)
        .filter(Q(met=False) | Q(status__in=[ItemStatus.PENDING, ItemStatus.RETURNED]))
        .select_related("template_item")
    )
    problems = Problem.objects.filter(unit=unit, status__in=UNRESOLVED)
    return list(items.order_by("template_item__order")), list(problems)


class DiagnosisView(UnitMixin, TemplateView):
    template_name = "reform/diagnosis.html"

    def get_context_data(self, **kwargs):
        items, problems = diagnosis_rows(self.unit)
        return super().get_context_data(items=items, problems=problems, today=timezone.localdate(), **kwargs)


class DiagnosisExportView(UnitMixin, View):
    def get(self, request, pk):
        items, problems = diagnosis_rows(self.unit)
        today = timezone.localdate()
        book = Workbook()
        sheet = book.sheet(_("Unmet items"))
        sheet.append([f"{self.unit.name} · {_('Diagnostic sheet')} · {today.isoformat()}"])
        sheet.append(
            [_("Number"), _("Area"), _("Item"), _("Target"), _("Answer"), _("Status"), _("Comment")], bold=True
        )
        for item in items:
            sheet.append(
                [
                    item.template_item.number,
                    item.template_item.get_area_display(),
                    item.template_item.text,
                    item.template_item.target_display,
                    str(item.value or ""),
                    item.get_status_display(),
                    item.review_comment,
                ]
            )
        problem_sheet = book.sheet(_("Open problems"))
        problem_sheet.append(
            [
                _("Area"),
                _("Problem"),
                _("Found on"),
                _("Rectify by"),
                _("Responsible person"),
                _("Status"),
                _("Overdue"),
            ],
            bold=True,
        )
        for problem in problems:
            problem_sheet.append(
                [
                    problem.get_area_display(),
                    problem.description,
                    problem.found_on,
                    problem.deadline,
                    problem.responsible,
                    problem.get_status_display(),
                    _("Yes") if problem.is_overdue(today) else "",
                ]
            )
        return download(book.to_bytes(), f"{self.unit.name}-{_('Diagnostic sheet')}-{today:%Y%m%d}.xlsx")


class CampaignView(UnitMixin, TemplateView):
    """A campaign seen from a unit under its owner: each milestone for the unit and its children."""

    template_name = "reform/campaign.html"

    def get_context_data(self, **kwargs):
        lineage = [u.pk for u in self.unit.lineage()] + [self.unit.pk]
        campaign = Campaign.objects.filter(pk=self.kwargs["campaign_pk"], unit__in=lineage).first()
        if campaign is None:
            raise Http404(_("No such campaign for this unit."))
        today = timezone.localdate()
        figures = coverage(self.unit)
        milestones = []
        for milestone in campaign.milestones.all():
            status = services.milestone_status(milestone, self.unit, figures, today)
            # Judged like the unit itself: a past milestone on the figures of its due date.
            key, day = milestone.coverage_key, min(milestone.due_on, today)
            if key in COVERAGE:
                children = [(child, values[key]) for child, values in coverage_by_child(self.unit, day)]
            else:  # a figure of another registered set, through its evaluator
                units = list(self.unit.children.open().order_by("code", "name", "pk"))
                values = services.evaluated(units, key, day)
                children = [(child, values[child.pk]) for child in units]
            behind = [child for child, value in children if value is None or value < milestone.target]
            found = figure_sets.set_of(key)
            milestones.append((milestone, found.label(key) if found is not None else key, status, behind))
        return super().get_context_data(campaign=campaign, milestones=milestones, **kwargs)


class CampaignCreateView(UnitMixin, TemplateView):
    """A campaign owned by this unit (its admins), with milestones checked against coverage figures."""

    template_name = "reform/campaign_form.html"
    action = scope.ADMIN

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", CampaignForm())
        kwargs.setdefault("milestones", MilestoneFormSet(prefix="m"))
        return super().get_context_data(**kwargs)

    def post(self, request, pk):
        form, milestones = CampaignForm(request.POST), MilestoneFormSet(request.POST, prefix="m")
        if form.is_valid() and milestones.is_valid():
            rows = [m.cleaned_data for m in milestones if m.cleaned_data]
            try:
                campaign = services.create_campaign(request.user, self.unit, rows, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Campaign created."))
                return redirect("reform:campaign", self.unit.pk, campaign.pk)
        return self.render_to_response(self.get_context_data(form=form, milestones=milestones))


# --- visits (调研 / 督战) -------------------------------------------------------------------------

VISITS_SHOWN = 100


def _visited_names(visit):
    return "、".join(u.name for u in visit.visited.all())


class VisitListView(UnitMixin, ListMixin, ActionPage):
    """The visits made by units of the subtree (filtered, paged, exported) and the latest received,
    this year's figures, the open pilots, and for editors the forms to record a visit and mark or end
    a pilot."""

    template_name = "reform/visits.html"
    forms = {"record": VisitForm, "pilot": PilotForm, "end_pilot": PilotEndForm}
    filterset_class = VisitFilterSet
    filters_shown = ("kind", "since", "until")
    sorts = {
        "date": (_l("date"), ("-date",)),
        "unit": (_l("Unit"), ("unit__code", "-date")),
    }
    default_sort = "date"
    per_page = 20
    export_title = _l("Visits")
    export_columns = [
        (_l("date"), lambda v: v.date),
        (_l("kind"), lambda v: v.get_kind_display()),
        (_l("visiting unit"), lambda v: v.unit.name),
        (_l("units visited"), _visited_names),
        (_l("people met"), lambda v: v.people_met),
        (_l("meetings held"), lambda v: v.meetings),
        (_l("meeting attendance"), lambda v: v.attendance),
        (_l("findings"), lambda v: v.findings),
    ]

    def list_queryset(self):
        return Visit.objects.filter(self.unit.subtree_q("unit__")).select_related("unit").prefetch_related("visited")

    def get_context_data(self, **kwargs):
        unit = self.unit
        received = list(
            Visit.objects.filter(visited=unit).exclude(unit.subtree_q("unit__")).select_related("unit")[:VISITS_SHOWN]
        )
        pilots = list(
            Pilot.objects.filter(unit.subtree_q("unit__"), ended_on__isnull=True)
            .select_related("unit")
            .order_by("unit__code", "topic")[:VISITS_SHOWN]
        )
        can_change = scope.can(self.request.user, scope.CHANGE, unit)
        if can_change:
            kwargs.setdefault("record_form", VisitForm(unit=unit, initial={"date": timezone.localdate()}))
            kwargs.setdefault("pilot_form", PilotForm(unit=unit, initial={"since": timezone.localdate()}))
            if any(p.unit_id != unit.pk for p in pilots):
                kwargs.setdefault("end_pilot_form", PilotEndForm(unit=unit, initial={"ended_on": timezone.localdate()}))
        figures = visits.visit_figures(unit)
        return super().get_context_data(
            received=received,
            pilots=pilots,
            figures=[(visits.FIGURES.label(k), figures[k]) for k in visits.FIGURES],
            can_change=can_change,
            **kwargs,
        )

    def make_form(self, name, **kwargs):
        return self.forms[name](unit=self.unit, **kwargs)

    def do_end_pilot(self, form):
        data = form.cleaned_data
        services.end_pilot(self.request.user, data["pilot"], data["ended_on"])
        return _("Pilot ended.")

    def do_pilot(self, form):
        data = form.cleaned_data
        services.mark_pilot(self.request.user, data["unit"], data["topic"], data["since"])
        return _("Pilot marked.")

    def do_record(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        services.record_visit(self.request.user, self.unit, data.pop("visited"), **data)
        return _("Visit recorded.")


class VisitView(ObjectMixin, ActionPage):
    """One visit: its facts, the problems made from it, the correction and "make a problem" forms."""

    template_name = "reform/visit.html"
    queryset = Visit.objects.all()
    forms = {"correct": VisitForm, "problem": VisitProblemForm}

    def make_form(self, name, **kwargs):
        if name == "problem":
            return VisitProblemForm(visit=self.object, **kwargs)
        return VisitForm(unit=self.object.unit, **kwargs)

    def get_context_data(self, **kwargs):
        visit, user = self.object, self.request.user
        if scope.can(user, scope.CHANGE, visit.unit):
            kwargs.setdefault(
                "correct_form",
                VisitForm(
                    unit=visit.unit,
                    initial={
                        "version": visit.version,
                        "visited": [u.pk for u in visit.visited.all()],
                        **{name: getattr(visit, name) for name in services.VISIT_FIELDS},
                    },
                ),
            )
            kwargs.setdefault(
                "problem_form",
                VisitProblemForm(visit=visit, initial={"description": visit.findings}),
            )
        return super().get_context_data(
            visit=visit,
            visited=list(visit.visited.order_by("code", "name", "pk")),
            problems=list(visit.problems.select_related("unit")),
            history=audit.readable(audit.history_of(visit, user)[:30]),
            **kwargs,
        )

    def do_correct(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        services.correct_visit(self.request.user, self.object, data.pop("visited"), version=version, **data)
        return _("Visit corrected.")

    def do_problem(self, form):
        data = dict(form.cleaned_data)
        services.problem_from_visit(self.request.user, self.object, data.pop("unit"), **data)
        return _("Problem recorded.")


class ApprovalsView(UnitMixin, ActionPage):
    """审核: the unit's approvals by figure set and phase with their state, and its children's; forms for
    the unit's editors (submit, request an unlock) and for the level above (approve or return, grant or
    refuse an unlock), each shown only to those who may post it. A fixed number of queries."""

    template_name = "reform/approvals.html"
    forms = {
        "submit": ApprovalSubmitForm,
        "decide": ApprovalStepForm,
        "unlock_request": ApprovalStepForm,
        "unlock": ApprovalStepForm,
    }

    def setup_rights(self):
        user, unit = self.request.user, self.unit
        self.can_submit = scope.can(user, scope.CHANGE, unit)
        self.can_decide = scope.can_oversee_below(user, unit)
        self.sets = [s for s in locks.approvable_sets() if not s.kinds or unit.kind in s.kinds]

    def campaigns(self):
        above = [u.pk for u in self.unit.lineage()] + [self.unit.pk]
        return Campaign.objects.filter(unit__in=above).order_by("-starts_on", "pk")

    def make_form(self, name, **kwargs):
        self.setup_rights()
        if name == "submit":
            return ApprovalSubmitForm(sets=self.sets, campaigns=self.campaigns(), **kwargs)
        return ApprovalStepForm(**kwargs)

    def _approval(self, form, below):
        """The approval the form names: the unit's own, or (below) one of its children's; else an error."""
        rows = Approval.objects.filter(unit__parent=self.unit) if below else Approval.objects.filter(unit=self.unit)
        found = rows.select_related("unit", "campaign").filter(pk=form.cleaned_data["approval"]).first()
        if found is None:
            raise ValidationError(_("No such approval here."))
        return found

    def do_submit(self, form):
        if not self.can_submit:
            raise ValidationError(scope.ROLE_MESSAGE)
        data = form.cleaned_data
        approvals.submit(self.request.user, self.unit, data["set_name"], campaign=data["campaign"], phase=data["phase"])
        return _("Submitted for approval.")

    def do_decide(self, form):
        approval, data = self._approval(form, below=True), form.cleaned_data
        if data["decision"] == "approve":
            approvals.approve(self.request.user, approval, data["text"], version=data["version"])
            return _("Approved and locked.")
        if data["decision"] == "return":
            approvals.return_approval(self.request.user, approval, data["text"], version=data["version"])
            return _("Returned.")
        raise ValidationError({"decision": _("Choose approve or return.")})

    def do_unlock_request(self, form):
        approval, data = self._approval(form, below=False), form.cleaned_data
        approvals.request_unlock(self.request.user, approval, data["text"], version=data["version"])
        return _("Unlock requested.")

    def do_unlock(self, form):
        approval, data = self._approval(form, below=True), form.cleaned_data
        if data["decision"] not in ("grant", "refuse"):
            raise ValidationError({"decision": _("Choose grant or refuse.")})
        approvals.decide_unlock(
            self.request.user, approval, data["decision"] == "grant", data["text"], version=data["version"]
        )
        return _("Unlock granted.") if data["decision"] == "grant" else _("Unlock refused.")

    def get_context_data(self, **kwargs):
        unit = self.unit
        self.setup_rights()
        own = list(Approval.objects.filter(unit=unit).select_related("campaign", "decided_unit"))
        below = list(
            Approval.objects.filter(unit__parent=unit)
            .select_related("unit", "campaign")
            .order_by("unit__code", "unit__name", "-submitted_at", "-pk")
        )
        if self.can_submit and self.sets:
            kwargs.setdefault("submit_form", ApprovalSubmitForm(sets=self.sets, campaigns=self.campaigns()))
        return super().get_context_data(
            own=own,
            below=below,
            can_submit=self.can_submit,
            can_decide=self.can_decide,
            states=ApprovalState,
            step_errors=[
                e for name in ("decide", "unlock_request", "unlock") for e in _errors_of(kwargs.get(f"{name}_form"))
            ],
            **kwargs,
        )


def _errors_of(form):
    """Every message of a bound step form (shown above the lists: its rows have no room for them)."""
    if form is None or not form.is_bound:
        return []
    return [m for messages_ in form.errors.values() for m in messages_]
