"""Past one machine: two app servers and two task workers against one PostgreSQL database.

`python -m benchmarks.cluster` (also run by `make bench`) builds a small synthetic clinic in a
PostgreSQL database of its own, starts two gunicorn servers on two loopback ports and two
`tpclinic db_worker` processes, then at the same time:

- signs every prepared draft session through BOTH servers at once (real HTTP: each clinician logs
  in with password and authenticator code on server A, and the same session cookie is used on
  server B, which also shows that login sessions live in the database, not in a server);
- runs a FHIR bulk `$export`, kicked off and polled through server A and fetched through server B;
- runs the reminder scan (`tpclinic send_reminders`) from both "servers" at once, twice, while
  both workers send the queued reminders to a local SMTP server;

and then checks that nothing was lost or done twice: every draft signed exactly once (one signing
POST of each pair won, the other was refused and audited; version moved by one; one sign event,
one procedure note), every due reminder sent exactly once, the export complete (every file has
the lines its manifest says, every patient is in it), no answer was a 5xx, every task finished,
and `tpclinic audit_verify` passes. Prints one JSON object on stdout and, run alone, writes its
section of docs/benchmarks.md. Exit status 1 when a check fails.

Environment: BENCH_CLUSTER_PG_URL (default database tpclinic_cluster on the local cluster),
BENCH_CLUSTER_PATIENTS (default 600), BENCH_CLUSTER_DRAFTS (default 200).
"""
from __future__ import annotations

import argparse
import email
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import policy
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchmarks import postgres, report
from benchmarks.loadgen import _check_loopback, percentile
from benchmarks.web import HOST, free_port, server_env

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://tpclinic:tpclinic@127.0.0.1:5432/tpclinic_cluster"
PASSWORD = "cluster-bench-password-1"
SECTION_START = "<!-- cluster benchmark: written by benchmarks/cluster.py -->"
SECTION_END = "<!-- /cluster benchmark -->"


def say(message: str) -> None:
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


# --- HTTP: a logged-in browser, as far as the server can tell ----------------------------------

