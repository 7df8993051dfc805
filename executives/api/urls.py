from django.urls import path
from rest_framework.routers import SimpleRouter

from executives.api.training import AttendanceViewSet, TrainingSessionViewSet, UnitTrainingView

router = SimpleRouter()
router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
router.register("training-attendances", AttendanceViewSet, basename="training-attendance")
urlpatterns = [
    path("units/<int:pk>/training/", UnitTrainingView.as_view(), name="unit-training"),
    *router.urls,
]
