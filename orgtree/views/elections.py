"""The election wizard: figures → candidates and votes → first-meeting officers → check → certify.

Each step saves the draft through orgtree.elections; the page always shows the rules the entered
results still break, and the certify button is the only way to a new term.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from federation import audit, scope
from federation.pages import ObjectMixin, ServiceFormView, add_errors
from orgtree import changes, elections
from orgtree.forms import AmendmentForm, CandidateForm, ElectionForm, OfficersForm
from orgtree.models import Candidate, Election


class ElectionCreateView(ServiceFormView):
    form_class = ElectionForm
    success_message = gettext_lazy("Election created: now enter the candidates and their votes.")

    @property
    def title(self):
        return _("New election for %(name)s") % {"name": self.unit.name}

    def get_initial(self):
        """?kind=by_election (the committee page's 补选 link): the seats to fill default to the vacancies."""
        if self.request.GET.get("kind") != Election.Kind.BY_ELECTION:
            return {}
        return {"kind": Election.Kind.BY_ELECTION, "seats": changes.vacancies(changes.running_term(self.unit)) or None}

    def perform(self, form):
        return elections.create_election(self.request.user, self.unit, **form.cleaned_data)


def figure_facts(election):
    """(label, value) of the meeting's figures as read-only text: choices by their label, dates in ISO."""
    facts = []
    for name in ElectionForm.Meta.fields:
        field = Election._meta.get_field(name)
        value = getattr(election, name)
        if field.choices:
            value = getattr(election, f"get_{name}_display")()
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        facts.append((field.verbose_name, "—" if value in (None, "") else value))
    return facts


class ElectionDetailView(ObjectMixin, TemplateView):
    template_name = "orgtree/election_detail.html"
    queryset = Election.objects.all()

    def get_context_data(self, **kwargs):
        election = self.object
        candidates = list(election.candidates.select_related("person").order_by("-approve", "pk"))
        officers = list(election.officers.select_related("person"))
        can_change = scope.can(self.request.user, scope.CHANGE, election.unit)
        editable = not election.is_certified and can_change
        problems = elections.violations(election, candidates, officers) if not election.is_certified else []
        elected, _tied = (
            elections.elected_candidates(election, candidates) if election.entitled and election.seats else ([], [])
        )
        elected_ids = {c.pk for c in elected}
        by_election = election.kind == Election.Kind.BY_ELECTION
        return super().get_context_data(
            election=election,
            by_election=by_election,
            vacancies=(
                changes.vacancies(changes.running_term(election.unit))
                if by_election and not election.is_certified
                else None
            ),
            candidates=candidates,
            elected_ids=elected_ids,
            problems=problems,
            editable=editable,
            can_change=can_change,
            officers=officers,
            figures=figure_facts(election),
            figures_form=kwargs.pop("figures_form", None) or ElectionForm(instance=election),
            candidate_form=kwargs.pop("candidate_form", None)
            or CandidateForm(regionalization=election.kind == Election.Kind.REGIONALIZATION),
            officers_form=kwargs.pop("officers_form", None)
            or OfficersForm(
                candidates=[c for c in candidates if c.pk in elected_ids],
                officers=officers,
                form=election.committee_form,
            ),
            amendment_form=AmendmentForm(),
            amendments=election.amendments.all(),
            history=audit.readable(audit.history_of(election, self.request.user)[:20]),
            **kwargs,
        )


class ElectionStepView(ObjectMixin, View):
    """POST-only steps of the wizard; errors re-render the election page with the failing form."""

    queryset = Election.objects.all()
    action = scope.CHANGE

    def post(self, request, pk):
        form = self.form(request)
        if form.is_valid():
            try:
                self.perform(form)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, self.done)
                return redirect(self.object)
        page = ElectionDetailView(request=request, kwargs={"pk": pk})
        page.object, page.unit = self.object, self.unit
        return page.render_to_response(page.get_context_data(**{self.context_name: form}))


class ElectionFiguresView(ElectionStepView):
    context_name = "figures_form"
    done = gettext_lazy("Figures saved.")

    def form(self, request):
        return ElectionForm(request.POST, instance=Election.objects.get(pk=self.object.pk))

    def perform(self, form):
        elections.save_figures(self.request.user, self.object, form.cleaned_data)


class CandidateAddView(ElectionStepView):
    context_name = "candidate_form"
    done = gettext_lazy("Candidate added.")

    def form(self, request):
        return CandidateForm(request.POST, regionalization=self.object.kind == Election.Kind.REGIONALIZATION)

    def perform(self, form):
        elections.add_candidate(self.request.user, self.object, **form.cleaned_data)


class CandidateRemoveView(ObjectMixin, View):
    queryset = Election.objects.all()
    action = scope.CHANGE

    def post(self, request, pk, candidate_pk):
        candidate = Candidate.objects.filter(election=self.object, pk=candidate_pk).first()
        if candidate is not None:
            try:
                elections.remove_candidate(request.user, candidate)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect(self.object)


class OfficersView(ElectionStepView):
    context_name = "officers_form"
    done = gettext_lazy("Officers saved.")

    def form(self, request):
        candidates = list(self.object.candidates.select_related("person"))
        elected, _tied = elections.elected_candidates(self.object, candidates) if self.object.seats else ([], [])
        return OfficersForm(request.POST, candidates=elected, form=self.object.committee_form)

    def perform(self, form):
        elections.set_officers(self.request.user, self.object, form.entries())


class CertifyView(ObjectMixin, View):
    queryset = Election.objects.all()
    action = scope.CHANGE

    def post(self, request, pk):
        try:
            term = elections.certify_election(request.user, self.object)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(self.object)
        said = (
            _("Certified: the elected joined term %(number)d of %(unit)s.")
            if self.object.kind == Election.Kind.BY_ELECTION
            else _("Certified: term %(number)d of %(unit)s has begun.")
        )
        messages.success(request, said % {"number": term.number, "unit": self.unit.name})
        return redirect(reverse("orgtree:committee", args=[self.unit.pk]))


class AmendView(ObjectMixin, View):
    queryset = Election.objects.all()
    action = scope.CHANGE

    def post(self, request, pk):
        form = AmendmentForm(request.POST)
        if form.is_valid():
            try:
                elections.amend_election(
                    request.user, self.object, form.cleaned_data["reason"], {"details": form.cleaned_data["details"]}
                )
                messages.success(request, _("Correction recorded."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Give the reason and the correction."))
        return redirect(self.object)
