from django.urls import path
from rest_framework.routers import SimpleRouter

from executives.api import activities, contacts, rotation
from executives.api.training import AttendanceViewSet, TrainingSessionViewSet, UnitTrainingView

router = SimpleRouter()
urlpatterns: list = []

# 轮值主席
urlpatterns += [
    path("units/<int:pk>/rotation/", rotation.UnitRotationView.as_view(), name="unit-rotation"),
    path("units/<int:pk>/rotation/generate/", rotation.RotationGenerateView.as_view(), name="unit-rotation-generate"),
    path("units/<int:pk>/rotation/<str:month>/", rotation.RotationMonthView.as_view(), name="unit-rotation-month"),
]

# Activities and points (积分考评)
router.register("activities", activities.ActivityViewSet, basename="activity")
router.register("activity-types", activities.ActivityTypeViewSet, basename="activity-type")
router.register("points-rules", activities.PointsRuleViewSet, basename="points-rule")
router.register("evaluations", activities.EvaluationViewSet, basename="evaluation")
urlpatterns += [path("units/<int:pk>/ranking/", activities.RankingView.as_view(), name="unit-ranking")]

# Training (领头雁)
router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
router.register("training-attendances", AttendanceViewSet, basename="training-attendance")
urlpatterns += [path("units/<int:pk>/training/", UnitTrainingView.as_view(), name="unit-training")]

# Contact with women (联系妇女)
router.register("contact-lists", contacts.ContactListViewSet, basename="contact-list")
router.register("contact-visits", contacts.ContactVisitViewSet, basename="contact-visit")
router.register("named-contacts", contacts.NamedContactViewSet, basename="named-contact")
urlpatterns += [path("units/<int:pk>/contacts/", contacts.UnitContactsView.as_view(), name="unit-contacts")]

urlpatterns += [*router.urls]
