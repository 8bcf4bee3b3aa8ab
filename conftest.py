"""Shared fixtures: staff of each role, a patient, and a real Chromium for browser tests."""
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from accounts.models import Role, StaffProfile

PASSWORD = "correct-horse-battery"


def make_staff(django_user_model, username, role, interval=14, first="Test", last=None):
    user = django_user_model.objects.create_user(
        username, password=PASSWORD, first_name=first, last_name=last or username.title(),
    )
    StaffProfile.objects.create(user=user, role=role, preferred_interval_days=interval)
    from accounts.testing import confirmed_device

    confirmed_device(user)  # staff confirm logins with a TOTP code; log_in() enters it
    return user


@pytest.fixture
def clinician(django_user_model):
    return make_staff(django_user_model, "clinician", Role.CLINICIAN, first="Alice", last="Ward")


@pytest.fixture
def nurse(django_user_model):
    return make_staff(django_user_model, "nurse", Role.NURSE)


@pytest.fixture
def front_desk(django_user_model):
    return make_staff(django_user_model, "desk", Role.FRONT_DESK)


@pytest.fixture
def administrator(django_user_model):
    return make_staff(django_user_model, "administrator", Role.ADMIN, first="Jordan", last="Baker")


@pytest.fixture
def patient(db):
    from patients.models import Patient

    return Patient.objects.create(
        mrn="TP0001", given_name="Maria", family_name="Lopez", birth_date=date(1980, 5, 17), sex="female",
        height_cm=165, weight_kg=68, preferred_language="es",
    )


@pytest.fixture
def trigger_points(patient):
    """Two charted points of `patient` in two areas: left upper trapezius (angle of the neck) and
    right gluteus medius (outer hip)."""
    from django.utils import timezone

    from charting.models import TriggerPoint

    today = timezone.localdate()
    return [
        TriggerPoint.objects.create(patient=patient, muscle="upper-trapezius", side="left", region="neck.angle",
                                    region_side="left", view="back", map_x=100, map_y=100, found_on=today),
        TriggerPoint.objects.create(patient=patient, muscle="gluteus-medius", side="right", region="hip.lateral",
                                    region_side="right", view="back", map_x=150, map_y=260, found_on=today),
    ]


@pytest.fixture
def clinician_client(client, clinician):
    client.force_login(clinician)
    return client


# Browser tests: Debian's Chromium driven by Playwright (never Playwright's own browser download).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def close_language_dialog(page):
    """A first visit to any page offers the language dialog; close it (keep English), as Esc does."""
    if page.locator("#language-dialog[open]").count():
        page.keyboard.press("Escape")


def log_in(page, username, password=PASSWORD):
    """Log in through the real pages: password, then (staff) the current code of their authenticator."""
    page.goto("/login/")
    close_language_dialog(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/account/code/" in page.url or "/account/enrol/" in page.url:
        from django.contrib.auth import get_user_model

        from accounts.testing import confirmed_device, next_code

        user = get_user_model().objects.get(username=username)
        if "/account/enrol/" in page.url:  # staff made without make_staff: enrol the key shown on the page
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
        else:
            device = confirmed_device(user)
        page.get_by_label("Authentication code").fill(next_code(device))
        page.get_by_role("button", name="Verify" if "/account/code/" in page.url else "Confirm").click()
        page.wait_for_load_state()


ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True, scope="session")
def compiled_translations():
    """Compile any translation catalog whose .mo is missing or stale, so running part of the suite
    (`pytest library`) sees the same translations as `make test`, which compiles them first."""
    msgfmt = shutil.which("msgfmt")
    changed = False
    for po in ROOT.glob("**/locale/*/LC_MESSAGES/django.po"):
        if ".venv" in po.parts:
            continue
        mo = po.with_suffix(".mo")
        if msgfmt and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
            changed = True
    if changed:
        from asgiref.local import Local
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture(autouse=True, scope="session")
def media_root(tmp_path_factory):
    """Files the code stores through the storage API (procedure note PDFs, stills, exports) go to this
    run's own temporary folder, never to the installation's MEDIA_ROOT nor to one left by an earlier run
    (pytest keeps the last few runs' folders and removes older ones). Tests that look at files still
    set their own (tmp_path)."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def default_language():
    """A request in Spanish leaves Spanish active in the test's thread (the locale middleware
    activates it and nothing deactivates it); start every test from the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def run_queued_tasks() -> int:
    """Run every task waiting in the database queue, as `tpclinic db_worker` would, then return
    how many ran. Tests that enqueue work call this (or the `task_worker` fixture) to play the
    worker's part in the same process, on the test database."""
    from unittest import mock

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.exclude(status="READY").count()
    # The real worker loop, except that it may not recycle the database connection: inside a
    # test's transaction that would close the connection the test is using.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*",
                     "--interval", "0", verbosity=0)
    return DBTaskResult.objects.exclude(status="READY").count() - before


