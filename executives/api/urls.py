from django.urls import path
from rest_framework.routers import SimpleRouter

from executives.api import rotation

router = SimpleRouter()
urlpatterns = [*router.urls]

# 轮值主席
urlpatterns += [
    path("units/<int:pk>/rotation/", rotation.UnitRotationView.as_view(), name="unit-rotation"),
    path("units/<int:pk>/rotation/generate/", rotation.RotationGenerateView.as_view(), name="unit-rotation-generate"),
    path("units/<int:pk>/rotation/<str:month>/", rotation.RotationMonthView.as_view(), name="unit-rotation-month"),
]
