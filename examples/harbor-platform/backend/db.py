"""A small pool of PostgreSQL connections (psycopg 3; Debian ships no psycopg_pool).

Connections are opened lazily, in autocommit mode; a statement group that must be atomic runs
in `conn.transaction()`. A connection that broke is dropped instead of being put back.
"""

import os
import threading
from contextlib import contextmanager

import psycopg


def database_url() -> str:
    # DATABASE_URL is the usual name; Slipway withholds its own DATABASE_URL from the processes it
    # starts, so under Slipway the example reads HARBOR_DATABASE_URL, the variable database.url names.
    url = os.environ.get("DATABASE_URL") or os.environ.get("HARBOR_DATABASE_URL")
    if not url:
        raise SystemExit("harbor-platform backend: set DATABASE_URL (or HARBOR_DATABASE_URL) to a postgres:// URL")
    return url


class Pool:
    def __init__(self, url: str, keep: int = 8):
        self._url = url
        self._keep = keep
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self):
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=5)
        try:
            yield conn
        finally:
            reusable = not conn.closed and not conn.broken
            with self._lock:
                if reusable and len(self._idle) < self._keep:
                    self._idle.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
