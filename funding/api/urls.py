from django.urls import path

from funding.api.views import UnitFundingView, router

urlpatterns = [
    path("units/<int:pk>/funding/", UnitFundingView.as_view(), name="unit-funding"),
    *router.urls,
]
