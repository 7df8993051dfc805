"""报送 pages: a unit's reports tab (its periods with their state; the children's completeness and
timeliness), one report (figures with change, the analysis, save / submit, accept / return), a
period's reports of the subtree for the level above with its Excel export, and a plan's page.
Every write goes through reform.reports; every lookup through the scope."""

import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from federation import audit, scope
from federation.pages import ActionPage, UnitMixin
from federation.workbook import download
from reform import reports
from reform.forms_reports import DecisionForm, PlanForm, ReportForm
from reform.models import Report, ReportState
from reform.models.report import default_due_days

PERIODS_SHOWN = 12
PLANS_SHOWN = 5


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc


def _plan_of(unit, pk):
    """A plan concerning `unit` (set by it, above it or below it); 404 otherwise."""
    plan = reports.plans_concerning(unit).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def _below_levels(unit, plan):
    """Is `unit` above the plan's submitting level (so it watches its children's reports)?"""
    level = reports.LEVELS.get(unit.kind)
    return level is not None and level < reports.LEVELS.get(plan.submitting_kind, -1)


def _covers(owner, unit):
    """Is `unit` in `owner`'s subtree? (from the rows' columns: no query)"""
    if owner.kind == "national" or owner.pk == unit.pk or owner.pk in (unit.province_id, unit.city_id, unit.county_id):
        return True
    return owner.tree_id == unit.tree_id and owner.lft <= unit.lft and unit.rght <= owner.rght


def _submits(plan, unit):
    return unit.kind == plan.submitting_kind and _covers(plan.unit, unit)


