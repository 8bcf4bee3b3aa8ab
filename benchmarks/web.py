"""Build one synthetic clinic and measure its pages through a real server on loopback.

Run as a child process by benchmarks/run.py, once per database, because Django binds to one
database per process: `python -m benchmarks.web --patients N` with DATABASE_URL (or
TPCLINIC_DATA_DIR for SQLite) set. Prints one JSON object on stdout; progress goes to stderr.
`--existing` measures the clinic already in that database instead of building one, to try a change
quickly (e.g. after `tpclinic synth --patients 20000` once).

Before the server starts, each page is profiled in this process (`profile`): queries, and time in the
database, in templates and in Python, for docs/benchmarks.md's "Where each page's time goes".

The server is gunicorn with 2 sync workers (one per core) under production settings (DEBUG off,
whitenoise), except that HTTPS redirects are off because the client talks plain HTTP on
127.0.0.1. The client logs in by creating a real session in the database (with the second factor
marked done, as after a real login), then sends its cookie.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# Pages measured under load and profiled. The ceiling first: each page's requests per second are compared with
# it, measured in the same run.
THROUGHPUT_PAGES = ("healthz", "chart", "course", "session", "worklist")


def say(message: str) -> None:
    print(f"[bench {os.environ.get('BENCH_LABEL', '')}] {message}", file=sys.stderr, flush=True)


def server_env() -> dict:
    env = dict(os.environ)
    env.update({"DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0",
                "ALLOWED_HOSTS": HOST, "LOG_LEVEL": "ERROR", "DJANGO_SETTINGS_MODULE": "tpclinic.settings"})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def build(patients: int, seed: int) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    say(f"synth {patients:,} patients")
    call_command("synth", patients=patients, seed=seed, no_refresh=True, stdout=sys.stderr)
    synthed = time.perf_counter()
    from analytics import summary

    summary.refresh()
    refreshed = time.perf_counter()
    return {"migrate_s": round(migrated - started, 1), "synth_s": round(synthed - migrated, 1),
            "analytics_refresh_s": round(refreshed - synthed, 1)}


def session_cookie() -> str:
    """A logged-in, second-factor-verified session for a synthetic clinician, as its cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username="synth.moreno")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="benchmark", confirmed=True)
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def targets(seed: int) -> dict:
    """Pages to request: a spread of patients, their courses and sessions, worklist pages."""
    from patients.models import Patient
    from treatment.models import Course, Session

    rng = random.Random(seed)
    top = Patient.objects.order_by("-id").values_list("id", flat=True).first()
    patient_ids = [rng.randint(1, top) for _ in range(40)]
    course_ids = list(Course.objects.filter(patient_id__in=patient_ids).values_list("id", flat=True)[:40])
    session_ids = list(Session.objects.filter(course_id__in=course_ids, status="signed").values_list("id", flat=True)[:40])
    return {
        "chart": [f"/patients/{pk}/" for pk in patient_ids],
        "worklist": [f"/courses/worklist/?clinician=all&page={n}" for n in (1, 2, 3, 10, 50)] + ["/courses/worklist/?clinician=all"],
        "course": [f"/courses/{pk}/" for pk in course_ids],
        "session": [f"/courses/sessions/{pk}/" for pk in session_ids],
        "analytics": ["/analytics/"],
        "healthz": ["/healthz"],
    }


class _Profiler:
    """Where one request's time goes, measured in this process around Django's own seams: every SQL
    statement (a connection execute wrapper), the outermost template render, and the whole request
    through the test client (all middleware included). Python is what is left."""

    def __init__(self):
        self.queries = self.template_queries = 0
        self.db_s = self.template_s = self.template_db_s = 0.0
        self._depth = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.queries += 1
            self.db_s += spent
            if self._depth:
                self.template_queries += 1
                self.template_db_s += spent

    def wrap_render(self, render):
        profiler = self

        def timed(template, *args, **kwargs):
            if profiler._depth:
                return render(template, *args, **kwargs)
            profiler._depth += 1
            started = time.perf_counter()
            try:
                return render(template, *args, **kwargs)
            finally:
                profiler.template_s += time.perf_counter() - started
                profiler._depth -= 1
        return timed


