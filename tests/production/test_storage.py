"""The file store, as the domain sees it, on each backend: a local folder and an S3 bucket."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from workflow.adapters import ConfigurationError, store_from
from workflow.adapters.local import LocalFolderStore
from workflow.adapters.s3 import S3Store
from workflow.data.db import Database
from workflow.data.models import StoredFile
from workflow.data.storage import BlobStore

from .conftest import s3_store

PDF = b"%PDF-1.7\n" + "枣阳市住房和城乡建设局".encode() + b"\n%%EOF\n"


def overwrite(store, sha: str, data: bytes) -> None:
    """What an intruder with access to the disk or the bucket could do."""
    if isinstance(store, LocalFolderStore):
        store.path(sha).write_bytes(data)
    else:
        store.client.put_object(Bucket=store.bucket, Key=store.key(sha), Body=data)


def test_bytes_come_back_as_stored_under_their_sha256(store):
    sha = store.put(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest()
    assert store.read(sha) == PDF
    assert store.exists(sha) and store.matches(sha)
    assert isinstance(store, BlobStore)


def test_storing_the_same_bytes_twice_keeps_one_copy(store):
    assert store.put(PDF) == store.put(PDF)
    assert store.read(store.put(PDF)) == PDF


def test_a_file_never_stored_is_neither_there_nor_intact(store):
    sha = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(sha)
    assert not store.matches(sha)


def test_bytes_changed_behind_the_stores_back_are_caught(store):
    sha = store.put(PDF)
    overwrite(store, sha, PDF.replace(b"1.7", b"1.4"))
    assert store.exists(sha)
    assert not store.matches(sha)


def test_recording_a_file_adds_its_row_in_the_callers_transaction(store, tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'rows.sqlite3'}")
    db.create_all()
    now = datetime(2026, 12, 2, 9, 0)
    with db.transaction() as s:
        sha = store.record(s, PDF, "application/pdf", now)
        store.record(s, PDF, "application/pdf", now)  # a second upload of the same bytes
    with db.session() as s:
        row = s.get(StoredFile, sha)
        assert (row.size, row.content_type) == (len(PDF), "application/pdf")
        assert s.query(StoredFile).count() == 1
    db.dispose()


def test_the_readiness_probe_writes_and_reads_back(store):
    store.check()


def test_a_missing_bucket_fails_the_readiness_probe(s3_endpoint):
    store = s3_store(s3_endpoint, bucket="no-such-bucket", create=False)
    with pytest.raises(Exception, match="NoSuchBucket"):
        store.check()


def test_the_setting_chooses_the_backend(tmp_path):
    assert isinstance(store_from({}, tmp_path / "files"), LocalFolderStore)
    local = store_from({"STORAGE_URL": f"file://{tmp_path}/shared"}, tmp_path / "files")
    assert isinstance(local, LocalFolderStore) and local.root == tmp_path / "shared"
    s3 = store_from(
        {"STORAGE_URL": "s3://letters/zaoyang", "S3_ENDPOINT_URL": "http://127.0.0.1:9"}, "unused"
    )
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == ("letters", "zaoyang")
    assert s3.key("ab" + "0" * 62).startswith("zaoyang/ab/ab")
    for wrong in ("ftp://files", "s3://", "file://otherhost/files"):
        with pytest.raises(ConfigurationError):
            store_from({"STORAGE_URL": wrong}, tmp_path)


def test_an_app_on_s3_serves_uploads_and_letters_from_the_bucket(tmp_path, clock, s3_endpoint):
    """The whole engine on the S3 backend: a stored file is read back through the bucket."""
    from ..conftest import make_app
    from ..journey import Journey, make_people

    bucket = s3_store(s3_endpoint).bucket
    app = make_app(
        tmp_path,
        clock,
        STORAGE_URL=f"s3://{bucket}/files",
        S3_ENDPOINT_URL=s3_endpoint,
        S3_ACCESS_KEY_ID="testing",
        S3_SECRET_ACCESS_KEY="testing",
        S3_REGION="us-east-1",
    )
    rt = app.extensions["jiati"]
    assert isinstance(rt.store, S3Store)
    case_id = Journey(rt, make_people(rt)).case_in("submitted")  # uploads the design plan
    with rt.db.session() as s:
        shas = [f.sha256 for f in s.query(StoredFile)]
    assert shas and all(rt.store.matches(sha) for sha in shas)
    listed = rt.store.client.list_objects_v2(Bucket=bucket, Prefix="files/")["Contents"]
    assert {o["Key"].rsplit("/", 1)[1] for o in listed} >= set(shas)
    assert case_id
    rt.db.dispose()
