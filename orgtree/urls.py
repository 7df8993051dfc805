from django.urls import path

from orgtree import views

app_name = "orgtree"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("<int:pk>/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("<int:pk>/move/", views.UnitMoveView.as_view(), name="unit_move"),
    path("<int:pk>/close/", views.UnitCloseView.as_view(), name="unit_close"),
]
