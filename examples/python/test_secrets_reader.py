"""Runs secrets_reader against moto (internal/consumerexamples starts it and
sets AWS_ENDPOINT_URL). Only Secrets Manager is exercised: no PostgreSQL
driver is installed here, so connect_database's logins are untested in
Python (the Node.js example proves the same design against PostgreSQL)."""

import hashlib
import json
import os
import socket
import unittest

import boto3
from botocore.config import Config

import secrets_reader as sr


def dead_endpoint():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port


class Counting:
    """A real client that counts its calls."""

    def __init__(self, client):
        self.client, self.calls = client, 0
        self.exceptions = client.exceptions

    def get_secret_value(self, **kw):
        self.calls += 1
        return self.client.get_secret_value(**kw)


class Switch:
    """Sends to the real client, or to one pointed at a closed port."""

    def __init__(self, up, down):
        self.up, self.down, self.failing = up, down, False
        self.exceptions = up.exceptions

    def get_secret_value(self, **kw):
        return (self.down if self.failing else self.up).get_secret_value(**kw)


class ReaderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sm = boto3.client("secretsmanager")
        cls.value = json.dumps({"apiKey": "rk_test_" + hashlib.sha256(os.urandom(16)).hexdigest()[:16]})
        cls.json_id = cls.sm.create_secret(Name="/py/app/stripe", SecretString=cls.value)["ARN"]
        ph = cls.sm.create_secret(Name="/py/app/openai")["ARN"]
        cls.sm.put_secret_value(SecretId=ph, SecretString=json.dumps({sr.PLACEHOLDER_KEY: "no value yet"}), VersionStages=["PLACEHOLDER"])
        cls.placeholder_id = ph
        cls.db = {"engine": "postgres", "host": "db.prod.internal", "port": "5432", "username": "app", "password": "p1-" + os.urandom(8).hex(), "dbname": "app"}
        cls.db_id = cls.sm.create_secret(Name="/py/app/database", SecretString=json.dumps(cls.db))["ARN"]

    def test_bounded_cache(self):
        t = [1000.0]
        down = boto3.client("secretsmanager", endpoint_url=dead_endpoint(), config=Config(retries={"max_attempts": 1}, connect_timeout=1))
        client = Switch(Counting(self.sm), down)
        reader = sr.SecretReader(client=client, ttl=300, max_stale=900, clock=lambda: t[0], rand=lambda: 1.0)
        self.assertTrue(reader.get(self.json_id) == self.value, "the value (not shown)")
        reader.get(self.json_id)
        self.assertEqual(client.up.calls, 1, "two reads inside the TTL make one call")
        t[0] += 331
        reader.get(self.json_id)
        self.assertEqual(client.up.calls, 2, "a read after the TTL makes a new call")
        client.failing = True
        t[0] += 331
        self.assertTrue(reader.get(self.json_id) == self.value, "the last value while Secrets Manager is unreachable (not shown)")
        t[0] += 900
        with self.assertRaises(RuntimeError) as cm:
            reader.get(self.json_id)
        self.assertFalse(self.value in str(cm.exception), "the error does not carry the value (not shown)")

    def test_placeholder_is_no_value_yet(self):
        with self.assertRaises(sr.NoValueYet) as cm:
            sr.SecretReader().get(self.placeholder_id)
        self.assertIn("/py/app/openai", str(cm.exception))

    def test_another_host_is_refused(self):
        with self.assertRaises(sr.WrongHost) as cm:
            sr.database_secret(sr.SecretReader(), self.db_id, "AWSCURRENT", "db.staging.internal")
        self.assertFalse(self.db["password"] in str(cm.exception), "the error does not carry the password (not shown)")
        self.assertEqual(sr.database_secret(sr.SecretReader(), self.db_id, "AWSCURRENT", "db.prod.internal", 5432)["username"], "app")

    def test_pending_only_during_a_rotation(self):
        reader = sr.SecretReader()
        self.assertIsNone(reader.get(self.db_id, "AWSPENDING"), "no AWSPENDING outside a rotation")
        nxt = dict(self.db, password="p2-" + os.urandom(8).hex())
        self.sm.put_secret_value(SecretId=self.db_id, SecretString=json.dumps(nxt), VersionStages=["AWSPENDING"])
        reader.invalidate(self.db_id, "AWSPENDING")
        got = sr.database_secret(reader, self.db_id, "AWSPENDING", "db.prod.internal")
        self.assertTrue(got["password"] == nxt["password"], "the AWSPENDING password (not shown)")

    def test_sqlstate_of_both_drivers(self):
        class Psycopg(Exception):
            sqlstate = "28P01"
        self.assertEqual(sr.sqlstate(Psycopg()), "28P01")
        self.assertEqual(sr.sqlstate(Exception({"C": "28P01", "M": "password authentication failed"})), "28P01")
        self.assertIsNone(sr.sqlstate(Exception("timeout")))


if __name__ == "__main__":
    unittest.main()