def profile(cookie: str, pages: dict, repeats: int = 7) -> dict:
    """Per page, the median over `repeats` warm requests (spread over its sample paths) of: queries
    (and how many of them the template ran), total, database, template and Python milliseconds, and
    the response size. In process with the test client, under the same settings as the server."""
    import statistics

    from django.conf import settings
    from django.db import connection
    from django.template import base as template_base
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]
    original = template_base.Template.render
    found = {}
    try:
        for name in THROUGHPUT_PAGES:
            paths = pages[name]
            for path in paths[:2]:  # warm: templates compiled, data files read, caches filled
                client.get(path, secure=True)
            samples = []
            for index in range(repeats):
                profiler = _Profiler()
                template_base.Template.render = profiler.wrap_render(original)
                with connection.execute_wrapper(profiler.execute):
                    started, cpu = time.perf_counter(), time.process_time()
                    response = client.get(paths[index % len(paths)], secure=True)
                    total, cpu = time.perf_counter() - started, time.process_time() - cpu
                template_base.Template.render = original
                if response.status_code != 200:
                    raise RuntimeError(f"profile: GET {paths[index % len(paths)]} answered {response.status_code}")
                template_own = profiler.template_s - profiler.template_db_s
                samples.append({"queries": profiler.queries, "template_queries": profiler.template_queries,
                                "total_ms": total * 1000, "cpu_ms": cpu * 1000, "db_ms": profiler.db_s * 1000,
                                "template_ms": template_own * 1000,
                                "python_ms": (total - profiler.db_s - template_own) * 1000,
                                "kib": len(response.content) / 1024})
            found[name] = {key: round(statistics.median(s[key] for s in samples), 1) for key in samples[0]}
            found[name]["max_queries"] = max(s["queries"] for s in samples)
    finally:
        template_base.Template.render = original
    return found


def start_server(port: int) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "tpclinic.wsgi:application", "--bind", f"{HOST}:{port}",
               "--workers", "2", "--timeout", "120", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(), stdout=subprocess.DEVNULL, stderr=sys.stderr)
    from benchmarks.loadgen import Client

    client = Client(HOST, port)
    for _ in range(300):
        try:
            if client.get("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def measure(port: int, cookie: str, pages: dict, seconds: float) -> dict:
    from benchmarks import loadgen

    client = loadgen.Client(HOST, port, cookie)
    status, _ = client.get(pages["chart"][0])
    if status != 200:
        raise RuntimeError(f"the benchmark session is not logged in: GET {pages['chart'][0]} answered {status}")
    # Warm-up: every sample path once (a session synthesised without its procedure note gets it written on
    # its first view, which is not what a view costs), then 4 connections so that both workers have loaded
    # their templates and data files.
    for name in pages:
        for path in pages[name]:
            client.get(path)
        loadgen.throughput(HOST, port, cookie, pages[name], threads=4, seconds=30, max_requests=2 * len(pages[name]))
    results = {"latency": {}, "throughput": {}}
    plan = {"chart": 80, "worklist": 60, "course": 60, "session": 60, "analytics": 20, "healthz": 100}
    for name, count in plan.items():
        say(f"latency {name}")
        results["latency"][name] = loadgen.latency(client, pages[name], count, deadline_s=60)
    client.close()
    for name in THROUGHPUT_PAGES:
        say(f"throughput {name} ({seconds:.0f} s)")
        results["throughput"][name] = loadgen.throughput(HOST, port, cookie, pages[name], threads=4, seconds=seconds)
    ceiling = results["throughput"]["healthz"]["per_second"] or 1
    for name in THROUGHPUT_PAGES[1:]:
        results["throughput"][name]["ratio_to_healthz"] = round(results["throughput"][name]["per_second"] / ceiling, 2)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--existing", action="store_true",
                        help="Measure the clinic already in the database instead of building one (to try a change).")
    args = parser.parse_args()
    os.environ.update(server_env())  # the in-process profile runs under the server's settings
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection

    result = {"database": connection.vendor, "patients": args.patients}
    if args.existing:
        from patients.models import Patient

        result.update({"patients": Patient.objects.count(), "migrate_s": None, "synth_s": None,
                       "analytics_refresh_s": None})
    else:
        result.update(build(args.patients, args.seed))
    from treatment.models import Injection, Session

    result["sessions"] = Session.objects.count()
    result["injections"] = Injection.objects.count()
    pages = targets(args.seed)
    cookie = session_cookie()
    say("profile of each page")
    result["profile"] = profile(cookie, pages)
    connection.close()
    port = free_port()
    say(f"gunicorn on {HOST}:{port}")
    server = start_server(port)
    try:
        result.update(measure(port, cookie, pages, args.seconds))
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
