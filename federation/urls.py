from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from federation import views, views_account, views_imports, views_notifications
from federation.api_token import TokenView

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("orgtree.api.urls")),
    path("", include("reform.api.urls")),
    path("", include("funding.api.urls")),
    path("", include("executives.api.urls")),
    path("", include("register.api_urls")),
    path("token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up code as a script file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views_account.LoginView.as_view(), name="login"),
    path("login/verify/", views_account.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views_account.account, name="account"),
    path("account/two-factor/", views_account.two_factor, name="two_factor"),
    path("account/two-factor/off/", views_account.two_factor_disable, name="two_factor_disable"),
    path("account/token/revoke/", views_account.revoke_token, name="revoke_token"),
    path("account/password/", views_account.PasswordChangeView.as_view(), name="password_change"),
    path("", include("orgtree.urls")),
    path("", include("reform.urls")),
    path("", include("funding.urls")),
    path("", include("executives.urls")),
    path("", include("register.urls")),
    path("api/", include((api_patterns, "api"))),
    # One way in for everyone, with lock-out and the second factor: the admin's own login form is not used.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
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
