"""What operations see: health for the load balancer, a request id from the log line of the
request to the job it caused, and the check of a deployment's settings."""

from __future__ import annotations

import json
import logging

from web.ops import JsonFormatter
from workflow.jobs import queue

from ..conftest import make_app


def test_a_live_process_answers_healthz_without_asking_anything(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_names_database_storage_and_queue(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    checks = r.get_json()["checks"]
    assert set(checks) == {"database", "storage", "queue"}
    assert all(c["ok"] for c in checks.values())


def test_readyz_is_503_and_says_why_when_redis_is_down(tmp_path, clock):
    app = make_app(tmp_path, clock, REDIS_URL="redis://127.0.0.1:1/0")
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "unavailable"
    assert (
        body["checks"]["queue"]["ok"] is False and "Connection" in body["checks"]["queue"]["error"]
    )
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]


def test_every_answer_carries_a_request_id_and_keeps_a_sane_given_one(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c01"})
    assert given.headers["X-Request-ID"] == "nginx-4f2a9c01"
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(hostile.headers["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id_and_extras():
    record = logging.makeLogRecord(
        {"name": "workflow.jobs", "levelname": "INFO", "msg": "信函 %s 已生成", "args": (7,)}
    )
    record.letter_id = 7
    token = queue.REQUEST_ID.set("abc123def456")
    try:
        line = JsonFormatter().format(record)
    finally:
        queue.REQUEST_ID.reset(token)
    out = json.loads(line)
    assert out["msg"] == "信函 7 已生成" and out["request_id"] == "abc123def456"
    assert out["letter_id"] == 7 and out["level"] == "info" and out["logger"] == "workflow.jobs"


def test_check_lists_what_a_demo_configuration_lacks(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    out = result.output
    assert "ERROR    SECRET_KEY" in out  # "test" is a well-known value
    assert "ERROR    PUBLIC_BASE_URL: http://127.0.0.1:5000 is local" in out
    assert "WARNING  DATABASE_URL: SQLite serves one host only" in out
    assert "WARNING  STORAGE_URL" in out and "WARNING  REDIS_URL: unset" in out
    assert "queue:    in-process" in out


def test_check_passes_a_public_configuration(tmp_path, clock, redis_url):
    app = make_app(
        tmp_path,
        clock,
        SECRET_KEY="k" * 48,
        PUBLIC_BASE_URL="https://jiati.zaoyang.gov.cn",
        SESSION_COOKIE_SECURE=True,
        REDIS_URL=redis_url,
        STORAGE_URL=f"file://{tmp_path}/shared",
    )
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output and "Redis" in result.output


def test_check_refuses_a_login_provider_reached_over_plain_http(tmp_path, clock):
    app = make_app(
        tmp_path,
        clock,
        OIDC_ISSUER="http://zwfw.example.gov.cn/oidc",
        OIDC_CLIENT_ID="jiati",
        OIDC_CLIENT_SECRET="s" * 32,
    )
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "ERROR    OIDC_ISSUER: http://zwfw.example.gov.cn/oidc is not https" in result.output


def test_check_says_when_the_schema_is_behind(tmp_path, clock):
    from sqlalchemy import text

    app = make_app(tmp_path, clock)
    with app.extensions["jiati"].db.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '1778ecd6aa18'"))
    result = app.test_cli_runner().invoke(args=["check"])
    assert "schema at 1778ecd6aa18" in result.output and "db upgrade" in result.output


def test_db_upgrade_migrates_an_empty_database(tmp_path, clock):
    app = make_app(tmp_path, clock, DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "schema at head" in result.output


def test_the_worker_without_a_queue_renders_what_is_left_and_stops(runner):
    # Without --once the worker runs the queue file's consumer until stopped, as with Redis.
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "no queue service" in result.output


def test_behind_a_proxy_the_app_sees_https_and_the_client(tmp_path, clock):
    app = make_app(tmp_path, clock, PROXIES=1)

    @app.get("/_seen")
    def seen():
        from flask import request

        return {"scheme": request.scheme, "remote": request.remote_addr, "host": request.host}

    r = app.test_client().get(
        "/_seen",
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "jiati.zaoyang.gov.cn",
        },
    )
    assert r.get_json() == {
        "scheme": "https",
        "remote": "203.0.113.9",
        "host": "jiati.zaoyang.gov.cn",
    }


def test_the_runtime_install_carries_no_test_tool():
    import re
    from importlib.metadata import requires

    runtime = {
        re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower()
        for r in requires("jiati")
        if "extra ==" not in r
    }
    assert {"gunicorn", "huey", "redis", "boto3"} <= runtime
    tools = {
        "pytest",
        "ruff",
        "playwright",
        "pytest-playwright",
        "moto",
        "hypothesis",
        "schemathesis",
    }
    assert not runtime & tools
