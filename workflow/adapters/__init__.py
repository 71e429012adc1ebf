"""Backends of the domain's ports, one file each, chosen by settings here and nowhere else.

- file store (`workflow.data.storage.BlobStore`): `local` (a folder; the default) or `s3` (boto3);
- job scheduler (`workflow.data.runtime.JobScheduler`): `huey_sqlite` (a queue file in the
  instance folder, run by the serving process itself; the default) or `huey_redis` (Redis, when
  `REDIS_URL` is set), both over `huey_common`;
- SMS sender (`workflow.notify.outbox.SmsSender`): `log_sms` (the port's own default, in
  `workflow.notify`) or `http_sms`
  (when `SMS_GATEWAY_URL` is set).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..data.runtime import JobScheduler
from ..data.storage import BlobStore
from ..notify.log_sms import LoggingSender
from ..notify.outbox import SmsSender
from .http_sms import HttpSmsSender
from .huey_redis import HueyRedisScheduler
from .huey_sqlite import SqliteScheduler
from .local import LocalFolderStore
from .s3 import S3Store


class ConfigurationError(ValueError):
    pass


def store_from(config: Mapping[str, Any], default_folder: str | Path) -> BlobStore:
    """`STORAGE_URL`: `file:///path` (default: the instance folder's `files/`) or
    `s3://bucket[/prefix]` with `S3_ENDPOINT_URL`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`,
    `S3_REGION` as settings."""
    url = (config.get("STORAGE_URL") or "").strip()
    if not url:
        return LocalFolderStore(default_folder)
    parts = urlparse(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(f"STORAGE_URL: a file URL names a local path: {url}")
        return LocalFolderStore(unquote(parts.path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ConfigurationError(f"STORAGE_URL: no bucket in {url}")
        return S3Store(
            parts.netloc,
            parts.path,
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            access_key=config.get("S3_ACCESS_KEY_ID"),
            secret_key=config.get("S3_SECRET_ACCESS_KEY"),
            region=config.get("S3_REGION"),
        )
    raise ConfigurationError(f"STORAGE_URL: use file:///… or s3://bucket, not {url}")


def scheduler_from(config: Mapping[str, Any]) -> JobScheduler:
    """`REDIS_URL` set: jobs go through Redis to `flask --app web worker`; else through the
    queue file `QUEUE_FILE` (the instance folder's `queue.sqlite3`), run by the serving process
    itself (`QUEUE_IMMEDIATE`: each job as it is scheduled, for tests)."""
    url = (config.get("REDIS_URL") or "").strip()
    name = config.get("QUEUE_NAME") or "jiati"
    if url:
        return HueyRedisScheduler(url, name=name)
    path = config.get("QUEUE_FILE")
    if not path:
        raise ConfigurationError("QUEUE_FILE: no queue file and no REDIS_URL")
    return SqliteScheduler(
        path,
        name=name,
        immediate=bool(config.get("QUEUE_IMMEDIATE")),
        periodic_seconds=int(config.get("QUEUE_PERIODIC_SECONDS") or 60),
    )


def sms_sender_from(config: Mapping[str, Any]) -> SmsSender:
    """`SMS_GATEWAY_URL` (with `SMS_GATEWAY_KEY`): the HTTP gateway; else messages are logged."""
    url = (config.get("SMS_GATEWAY_URL") or "").strip()
    if not url:
        return LoggingSender()
    if urlparse(url).scheme not in ("http", "https"):
        raise ConfigurationError(f"SMS_GATEWAY_URL: use http(s)://…, not {url}")

    return HttpSmsSender(
        url, config.get("SMS_GATEWAY_KEY") or "", float(config.get("SMS_GATEWAY_TIMEOUT") or 10)
    )