class Browser:
    """Cookies of one logged-in user, shared by every connection (and both servers) it opens."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.times: dict[str, list[float]] = {}

    def cookie_header(self) -> str:
        with self.lock:
            return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, port: int, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        _check_loopback(HOST)
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        started = time.perf_counter()
        try:
            sent = {"Host": HOST, "Cookie": self.cookie_header(), **(headers or {})}
            body = None
            if form is not None:
                body = urlencode(form)
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                with self.lock:
                    for name, morsel in jar.items():
                        self.cookies[name] = morsel.value
            with self.lock:
                self.statuses[response.status] += 1
                self.times.setdefault(method, []).append(time.perf_counter() - started)
            return response.status, dict(response.headers), data
        finally:
            connection.close()


def _csrf(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1).decode()


def log_in(port: int, username: str) -> Browser:
    """Password, then the authenticator's current code, through the real login pages."""
    from django.contrib.auth import get_user_model

    from accounts.testing import confirmed_device, next_code

    browser = Browser()
    _, _, page = browser.request(port, "GET", "/login/")
    status, headers, _ = browser.request(port, "POST", "/login/", {
        "csrfmiddlewaretoken": _csrf(page), "username": username, "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"{username}: the password step answered {status}")
    status, _, page = browser.request(port, "GET", "/account/code/")
    if status != 200:
        raise RuntimeError(f"{username}: the code page answered {status}")
    device = confirmed_device(get_user_model().objects.get(username=username))
    status, headers, _ = browser.request(port, "POST", "/account/code/", {
        "csrfmiddlewaretoken": _csrf(page), "otp_token": next_code(device)})
    if status != 302:
        raise RuntimeError(f"{username}: the code step answered {status}")
    if browser.request(port, "GET", "/patients/")[0] != 200:
        raise RuntimeError(f"{username}: not logged in after both steps")
    return browser


# --- The clinic ---------------------------------------------------------------------------------

def build(patients: int, drafts: int) -> dict:
    """A synthetic clinic, its clinicians able to log in, drafts ready to sign, reminders due."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.testing import confirmed_device
    from scheduling.models import Appointment, ClinicSettings, ReminderChoice
    from treatment import workflow
    from treatment.models import Course, Injection, Session

    call_command("migrate", verbosity=0, interactive=False)
    say(f"synth {patients} patients")
    call_command("synth", patients=patients, seed=7, no_refresh=True, verbosity=0, stdout=sys.stderr)
    User = get_user_model()
    clinicians = list(User.objects.filter(username__startswith="synth.", staff_profile__role="clinician"))
    for user in clinicians:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        confirmed_device(user)

    # Drafts: the next session of open courses whose last session was two days or more ago, with the
    # last session's injections repeated (as "repeat last session" does), performed an hour ago.
    now = timezone.now()
    prepared, skipped = [], 0
    courses = Course.objects.filter(status=Course.Status.ACTIVE, sessions_done__gte=1).order_by("id")
    for course in courses.iterator():
        if len(prepared) >= drafts:
            break
        last = course.sessions.filter(status=Session.Status.SIGNED).order_by("-performed_at").first()
        if last is None or (now - last.performed_at).days < 2:
            continue
        with transaction.atomic():
            draft = Session.objects.create(course=course, clinician=course.clinician, performed_at=now - timezone.timedelta(hours=1),
                                           pain_before=max(0, (last.pain_before or 5) - 1), pain_after=2,
                                           consent_recorded=True)
            for injection in last.injections.all():
                injection.pk, injection.session, injection.lot_number, injection.lot_expiry = None, draft, "", None
                injection.ultrasound_image = ""
                injection.save()
            if draft.sign_problems() or not workflow.check(draft).can_sign:
                transaction.set_rollback(True)
                skipped += 1
                continue
        prepared.append({"id": draft.pk, "course": course.pk, "clinician": course.clinician.username,
                         "version": draft.version})

    # Reminders: every booked appointment of the next 30 days, to patients who chose e-mail.
    ClinicSettings.objects.update_or_create(pk=ClinicSettings.current().pk, defaults={"reminder_days_before": 30})
    upcoming = Appointment.objects.filter(status=Appointment.Status.BOOKED, reminder_status="", start__gt=now,
                                          start__lte=now + timezone.timedelta(days=30))
    for patient_id in upcoming.values_list("patient_id", flat=True).distinct():
        ReminderChoice.objects.update_or_create(patient_id=patient_id, defaults={
            "channel": ReminderChoice.Channel.EMAIL, "email": f"patient{patient_id}@example.org"})
    due = sorted(upcoming.values_list("pk", flat=True))
    return {"drafts": prepared, "skipped_drafts": skipped, "due_reminders": due,
            "clinicians": [u.username for u in clinicians], "patients": patients,
            "sessions": Session.objects.count(), "injections": Injection.objects.count()}


# --- Processes ----------------------------------------------------------------------------------

def process_env(smtp_port: int) -> dict:
    """The page benchmark's server settings, with e-mail going to the local SMTP server."""
    return {**server_env(), "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "0",
            "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}


def start_server(port: int, env: dict) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "tpclinic.wsgi:application", "--bind", f"{HOST}:{port}",
               "--workers", "2", "--timeout", "120", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)


def start_worker(env: dict) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "tpclinic"), "db_worker", "--no-reload", "--queue-name", "*",
               "--interval", "0.5"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)


def wait_ready(port: int, process: subprocess.Popen) -> None:
    browser = Browser()
    for _ in range(600):
        try:
            if browser.request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 120 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


class Inbox:
    """The local SMTP server's mailbox: appointment ids of the reminders that arrived."""

    def __init__(self):
        self.appointments: list[int] = []
        self.last_at = 0.0  # perf_counter of the last reminder's arrival
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        for part in message.iter_attachments():
            found = re.fullmatch(r"appointment-(\d+)\.ics", part.get_filename() or "")
            if found:
                with self.lock:
                    self.appointments.append(int(found.group(1)))
                    self.last_at = time.perf_counter()
        return "250 Message accepted for delivery"


