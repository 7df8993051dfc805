"""Settings from the environment.

The embedded default (no variables set) is SQLite, Celery eager and a local-memory cache, so
`make run` works on a bare machine. Production sets DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
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
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-embedded-default-key" if DEBUG or not os.environ.get("DATABASE_URL") else None
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DATABASE_URL points at a production database")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "federation.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
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
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "federation.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
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
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Domain settings: the regional practice that varies by deployment.
BANYAN = {
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
    # Renewals due within this many days are listed as "due soon".
    "RENEWAL_WARNING_DAYS": 90,
    # Election rules in local practice (DESIGN.md §1): change them per deployment, not in code.
    "ELECTION_RULES": {
        "quorum": (2, 3),               # more than 2/3 of those entitled must be present
        "majority_of": "entitled",      # elected: approvals from more than half of the entitled
        "contested_executives": True,   # 差额: more executive candidates than seats
        "odd_seats": False,             # some regions require an odd number of executives
    },
    # Where the national division file lives for `make bench` (not copied into the repo: 3 MB).
    "NATIONAL_DIVISIONS": os.environ.get(
        "BANYAN_NATIONAL_DIVISIONS", str(BASE_DIR.parent / "shared/data/divisions/china_divisions_2023.csv.xz")
    ),
}


CELERY_BEAT_SCHEDULE = {
    "check-tree-nightly": {"task": "orgtree.check_tree", "schedule": 24 * 3600},
    "flag-overdue-terms-daily": {"task": "orgtree.flag_overdue_terms", "schedule": 24 * 3600},
    "refresh-figures-nightly": {"task": "orgtree.refresh_figures", "schedule": crontab(hour=0, minute=30)},
    "reform-daily-check": {"task": "reform.daily_check", "schedule": crontab(hour=1, minute=30)},
    "expire-stale-imports": {"task": "federation.expire_stale_jobs", "schedule": 5 * 60},
    "coverage-snapshot-monday": {"task": "orgtree.snapshot_coverage", "schedule": crontab(hour=1, minute=0,
                                                                                          day_of_week=1)},
}
