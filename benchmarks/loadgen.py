"""A small HTTP load generator for loopback only: latency percentiles and bounded throughput.

Why our own: no extra system package is needed, and the same client measures every page and the
trivial /healthz view, so their ratio is fair. Every loop is bounded by a request count or a
deadline, and the host must be a loopback address.
"""
from __future__ import annotations

import http.client
import ipaddress
import statistics
import threading
import time


def _check_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"benchmarks only send traffic to loopback addresses, not {host}")


class Client:
    """One keep-alive connection with the session cookie; reconnects if the server closes it."""

    def __init__(self, host: str, port: int, cookie: str = ""):
        _check_loopback(host)
        self.host, self.port, self.cookie = host, port, cookie
        self.connection = None

    def get(self, path: str) -> tuple[int, int]:
        """(status, body bytes) of one GET."""
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request("GET", path, headers={"Cookie": self.cookie, "Host": "127.0.0.1"})
                response = self.connection.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, len(body)
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency(client: Client, paths: list[str], requests: int, deadline_s: float) -> dict:
    """Sequential GETs round-robin over `paths`, at most `requests` or until the deadline."""
    times, statuses = [], {}
    stop = time.perf_counter() + deadline_s
    for index in range(requests):
        if time.perf_counter() > stop:
            break
        started = time.perf_counter()
        status, _ = client.get(paths[index % len(paths)])
        times.append((time.perf_counter() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "requests": len(times), "statuses": statuses,
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
    }


def throughput(host: str, port: int, cookie: str, paths: list[str], threads: int, seconds: float,
               max_requests: int = 100_000) -> dict:
    """`threads` keep-alive clients GET `paths` for `seconds` (and at most `max_requests` in all)."""
    lock = threading.Lock()
    done = {"ok": 0, "other": 0}
    stop = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        client = Client(host, port, cookie)
        index = offset
        while time.perf_counter() < stop:
            with lock:
                if done["ok"] + done["other"] >= max_requests:
                    break
            try:
                status, _ = client.get(paths[index % len(paths)])
            except OSError:
                status = 0
            with lock:
                done["ok" if status == 200 else "other"] += 1
            index += 1
        client.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n * 7,), daemon=True) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - started
    return {"threads": threads, "seconds": round(elapsed, 1), "ok": done["ok"], "errors": done["other"],
            "per_second": round(done["ok"] / elapsed, 1) if elapsed else 0}
