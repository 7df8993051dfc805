"""The register's pages: a unit's 应建尽建台账 tab (the organizations of its subtree, filtered, with
coverage by kind, and linking several to one committee), an organization (its status and why, the rule
that applies, the 包建 leader suggested, history), create, edit and close, and the build rule of a county
or a level above. Every lookup goes through the scope; every write through register.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.generic import TemplateView

from federation import audit, datacache, scope
from federation.conflicts import ConflictError
from federation.pages import ActionPage, ObjectMixin, UnitMixin, add_errors
from federation.views_lists import ListMixin
from orgtree.models import Unit
from register import rules, services
from register.figures import KINDS, register_figures
from register.filtersets import OrganizationFilterSet
from register.forms import CloseForm, LinkForm, OrganizationForm, RuleForm
from register.models import BuildRule, Organization
from register.models.organization import AREA_KINDS, Status
from register.models.rule import RULE_KINDS

SHOULD, DONE, RATE = "should_build", "built", "coverage_rate"


def coverage_rows(figures):
    """[(kind, label, should build, built, rate, gap)] per kind, then the unit's own agencies."""
    rows = [(k.value, k.label, figures[f"{k}_{SHOULD}"], figures[f"{k}_{DONE}"], figures[f"{k}_{RATE}"]) for k in KINDS]
    own = ("own", _("Own agencies"), *(figures[f"own_agencies_{x}"] for x in (SHOULD, DONE, "rate")))
    return [(*row, row[2] - row[3]) for row in [*rows, own]]


class _AreaOnly(TemplateView):
    """After UnitMixin (which loads `self.unit`): a page of an area unit only (404 elsewhere)."""

    kinds: tuple = AREA_KINDS

    def dispatch(self, request, *args, **kwargs):
        if self.unit.kind not in self.kinds:  # type: ignore[attr-defined]
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class OrganizationListView(UnitMixin, _AreaOnly, ListMixin, ActionPage):
    """应建尽建台账 of an area unit: coverage by kind over the subtree (the figures), the organizations
    filtered and paged, and for editors the form linking the ticked ones to one committee."""

    template_name = "register/list.html"
    forms = {"link": LinkForm}
    filterset_class = OrganizationFilterSet
    filters_shown = ("q", "kind", "subtype", "status", "coverage", "party", "area", "state")
    labelled = ("kind", "subtype", "coverage")
    per_page = 50
    sorts = {
        "kind": (_l("kind"), ("kind", "name")),
        "name": (_l("Name"), ("name",)),
        "unit": (_l("registered under"), ("unit__code", "kind", "name")),
        "employees": (_l("employees"), ("-employees", "name")),
    }
    default_sort = "kind"

    def list_queryset(self):
        # What a row shows and its status needs: no other column is read.
        shown = ("name", "kind", "subtype", "has_party_org", "closed_on", "should_build", "coverage", "employees")
        return (
            Organization.objects.filter(self.unit.subtree_q("unit__"))
            .select_related("unit", "committee")
            .only(*shown, "unit__name", "committee__name", "committee__closed_on")
        )

    def filter_data(self):
        """Current organizations unless the closed ones are asked for, whatever the other filters."""
        data = super().filter_data()
        if not data.get("state"):
            data["state"] = "current"
        return data

    def filterset_kwargs(self):
        return {"areas": Unit.objects.open().filter(pk__in=self.area_ids()).only("name")}

    def area_ids(self):
        if not hasattr(self, "_area_ids"):
            self._area_ids = list(
                Unit.objects.open()
                .filter(parent=self.unit, kind__in=AREA_KINDS)
                .order_by("code", "name")
                .values_list("pk", flat=True)
            )
            self._area_ids.insert(0, self.unit.pk)
        return self._area_ids

    def make_form(self, name, **kwargs):
        return LinkForm(user=self.request.user, unit=self.unit, **kwargs)

    def decorate(self, rows):
        # One reverse() per page, not per row: the organization's pk goes into the pattern reversed for 0.
        link = reverse("register:organization_detail", args=[0])
        for row in rows:
            row.link = link.replace("/0/", f"/{row.pk}/", 1)

    def get_context_data(self, **kwargs):
        user = self.request.user
        can_change = scope.can(user, scope.CHANGE, self.unit) and self.unit.closed_on is None
        if can_change:
            kwargs.setdefault("link_form", self.make_form("link"))
        # The same for everyone who may open the unit: kept until the next write (federation.datacache).
        figures = datacache.kept("register", (self.unit.pk,), lambda: register_figures(self.unit))
        return super().get_context_data(
            can_change=can_change,
            can_rule=can_change and self.unit.kind in RULE_KINDS,
            coverage=coverage_rows(figures),
            status_should=Status.SHOULD_BUILD.value,
            rule_page=self.unit.kind in RULE_KINDS,
            selected=self.selected(kwargs.get("link_form")),
            **kwargs,
        )

    def selected(self, form):
        """The organizations ticked when a link form comes back with an error (kept ticked)."""
        if form is None or not form.is_bound:
            return set()
        return {int(pk) for pk in form.data.getlist("organizations") if str(pk).isdigit()}

    def do_link(self, form):
        data = form.cleaned_data
        orgs = list(data["organizations"])
        if data["mode"] == "new":
            extra = {"subtype": data["subtype"]} if data["subtype"] else {}
            committee = services.build_committee(
                self.request.user,
                orgs,
                data["parent"],
                kind=data["kind"],
                name=data["name"],
                coverage=data["coverage"],
                opened_on=data["opened_on"],
                **extra,
            )
        else:
            committee = data["committee"]
            services.link_committee(self.request.user, orgs, committee, coverage=data["coverage"])
        return _("%(count)d organizations linked to %(name)s.") % {"count": len(orgs), "name": committee.name}


