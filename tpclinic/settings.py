"""Settings read from the environment, with safe production defaults.

DEBUG is off unless DEBUG=1; the database is the embedded SQLite file in var/ unless
DATABASE_URL names another (e.g. postgres://user:pass@host:5432/tpclinic). Without SECRET_KEY a
random key is created once per installation and kept in var/secret_key.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from jwcrypto import jwk

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("TPCLINIC_DATA_DIR", BASE_DIR / "var"))
if not DATA_DIR.exists() or DATA_DIR == BASE_DIR / "var":
    # The database and the secret key live here: the server's user only (mkdir obeys the umask, and
    # var/ of an older version was made 0755). A directory the clinic chose keeps the modes it has.
    DATA_DIR.mkdir(parents=True, mode=0o700, exist_ok=True)
    DATA_DIR.chmod(0o700)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Created 0600 from the start (never readable by others, not even for a moment).
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()


def _oidc_private_key() -> str:
    """The RSA key that signs SMART id_tokens (RS256): OIDC_RSA_PRIVATE_KEY (PEM), else made once per
    installation and kept in var/oidc_rsa_key.pem (0600), like the secret key. Its public half is the JWKS."""
    if os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return os.environ["OIDC_RSA_PRIVATE_KEY"]
    key_file = DATA_DIR / "oidc_rsa_key.pem"
    if not key_file.exists():
        pem = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
    return key_file.read_text()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tpclinic",
    "accounts",
    "anatomy",
    "patients",
    "charting",
    "treatment",
    "referral",
    "safety",
    "library",
    "directory",
    "interop",
    "portal",
    "analytics",
    # Security, audit and data safety (docs/permissions.md): TOTP for staff, login lockout, CSP.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "audit",
    # The task queue (reminders, bulk exports): Django's Tasks API with its database backend.
    "django_tasks",
    "django_tasks_db",
    # Appointments, clinic hours, reminders (issue 14).
    "scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tpclinic.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tpclinic.middleware.RecordLanguageMiddleware",  # a signed-in patient's record sets the language
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.SessionLifetimeMiddleware",  # SESSION_MAX_AGE_HOURS after login, the session ends
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # API tokens on /api/ and /fhir/ (the one place a token is judged), before the second-factor hold.
    "interop.auth.TokenMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    "audit.middleware.AuditMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tpclinic.urls"
WSGI_APPLICATION = "tpclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tpclinic.context_processors.language_offer",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tpclinic.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
# A read replica for read-heavy work (analytics, exports): tpclinic/dbrouter.py. Writes, and reads
# outside `reading_from_replica()`, always go to the primary.
DATABASE_ROUTERS = ["tpclinic.dbrouter.ReplicaRouter"]
REPLICA_READS = bool(os.environ.get("DATABASE_REPLICA_URL"))
if REPLICA_READS:
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a reader chose is kept a year (Django's default is until the browser closes).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the finders until collectstatic fills it
# Uploaded and generated files (ultrasound stills, PDFs, bulk exports) go through Django's storage
# API: on this machine's disk by default, or in an S3-compatible object store so that several app
# servers share them (FILE_STORAGE=s3 and the AWS_* variables of django-storages: bucket, endpoint
# URL, keys). Nothing else is kept on an app server's disk. docs/deploy.md.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "files"))
MEDIA_URL = "files/"
_FILE_STORAGES = {
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "s3": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
    }},
}
FILE_STORAGE = os.environ.get("FILE_STORAGE", "local")
if FILE_STORAGE not in _FILE_STORAGES:
    raise ValueError(f"FILE_STORAGE must be one of {', '.join(_FILE_STORAGES)}, not {FILE_STORAGE!r}")
STORAGES = {
    "default": _FILE_STORAGES[FILE_STORAGE],
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Deployment hardening; the demo server (`make run`) sets DEBUG=1 and serves plain HTTP.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(15 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However active, a session ends this many hours after its login (accounts/sessions.py).
SESSION_MAX_AGE_HOURS = int(os.environ.get("SESSION_MAX_AGE_HOURS", "12"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Security, audit and data safety (docs/permissions.md) -------------------------------------
# The client's address as audited and as counted for login lockout (audit/net.py): taken from the
# right end of X-Forwarded-For, past the proxies we run. TRUSTED_PROXY_COUNT is how many sit in
# front (1 with BEHIND_TLS_PROXY=1, else 0: the header is ignored); or TRUSTED_PROXIES lists their
# addresses or networks (e.g. "10.0.0.0/8,127.0.0.1"). The left end is written by the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or (1 if env_bool("BEHIND_TLS_PROXY", False) else 0))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# Multi-factor authentication: staff (clinician, nurse, front desk, administrator, and anyone who
# can open the admin site) confirm each login with a TOTP code; patients use a password only.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
MFA_EXEMPT_BACKENDS: list[str] = []  # test settings only: sessions made by force_login
OTP_TOTP_ISSUER = os.environ.get("MFA_ISSUER", "tpclinic")
OTP_TOTP_THROTTLE_FACTOR = 1

# Login throttling: 5 failures (password or code) for one username from one address lock that
# pair out for 15 minutes, and LOGIN_USERNAME_FAILURE_LIMIT (20) failures for one username from
# any addresses lock the username (accounts/lockout.py). Only a completed login (password and,
# for staff, the code) clears the count of its address: a correct password alone does not.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_USERNAME_FAILURE_LIMIT = int(os.environ.get("LOGIN_USERNAME_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "audit.net.client_ip"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# Content security policy. Scripts come from our own static files only; styles also allow inline
# style attributes (the templates use a few). No eval: htmx is used without hx-on or js: values.
# TRANSITIONAL: 'unsafe-inline' stays in script-src until the last two inline <script> blocks
# move to static files (charting/trigger_point_form.html, library/article_print.html); the
# report-only policy below is the target and browsers report what it would block.
_CSP_STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_INLINE_SCRIPTS_PENDING = False
_CSP_SCRIPTS = ["'self'"] + (["'unsafe-inline'"] if CSP_INLINE_SCRIPTS_PENDING else [])
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**_CSP_STRICT, "script-src": _CSP_SCRIPTS}}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_STRICT} if CSP_INLINE_SCRIPTS_PENDING else None

# The task queue. By default tasks wait in the database and `tpclinic db_worker` runs them (`make
# run` starts one beside the server); with several workers under load, TASKS_BACKEND can name
# another backend of the Django Tasks API, e.g. django_tasks_rq.RQBackend with a Redis server.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],  # any queue name: each feature names its own (e.g. "reminders", "exports")
    }
}

# E-mail (password reset links): Django's e-mail backend. The demo (DEBUG=1) prints messages on the
# console; a clinic sets EMAIL_HOST and friends (SMTP), or EMAIL_BACKEND to another backend.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tpclinic <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_HOURS", "24")) * 3600

# API tokens (`tpclinic api_token USERNAME [--rotate]`) work for this many days.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))

# Backups (`tpclinic backup`) go here unless --out names a file.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", DATA_DIR / "backups"))
# Key of the audit trail's hash chain (audit/chain.py); empty: derived from SECRET_KEY. Keep it when
# rotating SECRET_KEY, or older audit rows no longer verify (`tpclinic audit_verify`).
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The default SMS backend "sends" by writing here (scheduling.sms.LogBackend).
    "loggers": {"tpclinic.sms": {"level": "INFO"}},
}

# Appointment reminders (scheduling): e-mail through Django's e-mail backend (settings above), SMS
# through a pluggable backend (the default writes to the log). SITE_URL makes the portal link in a reminder.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# This installation's own MRN namespace (FHIR Identifier.system): an imported Patient without an MRN here
# gets one in it, and an identifier in it is matched to the local MRN (interop/README.md, import).
MRN_SYSTEM = os.environ.get("MRN_SYSTEM", SITE_URL.rstrip("/") + "/mrn")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "scheduling.sms.LogBackend")
REMINDER_RETRY_SECONDS = int(os.environ.get("REMINDER_RETRY_SECONDS", "600"))

# SMART on FHIR: django-oauth-toolkit is the authorisation server (interop/smart.py adds SMART's scopes and
# launch context). PKCE with S256 is required of every client; refresh tokens only with offline_access.
INSTALLED_APPS += ["oauth2_provider"]
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    # https only (RFC 9700); the demo server (DEBUG) also takes http, for apps tried out on this machine.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],  # http: loopback callbacks of native apps only (below)
    "SCOPES_BACKEND_CLASS": "interop.smart.SmartScopes",
    "OAUTH2_VALIDATOR_CLASS": "interop.smart.SmartValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 90 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    # RFC 9700 (OAuth 2.0 Security BCP), enforced rather than merely warned about: no implicit or
    # password grant, PKCE S256 only, tokens never in a URL query, the RFC 9207 `iss` in the
    # authorisation response, tokens stored only as hashes, a replayed refresh token revokes its
    # whole family, and the config gates below make a relapse an error under `check --deploy`.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    # OpenID Connect for SMART's `openid fhirUser`: an RS256 id_token whose fhirUser names the Practitioner
    # or Patient (interop.smart.SmartValidator); the public key is served at /oauth/jwks.
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
}
# 'http' stays in ALLOWED_REDIRECT_URI_SCHEMES only for native apps' loopback callbacks (RFC 8252
# §7.3, http://127.0.0.1 or [::1] on any port); `smart_client` refuses any other http redirect URI
# (interop.smart.redirect_uri_problem). The toolkit's check cannot tell loopback from the rest, so
# its warning about 'http' (W008) is silenced here, for that reason only.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]
# CORS for browser SMART apps, first so a preflight is answered before anything else (interop/cors.py).
MIDDLEWARE = ["interop.cors.SmartCorsMiddleware", *MIDDLEWARE]

# Decision support: which referral model ranks pain drawings on the web pages. "textbook" (the
# default) or "clinic": the clinic's learned model (`tpclinic referral_learn`), when one is stored.
REFERRAL_MODEL = os.environ.get("REFERRAL_MODEL", "textbook")

# FHIR export checks every resource against fhir.resources' R4 models only when this is on: the
# check costs about 1 ms a resource, twenty times the building, so production leaves it off and the
# test suite (tpclinic/test_settings.py) turns it on (interop/fhir_export.py says why).
FHIR_VALIDATE_EXPORT = os.environ.get("FHIR_VALIDATE_EXPORT", "0") == "1"