# --- The concurrent work ------------------------------------------------------------------------

def sign_all(ports: list[int], browsers: dict, drafts: list[dict], threads: int) -> dict:
    """Each draft: read it through one server, then POST its signing through both servers at once."""
    outcomes: dict[int, list[str]] = {}
    lock = threading.Lock()
    queue = list(enumerate(drafts))

    def post(browser, port, draft, form, barrier, results):
        barrier.wait()
        status, headers, _ = browser.request(port, "POST", f"/courses/sessions/{draft['id']}/sign/", form)
        location = headers.get("Location", "")
        if status == 302 and location.rstrip("/").endswith(f"/courses/{draft['course']}"):
            results.append("signed")
        elif status == 302:
            results.append("refused")
        else:
            results.append(f"status {status}")

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                index, draft = queue.pop()
            browser = browsers[draft["clinician"]]
            first = ports[index % 2]
            status, _, page = browser.request(first, "GET", f"/courses/sessions/{draft['id']}/")
            version = re.search(rb'name="version" value="(\d+)"', page) if status == 200 else None
            if version is None:
                with lock:
                    outcomes[draft["id"]] = [f"read answered {status}"]
                continue
            form = {"csrfmiddlewaretoken": _csrf(page), "version": version.group(1).decode()}
            barrier, results = threading.Barrier(2), []
            racers = [threading.Thread(target=post, args=(browser, port, draft, form, barrier, results))
                      for port in ports]
            for racer in racers:
                racer.start()
            for racer in racers:
                racer.join()
            with lock:
                outcomes[draft["id"]] = results

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return {"outcomes": outcomes, "seconds": time.perf_counter() - started}


def export_through_two(ports: list[int], browser: Browser, deadline_s: float = 1800) -> dict:
    """Kick off and poll on server A; fetch every file through server B."""
    started = time.perf_counter()
    headers = {"Prefer": "respond-async", "Accept": "application/fhir+json"}
    status, answer, _ = browser.request(ports[0], "GET", "/fhir/$export", headers=headers)
    if status != 202:
        return {"error": f"kick-off answered {status}"}
    status_path = urlsplit(answer["Content-Location"]).path
    polls = 0
    while time.perf_counter() - started < deadline_s:
        status, _, body = browser.request(ports[0], "GET", status_path)
        polls += 1
        if status == 200:
            break
        if status != 202:
            return {"error": f"status answered {status}"}
        time.sleep(1)
    else:
        return {"error": "not finished before the deadline"}
    done_s = time.perf_counter() - started
    manifest = json.loads(body)
    files = {}
    for item in manifest["output"]:
        status, _, data = browser.request(ports[1], "GET", urlsplit(item["url"]).path)
        lines = [json.loads(line) for line in data.splitlines() if line.strip()]
        files[item["type"]] = {"manifest": item["count"], "lines": len(lines), "status": status,
                               "unique_ids": len({line.get("id") for line in lines}),
                               "patient_ids": sorted({line["id"] for line in lines}) if item["type"] == "Patient" else None}
    return {"seconds": done_s, "polls": polls, "files": files,
            "resources": sum(f["lines"] for f in files.values())}


