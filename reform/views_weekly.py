"""The 周报 pages: the print view (HTML, phone-readable, with a print stylesheet) and the Word download,
both of reform.weekly's dict for the unit in the URL (in the reader's scope, else 404) and the period
of the query (?week=, ?start=&end=; bad input: 400 in Chinese)."""

import base64

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from federation.pages import UnitMixin
from reform import weekly, weekly_chart, weekly_docx
from reform.models import KeyTask


def _errors(exc):
    return [m for messages in exc.message_dict.values() for m in messages]


class WeeklyReportView(UnitMixin, TemplateView):
    template_name = "reform/weekly/report.html"

    def get(self, request, *args, **kwargs):
        try:
            self.start, self.end = weekly.period_from(request.GET)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(errors=_errors(exc)), status=400)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if "errors" in kwargs:
            return super().get_context_data(report=None, **kwargs)
        report = weekly.build(self.unit, self.start, self.end, user=self.request.user)
        picture = weekly_chart.png(report["chart"]) if report["chart"]["names"] else None
        return super().get_context_data(
            report=report,
            chart_png=base64.b64encode(picture).decode() if picture else None,
            query=self.request.GET.urlencode(),
            progress_label=KeyTask._meta.get_field("progress").verbose_name,  # a "%" {% translate %} cannot take
            **kwargs,
        )


class WeeklyDocxView(UnitMixin, View):
    def get(self, request, pk):
        try:
            start, end = weekly.period_from(request.GET)
        except ValidationError as exc:
            return HttpResponse("\n".join(_errors(exc)), status=400, content_type="text/plain; charset=utf-8")
        report = weekly.build(self.unit, start, end, user=request.user)
        response = HttpResponse(weekly_docx.docx(report), content_type=weekly_docx.DOCX)
        response["Content-Disposition"] = content_disposition_header(True, weekly_docx.filename(report)) or "attachment"
        return response
