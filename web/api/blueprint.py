"""The API's blueprint and where it is mounted; the views in `routes` register on it."""

from __future__ import annotations

from flask import Blueprint

PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)
