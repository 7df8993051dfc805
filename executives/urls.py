from django.urls import path

from executives.views import activities, contacts, rotation, training

app_name = "executives"
urlpatterns: list = []

# 轮值主席
urlpatterns += [
    path("units/<int:pk>/committee/rotation/", rotation.RotationView.as_view(), name="rotation"),
]

# Activities and points (积分考评)
urlpatterns += [
    path("units/<int:pk>/committee/activities/", activities.ActivitiesView.as_view(), name="activities"),
    path("units/<int:pk>/committee/activities/new/", activities.ActivityCreateView.as_view(), name="activity_create"),
    path("units/<int:pk>/committee/points-rules/", activities.RulesView.as_view(), name="points_rules"),
    path("units/<int:pk>/committee/ranking/", activities.RankingView.as_view(), name="ranking"),
    path("units/<int:pk>/committee/evaluations/<int:person>/", activities.EvaluationView.as_view(), name="evaluation"),
    path("activities/<int:pk>/", activities.ActivityView.as_view(), name="activity"),
    path("activities/<int:pk>/photo/", activities.PhotoView.as_view(), name="activity_photo"),
]

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

# Contact with women (联系妇女)
urlpatterns += [
    path("units/<int:pk>/committee/contacts/", contacts.ContactsView.as_view(), name="contacts"),
    path("units/<int:pk>/committee/contacts.xlsx", contacts.ContactFiguresExportView.as_view(), name="contacts_export"),
    path("offices/<int:pk>/contacts/", contacts.ContactListEditView.as_view(), name="contact_list_edit"),
    path("contact-visits/<int:pk>/edit/", contacts.ContactVisitEditView.as_view(), name="contact_visit_edit"),
    path("named-contacts/<int:pk>/edit/", contacts.NamedContactEditView.as_view(), name="named_contact_edit"),
    path("named-contacts/<int:pk>/erase/", contacts.NamedContactEraseView.as_view(), name="named_contact_erase"),
]
