from django.urls import path

from executives.views import rotation

app_name = "executives"
urlpatterns: list = []

# 轮值主席
urlpatterns += [
    path("units/<int:pk>/committee/rotation/", rotation.RotationView.as_view(), name="rotation"),
]
