"""Hardening tests run on SQLite and PostgreSQL alike: the `app` here is parametrised over both
(the NUL byte that SQLite stored silently gave a 500 on PostgreSQL)."""

from __future__ import annotations

import pytest

from ..api.conftest import Api
from ..conftest import make_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request):
    return request.param


@pytest.fixture
def app_overrides():
    return {}


@pytest.fixture
def app(database, request, tmp_path, clock, app_overrides):
    over = dict(app_overrides)
    if database == "postgres":
        over["DATABASE_URL"] = request.getfixturevalue("pg_url")
    app = make_app(tmp_path, clock, **over)
    yield app
    app.extensions["jiati"].db.dispose()


@pytest.fixture
def api(client, app_people):
    return Api(client, app_people)
