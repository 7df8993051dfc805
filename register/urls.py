from django.urls import path

from register import views

app_name = "register"
urlpatterns: list = [
    path("units/<int:pk>/register/", views.OrganizationListView.as_view(), name="organizations"),
    path("units/<int:pk>/register/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("units/<int:pk>/register/rule/", views.RuleView.as_view(), name="rule"),
    path("register/<int:pk>/", views.OrganizationView.as_view(), name="organization_detail"),
    path("register/<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
]
