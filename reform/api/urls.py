from django.urls import path
from rest_framework.routers import SimpleRouter

from reform.api.views import (
    ApprovalViewSet,
    CampaignViewSet,
    ChecklistItemViewSet,
    KeyTaskViewSet,
    ProblemViewSet,
    UnitExecutivesAddedView,
    UnitReformView,
    UnitVisitsView,
    VisitViewSet,
)

router = SimpleRouter()
router.register("checklist-items", ChecklistItemViewSet, basename="checklist-item")
router.register("problems", ProblemViewSet, basename="problem")
router.register("key-tasks", KeyTaskViewSet, basename="key-task")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("visits", VisitViewSet, basename="visit")
router.register("approvals", ApprovalViewSet, basename="approval")
urlpatterns = [
    path("units/<int:pk>/reform/", UnitReformView.as_view(), name="unit-reform"),
    path("units/<int:pk>/executives-added/", UnitExecutivesAddedView.as_view(), name="unit-executives-added"),
    path("units/<int:pk>/visits/", UnitVisitsView.as_view(), name="unit-visits"),
    *router.urls,
]
