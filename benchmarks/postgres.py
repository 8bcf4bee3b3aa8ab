"""A benchmark's own PostgreSQL database, made afresh on the local cluster (scripts/postgres.sh).

Shared by benchmarks/run.py (the page benchmark's database) and benchmarks/cluster.py (the two-server run).
"""
from __future__ import annotations

from urllib.parse import urlsplit

import psycopg


def fresh_database(url: str) -> str | None:
    """Drop and create the benchmark database; None when it worked, else why not."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/tpclinic").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return f"PostgreSQL unavailable ({str(error).strip().splitlines()[0]}); run scripts/postgres.sh"
    return None
