"""Fixtures of the production layout: Redis (databases 1–4 of the local server, 5–8 for a
second parallel worker), an S3 API
(moto's server mode on loopback) and the stores of both backends."""

from __future__ import annotations

import os
import uuid

import pytest

from workflow.adapters.local import LocalFolderStore
from workflow.adapters.s3 import S3Store

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Parallel test workers (pytest-xdist) each get their own Redis databases and S3 port.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def _unreachable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def redis_db(number: int) -> str:
    """A flushed Redis database, or a skip with the reason (a failure under CI=true)."""
    import redis

    url = f"{REDIS}/{number + 4 * WORKER}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        _unreachable(f"Redis unreachable at {url}: {exc}")
    return url


@pytest.fixture
def redis_url():
    import redis

    url = redis_db(2)
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 API on loopback, for the whole session."""
    from moto.server import ThreadedMotoServer

    # Port 0: the system picks a free one, so two runs on one machine never wait on each other
    # (a taken port leaves moto's start() waiting for ever).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_KEYS = {"access_key": "testing", "secret_key": "testing", "region": "us-east-1"}


def s3_store(endpoint: str, bucket: str | None = None, create: bool = True) -> S3Store:
    bucket = bucket or f"jiati-{uuid.uuid4().hex[:10]}"
    store = S3Store(bucket, "files", endpoint_url=endpoint, **S3_KEYS)
    if create:
        store.client.create_bucket(Bucket=bucket)
    return store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    """Each backend of the file store, for one suite of tests."""
    if request.param == "local":
        return LocalFolderStore(tmp_path / "files")
    return s3_store(request.getfixturevalue("s3_endpoint"))
