from django.urls import path

from funding import views

app_name = "funding"
urlpatterns = [
    path("units/<int:pk>/funding/", views.FundingView.as_view(), name="funding"),
    path("units/<int:pk>/funding.xlsx", views.FundingExportView.as_view(), name="export"),
    path("units/<int:pk>/funding/template.xlsx", views.FundingTemplateView.as_view(), name="template"),
    path("units/<int:pk>/funding/import/", views.FundingImportView.as_view(), name="import"),
    path("funding-records/<int:pk>/document/", views.DocumentView.as_view(), name="document"),
]
