from django.urls import path

from executives.views import activities, rotation

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
