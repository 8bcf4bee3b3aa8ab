"""The deployment checklist: `tpclinic check --deploy` is clean with production settings, and
every response carries the security headers (CSP, HSTS over HTTPS, no framing)."""
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = dict(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(64),
    ALLOWED_HOSTS=["tpi.example.org"],
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    AUTHENTICATION_BACKENDS=["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"],
    MFA_EXEMPT_BACKENDS=[],
    AUDIT_ALLOW_FLUSH=False,
    MFA_REQUIRED=True,
)


@pytest.fixture(autouse=True)
def no_async_unsafe(monkeypatch):
    """The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never does."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


@pytest.mark.django_db
def test_check_deploy_reports_nothing_under_production_settings():
    out, err = StringIO(), StringIO()
    with override_settings(**PRODUCTION):
        call_command("check", "--database", "default", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
    assert "System check identified no issues" in out.getvalue(), out.getvalue() + err.getvalue()
    assert err.getvalue() == ""


def test_check_deploy_warns_when_test_switches_leak_into_production():
    out, err = StringIO(), StringIO()
    with override_settings(**{**PRODUCTION, "MFA_REQUIRED": False, "AUDIT_ALLOW_FLUSH": True}):
        call_command("check", deploy=True, stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    assert "accounts.W001" in text and "audit.W001" in text


def test_the_real_settings_module_passes_check_deploy(tmp_path):
    """Not overridden values: tpclinic/settings.py as a clinic runs it, from the environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
                                                             "SECURE_HSTS_SECONDS", "MFA_REQUIRED", "DATABASE_URL",
                                                             "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_SETTINGS_MODULE="tpclinic.settings", SECRET_KEY=secrets.token_urlsafe(64),
               ALLOWED_HOSTS="tpi.example.org", TPCLINIC_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert "'unsafe-eval'" not in policy and "*" not in policy
    assert directives["script-src"].startswith("'self'")
    if settings.CSP_INLINE_SCRIPTS_PENDING:
        strict = response["Content-Security-Policy-Report-Only"]
        assert "script-src 'self';" in strict + ";"
    else:
        assert directives["script-src"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_hsts_and_https_redirect_in_production(client):
    with override_settings(**PRODUCTION, SECURE_PROXY_SSL_HEADER=None):
        plain = client.get("/login/", headers={"Host": "tpi.example.org"})
        assert plain.status_code == 301 and plain.url.startswith("https://")
        secure = client.get("/login/", secure=True, headers={"Host": "tpi.example.org"})
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)


def inline_scripts() -> list[str]:
    found = []
    for template in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        if INLINE_SCRIPT.search(template.read_text(encoding="utf-8")):
            found.append(str(template.relative_to(ROOT)))
    return sorted(found)


@pytest.mark.xfail(settings.CSP_INLINE_SCRIPTS_PENDING, strict=False,
                   reason="inline <script> blocks still to move to static files: see CSP_INLINE_SCRIPTS_PENDING")
def test_no_template_has_an_inline_script():
    """The policy's target is script-src 'self': every script in a static file."""
    assert inline_scripts() == []