def remind_from_both(env: dict, rounds: int = 2) -> dict:
    """`tpclinic send_reminders` from both app servers at once, `rounds` times."""
    queued = []
    started = time.perf_counter()
    for _ in range(rounds):
        runs = [subprocess.Popen([str(ROOT / ".venv" / "bin" / "tpclinic"), "send_reminders"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, text=True) for _ in range(2)]
        for run in runs:
            out, _ = run.communicate(timeout=600)
            found = re.search(r"(\d+) reminder", out or "")
            queued.append(int(found.group(1)) if found else -1)
    return {"queued_per_run": queued, "started": started}


def wait_for_queue(deadline_s: float = 1800) -> dict:
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        close_old_connections()
        counts = Counter(DBTaskResult.objects.values_list("status", flat=True))
        if not counts.get("READY") and not counts.get("RUNNING"):
            return dict(counts)
        time.sleep(0.5)
    return {"error": "the queue did not drain before the deadline"}


# --- Checks -------------------------------------------------------------------------------------

def check(clinic: dict, signing: dict, export: dict, inbox: Inbox, statuses: Counter, queue: dict) -> dict:
    from django.db import close_old_connections

    from audit.models import Action, AuditEvent
    from patients.models import Patient
    from scheduling.models import Appointment
    from treatment.models import Session
    from treatment.note_models import ProcedureNote

    close_old_connections()
    ids = [d["id"] for d in clinic["drafts"]]
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=ids)}
    # treatment/signing.py records both on the session itself (object_type is the model's label).
    events = AuditEvent.objects.filter(object_type=Session._meta.label_lower, object_id__in=[str(i) for i in ids])
    sign_events = Counter(events.filter(action=Action.SIGN).values_list("object_id", flat=True))
    refusals = events.filter(action=Action.REFUSED).count()
    notes = Counter(ProcedureNote.objects.filter(session_id__in=ids).values_list("session_id", flat=True))
    wins = {pk: results.count("signed") for pk, results in signing["outcomes"].items()}
    losses = sum(results.count("refused") for results in signing["outcomes"].values())
    problems = {
        "drafts not signed": [pk for pk in ids if sessions[pk].status != Session.Status.SIGNED],
        "drafts without exactly one winning POST": [pk for pk in ids if wins.get(pk) != 1],
        "versions not moved by exactly one": [d["id"] for d in clinic["drafts"]
                                             if sessions[d["id"]].version != d["version"] + 1],
        "sign events not exactly one": [pk for pk in ids if sign_events.get(str(pk)) != 1],
        "procedure notes not exactly one": [pk for pk in ids if notes.get(pk) != 1],
    }
    sent = Counter(inbox.appointments)
    due = clinic["due_reminders"]
    reminders = Appointment.objects.filter(pk__in=due)
    problems.update({
        "reminders not sent": [pk for pk in due if sent.get(pk, 0) == 0],
        "reminders sent more than once": [pk for pk, n in sent.items() if n > 1],
        "reminders sent that were not due": [pk for pk in sent if pk not in set(due)],
        "appointments not marked sent": list(reminders.exclude(reminder_status="sent").values_list("pk", flat=True)),
    })
    patients = sorted(str(pk) for pk in Patient.objects.values_list("pk", flat=True))
    files = export.get("files", {})
    problems.update({
        "export error": [export["error"]] if "error" in export else [],
        "export files short of their manifest": [t for t, f in files.items() if f["lines"] != f["manifest"] or f["status"] != 200],
        "export files with a repeated id": [t for t, f in files.items() if f["unique_ids"] != f["lines"]],
        "patients missing from the export": [] if files.get("Patient", {}).get("patient_ids") == patients else ["Patient"],
        "5xx answers": [f"{status}: {n}" for status, n in statuses.items() if status >= 500],
        "tasks not succeeded": [f"{status}: {n}" for status, n in queue.items() if status != "SUCCESSFUL"],
    })
    verify = subprocess.run([str(ROOT / ".venv" / "bin" / "tpclinic"), "audit_verify"], cwd=ROOT,
                            env=os.environ, capture_output=True, text=True)
    problems["audit chain"] = [] if verify.returncode == 0 else [(verify.stderr or verify.stdout).strip()[-300:]]
    return {
        "problems": {name: found[:10] for name, found in problems.items() if found},
        "signed": sum(1 for pk in ids if sessions[pk].status == Session.Status.SIGNED),
        "losing_posts": losses, "refusals_audited": refusals,
        "reminders_due": len(due), "reminders_sent": sum(sent.values()),
        "audit_verify": (verify.stdout or verify.stderr).strip(),
    }