@pytest.fixture
def task_worker(db):
    """The task worker, run on demand: `task_worker()` runs what is queued and returns the count."""
    return run_queued_tasks


def make_appointment(course, *, days_ahead: int = 3, at=None, minutes: int = 30, **fields):
    """An appointment of `course` (status booked) `days_ahead` days from today at `at` (10:00)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from scheduling.models import Appointment

    start = datetime.combine(timezone.localdate() + timedelta(days=days_ahead), at or time(10, 0),
                             timezone.get_current_timezone())
    fields.setdefault("booked_by", course.clinician)
    return Appointment.objects.create(patient=course.patient, course=course, clinician=course.clinician, start=start,
                                      minutes=minutes, **fields)

@pytest.fixture
def covering_clinician(django_user_model):
    """A second clinician (Dr Okafor), for sessions that belong to someone else."""
    return make_staff(django_user_model, "okafor", Role.CLINICIAN, first="Chidi", last="Okafor")

class Inbox:
    """What a local SMTP server received: parsed messages; addresses in `refuse` bounce (550)."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback for the test; Django's SMTP backend sends to it.
    Yields the Inbox; `inbox.messages` are the e-mails that arrived."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def assert_accessible(page):
    """axe-core (bundled by axe-playwright-python) on the page as it stands: no serious or critical
    violation of the WCAG rules it checks."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in violations if v["impact"] in {"serious", "critical"}]
    assert not serious, f"{page.url}: " + "; ".join(serious)


def make_signed_sessions(course, trigger_point, count: int):
    """`count` signed sessions of `course`, two weeks apart and ending yesterday, each with two injections
    at `trigger_point` (one a mixture with lot numbers), a kept risk screen and an adverse event: the rows
    a chart, course or session page shows, for tests that compare a page's cost at two sizes."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from safety.models import AdverseEvent
    from treatment.models import Injection, InjectionAgent, Session

    def first(name):
        return AdverseEvent._meta.get_field(name).choices[0][0]

    now = timezone.now()
    sessions = []
    for index in range(count):
        at = now - timedelta(days=1 + 14 * (count - 1 - index))
        session = Session.objects.create(
            course=course, clinician=course.clinician, performed_at=at, pain_before=7, pain_after=3,
            immediate_relief_pct=50, consent_recorded=True, status=Session.Status.SIGNED, signed_at=at,
            signed_by=course.clinician, screen_snapshot={"findings": []}, cpt_codes="20552")
        plain = Injection.objects.create(session=session, trigger_point=trigger_point, lot_number="L1",
                                         lot_expiry=at.date() + timedelta(days=300))
        mixed = Injection.objects.create(session=session, trigger_point=trigger_point)
        InjectionAgent.objects.create(injection=mixed, agent="bupivacaine", concentration_pct=Decimal("0.25"),
                                      volume_ml=Decimal("1"), lot_number="B2")
        AdverseEvent.objects.create(session=session, injection=plain, kind=first("kind"), onset_at=at,
                                    severity=first("severity"), action="pressure", recorded_by=course.clinician,
                                    recorded_at=at)
        sessions.append(session)
    return sessions
