"""The input policy at the HTML door: every form field and query argument, before any view.

Views read `request.form` directly as well as through WTForms, so the policy is applied once
here rather than in each form: a refused value answers 400 naming the field; accepted values
reach the views normalised to NFC. (An `InvalidInput` raised here becomes the 400 page
of `web.errors`, which names the field.) The JSON API applies the same policy in its models.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict

from workflow import inputs


def _checked(pairs) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        [
            (
                inputs.text(k, field=k, max_length=200),
                inputs.text(v, field=k, max_length=inputs.max_length_of(k)),
            )
            for k, v in pairs
        ]
    )


def apply_policy() -> None:
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return  # the API's models apply the policy to JSON bodies and their own arguments
    # Werkzeug caches the parsed form in the request's __dict__; the view sees the NFC form.
    request.__dict__["args"] = _checked(request.args.items(multi=True))
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        request.__dict__["form"] = _checked(request.form.items(multi=True))


def init_app(app: Flask) -> None:
    app.before_request(apply_policy)