# --- Report -------------------------------------------------------------------------------------

def section(result: dict) -> str:
    if "error" in result:
        return f"{SECTION_START}\n## Two app servers, two workers, one PostgreSQL\n\nNot measured: {result['error']}\n{SECTION_END}\n"
    c = result["checks"]
    passed = "**all checks passed**" if not c["problems"] else "**checks FAILED**: " + "; ".join(
        f"{name} ({', '.join(map(str, found))})" for name, found in c["problems"].items())
    s, e, r = result["signing"], result["export"], result["reminders"]
    # status: count, in status order (the JSON that benchmarks/run.py reads back has the statuses as strings)
    answers = ", ".join(f"{status} {n}" for status, n in sorted(result["statuses"].items(), key=lambda item: int(item[0])))
    lines = [
        SECTION_START,
        "## Two app servers, two workers, one PostgreSQL",
        "",
        f"`python -m benchmarks.cluster` on {result['date']} (load average {result['load']} at the start): a synthetic clinic "
        f"of {result['patients']:,} patients ({result['sessions']:,} sessions) in its own PostgreSQL database; two gunicorn "
        "servers (2 sync workers each) on two loopback ports and two `tpclinic db_worker` processes, all on this "
        "machine's 2 cores together with the load generator.",
        "",
        "| work | done | time | rate |",
        "|---|---|---|---|",
        f"| signing: {s['drafts']} drafts, each POSTed to both servers at the same moment by its clinician "
        f"({s['threads']} drafts at a time; real login with password and authenticator code on server A, the same "
        f"session cookie on server B) | {c['signed']} signed, {c['losing_posts']} losing POSTs refused "
        f"({c['refusals_audited']} refusals audited) | {s['seconds']:.1f} s | {s['per_second']:.1f} signatures/s "
        f"({s['requests_per_second']:.1f} requests/s) |",
        f"| FHIR bulk `$export` during the signing: kicked off and polled on A, files fetched from B "
        f"| {e.get('resources', 0):,} resources in {len(e.get('files', {}))} files | {e.get('seconds', 0):.1f} s "
        f"| {e.get('per_second', 0):,.0f} resources/s |",
        f"| reminders: `send_reminders` run from both servers at once, twice; both workers send "
        f"| {c['reminders_sent']} e-mails for {c['reminders_due']} due appointments (queued per run: "
        f"{', '.join(map(str, r['queued_per_run']))}) | {r['seconds']:.1f} s from the first scan to the last e-mail "
        f"(sharing the workers with the export) | {r['per_second']:.1f} reminders/s |",
        "",
        "Latency of the clinicians' requests during all this (ms): " + ", ".join(
            f"{method} p50 {v['p50']:,.0f}, p95 {v['p95']:,.0f}" for method, v in result.get("latency_ms", {}).items()) + ".",
        "",
        f"Checks: every draft signed exactly once (one winning POST per pair, version moved by one, one sign event, "
        f"one procedure note); every due reminder sent exactly once and marked sent; every export file has the "
        f"lines its manifest says, no id twice, every patient present; no 5xx answer (answers by status: {answers}); "
        f"every task finished; `tpclinic audit_verify`: {c['audit_verify'].rstrip('.')}. Result: {passed}.",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def write_section(result: dict, path: Path) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (or add it at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = section(result)
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def run(patients: int, drafts: int, threads: int) -> dict:
    from django.db import connection

    result = {"date": report.now(), "load": " ".join(f"{x:.2f}" for x in os.getloadavg()), "patients": patients}
    clinic = build(patients, drafts)
    result.update({k: clinic[k] for k in ("sessions", "skipped_drafts")})
    say(f"{len(clinic['drafts'])} drafts to sign, {len(clinic['due_reminders'])} reminders due")
    connection.close()

    from aiosmtpd.controller import Controller

    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname=HOST, port=smtp_port)
    smtp.start()
    env = process_env(smtp_port)
    ports = [free_port(), free_port()]
    processes = [start_server(port, env) for port in ports]
    processes += [start_worker(env), start_worker(env)]
    try:
        for port, process in zip(ports, processes):
            wait_ready(port, process)
        say(f"servers on {ports}, two workers")
        browsers = {name: log_in(ports[0], name) for name in clinic["clinicians"]}
        exporter = browsers[clinic["clinicians"][0]]

        export: dict = {}
        exporting = threading.Thread(target=lambda: export.update(export_through_two(ports, exporter)))
        reminding: dict = {}
        reminder_thread = threading.Thread(target=lambda: reminding.update(remind_from_both(env)))
        exporting.start()
        reminder_thread.start()
        say("signing through both servers, exporting, reminding")
        signing = sign_all(ports, browsers, clinic["drafts"], threads)
        reminder_thread.join()
        exporting.join()
        queue = wait_for_queue()
        time.sleep(1)  # the last message's SMTP conversation
        statuses, times = Counter(), {}
        for browser in browsers.values():
            statuses.update(browser.statuses)
            for method, values in browser.times.items():
                times.setdefault(method, []).extend(values)
        checks = check(clinic, signing, export, inbox, statuses, queue)
    finally:
        for process in processes:
            stop(process)
        smtp.stop()
    requests = sum(len(r) + 1 for r in signing["outcomes"].values())
    reminders_done = inbox.last_at or time.perf_counter()
    result.update({
        "signing": {"drafts": len(clinic["drafts"]), "threads": threads, "seconds": signing["seconds"],
                    "per_second": checks["signed"] / signing["seconds"], "requests_per_second": requests / signing["seconds"]},
        "export": {**{k: v for k, v in export.items() if k != "files"},
                   "files": {t: {k: v for k, v in f.items() if k != "patient_ids"} for t, f in export.get("files", {}).items()},
                   "per_second": export.get("resources", 0) / export["seconds"] if export.get("seconds") else 0},
        "reminders": {"queued_per_run": reminding.get("queued_per_run", []),
                      "seconds": reminders_done - reminding.get("started", reminders_done),
                      "per_second": checks["reminders_sent"] / max(0.001, reminders_done - reminding.get("started", reminders_done))},
        "statuses": {int(k): v for k, v in statuses.items()},
        "latency_ms": {method: {"p50": round(1000 * statistics.median(values), 1),
                                "p95": round(1000 * percentile(values, 0.95), 1)} for method, values in times.items()},
        "queue": queue, "checks": checks,
    })
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=int(os.environ.get("BENCH_CLUSTER_PATIENTS", "600")))
    parser.add_argument("--drafts", type=int, default=int(os.environ.get("BENCH_CLUSTER_DRAFTS", "200")))
    parser.add_argument("--threads", type=int, default=6, help="drafts signed at a time (two POSTs each)")
    parser.add_argument("--no-write", action="store_true", help="print the result only (make bench writes the docs)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_CLUSTER_PG_URL", PG_URL)
    problem = postgres.fresh_database(url)
    if problem:
        result = {"error": problem}
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="tpclinic-cluster-"))
        os.environ.update({"DATABASE_URL": url, "TPCLINIC_DATA_DIR": str(data_dir),
                           "SECRET_KEY": os.environ.get("SECRET_KEY") or "cluster-benchmark-only-" + "x" * 40,
                           "DJANGO_SETTINGS_MODULE": "tpclinic.settings"})
        import django

        django.setup()
        try:
            result = run(args.patients, args.drafts, args.threads)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    if not args.no_write:
        write_section(result, ROOT / "docs" / "benchmarks.md")
    print(json.dumps(result, default=str))
    if args.no_write:  # run by benchmarks/run.py, which writes the section and reads the checks from the JSON
        return 0
    return 0 if "error" not in result and not result["checks"]["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
