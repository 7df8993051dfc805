from django.urls import path
from rest_framework.routers import SimpleRouter

from register import api

router = SimpleRouter()
router.register("register/organizations", api.OrganizationViewSet, basename="register-organization")
urlpatterns: list = [
    path("units/<int:pk>/register/", api.UnitRegisterView.as_view(), name="unit-register"),
    path("units/<int:pk>/register/rule/", api.UnitRuleView.as_view(), name="unit-register-rule"),
    *router.urls,
]
