"""JSON API v1 (DESIGN §7): the engine for other systems, over the same services as the pages.

Bearer tokens instead of the session cookie, so the blueprint is exempt from CSRF; errors are
JSON in one place (`errors.py`); the OpenAPI document at /api/v1/openapi.json (`openapi.py`) is
built from the same schemas the requests are checked against and from the machine declaration.
"""

from __future__ import annotations

from flask import Flask

from . import errors
from .blueprint import PREFIX, bp
from .routes import bp as _with_views  # noqa: F401  (the views register themselves on bp)

errors.answer_as_json(bp)


def init_app(app: Flask) -> None:
    from ..extensions import csrf

    csrf.exempt(bp)
    errors.init_app(app, PREFIX)
    app.register_blueprint(bp)
