from rest_framework.routers import DefaultRouter

from orgtree.api.views import UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
urlpatterns = router.urls
