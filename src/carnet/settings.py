"""Carnet settings: one module, configured by environment variables only.

DATABASE_URL            PostgreSQL (or other) database; SQLite under CARNET_DATA_DIR when unset
CARNET_KEYSTORE_URL     database holding the wrapped patient data keys; a separate SQLite file
                        under CARNET_DATA_DIR when unset. Keep it out of the main database's
                        backups: that is what makes erasure reach old copies.
REDIS_URL               Redis for background jobs and cache; SQLite-backed jobs when unset
CARNET_DATA_DIR         where the SQLite files, blobs and the master key live (default var/)
CARNET_MASTER_KEY_FILE  the master key ring (default CARNET_DATA_DIR/master.key)
CARNET_DEBUG            1 for development
CARNET_SECRET_KEY       Django secret; CARNET_SECRET_KEY_FILE may name a file holding it
CARNET_ALLOWED_HOSTS    comma-separated host names (default localhost,127.0.0.1)
CARNET_EMAIL_URL        smtp://user:pass@host:port; when unset, each email is written to
                        CARNET_DATA_DIR/outbox/*.eml and announced in one line (demo, development)
CARNET_DEMO_MAILBOX     1 to show the emails of CARNET_DATA_DIR/outbox/ at /courrier-de-demo/
                        to visitors on this computer (make run sets it); off by default
CARNET_TRUSTED_PROXIES  comma-separated addresses or networks (127.0.0.1, 10.0.0.0/8) of the
                        reverse proxies in front of Carnet. X-Forwarded-For is believed only
                        when the request comes from one of them, and then only as far as the
                        first address that is not one of them; unset: the header is ignored

Notifications (carnet.notify):
CARNET_SITE_URL         the address people open Carnet at, for links in emails and SMS
                        (default http://localhost:8000)
CARNET_SMS_BACKEND      console (prints, the default), file (JSON lines in CARNET_SMS_FILE,
                        default CARNET_DATA_DIR/sms.jsonl) or http (a gateway, below)
CARNET_SMS_URL          http backend: POST {to, from, text, client_ref} here with a bearer
                        key; GET CARNET_SMS_URL/<client_ref> must say whether it holds one
CARNET_SMS_KEY_FILE     file holding the gateway's bearer key (or CARNET_SMS_KEY)
CARNET_SMS_SENDER       sender name or number (default Carnet)
CARNET_SMS_INBOUND_SECRET  shared secret of the SMS reply webhook (or ..._FILE); the
                        webhook answers 404 while it is unset
CARNET_WEBPUSH_KEY_FILE VAPID private key (PEM) for Web Push; push is off while unset
CARNET_WEBPUSH_SUBJECT  VAPID contact (default mailto:admin@carnet.localhost)
CARNET_NOTIFY_LEASE     seconds a worker holds a message it is sending (default 300)
CARNET_NOTIFY_MAX_ATTEMPTS  tries before a message is marked failed (default 8)
CARNET_NOTIFY_RETRY_BASE    first retry delay in seconds, doubled each time (default 60)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (which must be readable)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc
    return None


DEBUG = envbool("CARNET_DEBUG")
DATA_DIR = Path(os.environ.get("CARNET_DATA_DIR") or PROJECT_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MASTER_KEY_FILE = Path(os.environ.get("CARNET_MASTER_KEY_FILE") or DATA_DIR / "master.key")
BLOB_DIR = DATA_DIR / "blobs"


def _secret_key() -> str:
    key = envsecret("CARNET_SECRET_KEY")
    if key:
        return key
    # Embedded mode: a random key kept beside the data, created once with mode 0600.
    path = DATA_DIR / "secret.key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CARNET_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
if DEBUG or os.environ.get("PYTEST_CURRENT_TEST") is not None:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",  # /api/docs loads Swagger UI from ninja's static files, not from a CDN
    "huey.contrib.djhuey",
    "carnet.accounts",
    "carnet.vault",
    "carnet.access",
    "carnet.coffre",
    "carnet.records",
    "carnet.fhir_api",
    "carnet.notify",
    "carnet.care",
    "carnet.chat",
    "carnet.helpdesk",
    "carnet.helppoint",
    "carnet.community",
    "carnet.web",
    "carnet.demo",
    "carnet.reminders",
    "carnet.backups",
    "carnet.insurance",
    "oauth2_provider",
    "carnet.smart",
    "carnet.research",
]

# Apps the person connects (SMART App Launch 2.2, carnet.smart) on django-oauth-toolkit:
# authorization code with PKCE S256 only, refresh tokens rotated (a used one is refused),
# tokens kept as checksums only, and the scopes each app may ask from the catalogue.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 90 * 24 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REQUEST_APPROVAL_PROMPT": "force",
    "SCOPES_BACKEND_CLASS": "carnet.smart.scopes_backend.SmartScopes",
    "OAUTH2_VALIDATOR_CLASS": "carnet.smart.validator.CarnetValidator",
}

MIDDLEWARE = [
    "carnet.web.security.RequestIdMiddleware",
    "carnet.web.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "carnet.accounts.sessions.SessionTimeoutMiddleware",
    "carnet.accounts.mfa_required.MFARequiredMiddleware",
    "carnet.accounts.language.SignInLanguageMiddleware",
    # A person whose account was made at a help desk chooses their own password first;
    # the desk's shared computer (kiosk mode) keeps nothing and signs out when left alone.
    "carnet.helppoint.desk_accounts.FirstPasswordMiddleware",
    "carnet.helppoint.kiosk.KioskMiddleware",
    "carnet.web.middleware.NoStoreMiddleware",
    "carnet.web.offline.OfflineMiddleware",
    "carnet.web.middleware.UnreadableRecordMiddleware",
    "carnet.web.middleware.NotPermittedMiddleware",
    # Innermost: sees the views' errors first (a lock wait that ran out becomes a 503).
    "carnet.web.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "carnet.urls"
WSGI_APPLICATION = "carnet.wsgi.application"
ASGI_APPLICATION = "carnet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carnet.access.acting.context",
                "carnet.helppoint.banner.context",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------
# How long a write waits for SQLite's single write lock. No transaction holds it for long
# (imports write in short batches, see records.import_staging), so a wait this long means
# the server is overloaded: the person gets a "busy, try again" page (web.middleware).
SQLITE_BUSY_SECONDS = envint("CARNET_SQLITE_BUSY_SECONDS", 10)
SQLITE_OPTIONS = {
    # WAL for concurrent readers, FULL so an acknowledged write survives a power cut,
    # IMMEDIATE so a writing transaction takes the lock up front instead of failing midway.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
    f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000};",
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_SECONDS,
}


def _database(url: str | None, sqlite_name: str) -> dict:
    if url:
        # No persistent connections: under ASGI (carnet serve) each request runs in its own
        # thread context, so kept connections pile up until PostgreSQL refuses clients
        # (bench.load: ~100 after 10 s with 10 users). Django's advice for ASGI.
        config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / sqlite_name)}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    return config


DATABASES = {
    "default": _database(os.environ.get("DATABASE_URL"), "carnet.sqlite3"),
    "keystore": _database(os.environ.get("CARNET_KEYSTORE_URL"), "keystore.sqlite3"),
}
if DATABASES["keystore"]["ENGINE"] != "django.db.backends.sqlite3":
    # Two aliases on one server need distinct test databases.
    DATABASES["keystore"]["TEST"] = {"NAME": "test_carnet_keystore"}
DATABASE_ROUTERS = ["carnet.vault.routers.KeystoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and jobs --------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "carnet",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "carnet",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
    }

# The emergency chat's live messages (Django Channels): in memory for one process, Redis
# when several web processes serve. Only chat ids travel through it, never a text.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id at OWASP's parameters (m=19 MiB, t=2, p=1; see carnet.accounts.hashers).
PASSWORD_HASHERS = [
    "carnet.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "carnet.accounts.validators.MaximumLengthValidator"},
    {"NAME": "carnet.accounts.validators.GuessabilityValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Sign-up answers the same whether the address is known or not (the owner of a known
# address gets an email saying so), and an account holds nothing before its address is
# confirmed through the link emailed to it.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 1
ACCOUNT_ADAPTER = "carnet.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A way in that needs no password: a one-time sign-in link and code sent by email, valid
# 5 minutes, used once (allauth's login by code; the link fills the code in).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_FORMS = {"confirm_login_code": "carnet.accounts.forms.LinkedLoginCodeForm"}
# Failed sign-ins are slowed down with growing delays per account and per address
# (carnet.accounts.throttle) instead of allauth's lock-out, which refused the right
# password of the owner for 5 minutes after 5 failures of anyone.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Proxies whose X-Forwarded-For is believed (carnet.accounts.addresses): comma-separated
# addresses or networks, e.g. "127.0.0.1,10.0.0.0/8". Empty: the header is ignored.
CARNET_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("CARNET_TRUSTED_PROXIES", "").split(",") if p.strip()
]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Carnet"

SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CARNET_HTTPS = envbool("CARNET_HTTPS", False)
SECURE_COOKIES = envbool("CARNET_SECURE_COOKIES", not DEBUG and CARNET_HTTPS)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# __Host- cookies: Secure, Path=/, no Domain, so a sibling subdomain cannot set them.
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS once Carnet is served over HTTPS (carnet.web.security sends it even behind a proxy).
SECURE_HSTS_SECONDS = envint("CARNET_HSTS_SECONDS", 365 * 24 * 3600) if CARNET_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("CARNET_HSTS_SUBDOMAINS", False)
CSRF_FAILURE_VIEW = "carnet.web.security.csrf_failure"
# A session ends after 30 minutes without a request, and 12 hours after sign-in at most.
CARNET_SESSION_IDLE_SECONDS = envint("CARNET_SESSION_IDLE_SECONDS", 30 * 60)
CARNET_SESSION_ABSOLUTE_SECONDS = envint("CARNET_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
# Practitioners, advisors and researchers must set up a second factor before anything
# else. On by default wherever Carnet runs over HTTPS (a real deployment); off on a plain
# HTTP demo or development server unless CARNET_REQUIRE_MFA=1.
CARNET_REQUIRE_MFA = envbool("CARNET_REQUIRE_MFA", CARNET_HTTPS)
CARNET_MFA_REQUIRED_ROLES = ("practitioner", "advisor", "researcher")
# Kiosk mode of a help point's shared computer: sign-out after this many seconds without a
# request (carnet.helppoint.kiosk).
CARNET_KIOSK_IDLE_SECONDS = envint("CARNET_KIOSK_IDLE_SECONDS", 180)

# --- Email -------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("CARNET_EMAIL_URL")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _u = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _u.hostname or "localhost"
    EMAIL_PORT = _u.port or 25
    EMAIL_HOST_USER = unquote(_u.username or "")
    EMAIL_HOST_PASSWORD = unquote(_u.password or "")
    EMAIL_USE_TLS = _u.scheme == "smtp+tls"
else:
    # Demo and development: each message a file in CARNET_DATA_DIR/outbox/, one line on
    # the server's output (carnet.notify.mailfolder).
    EMAIL_BACKEND = "carnet.notify.mailfolder.FolderEmailBackend"
# The demo mailbox page (/courrier-de-demo/, from this computer only) shows that folder.
CARNET_DEMO_MAILBOX = envbool("CARNET_DEMO_MAILBOX", False)
DEFAULT_FROM_EMAIL = os.environ.get("CARNET_FROM_EMAIL", "Carnet <noreply@carnet.localhost>")

# --- Languages -----------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
# Each language named in its own script: the switch, the account and the notifications pages
# list them so that a person finds theirs whatever language the page is in.
LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("pt", "Português"),
    ("tr", "Türkçe"),
]
LOCALE_PATHS = [PROJECT_DIR / "locale", BASE_DIR / "locale"]
# Dates, numbers and times follow each language (Django's locale formats, a few of Carnet's own).
FORMAT_MODULE_PATH = ["carnet.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Carnet ------------------------------------------------------------------------------------
CARNET_MAX_IMPORT_BYTES = envint("CARNET_MAX_IMPORT_BYTES", 20 * 1024 * 1024)
# Imports a person may start in an hour (one at a time per record in any case), and how long
# an import may go without writing before it counts as abandoned (its rows are discarded).
CARNET_IMPORTS_PER_HOUR = envint("CARNET_IMPORTS_PER_HOUR", 20)
CARNET_IMPORT_LEASE_SECONDS = envint("CARNET_IMPORT_LEASE_SECONDS", 120)
CARNET_MAX_DOCUMENT_BYTES = envint("CARNET_MAX_DOCUMENT_BYTES", 15 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"carnet": {"level": "INFO"}},
}
# No health data in any log (issue 13): libraries that echo their input are switched off at
# every level (no record is even made): xhtml2pdf logs the whole HTML of a PDF at DEBUG
# (the emergency card: name, birth date, allergies…) and quotes it in its warnings;
# html5lib, reportlab, fontTools, PIL and pypdf quote the document they read. Carnet's
# own loggers never take record content (tests/test_no_health_data_in_logs.py).
SILENT_LOGGERS = (
    "xhtml2pdf",
    "html5lib",
    "reportlab",
    "fontTools",
    "PIL",
    "pypdf",
    "svglib",
    "weasyprint",
    "cssselect2",
    "tinycss2",
    "lxml",
    "pydantic",
    "fhir",
    "fhir_core",
    "multipart",
)
LOGGING["handlers"]["null"] = {"class": "logging.NullHandler"}
for _name in SILENT_LOGGERS:
    LOGGING["loggers"][_name] = {"handlers": ["null"], "level": 100, "propagate": False}
# Security: every log line carries the request's correlation id (carnet.web.security).
LOGGING["filters"] = {"request_id": {"()": "carnet.web.security.RequestIdFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
LOGGING["formatters"]["plain"]["format"] = (
    "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"
)

# --- Notifications (carnet.notify) ---------------------------------------------------------
# Owned by carnet.notify; the variables are described in this module's docstring.
CARNET_SITE_URL = os.environ.get("CARNET_SITE_URL", "http://localhost:8000").rstrip("/")
CARNET_SMS_BACKEND = os.environ.get("CARNET_SMS_BACKEND", "console")
CARNET_SMS_URL = os.environ.get("CARNET_SMS_URL", "")
CARNET_SMS_KEY = envsecret("CARNET_SMS_KEY")
CARNET_SMS_SENDER = os.environ.get("CARNET_SMS_SENDER", "Carnet")
CARNET_SMS_FILE = Path(os.environ.get("CARNET_SMS_FILE") or DATA_DIR / "sms.jsonl")
CARNET_SMS_TIMEOUT = envint("CARNET_SMS_TIMEOUT", 10)
CARNET_SMS_INBOUND_SECRET = envsecret("CARNET_SMS_INBOUND_SECRET")
CARNET_SMS_INBOUND_MAX_AGE = envint("CARNET_SMS_INBOUND_MAX_AGE", 300)
CARNET_WEBPUSH_KEY_FILE = os.environ.get("CARNET_WEBPUSH_KEY_FILE") or None
CARNET_WEBPUSH_SUBJECT = os.environ.get("CARNET_WEBPUSH_SUBJECT", "mailto:admin@carnet.localhost")
# Push services a browser subscription may point at (the worker posts to them).
CARNET_WEBPUSH_HOSTS = [
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "notify.windows.com",
    "push.apple.com",
]
CARNET_NOTIFY_LEASE = envint("CARNET_NOTIFY_LEASE", 300)
CARNET_NOTIFY_MAX_ATTEMPTS = envint("CARNET_NOTIFY_MAX_ATTEMPTS", 8)
CARNET_NOTIFY_RETRY_BASE = envint("CARNET_NOTIFY_RETRY_BASE", 60)
CARNET_NOTIFY_KICK = envbool("CARNET_NOTIFY_KICK", True)
# --- end of notifications ------------------------------------------------------------------

# The privacy budget of each researcher, in ε per calendar month (carnet.research.ledger).
CARNET_RESEARCH_BUDGET = float(os.environ.get("CARNET_RESEARCH_BUDGET", "5.0"))
# How many invented people who chose research and the epidemic watch `carnet demo` creates.
CARNET_DEMO_CONTRIBUTORS = int(os.environ.get("CARNET_DEMO_CONTRIBUTORS", "60"))
