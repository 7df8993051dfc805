"""One list page pattern: a scoped queryset, filtered through a django-filter FilterSet (the very class
the API viewset uses as `filterset_class` where an API list exists), sorted by whitelisted keys, paged
with the query string kept, and exported to Excel (the filtered rows, through the formula-safe writer).

A page mixes `ListMixin` in before its view base and declares:
    filterset_class   the FilterSet (optional)
    filter_defaults   filters applied while the request names none of them (e.g. {"status": "open"})
    sorts             {key: (label, ordering)}; `?sort=` accepts only these keys, anything else is ignored
    per_page          rows per page; `?per_page=` may change it up to `max_per_page`
    export_columns    [(header, row -> value)]; when set, `?export=xlsx` downloads the filtered rows
    labelled          fields with choices whose label each row of the page gets as `<field>_label` (one
                      dict per field and page: Django's get_<field>_display rebuilds it for every call)
and implements `list_queryset()`, which returns rows already restricted by `federation.scope.restrict()`
(or under a unit the page loaded through the scope). Templates include `list_filters.html` and
`list_pager.html`.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.forms import BoundField
from django.utils.translation import gettext as _
from django_filters import FilterSet

from federation.workbook import Workbook, download

if TYPE_CHECKING:
    from django.views.generic import TemplateView as _ListPage  # what ListMixin is mixed into
    from django_stubs_ext import StrOrPromise
else:
    _ListPage = object

# Parameters of the list itself, never handed to the FilterSet and dropped from pager links as needed.
LIST_PARAMS = ("page", "per_page", "sort", "export")


class ListMixin(_ListPage):
    filterset_class: type[FilterSet] | None = None
    filter_defaults: dict[str, str | list[str]] = {}
    # Names of the filters the form shows; None = all (others ride along hidden).
    filters_shown: Sequence[str] | None = None
    sorts: dict[str, tuple["StrOrPromise", tuple[str, ...]]] = {}
    default_sort = None
    per_page = 50
    max_per_page = 200
    export_columns: Sequence[tuple["StrOrPromise", Callable[[Any], object]]] = ()
    export_title: "StrOrPromise" = ""
    export_limit = 20000  # a whole province's list is a job, not a download (NetBox #21788)
    labelled: Sequence[str] = ()

    def list_queryset(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx" and self.export_columns:
            return self.export()
        return super().get(request, *args, **kwargs)

    # --- filtering and sorting -----------------------------------------------------------

    def filter_data(self):
        data = self.request.GET.copy()
        for name in LIST_PARAMS:
            data.pop(name, None)
        if self.filterset_class and not any(name in data for name in self.filterset_class.base_filters):
            for name, value in self.filter_defaults.items():
                data.setlist(name, value if isinstance(value, list) else [value])
        return data

    def filterset_kwargs(self):
        return {}

    def get_filterset(self):
        if getattr(self, "_filterset", None) is None and self.filterset_class is not None:
            self._filterset = self.filterset_class(
                self.filter_data(), queryset=self.list_queryset(), request=self.request, **self.filterset_kwargs()
            )
        return getattr(self, "_filterset", None)

    def sort_key(self):
        key = self.request.GET.get("sort", "")
        return key if key in self.sorts else self.default_sort

    def filtered_rows(self):
        filterset = self.get_filterset()
        if filterset is None:
            rows = self.list_queryset()
        else:
            rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        key = self.sort_key()
        if key:
            rows = rows.order_by(*self.sorts[key][1], "pk")
        return rows

    def page_size(self):
        value = self.request.GET.get("per_page", "")
        return min(int(value), self.max_per_page) if value.isdigit() and int(value) > 0 else self.per_page

    # --- the page ----------------------------------------------------------------------------

    def decorate(self, rows):
        """Attach what the rows of one page need (a fixed number of queries per page)."""

    def label(self, rows):
        if not rows:
            return
        for name in self.labelled:
            field = rows[0]._meta.get_field(name)
            labels = dict(field.flatchoices)
            for row in rows:
                value = getattr(row, field.attname)
                setattr(row, f"{name}_label", labels.get(value, value))

    def known_count(self):
        """The number of filtered rows when the page knows it without a COUNT (None: count them)."""
        return None

    def paginate(self, rows, size):
        """The requested page. The first page is read with one row more: when that row is missing, the
        list fits on one page and needs no COUNT (most lists of a village or township do)."""
        number = self.request.GET.get("page", "")
        if number not in ("", "1"):
            return Paginator(rows, size).get_page(number)
        first = list(rows[: size + 1])
        if len(first) <= size:
            return Paginator(first, size).get_page(1)
        paginator = Paginator(rows, size)
        known = self.known_count()
        if known is not None:
            paginator.count = known  # a cached_property: set, it is never counted
        page = paginator.get_page(1)
        page.object_list = first[:size]
        return page

    def get_context_data(self, **kwargs):
        page = self.paginate(self.filtered_rows(), self.page_size())
        self.decorate(page.object_list)
        self.label(page.object_list)
        query = self.request.GET.copy()
        for name in ("page", "export"):
            query.pop(name, None)
        filterset = self.get_filterset()
        fields: list[BoundField] = []
        hidden: list[BoundField] = []
        if filterset is not None:
            for field in filterset.form:
                shown = self.filters_shown is None or field.name in self.filters_shown
                (fields if shown else hidden).append(field)
        export = query.copy()
        export["export"] = "xlsx"
        kwargs.setdefault("page", page)
        return super().get_context_data(
            filterset=filterset,
            list_fields=fields,
            list_hidden=[f for f in hidden if f.value()],
            list_query=query.urlencode(),
            list_sort=self.sort_key(),
            list_sorts=[(key, label) for key, (label, _ordering) in self.sorts.items()],
            list_per_page=self.request.GET.get("per_page", ""),
            list_export=export.urlencode() if self.export_columns else "",
            **kwargs,
        )

    # --- the export ----------------------------------------------------------------------------

    def export(self):
        rows = self.filtered_rows()
        book = Workbook()
        sheet = book.sheet(self.export_title)
        sheet.append([header for header, _value in self.export_columns], bold=True)
        count = 0
        for row in rows[: self.export_limit].iterator(chunk_size=1000):
            sheet.append([value(row) for _header, value in self.export_columns])
            count += 1
        if count == self.export_limit and rows[self.export_limit : self.export_limit + 1].exists():
            sheet.append(
                [_("Only the first %(count)d rows are exported; narrow the filters.") % {"count": self.export_limit}]
            )
        sheet.freeze()
        return download(book.to_bytes(), f"{self.export_title}.xlsx")
