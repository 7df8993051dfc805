"""The funding page of a unit: standards in force, compliance by child and the units that miss,
money and projects; entry forms, Excel template, import and export. Compliance is counted from the
stored results (funding.results), money summed by funding.compliance."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views import View

from federation import datacache, scope
from federation.pages import ActionPage, UnitMixin
from federation.uploads import UPLOAD_TYPES
from federation.views_imports import ImportUploadView
from federation.workbook import Workbook, download
from funding import compliance, results, services
from funding.excel import build_template
from funding.forms import PopulationForm, ProjectForm, RecordForm, StandardForm
from funding.models import Category, FundingRecord, Project

# The page lists the first units that miss a standard; the export's "Units" sheet has every one.
MISSING_SHOWN = 50
STATUS_LABELS = {status: pgettext_lazy("standard", status) for status in ("met", "missed", "unknown")}


def year_from(request):
    value = request.GET.get("year", "")
    try:
        return services.check_year(int(value)) if value else timezone.localdate().year
    except (ValueError, ValidationError):
        return timezone.localdate().year


class FundingMixin(UnitMixin):
    def figures(self):
        year = year_from(self.request)
        report = results.Report(self.unit, year)
        children = list(self.unit.children.open().order_by("code", "name", "pk"))
        overall, by_child = report.summary(children)
        return year, report, overall, by_child, children


class FundingView(FundingMixin, ActionPage):
    template_name = "funding/funding.html"
    forms = {"record": RecordForm, "population": PopulationForm, "project": ProjectForm, "standard": StandardForm}

    def get_context_data(self, **kwargs):
        year = year_from(self.request)
        # The same for everyone who may open the unit: kept until the next write (federation.datacache).
        found = datacache.kept("funding", (self.unit.pk, year), lambda: self.computed(year))
        user = self.request.user
        can_change = scope.can(user, scope.CHANGE, self.unit)
        if can_change:
            for name in ("record", "population", "project"):
                kwargs.setdefault(f"{name}_form", self.forms[name](initial={"year": year}))
        if scope.can(user, scope.ADMIN, self.unit):
            kwargs.setdefault("standard_form", StandardForm(initial={"year": year}))
        money = found["money"]
        return super().get_context_data(
            year=year,
            in_force=found["in_force"],
            standards=compliance.STANDARDS,
            statuses=STATUS_LABELS,
            overall=[(label, found["overall"][key]) for key, label in compliance.STANDARDS.items()],
            rows=found["rows"],
            missing=found["missing"],
            missing_count=sum(found["overall"][key][compliance.MISSED] for key in compliance.STANDARDS),
            money=money,
            headlines=[(figure, money[figure.key]) for figure in compliance.FIGURES.figures.values()],
            categories=[(c.label, money[f"budgeted_{c.value}"]) for c in Category],
            records=FundingRecord.objects.filter(unit=self.unit, year=year).order_by("category", "source"),
            projects=Project.objects.filter(self.unit.subtree_q("unit__"), year=year).select_related("unit")[:100],
            can_change=can_change,
            **kwargs,
        )

    def computed(self, year):
        """The figures of the page, which do not depend on who looks."""
        report = results.Report(self.unit, year)
        children = list(self.unit.children.open().order_by("code", "name", "pk"))
        overall, by_child = report.summary(children)
        standards, chain = compliance.standards_in_force(self.unit, year)
        names = {u.pk: u.name for u in chain}
        in_force = [(label, standards.get(compliance.FIELD_OF[key])) for key, label in compliance.STANDARDS.items()]
        money_by_child = compliance.money(self.unit, year, children)
        return {
            "in_force": [(label, value, names.get(value[1]) if value else None) for label, value in in_force],
            "overall": overall,
            "rows": [
                (child, [by_child[child.pk][key] for key in compliance.STANDARDS], money_by_child[child.pk])
                for child in children
            ],
            "missing": report.missing(MISSING_SHOWN),
            "money": compliance.money(self.unit, year),
        }

    def do_record(self, form):
        data = dict(form.cleaned_data)
        document = data.pop("document")
        record, _changed = services.record_funding(self.request.user, self.unit, data)
        if document:
            services.attach_document(self.request.user, record, document)
        return _("Funding recorded.")

    def do_population(self, form):
        services.record_population(self.request.user, self.unit, **form.cleaned_data)
        return _("Population recorded.")

    def do_project(self, form):
        services.record_project(self.request.user, self.unit, form.cleaned_data)
        return _("Project recorded.")

    def do_standard(self, form):
        data = dict(form.cleaned_data)
        services.set_standard(self.request.user, self.unit, data.pop("year"), **data)
        return _("Standards saved.")


class FundingExportView(FundingMixin, View):
    """Compliance by child, every unit measured, and money by child, as .xlsx."""

    def get(self, request, pk):
        year, report, overall, by_child, children = self.figures()
        money_by_child = compliance.money(self.unit, year, children)
        keys = list(compliance.STANDARDS)
        book = Workbook()
        sheet = book.sheet(_("By subunit"))
        sheet.append([f"{self.unit.name} · {_('Funding')} · {year}"])
        header = [_("Unit")]
        for key in keys:
            header += [f"{compliance.STANDARDS[key]}·{STATUS_LABELS[s]}" for s in compliance.STATUSES]
        sheet.append([str(h) for h in header], bold=True)
        for child in children:
            sheet.append([child.name, *[by_child[child.pk][k][s] for k in keys for s in compliance.STATUSES]])
        sheet.append([_("Total"), *[overall[k][s] for k in keys for s in compliance.STATUSES]])
        units = book.sheet(_("Units"))
        units.append(
            [str(_("Division code")), str(_("Unit")), str(_("Standard")), str(_("Status")), str(_("Measured"))],
            bold=True,
        )
        for code, name, key, status, value in report.measured():
            units.append([code, name, str(compliance.STANDARDS[key]), str(STATUS_LABELS[status]), value])
        money = book.sheet(_("Money"))
        columns = ["budgeted", "disbursed", *[f"budgeted_{c.value}" for c in Category], "projects", "project_amount"]
        money.append(
            [
                str(_("Unit")),
                str(_("Budgeted (yuan)")),
                str(_("Disbursed (yuan)")),
                *[str(c.label) for c in Category],
                str(_("Projects")),
                str(_("Project amount (yuan)")),
            ],
            bold=True,
        )
        for child in children:
            money.append([child.name, *[money_by_child[child.pk][c] for c in columns]])
        return download(book.to_bytes(), f"{self.unit.name}-{_('Funding')}-{year}.xlsx")


class FundingTemplateView(UnitMixin, View):
    action = scope.CHANGE

    def get(self, request, pk):
        year = year_from(request)
        return download(build_template(request.user, self.unit, year), f"{self.unit.name}-经费-{year}.xlsx")


class FundingImportView(ImportUploadView):
    kind = "funding_import"
    template_name = "funding/import.html"
    extra_context = {"tab": "funding"}


class DocumentView(LoginRequiredMixin, View):
    """A funding record's document, to users who may see its unit only; always as a download."""

    def get(self, request, pk):
        record = scope.get_or_404(FundingRecord.objects.exclude(document=""), request.user, pk=pk)
        extension = record.document_name.rsplit(".", 1)[-1].lower()
        if extension not in UPLOAD_TYPES:
            raise Http404
        return FileResponse(
            record.document.open("rb"),
            as_attachment=True,
            filename=record.document_name,
            content_type=UPLOAD_TYPES[extension][0],
        )
