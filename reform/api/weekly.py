"""GET /api/units/<id>/weekly-report/: the 周报 of a unit as JSON, the same dict the Word file and the
print view render (reform.weekly)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from federation.api import unit_in_scope
from reform import weekly


class UnitWeeklyReportView(APIView):
    @extend_schema(
        description=(
            "The weekly report (周报) of the unit for a period: title and period; the dashboard's headline "
            "coverage figures at the period's end with their change since the day before it began "
            "(`headlines`); the table by child with changes (`by_child`); the data of the chart of the "
            "conversion rate by child (`chart`); the milestones of the campaigns of the unit or above that "
            "overlap the period (`milestones`); problems of the subtree not rectified, with those past their "
            "deadline by the end (`problems`); visits made in the period (`visits`); key tasks overdue by "
            "the end (`tasks_overdue`). Default period: the last full week (Monday to Sunday) before today. "
            "Bad dates, an end before the start or a span over one year: 400."
        ),
        parameters=[
            OpenApiParameter("week", str, description="YYYY-MM-DD: any day of the week (Monday to Sunday) reported"),
            OpenApiParameter("start", str, description="YYYY-MM-DD: first day of the period"),
            OpenApiParameter("end", str, description="YYYY-MM-DD: last day of the period (at most a year after start)"),
        ],
        responses={200: OpenApiResponse(description="The report (a JSON object)")},
    )
    def get(self, request, pk):
        unit = unit_in_scope(request, pk)
        start, end = weekly.period_from(request.query_params)
        return Response(weekly.build(unit, start, end, user=request.user))
