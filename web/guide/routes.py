"""Views of the public face: parse the request, call one workflow function, render."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from workflow.read import guide as guide_mod
from workflow.rules.cost import default_coefficient
from workflow.rules.money import yuan
from workflow.services import guide as guide_services

bp = Blueprint("guide", __name__)

# Where "start an application with these figures" keeps them until the owner has signed in.
FIGURES_KEY = "calculator_figures"


def rt():
    return current_app.extensions["jiati"]


# --- the guide ----------------------------------------------------------------------------------


@bp.route("/guide")
def guide():
    return render_template("guide/guide.html", g=guide_services.public_guide(rt()))


@bp.route("/guide.pdf")
def guide_pdf():
    """The guide as a printable PDF, laid out by the same engine and stylesheet as the letters."""
    from ..pdf.engine import html_to_pdf
    from ..pdf.render import environment

    g = guide_services.public_guide(rt())
    html = (
        environment()
        .get_template("guide/print.html")
        .render(g=g, today=rt().clock().date(), _=_plain)
    )
    response = Response(html_to_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = "inline; filename=guide.pdf"
    return response


def _plain(text: str, **values: Any) -> str:
    """The shared guide body's ``_()`` outside Flask-Babel: the printed guide is in Chinese."""
    return text % values if values else text


@bp.route("/policies")
def policies():
    return render_template(
        "guide/policies.html", policies=guide_services.policies(rt()), laws=guide_mod.LEGAL_BASIS
    )


@bp.route("/policies/<policy_id>.pdf")
def policy_pdf(policy_id: str):
    _policy, data = guide_services.policy_pdf(rt(), policy_id)  # NotFound: the 404 page
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename=policy-{policy_id}.pdf"
    return response


# --- the calculator ---------------------------------------------------------------------------

DEFAULTS = {
    "floors": "6", "per_floor": "2", "same_area": "85.00", "estimated_cost": "450000",
    "compensation": "",
}  # fmt: skip


def _form_data(source) -> dict[str, str]:
    data = {k: (source.get(k) or "").strip() for k in DEFAULTS}
    for key in source:
        if key.startswith(("area-", "coef-")):
            data[key] = (source.get(key) or "").strip()
    return data


def _grid(data: dict[str, str]) -> dict[str, Any]:
    """The rows of the per-household area grid and the coefficient inputs for the figures typed
    so far (a grid as large as the floors and households a floor, when those are valid)."""
    floors = guide_mod.whole_number(data.get("floors"), 2, guide_mod.MAX_FLOORS) or 0
    per_floor = guide_mod.whole_number(data.get("per_floor"), 1, guide_mod.MAX_PER_FLOOR) or 0
    return {
        "rows": [
            {
                "floor": f,
                "cells": [
                    {
                        "name": f"area-{f}-{i}",
                        "room": f"{f}{i:02d}",
                        "value": data.get(f"area-{f}-{i}", ""),
                    }
                    for i in range(1, per_floor + 1)
                ],
                "coef_name": f"coef-{f}",
                "coef": data.get(f"coef-{f}") or str(default_coefficient(f)),
            }
            for f in range(floors, 0, -1)
        ],
        "open": any(data.get(k) for k in data if k.startswith("area-")),
    }


def _result(data: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    building, errors = guide_mod.parse_building(data)
    if building is None:
        return None, errors
    est = guide_mod.estimate(building, guide_services.calculator_settings(rt()))
    rows = [
        {
            "room": building.room(f, i),
            "floor": f,
            "area": f"{building.areas[(f, i)]:.2f}",
            "coefficient": str(building.coefficients.get(f)),
            "share": yuan(est.shares[(f, i)]),
            "paid": yuan(est.compensation_paid.get((f, i), 0)),
            "received": yuan(est.compensation_received.get((f, i), 0)),
        }
        for f, i in sorted(building.households(), key=lambda k: (-k[0], k[1]))
    ]
    return {
        "cost": yuan(building.estimated_cost_fen),
        "subsidy": yuan(est.subsidy_fen),
        "to_share": yuan(est.to_share_fen),
        "shares_total": yuan(sum(est.shares.values())),
        "compensation": yuan(sum(est.compensation_received.values()))
        if est.compensation_received
        else None,
        "rows": rows,
        "need": est.need,
        "note": est.note,
        "floors": building.floors,
    }, {}


def _calculator_page(data: dict[str, str], status: int = 200):
    result, errors = _result(data)
    return render_template(
        "guide/calculator.html",
        data=data,
        grid=_grid(data),
        result=result,
        errors=errors,
        posted=request.method == "POST",
    ), (400 if errors and request.method == "POST" else status)


@bp.route("/calculator", methods=["GET", "POST"])
def calculator():
    """Works without JavaScript: the form posts back here and the page shows the figures."""
    source = request.form if request.method == "POST" else request.args
    # A plain visit (or one that only switches the language) starts from an example building.
    typed = any(k in source for k in DEFAULTS) or any(k.startswith("area-") for k in source)
    data = _form_data(source) if typed else dict(DEFAULTS)
    return _calculator_page(data)


@bp.route("/calculator/live")
def calculator_live():
    """The same figures for the page's script, as it updates while one types."""
    data = _form_data(request.args)
    result, errors = _result(data)
    return jsonify(
        result=render_template("guide/_result.html", result=result, errors=errors),
        grid=render_template("guide/_grid.html", grid=_grid(data), errors=errors),
        errors=errors,
    )


@bp.route("/calculator/start", methods=["POST"])
def calculator_start():
    """Carry the figures into a new application: kept in the session until the owner has
    signed in (the application page is for signed-in owners only)."""
    data = _form_data(request.form)
    building, errors = guide_mod.parse_building(data)
    if building is None:
        return _calculator_page(data, 400)
    session[FIGURES_KEY] = guide_mod.application_figures(building)
    return redirect(url_for("homeowner.new", figures="calculator"), 303)
