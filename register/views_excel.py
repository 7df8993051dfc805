"""The register's Excel pages: the template to fill, the import (upload, then the shared job page), the
export of the register (filtered by kind and status) and the 通讯录. Every one loads its unit through the
scope: a unit outside the user's subtree is a 404, like a missing one; so is a unit that is not an
area unit (organizations are registered under area units only)."""

from django.http import Http404
from django.utils import timezone
from django.views import View

from federation import scope
from federation.pages import UnitMixin
from federation.views_imports import ImportUploadView
from federation.workbook import download
from register.excel import build_contacts, build_export, build_template
from register.models import OrgKind
from register.models.organization import AREA_KINDS, Status


class AreaUnitMixin(UnitMixin):
    def area(self):
        if self.unit.kind not in AREA_KINDS:
            raise Http404
        return self.unit

    def filename(self, what):
        return f"{self.unit.name}-{what}-{timezone.localdate():%Y%m%d}.xlsx"


class RegisterTemplateView(AreaUnitMixin, View):
    """The template: the organizations of the unit's subtree the user may change (export = template)."""

    action = scope.CHANGE

    def get(self, request, pk):
        return download(build_template(request.user, self.area()), self.filename("应建尽建台账"))


class RegisterExportView(AreaUnitMixin, View):
    """The register as the user may see it, filtered by ?kind= and ?status= (unknown values: no filter)."""

    def get(self, request, pk):
        kind = request.GET.get("kind", "")
        status = request.GET.get("status", "")
        kind = kind if kind in OrgKind.values else ""
        status = status if status in Status.values else ""
        return download(build_export(request.user, self.area(), kind, status), self.filename("应建尽建台账"))


class ContactsExportView(AreaUnitMixin, View):
    """基础台帐和妇委会主任通讯录: by organization and by committee."""

    def get(self, request, pk):
        return download(build_contacts(request.user, self.area()), self.filename("基础台帐和妇委会主任通讯录"))


class RegisterImportView(AreaUnitMixin, ImportUploadView):
    kind = "register_import"
    template_name = "register/organization_import.html"
    extra_context = {"tab": "register"}

    def get(self, request, *args, **kwargs):
        self.area()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.area()
        return super().post(request, *args, **kwargs)