class OrganizationView(ObjectMixin, ActionPage):
    """An organization: its facts, status and why, the rule that applies, the 包建 leader suggested by its
    size, and its history; editors can edit or close it."""

    template_name = "register/organization.html"
    queryset = Organization.objects.select_related("committee", "patron")
    forms = {"close": CloseForm}

    def get_context_data(self, **kwargs):
        org, user = self.object, self.request.user
        can_change = scope.can(user, scope.CHANGE, org.unit) and org.closed_on is None
        if can_change:
            kwargs.setdefault(
                "close_form", CloseForm(initial={"version": org.version, "closed_on": timezone.localdate()})
            )
        rule = rules.rule_for(org.unit)
        patron, post = rules.suggest_patron(org, rule)
        return super().get_context_data(
            org=org,
            can_change=can_change,
            why=rules.why(org, rule),
            rule=rule,
            rule_unit=rule.unit if rule.pk else None,
            suggested=patron,
            suggested_post=post,
            history=audit.readable(audit.history_of(org, user)[:30]),
            tab="register",
            **kwargs,
        )

    def do_close(self, form):
        data = form.cleaned_data
        services.close_organization(
            self.request.user, self.object, data["closed_on"], note=data["note"], version=data["version"]
        )
        return _("%(name)s closed.") % {"name": self.object.name}


class _FormPage(TemplateView):
    """Create or edit through one service; errors and conflicts land on the form, nothing is saved."""

    template_name = "service_form.html"

    def post(self, request, pk):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                saved = self.save(form)
            except ValidationError as exc:
                add_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved.name})
                return redirect(saved)
        return self.render_to_response(self.get_context_data(form=form))


class OrganizationCreateView(UnitMixin, _AreaOnly, _FormPage):
    action = scope.CHANGE

    def form(self, data=None):
        return OrganizationForm(data, user=self.request.user, unit=self.unit)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(title=_("Register an organization"), **kwargs)

    def save(self, form):
        values = form.values()
        return services.create_organization(self.request.user, form.cleaned_data["unit"], **values)


class OrganizationEditView(ObjectMixin, _FormPage):
    queryset = Organization.objects.all()
    action = scope.CHANGE

    def form(self, data=None):
        org = self.object
        return OrganizationForm(
            data, instance=org, initial={"version": org.version}, user=self.request.user, unit=org.unit, editing=True
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(title=_("Edit %(name)s") % {"name": self.object.name}, **kwargs)

    def save(self, form):
        if self.object.closed_on is not None:
            raise ValidationError(_("This organization is closed."))
        return services.update_organization(
            self.request.user, self.object, form.values(), version=form.cleaned_data.get("version")
        )


class RuleView(UnitMixin, _AreaOnly, ActionPage):
    """The build rule of a county or a level above: the one in force (its own or inherited) and, for
    editors, a form to set it; saving tells how many organizations changed their answer."""

    template_name = "register/rule.html"
    forms = {"rule": RuleForm}
    kinds = RULE_KINDS

    def get_context_data(self, **kwargs):
        rule = rules.rule_for(self.unit)
        own = rule if rule.unit_id == self.unit.pk else None
        can_change = scope.can(self.request.user, scope.CHANGE, self.unit) and self.unit.closed_on is None
        if can_change:
            shown = own or BuildRule(**{f: getattr(rule, f) for f in services.RULE_FIELDS})
            kwargs.setdefault("rule_form", RuleForm(instance=shown, initial={"version": own.version if own else 0}))
        return super().get_context_data(
            rule=rule,
            rule_unit=rule.unit if rule.pk else None,
            own=own,
            can_change=can_change,
            tab="register",
            **kwargs,
        )

    def do_rule(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        _rule, changed = services.set_rule(self.request.user, self.unit, data, version=version)
        return _("Rule saved: %(count)d organizations changed their answer.") % {"count": changed}
