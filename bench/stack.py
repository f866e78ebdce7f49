"""Throwaway backing services for one run: a PostgreSQL database and a Redis key prefix."""

import secrets
import socket

import psycopg
import redis

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports that are free on 127.0.0.1 right now."""
    sockets, ports = [], []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


def unique_name(stem: str) -> str:
    """A name no other run uses: `stem` plus random hex."""
    return f"{stem}_{secrets.token_hex(4)}"


def database_create(name: str) -> str:
    """Create an empty PostgreSQL database and return its URL (user postgres, trust auth)."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def database_drop(name: str) -> None:
    """Drop the database, closing whatever connections are still open to it."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_connections(name: str) -> int | None:
    """How many server connections are open to database `name` right now."""
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            return conn.execute(query, (name,)).fetchone()[0]
    except psycopg.Error:
        return None


def redis_forget(url: str, prefix: str) -> int:
    """Delete every key under `prefix` in the Redis database of `url`; returns how many."""
    client = redis.Redis.from_url(url, socket_timeout=10)
    deleted = 0
    try:
        batch = []
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
    finally:
        client.close()
    return deleted


def postgres_main_pid() -> int | None:
    """Process id of the PostgreSQL postmaster (from postmaster.pid), None if unreadable."""
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            data_directory = conn.execute("SHOW data_directory").fetchone()[0]
        with open(f"{data_directory}/postmaster.pid") as pidfile:
            return int(pidfile.readline())
    except (psycopg.Error, OSError, ValueError):
        return None


def redis_pid(url: str) -> int | None:
    """Process id of the Redis server, so its CPU can be reported too (None if unknown)."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        return int(client.info("server")["process_id"])
    except (redis.RedisError, KeyError, ValueError):
        return None
    finally:
        client.close()
