"""Read the secrets platform's secrets from Python with boto3 and the
standard library, with the guarantees of the Go client (docs/consumers.md):

- a bounded cache: a value is served from memory for ``ttl`` seconds (plus
  up to ttl/10 of jitter), then fetched again; while Secrets Manager cannot
  be reached the last good value is served for at most ``max_stale`` more,
  then reads fail. Rotation grace periods assume exactly this bound;
- a placeholder (written before the first rotation or an operator's first
  put) is "no value yet", never a value;
- the database secret must name the host the service was deployed against;
- with the single-user database strategy, a login refused with SQLSTATE
  28P01 retries with AWSPENDING.

No exception message carries a secret value.
"""

import json
import random
import threading
import time

import boto3

PLACEHOLDER_KEY = "secretsPlatformPlaceholder"
SQLSTATE_INVALID_PASSWORD = "28P01"


class NoValueYet(Exception):
    """The secret still holds the platform's placeholder."""


class WrongHost(Exception):
    """A database secret names another server than the expected one."""


class SecretReader:
    """Reads SecretString values through a bounded, thread-safe cache."""

    def __init__(self, client=None, ttl=300.0, max_stale=900.0, clock=time.monotonic, rand=random.random):
        self._client = client or boto3.client("secretsmanager")
        self._ttl, self._max_stale, self._clock, self._rand = ttl, max_stale, clock, rand
        self._entries = {}  # (secret_id, stage) -> (value, expires_at)
        self._lock = threading.Lock()

    def get(self, secret_id, stage="AWSCURRENT"):
        """Returns the stage's SecretString; None for AWSPENDING outside a rotation."""
        key = (secret_id, stage)
        with self._lock:
            entry = self._entries.get(key)
        now = self._clock()
        if entry and now < entry[1]:
            return entry[0]
        try:
            value = self._fetch(secret_id, stage)
        except NoValueYet:
            raise
        except Exception:
            if entry and now < entry[1] + self._max_stale:
                return entry[0]  # stale, within max_stale
            raise
        with self._lock:
            self._entries[key] = (value, self._clock() + self._ttl + self._rand() * self._ttl / 10)
        return value

    def get_json(self, secret_id, stage="AWSCURRENT"):
        value = self.get(secret_id, stage)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("secret %s (%s) is not JSON" % (secret_id, stage)) from None

    def invalidate(self, secret_id, stage="AWSCURRENT"):
        with self._lock:
            self._entries.pop((secret_id, stage), None)

    def _fetch(self, secret_id, stage):
        try:
            # Always name the stage: a role limited to one versionStage is
            # denied a read that names none.
            out = self._client.get_secret_value(SecretId=secret_id, VersionStage=stage)
        except self._client.exceptions.ResourceNotFoundException:
            if stage == "AWSPENDING":
                return None
            raise RuntimeError("read secret %s (%s): not found" % (secret_id, stage)) from None
        except Exception as err:
            raise RuntimeError("read secret %s (%s): %s" % (secret_id, stage, type(err).__name__)) from None
        value = out.get("SecretString")
        if value is None:
            raise RuntimeError("secret %s (%s) has no SecretString" % (secret_id, stage))
        if _is_placeholder(value):
            raise NoValueYet("secret %s has no value yet: the first rotation, or an operator's first put, writes it" % secret_id)
        return value


def _is_placeholder(value):
    if PLACEHOLDER_KEY not in value:
        return False
    try:
        doc = json.loads(value)
    except ValueError:
        return False
    return isinstance(doc, dict) and PLACEHOLDER_KEY in doc


def database_secret(reader, secret_id, stage, expected_host, expected_port=None):
    """Reads one stage of the RDS-shaped secret, refusing another server."""
    s = reader.get_json(secret_id, stage)
    if s is None:
        return None
    for field in ("host", "port", "username", "password", "dbname"):
        if not s.get(field):
            raise ValueError("secret %s (%s) has no %s" % (secret_id, stage, field))
    if s["host"] != expected_host or (expected_port is not None and int(s["port"]) != int(expected_port)):
        raise WrongHost("secret %s (%s) names %s:%s, not the expected %s: refused before connecting"
                        % (secret_id, stage, s["host"], s["port"], expected_host))
    return s


def sqlstate(err):
    """The SQLSTATE of a driver's error: psycopg's err.sqlstate, pg8000's err.args[0]['C']."""
    code = getattr(err, "sqlstate", None)
    if code is None and err.args and isinstance(err.args[0], dict):
        code = err.args[0].get("C")
    return code


def connect_database(reader, secret_id, expected_host, connect, expected_port=None):
    """Logs in with AWSCURRENT; on 28P01 re-reads AWSCURRENT, else uses AWSPENDING.

    connect(secret) opens a connection from the secret's host, port,
    username, password and dbname, verifying the server's certificate, e.g.
    psycopg.connect(host=..., sslmode="verify-full", sslrootcert=RDS_CA_BUNDLE).
    Returns (connection, stage).
    """
    current = database_secret(reader, secret_id, "AWSCURRENT", expected_host, expected_port)
    try:
        return connect(current), "AWSCURRENT"
    except Exception as err:
        if sqlstate(err) != SQLSTATE_INVALID_PASSWORD:
            raise
        refused = err
    reader.invalidate(secret_id, "AWSCURRENT")
    fresh = database_secret(reader, secret_id, "AWSCURRENT", expected_host, expected_port)
    if (fresh["username"], fresh["password"]) != (current["username"], current["password"]):
        return connect(fresh), "AWSCURRENT"
    reader.invalidate(secret_id, "AWSPENDING")
    pending = database_secret(reader, secret_id, "AWSPENDING", expected_host, expected_port)
    if pending is None:
        raise refused
    return connect(pending), "AWSPENDING"
