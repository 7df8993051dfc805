from django.urls import path

from executives.views import training

app_name = "executives"
urlpatterns: list = []

# --- training (executives/views/training.py) ---
urlpatterns += [
    path("units/<int:pk>/training/", training.TrainingListView.as_view(), name="training"),
    path("units/<int:pk>/training/figures.xlsx", training.TrainingFiguresExportView.as_view(), name="training_export"),
    path("units/<int:pk>/training/import/", training.TrainingImportView.as_view(), name="training_import"),
    path("training/<int:pk>/", training.SessionView.as_view(), name="training_session"),
    path("training/<int:pk>/edit/", training.SessionEditView.as_view(), name="training_edit"),
    path("training/<int:pk>/attendance/", training.TickView.as_view(), name="training_tick"),
    path("training/<int:pk>/template.xlsx", training.TrainingTemplateView.as_view(), name="training_template"),
]
