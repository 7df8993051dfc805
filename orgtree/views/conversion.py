"""会改联 pages for county cadres: the grid of a county's villages and the per-village form."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from federation import scope
from federation.pages import ServiceFormView, UnitMixin
from federation.views_imports import ImportUploadView
from federation.views_lists import ListMixin
from federation.workbook import download
from orgtree.choices import GRASSROOTS_KINDS, Form
from orgtree.conversion import record_conversion
from orgtree.conversion_excel import build_template
from orgtree.filtersets import VillageFilterSet
from orgtree.forms import ConversionForm
from orgtree.models import Election, Office, Role, Unit
from orgtree.models.position import ServicePosition
from orgtree.regionalization_excel import build_template as build_township_template


def open_offices():
    return Office.objects.filter(ended_on__isnull=True)


def count_of(qs):
    return Subquery(qs.order_by().values("unit").annotate(n=Count("pk")).values("n")[:1])


class ConversionGridView(UnitMixin, ListMixin, TemplateView):
    """The villages/communities of the unit's subtree with their conversion records, grouped by township
    and paged (a fixed number of queries per page, whatever the number of villages)."""

    template_name = "orgtree/conversion_grid.html"
    filterset_class = VillageFilterSet
    sorts = {
        "township": (gettext_lazy("Township"), ("parent__code", "code")),
        "code": (gettext_lazy("Division code"), ("code",)),
    }
    default_sort = "township"

    def filterset_kwargs(self):
        return {"unit": self.unit}

    def villages(self):
        return Unit.objects.open().within(self.unit).filter(kind__in=GRASSROOTS_KINDS)

    def list_queryset(self):
        in_unit = open_offices().filter(unit=OuterRef("pk"))
        return (
            self.villages()
            .select_related("parent")
            .only("name", "code", "form", "parent__name")  # what a row shows: no other column is read
            .annotate(
                converted_on=Subquery(
                    Election.objects.filter(
                        unit=OuterRef("pk"), kind=Election.Kind.CONVERSION, status=Election.Status.CERTIFIED
                    )
                    .order_by("-held_on")
                    .values("held_on")[:1]
                ),
                executives=count_of(in_unit),
                vice_chairs=count_of(in_unit.filter(role=Role.VICE_CHAIR)),
            )
        )

    def decorate(self, rows):
        ids = [v.pk for v in rows]
        # Values, not model instances: the chairs' names and flags, the homes' kinds.
        chairs = {
            unit: (name, party, villagers)
            for unit, name, party, villagers in open_offices()
            .filter(unit__in=ids, role=Role.CHAIR)
            .values_list("unit", "person__name", "on_party_committee", "on_villagers_committee")
        }
        homes = {}
        for unit, kind, standardized in ServicePosition.objects.filter(
            unit__in=ids, closed_on__isnull=True
        ).values_list("unit", "kind", "standardized"):
            homes.setdefault(unit, {})[kind] = standardized
        # One reverse() per page, not per row: the village's pk goes into the pattern reversed for 0.
        link = reverse("orgtree:conversion_edit" if self.can_change() else "orgtree:committee", args=[0])
        forms = dict(Form.choices)
        committees, standardized = (_("party committee"), _("villagers' committee")), _("standardized")
        for v in rows:
            # Each cell as the template prints it: rows are the grid's cost (no lookups or filters per cell).
            name, *flags = chairs.get(v.pk, ("—", False, False))
            kinds = homes.get(v.pk, {})
            womens_home = kinds.get(ServicePosition.Kind.WOMENS_HOME)
            v.link = link.replace("/0/", f"/{v.pk}/", 1)
            v.form_label = forms.get(v.form, v.form)
            v.converted = v.converted_on.isoformat() if v.converted_on else "—"
            v.chair_name = name
            v.two_committees = " ".join(label for label, on in zip(committees, flags, strict=True) if on)
            v.womens_home = "—" if womens_home is None else standardized if womens_home else "✓"
            v.childrens_home = "✓" if ServicePosition.Kind.CHILDRENS_HOME in kinds else "—"

    def can_change(self):
        if not hasattr(self, "_can_change"):
            self._can_change = scope.can(self.request.user, scope.CHANGE, self.unit)
        return self._can_change

    def counts(self):
        if not hasattr(self, "_counts"):
            self._counts = self.villages().aggregate(
                total=Count("pk"), converted=Count("pk", filter=Q(form=Form.FEDERATION))
            )
        return self._counts

    def known_count(self):
        """Unfiltered, the list is every village of the subtree: the progress bar's total."""
        filterset = self.get_filterset()
        unfiltered = filterset is not None and filterset.is_valid() and not any(filterset.form.cleaned_data.values())
        return self.counts()["total"] if unfiltered else None

    def get_context_data(self, **kwargs):
        counts = self.counts()
        total, converted = counts["total"], counts["converted"]
        return super().get_context_data(
            total=total,
            converted=converted,
            show=self.request.GET.get("show", ""),
            percent=round(converted * 100 / total) if total else 0,
            can_change=self.can_change(),
            **kwargs,
        )


class ConversionEditView(ServiceFormView):
    form_class = ConversionForm
    template_name = "orgtree/conversion_form.html"
    success_message = gettext_lazy("Saved the conversion of %(name)s.")

    @property
    def title(self):
        return _("Conversion of %(name)s") % {"name": self.unit.name}

    def get_initial(self):
        return ConversionForm.initial_for(self.unit)

    def perform(self, form):
        record_conversion(self.request.user, self.unit, form.to_conversion(), version=form.cleaned_data["version"])
        return self.unit

    def get_success_url(self, obj):
        return reverse("orgtree:conversion_grid", args=[obj.parent_id]) + f"#u{obj.pk}"

    def current_form(self, current):
        # What is recorded now, so the second editor can compare before saving again.
        return ConversionForm(initial=ConversionForm.initial_for(self.unit))


class ConversionTemplateView(UnitMixin, View):
    """The spreadsheet for exactly the villages of this unit the user may change."""

    action = scope.CHANGE

    def get(self, request, pk):
        return download(
            build_template(request.user, self.unit), f"{self.unit.name}-会改联-{timezone.localdate():%Y%m%d}.xlsx"
        )


class ConversionImportView(ImportUploadView):
    kind = "conversion_import"
    template_name = "orgtree/conversion_import.html"
    extra_context = {"tab": "conversion"}


class RegionalizationTemplateView(UnitMixin, View):
    """The 区域化 spreadsheet for exactly the townships and streets of this unit the user may change."""

    action = scope.CHANGE

    def get(self, request, pk):
        return download(
            build_township_template(request.user, self.unit),
            f"{self.unit.name}-乡镇区域化-{timezone.localdate():%Y%m%d}.xlsx",
        )


class RegionalizationImportView(ImportUploadView):
    kind = "regionalization_import"
    template_name = "orgtree/regionalization_import.html"
    extra_context = {"tab": "conversion"}
