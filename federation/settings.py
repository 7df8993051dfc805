"""Settings from the environment.

The embedded default (no variables set) is SQLite, Celery eager and a local-memory cache, so
`make run` works on a bare machine. Production sets DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BANYAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The built-in key is for DEBUG (make run) only: a deployment that forgot SECRET_KEY refuses to start
# instead of signing sessions with a key anyone can read on GitHub.
SECRET_KEY = os.environ.get("SECRET_KEY") or ("insecure-embedded-development-key" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 for development. "
        "未设置 SECRET_KEY 环境变量：请设置为一个足够长的随机值，开发时可设 DEBUG=1。"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "federation.views_errors.csrf_failure"  # Chinese, with the site's header

# Transport and browser hardening: on unless DEBUG (make run serves plain HTTP on 127.0.0.1).
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto so Django knows the
# request came in over HTTPS (and only then: the proxy must overwrite that header).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP inside the host
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].upper().replace("-", "_"), "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
# Idle timeout: the session expires after this many minutes without a request (sliding: see
# federation.security.SecurityMiddleware.touch).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "mptt",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "federation",
    "orgtree",
    "reform",
    "funding",
    "executives",
    "register",
]
# The unit tree every scope, job, notice and history record hangs off (the platform names no domain model).
UNIT_MODEL = "orgtree.Unit"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "federation.middleware.ChineseFirstLocaleMiddleware",
    "federation.middleware.RejectUnstorableTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "federation.security.SecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lock-out during any login into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy: scripts only from our own static files (no inline scripts, no eval).
# Inline style attributes stay allowed: Django's admin and the progress bars set widths with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "federation.urls"
WSGI_APPLICATION = "federation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "federation.context_processors.scopes",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'banyan.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every way in (the login page, the admin login, POST /api/token/) before the
# password: after AXES_FAILURE_LIMIT failures for a username or from an address, that username or
# address is locked out for AXES_COOLOFF_TIME. System administrators lift lock-outs in /admin/.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "federation.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts go to federation's security log (one list)
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "federation.security.client_ip"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, use REMOTE_ADDR).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "Banyan 榕树")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Where home sends a superuser or a user without a scope of her own (a URL name).
HOME_URL_NAME = "orgtree:unit_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded evidence. Never served as static files: reform.views.evidence checks the scope first.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "federation.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "federation.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["federation.api_fields.ScopedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "federation.api.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Banyan 榕树 API",
    "DESCRIPTION": "妇联组织管理平台 API：组织树、范围限定、历史记录",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "orgtree.choices.Kind",
        "ElectionKindEnum": "orgtree.models.election.Election.Kind",
        "ElectionStatusEnum": "orgtree.models.election.Election.Status",
        "ChecklistItemStatusEnum": "reform.models.ItemStatus",
        "ProblemStatusEnum": "reform.models.ProblemStatus",
        "KeyTaskStatusEnum": "reform.models.TaskStatus",
        "LeaveReasonEnum": "orgtree.models.committee.LeaveReason",
        "AppointmentEnum": "orgtree.models.committee.Appointment",
        "UnitSubtypeEnum": "orgtree.choices.Subtype",
        "RegisterKindEnum": "register.models.OrgKind",
        "RegisterSubtypeEnum": "register.models.Subtype",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; the security log keeps them instead.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Domain settings: the regional practice that varies by deployment.
BANYAN = {
    # Two-factor sign-in (TOTP) is required of system administrators, staff and unit admins;
    # TWO_FACTOR_FOR_ALL=1 requires it of everyone. Anyone may turn it on for herself.
    "TWO_FACTOR_FOR_ALL": env_bool("TWO_FACTOR_FOR_ALL", False),
    # API tokens stop working this many hours after they were issued (POST /api/token/ again).
    "TOKEN_TTL_HOURS": int(os.environ.get("TOKEN_TTL_HOURS", "12")),
    # The security log (logins, failures, lock-outs, logouts, scope changes) is kept at least this long.
    "SECURITY_LOG_DAYS": max(180, int(os.environ.get("SECURITY_LOG_DAYS", "365"))),
    # Years a committee serves, by unit kind; "default" for the rest (DESIGN.md: 5 everywhere).
    "TERM_YEARS": {"default": 5},
    # Uploads larger than this are refused with a message (and never read into memory twice).
    "IMPORT_MAX_BYTES": int(os.environ.get("BANYAN_IMPORT_MAX_MB", "20")) * 2**20,
    # An import's sheet may have IMPORT_ROWS_PER_UNIT rows per unit the user may change (times the
    # importer's factor: 4 for committee members and funding lines), never fewer than IMPORT_MIN_ROWS;
    # a file over the limits is refused before it is parsed. At most IMPORT_MAX_PROBLEMS are listed.
    "IMPORT_MIN_ROWS": 1000,
    "IMPORT_ROWS_PER_UNIT": 5,
    "IMPORT_MAX_CELLS": 1_000_000,
    "IMPORT_MAX_COLUMNS": 60,
    "IMPORT_MAX_PROBLEMS": 1000,
    # A job still checking or importing after this many minutes has died (its worker was killed):
    # it is marked failed and can be run again.
    "IMPORT_TIMEOUT_MINUTES": {"validating": 15, "committing": 60},
    "EVIDENCE_MAX_BYTES": int(os.environ.get("BANYAN_EVIDENCE_MAX_MB", "10")) * 2**20,
    # 新增执委 (reform/added.py) are counted from the start of the latest campaign covering the unit;
    # without a campaign, from this day (the 破难行动 began in 2020).
    "EXECUTIVES_ADDED_SINCE": os.environ.get("BANYAN_EXECUTIVES_ADDED_SINCE", "2020-01-01"),
    # Renewals due within this many days are listed as "due soon".
    "RENEWAL_WARNING_DAYS": 90,
    # 下管一级: checklist items are reviewed, and rectifications verified, by the unit directly above
    # the reported unit's (its parent's users). REVIEW_ANY_LEVEL_ABOVE=1 lets any level above do it.
    "REVIEW_ANY_LEVEL_ABOVE": env_bool("REVIEW_ANY_LEVEL_ABOVE", False),
    # 报送: a periodic report is on time when first submitted within this many days after its period's
    # end (the default of a new reporting plan; each plan may set its own).
    "REPORT_DUE_DAYS": int(os.environ.get("REPORT_DUE_DAYS", "3")),
    # Dashboards' figures and panels are kept in the shared cache for this many seconds at most, and
    # computed afresh after any write (federation/datacache.py). Only with Redis: a process's own memory
    # would not see the writes of the others. 0 turns it off.
    "FIGURE_CACHE_SECONDS": int(os.environ.get("BANYAN_FIGURE_CACHE_SECONDS", "300" if REDIS_URL else "0")),
    # The range of the dates users enter (federation/validators.py); events at most a year ahead.
    "EARLIEST_DATE": "1949-10-01",
    "LATEST_DATE": "2099-12-31",
    # Election rules in local practice (DESIGN.md §1): change them per deployment, not in code.
    "ELECTION_RULES": {
        "quorum": (2, 3),  # more than 2/3 of those entitled must be present
        "majority_of": "entitled",  # elected: approvals from more than half of the entitled
        "contested_executives": True,  # 差额: more executive candidates than seats
        "odd_seats": False,  # some regions require an odd number of executives
    },
    # Where the national division file lives for `make bench` (not copied into the repo: 3 MB).
    "NATIONAL_DIVISIONS": os.environ.get(
        "BANYAN_NATIONAL_DIVISIONS", str(BASE_DIR.parent / "shared/data/divisions/china_divisions_2023.csv.xz")
    ),
}


CELERY_BEAT_SCHEDULE = {
    "check-tree-nightly": {"task": "orgtree.check_tree", "schedule": 24 * 3600},
    "flag-overdue-terms-daily": {"task": "orgtree.flag_overdue_terms", "schedule": crontab(hour=0, minute=15)},
    "turn-the-day-at-midnight": {"task": "orgtree.turn_the_day", "schedule": crontab(hour=0, minute=0)},
    "refresh-figures-nightly": {"task": "orgtree.refresh_figures", "schedule": crontab(hour=0, minute=30)},
    "refresh-compliance-nightly": {"task": "funding.refresh_compliance", "schedule": crontab(hour=0, minute=45)},
    "reform-daily-check": {"task": "reform.daily_check", "schedule": crontab(hour=1, minute=30)},
    "prune-security-log-daily": {"task": "federation.prune_security_log", "schedule": crontab(hour=3, minute=0)},
    "expire-stale-imports": {"task": "federation.expire_stale_jobs", "schedule": 5 * 60},
    "coverage-snapshot-monday": {
        "task": "orgtree.snapshot_coverage",
        "schedule": crontab(hour=1, minute=0, day_of_week=1),
    },
}
