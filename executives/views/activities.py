"""Activities and points pages (积分考评): a unit's activities (the committee tab), the phone-first entry
form, an activity with its corrections and history, its photo, the points rules of a county or above,
the yearly ranking of a township's or county's executives (with its Excel export) and the evaluation of
an executive by the level that manages her committee. Every write goes through executives.activities."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from executives import activities, points
from executives.forms_activities import (
    ActivityFilterSet,
    ActivityForm,
    CorrectionForm,
    EvaluationForm,
    RulesForm,
    executives_of,
    this_year,
)
from executives.models import RULE_KINDS, Activity, ActivityType, Evaluation
from federation import audit, scope
from federation.conflicts import ConflictError
from federation.pages import ActionPage, ObjectMixin, ServiceFormView, UnitMixin, add_errors
from federation.views_lists import ListMixin
from federation.workbook import Workbook, download


def year_from(request):
    """The year a page shows: ?year= when it is one we accept, else this year."""
    try:
        return activities.check_year(request.GET.get("year", ""))
    except ValidationError:
        return this_year()


def years_around(year):
    last = this_year()
    return list(range(last, max(2000, min(year, last) - 5) - 1, -1))


class ActivitiesView(UnitMixin, ListMixin, TemplateView):
    """The committee tab "Activities and points": the activities of the unit's subtree in a year, counted
    by type, with the points in force there."""

    template_name = "executives/activities_list.html"
    filterset_class = ActivityFilterSet
    filters_shown = ("activity_type",)
    per_page = 30

    def filter_data(self):
        data = super().filter_data()
        data["year"] = str(year_from(self.request))
        data.setdefault("withdrawn", "false")
        return data

    def list_queryset(self):
        return Activity.objects.filter(self.unit.subtree_q("unit__")).select_related(
            "unit", "person", "activity_type", "position"
        )

    def get_context_data(self, **kwargs):
        year = year_from(self.request)
        by_type = dict(self.filtered_rows().order_by().values_list("activity_type").annotate(n=Count("pk")))
        context = super().get_context_data(
            year=year,
            years=years_around(year),
            total=sum(by_type.values()),
            can_change=scope.can(self.request.user, scope.CHANGE, self.unit),
            ranking=self.unit.kind in points.RANKING_KINDS,
            **kwargs,
        )
        rules = points.rules_table(self.unit, year, context["lineage"])
        context["counts"] = [(t, by_type.get(t.pk, 0), rule) for t, rule in rules]
        return context


class ActivityCreateView(ServiceFormView):
    template_name = "executives/activities_form.html"
    form_class = ActivityForm
    title = gettext_lazy("Record an activity")
    success_message = gettext_lazy("Activity recorded: %(name)s")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit}

    def perform(self, form):
        data = form.values()
        photo = data.pop("photo", None)
        return activities.record_activity(self.request.user, self.unit, photo=photo, **data)


class ActivityView(ObjectMixin, ActionPage):
    """An activity, its correction form (the unit's editors) and its history."""

    template_name = "executives/activities_detail.html"
    queryset = Activity.objects.select_related("person", "activity_type", "position__unit")
    forms = {"correct": CorrectionForm}

    def make_form(self, name, **kwargs):
        return CorrectionForm(unit=self.unit, **kwargs)

    def get_context_data(self, **kwargs):
        activity = self.object
        can_change = scope.can(self.request.user, scope.CHANGE, self.unit)
        if can_change:
            kwargs.setdefault(
                "correct_form",
                self.make_form(
                    "correct",
                    initial={
                        "version": activity.version,
                        "activity_type": activity.activity_type_id,
                        "held_on": activity.held_on,
                        "person": activity.person_id,
                        "place": activity.place,
                        "position": activity.position_id,
                        "participants": activity.participants,
                        "note": activity.note,
                        "withdrawn": activity.withdrawn,
                    },
                ),
            )
        return super().get_context_data(
            activity=activity,
            can_change=can_change,
            history=audit.readable(audit.history_of(activity, self.request.user)[:30]),
            **kwargs,
        )

    def do_correct(self, form):
        data = form.values()
        version = form.cleaned_data["version"]
        photo = data.pop("photo", None)
        activities.correct_activity(self.request.user, self.object, version=version, photo=photo, **data)
        return _("Activity corrected.")


class PhotoView(LoginRequiredMixin, View):
    """An activity's photo, to users who may see its unit only."""

    def get(self, request, pk):
        activity = scope.get_or_404(Activity.objects.all(), request.user, pk=pk)
        if not activity.photo:
            raise Http404(_("No such unit in your scope."))
        return FileResponse(
            activity.photo.open("rb"),
            as_attachment=False,
            filename=activity.photo_name,
            content_type=activity.photo_type,
        )


class RulesView(UnitMixin, ActionPage):
    """The points of each activity type in force at the unit in a year, and where each is set; a county's or
    a higher unit's editors set their own."""

    template_name = "executives/activities_rules.html"
    forms = {"rules": RulesForm}

    def types(self):
        return ActivityType.objects.filter(active=True)

    def make_form(self, name, **kwargs):
        return RulesForm(types=self.types(), **kwargs)

    def may_set(self):
        return self.unit.kind in RULE_KINDS and scope.can(self.request.user, scope.CHANGE, self.unit)

    def get_context_data(self, **kwargs):
        year = year_from(self.request)
        context = super().get_context_data(year=year, years=years_around(year), can_change=self.may_set(), **kwargs)
        context["table"] = table = points.rules_table(self.unit, year, context["lineage"])
        if context["can_change"] and "rules_form" not in context:
            initial = {"from_year": year}
            for activity_type, rule in table:
                if rule is not None and rule.unit.pk == self.unit.pk:
                    initial[f"points_{activity_type.pk}"] = rule.points
            context["rules_form"] = self.make_form("rules", initial=initial)
        return context

    def do_rules(self, form):
        if not self.may_set():
            raise PermissionDenied(_("Points rules are set by a county or a level above it."))
        changed = activities.set_rules(self.request.user, self.unit, form.cleaned_data["from_year"], form.points())
        return _("Points rules saved (%(count)d changed).") % {"count": len(changed)}


class RankingView(UnitMixin, TemplateView):
    """The executives of a township or county ranked by their points in a year, with their evaluations and
    the count by grade; ?export=xlsx downloads it."""

    template_name = "executives/activities_ranking.html"
    shown = 300  # rows on the page (a county has thousands of executives); the export has them all

    def get(self, request, *args, **kwargs):
        if self.unit.kind not in points.RANKING_KINDS:
            raise Http404(_("No such unit in your scope."))
        if request.GET.get("export") == "xlsx":
            return self.export(points.ranking(self.unit, year_from(request)))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ranking = points.ranking(self.unit, year_from(self.request), context["lineage"])
        context.update(
            year=ranking.year,
            years=years_around(ranking.year),
            ranking=ranking,
            shown=ranking.rows[: self.shown],
            not_evaluated=points.not_evaluated(ranking),
            evaluators=points.evaluators(self.request.user, ranking.rows[: self.shown]),
        )
        return context

    def export(self, ranking):
        book = Workbook()
        sheet = book.sheet(_("Ranking"))
        sheet.append([f"{self.unit.name} · {_('Executives ranked by points')} · {ranking.year}"])
        sheet.append(
            [
                str(h)
                for h in (
                    _("Rank"),
                    _("Name"),
                    _("Committee"),
                    _("Role"),
                    _("Activities"),
                    _("Points"),
                    _("Evaluation"),
                    _("Note"),
                )
            ],
            bold=True,
        )
        for row in ranking.rows:
            sheet.append(
                [
                    row.rank,
                    row.name,
                    row.unit_name,
                    str(row.role_label),
                    row.activities,
                    row.points,
                    str(row.grade_label),
                    row.evaluation.note if row.evaluation else "",
                ]
            )
        grades = book.sheet(_("By grade"))
        grades.append([str(_("Grade")), str(_("Executives"))], bold=True)
        for label, count in ranking.grades:
            grades.append([str(label), count])
        grades.append([str(_("Not evaluated")), points.not_evaluated(ranking)])
        return download(book.to_bytes(), f"{self.unit.name}-{_('Ranking')}-{ranking.year}.xlsx")


class EvaluationView(UnitMixin, ActionPage):
    """The evaluation of one executive of the unit's committee in a year, recorded by the level that manages
    the committee (the editors of the unit's parent)."""

    template_name = "executives/activities_evaluation.html"
    forms = {"evaluate": EvaluationForm}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = scope.get_or_404(scope.unit_model().objects.select_related("parent"), request.user, pk=kwargs["pk"])
        self.person = get_object_or_404(executives_of(self.unit, current_only=False), pk=kwargs["person"])
        if not activities.may_evaluate(request.user, self.unit):
            raise PermissionDenied(_("The evaluations of a committee are recorded by the level that manages it."))
        self.year = year_from(request)
        return super(UnitMixin, self).dispatch(request, *args, **kwargs)

    def current(self):
        return Evaluation.objects.filter(unit=self.unit, person=self.person, year=self.year).first()

    def get_context_data(self, **kwargs):
        current = self.current()
        initial = {"version": current.version, "grade": current.grade, "note": current.note} if current else {}
        kwargs.setdefault("evaluate_form", EvaluationForm(initial=initial))
        return super().get_context_data(
            executive=self.person,
            year=self.year,
            years=years_around(self.year),
            evaluation=current,
            history=audit.readable(audit.history_of(current, self.request.user)[:20]) if current else [],
            back=self.back_url(),
            **kwargs,
        )

    def back_url(self):
        parent = self.unit.parent
        if parent is not None and parent.kind in points.RANKING_KINDS:
            return reverse("executives:ranking", args=[parent.pk]) + f"?year={self.year}"
        return reverse("executives:activities", args=[self.unit.pk]) + f"?year={self.year}"

    def post(self, request, *args, **kwargs):
        form = EvaluationForm(data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                activities.evaluate(
                    request.user,
                    self.unit,
                    self.person,
                    self.year,
                    data["grade"],
                    data["note"],
                    version=data.get("version"),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Evaluation recorded."))
                return redirect(self.back_url())
        return self.render_to_response(self.get_context_data(evaluate_form=form))
