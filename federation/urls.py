from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from federation import views, views_imports, views_notifications

api_patterns = [
    path("", include("orgtree.api.urls")),
    path("", include("reform.api.urls")),
    path("", include("funding.api.urls")),
    path("token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("orgtree.urls")),
    path("", include("reform.urls")),
    path("", include("funding.urls")),
    path("api/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("imports/<int:pk>/", views_imports.ImportJobView.as_view(), name="import_job"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/read/", views_notifications.read_all, name="notifications_read"),
    path("healthz", views.healthz, name="healthz"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

handler403 = "federation.views_errors.permission_denied"
handler404 = "federation.views_errors.not_found"
handler500 = "federation.views_errors.server_error"
