from django.urls import path
from rest_framework.routers import DefaultRouter

from orgtree.api.committee_views import DutyAreaListView, ElectionViewSet, OfficeViewSet, PersonViewSet, TermViewSet
from orgtree.api.views import UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("offices", OfficeViewSet, basename="office")
router.register("terms", TermViewSet, basename="term")
router.register("elections", ElectionViewSet, basename="election")
urlpatterns = [path("duty-areas/", DutyAreaListView.as_view(), name="duty-areas"), *router.urls]
