from django.urls import path
from rest_framework.routers import SimpleRouter

from reform.api.reports import ReportPlanViewSet, ReportViewSet, UnitReportsCompletenessView
from reform.api.views import (
    ApprovalViewSet,
    CampaignViewSet,
    ChecklistItemViewSet,
    KeyTaskViewSet,
    PilotViewSet,
    ProblemViewSet,
    UnitExecutivesAddedView,
    UnitReformView,
    UnitVisitsView,
    VisitViewSet,
)
from reform.api.weekly import UnitWeeklyReportView

router = SimpleRouter()
router.register("checklist-items", ChecklistItemViewSet, basename="checklist-item")
router.register("problems", ProblemViewSet, basename="problem")
router.register("key-tasks", KeyTaskViewSet, basename="key-task")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("visits", VisitViewSet, basename="visit")
router.register("pilots", PilotViewSet, basename="pilot")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("report-plans", ReportPlanViewSet, basename="report-plan")
router.register("reports", ReportViewSet, basename="report")
urlpatterns = [
    path("units/<int:pk>/reform/", UnitReformView.as_view(), name="unit-reform"),
    path("units/<int:pk>/executives-added/", UnitExecutivesAddedView.as_view(), name="unit-executives-added"),
    path("units/<int:pk>/visits/", UnitVisitsView.as_view(), name="unit-visits"),
    path("units/<int:pk>/weekly-report/", UnitWeeklyReportView.as_view(), name="unit-weekly-report"),
    path(
        "units/<int:pk>/reports/completeness/",
        UnitReportsCompletenessView.as_view(),
        name="unit-reports-completeness",
    ),
    *router.urls,
]