class ReportsView(UnitMixin, ActionPage):
    """The unit's 报送 tab: for a submitting unit, its periods with their state and a 填报 button; for
    the levels above, each plan's latest ended period by child; for editors, a form to set a plan."""

    template_name = "reform/reports/reports.html"
    forms = {"plan": PlanForm}

    def make_form(self, name, **kwargs):
        return PlanForm(unit=self.unit, **kwargs)

    def get_context_data(self, **kwargs):
        unit, user, today = self.unit, self.request.user, timezone.localdate()
        plans = list(reports.plans_concerning(unit)[:20])
        own_plans = [p for p in plans if _submits(p, unit)]
        mine = {
            (r.plan_id, r.period_end): r
            for r in Report.objects.filter(unit=unit, plan__in=[p.pk for p in own_plans]).select_related("plan")
        }
        own = []
        for plan in own_plans:
            rows = []
            for first, last in reversed(reports.periods(plan, today)[-PERIODS_SHOWN:]):
                report = mine.get((plan.pk, last))
                rows.append(
                    {
                        "start": first,
                        "end": last,
                        "report": report,
                        "timeliness": reports.timeliness_label(reports.timeliness_of(report, today))
                        if report
                        else (_("Missing after the due day") if today > reports.due_on(plan, last) else ""),
                    }
                )
            own.append({"plan": plan, "periods": rows})
        watched = [p for p in plans if _below_levels(unit, p)][:PLANS_SHOWN]
        children = list(unit.children.open().order_by("code", "name", "pk")) if watched else []
        below = []
        for plan in watched:
            ended = reports.ended_periods(plan, today)
            if not ended:
                below.append({"plan": plan, "period": None})
                continue
            first, last = ended[-1]
            alive = [c for c in children if reports.alive_on(c, last)]
            below.append({"plan": plan, "period": (first, last), **reports.completeness(unit, plan, last, alive)})
        can_change = scope.can(user, scope.CHANGE, unit)
        if can_change and unit.kind in reports.LEVELS and unit.kind not in ("village", "community"):
            kwargs.setdefault("plan_form", PlanForm(unit=unit, initial={"due_days": default_due_days()}))
        return super().get_context_data(own=own, below=below, plans=plans, can_change=can_change, **kwargs)

    def do_plan(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        reports.create_plan(self.request.user, self.unit, **data)
        return _("Reporting plan set.")


class ReportView(UnitMixin, ActionPage):
    """One unit's report of one period: figures (with their change) read-only, the analysis; the
    unit's editors save it or submit it, the level above accepts or returns it."""

    template_name = "reform/reports/report.html"
    forms = {"save": ReportForm, "submit": ReportForm, "decide": DecisionForm}

    def dispatch(self, request, *args, **kwargs):
        self.end = _day(kwargs["end"])
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        if hasattr(self, "plan"):
            return
        self.plan = _plan_of(self.unit, self.kwargs["plan_pk"])
        if not _submits(self.plan, self.unit):
            raise Http404
        try:
            self.period = reports.period_ending(self.plan, self.end)
        except Exception as exc:
            raise Http404 from exc
        self.report = (
            Report.objects.filter(plan=self.plan, unit=self.unit, period_end=self.end)
            .select_related("plan", "unit", "submitted_by", "decided_by")
            .first()
        )

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user, report, today = self.request.user, self.report, timezone.localdate()
        editable = report is None or report.state in (ReportState.DRAFT, ReportState.RETURNED)
        started = self.period[0] <= today
        can_change = scope.can(user, scope.CHANGE, self.unit)
        if can_change and editable and started:
            initial = {"version": report.version if report else 0}
            if report:
                initial.update({k: getattr(report, k) for k in reports.TEXT_FIELDS})
            kwargs.setdefault("save_form", ReportForm(initial=initial))
        if report is not None and report.state == ReportState.SUBMITTED and reports.can_decide(user, report):
            kwargs.setdefault("decide_form", DecisionForm(initial={"version": report.version}))
        if "submit_form" in kwargs:  # the typed values kept when submitting failed
            kwargs["save_form"] = kwargs.pop("submit_form")
        shown = report or reports.preview(self.plan, self.unit, self.period)
        return super().get_context_data(
            plan=self.plan,
            period=self.period,
            report=report,
            figures=reports.figure_rows(shown),
            due_on=reports.due_on(self.plan, self.end),
            can_submit=self.end <= today,
            timeliness=reports.timeliness_label(reports.timeliness_of(report, today)) if report else "",
            history=audit.readable(audit.history_of(report, user)[:30]) if report else [],
            **kwargs,
        )

    def _report(self, texts):
        if self.report is None:
            return reports.open_report(self.request.user, self.plan, self.unit, self.end, **texts)
        return self.report

    def _version(self, form):
        version = form.cleaned_data.get("version")
        if self.report is None and version == 0:
            return None  # the page showed a report not yet saved
        return version

    def do_save(self, form):
        texts = {k: form.cleaned_data[k] for k in reports.TEXT_FIELDS}
        version = self._version(form)
        if self.report is None:
            reports.open_report(self.request.user, self.plan, self.unit, self.end, **texts)
        else:
            reports.save_draft(self.request.user, self.report, version=version, **texts)
        return _("Report saved as a draft.")

    def do_submit(self, form):
        texts = {k: form.cleaned_data[k] for k in reports.TEXT_FIELDS}
        version = self._version(form)
        with transaction.atomic():  # a new draft is not kept when the submission is refused
            reports.submit(self.request.user, self._report(texts), version=version, **texts)
        return _("Report submitted to the level above.")

    def do_decide(self, form):
        if self.report is None:
            raise Http404
        data = form.cleaned_data
        accept = data["decision"] == "accept"
        reports.decide(self.request.user, self.report, accept, data["comment"], version=data.get("version"))
        return _("Report accepted.") if accept else _("Report returned.")


class PeriodView(UnitMixin, ActionPage):
    """The reports of one period in the unit's subtree, for the level above: completeness and
    timeliness by child (drill-down to each child), each unit's report with accept / return."""

    template_name = "reform/reports/period.html"
    forms = {"decide": DecisionForm}

    @staticmethod
    def _auto_id(pk):
        """Each row's form has its own ids, so each label names its own row's field."""
        return f"id_r{pk}_%s"

    def make_form(self, name, **kwargs):
        pk = str((kwargs.get("data") or {}).get("report") or "")
        return DecisionForm(auto_id=self._auto_id(pk if pk.isdigit() else "x"), **kwargs)

    def dispatch(self, request, *args, **kwargs):
        self.end = _day(kwargs["end"])
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        self.plan = _plan_of(self.unit, self.kwargs["plan_pk"])
        try:
            self.period = reports.period_ending(self.plan, self.end)
        except Exception as exc:
            raise Http404 from exc

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        children = list(self.unit.children.open().order_by("code", "name", "pk"))
        alive = [c for c in children if reports.alive_on(c, self.end)]
        found = reports.completeness(self.unit, self.plan, self.end, alive)
        decide_all = scope.can_oversee_below(user, self.unit) or user.is_superuser
        failed = kwargs.pop("decide_form", None)  # a decision refused: shown in its row, typed values kept
        rows = []
        for submitting, report in reports.period_reports(self.unit, self.plan, self.end):
            decidable = (
                report is not None
                and report.state == ReportState.SUBMITTED
                and (decide_all if submitting.parent_id == self.unit.pk else reports.can_decide(user, report))
            )
            rows.append(
                {
                    "unit": submitting,
                    "report": report,
                    "timeliness": reports.timeliness_label(reports.timeliness_of(report, today))
                    if report and report.first_submitted_at
                    else (_("Missing after the due day") if today > reports.due_on(self.plan, self.end) else ""),
                    "form": self._row_form(report, failed) if decidable else None,
                }
            )
        if failed is not None and not any(row["form"] is failed for row in rows):
            # its row no longer takes a decision (decided meanwhile, or a stale version): the errors alone
            kwargs["failed_errors"] = [e for errors in failed.errors.values() for e in errors]
        return super().get_context_data(
            plan=self.plan,
            period=self.period,
            due_on=reports.due_on(self.plan, self.end),
            children=found["children"],
            total=found["total"],
            rows=rows,
            **kwargs,
        )

    def _row_form(self, report, failed):
        """The row's decision form: the one just refused for this report (its errors and typed values)
        while the report is as the user saw it, else a fresh one."""
        data = failed.data if failed is not None else {}
        if data.get("report") == str(report.pk) and data.get("version") == str(report.version):
            return failed
        return DecisionForm(initial={"version": report.version, "report": report.pk}, auto_id=self._auto_id(report.pk))

    def do_decide(self, form):
        data = form.cleaned_data
        report = (
            Report.objects.filter(self.unit.subtree_q("unit__"), pk=data.get("report") or 0, plan=self.plan)
            .select_related("unit", "plan")
            .first()
        )
        if report is None:
            raise Http404
        accept = data["decision"] == "accept"
        reports.decide(self.request.user, report, accept, data["comment"], version=data.get("version"))
        return _("Report accepted.") if accept else _("Report returned.")


class PeriodExportView(UnitMixin, View):
    """The period's reports of the subtree as an .xlsx (missing units included)."""

    def get(self, request, pk, plan_pk, end):
        plan = _plan_of(self.unit, plan_pk)
        day = _day(end)
        try:
            reports.period_ending(plan, day)
        except Exception as exc:
            raise Http404 from exc
        data = reports.period_workbook(self.unit, plan, day)
        return download(data, f"{self.unit.name}-{_('Reports')}-{day.isoformat()}.xlsx")


class PlanView(UnitMixin, ActionPage):
    """A reporting plan seen from a unit: its facts, completeness and timeliness by child over its
    latest ended periods (drill-down), each period's link; its editors change it."""

    template_name = "reform/reports/plan.html"
    forms = {"edit": PlanForm}

    def make_form(self, name, **kwargs):
        return PlanForm(unit=self.plan.unit, **kwargs)

    def load(self):
        self.plan = _plan_of(self.unit, self.kwargs["plan_pk"])

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        if not scope.can(request.user, scope.CHANGE, self.plan.unit):
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        plan, user, today = self.plan, self.request.user, timezone.localdate()
        ended = reports.ended_periods(plan, today)[-PERIODS_SHOWN:]
        children = list(self.unit.children.open().order_by("code", "name", "pk"))
        watching = _below_levels(self.unit, plan)
        overall = reports.completeness_over(self.unit, plan, [e for _s, e in ended], children) if watching else None
        by_period = []
        for first, last in reversed(ended):
            alive = [c for c in children if reports.alive_on(c, last)]
            counts = reports.completeness(self.unit, plan, last, alive) if watching else None
            by_period.append({"start": first, "end": last, "counts": counts and counts["total"]})
        if scope.can(user, scope.CHANGE, plan.unit):
            kwargs.setdefault(
                "edit_form",
                PlanForm(
                    unit=plan.unit,
                    initial={"version": plan.version, **{k: getattr(plan, k) for k in reports.PLAN_FIELDS}},
                ),
            )
        return super().get_context_data(
            plan=plan,
            overall=overall,
            by_period=by_period,
            watching=watching,
            submits=_submits(plan, self.unit),
            history=audit.readable(audit.history_of(plan, user)[:30]),
            **kwargs,
        )

    def do_edit(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        if data.get("due_days") is None:
            data.pop("due_days")
        if not data.get("starts_on"):
            data.pop("starts_on")
        reports.update_plan(self.request.user, self.plan, version=version, **data)
        return _("Reporting plan saved.")
