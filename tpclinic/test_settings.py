"""Settings for the test suite: plain HTTP for the live server, a fast password hasher."""
import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "x" * 40)

from tpclinic.settings import *  # noqa: E402,F403
from tpclinic.settings import DATA_DIR, DATABASES  # noqa: E402

SECURE_COOKIES = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # live_server needs a file database shared between threads, not an in-memory one.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

# `client.force_login(user)` sessions count as having passed the second factor (accounts/testing.py);
# logging in through the login page still asks staff for their code.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.testing.ForceLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MFA_EXEMPT_BACKENDS = ["accounts.testing.ForceLoginBackend"]
# Browser tests empty the database after each test; the audit tables allow it only here.
AUDIT_ALLOW_FLUSH = True
# django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s ...); tests that need it turn it on.
OTP_TOTP_THROTTLE_FACTOR = 0

# A second connection to the test database stands in for a read replica (tpclinic/dbrouter.py);
# reads go to it only where a test turns REPLICA_READS on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
REPLICA_READS = False

# Every FHIR resource a test exports is checked against the R4 models (off in production for speed).
FHIR_VALIDATE_EXPORT = True

# Files the code stores through the storage API go to each test run's own temporary folder: the root
# conftest's `media_root` fixture sets MEDIA_ROOT when the session starts.
