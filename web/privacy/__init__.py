"""Personal information as the law asks: the notice (个人信息处理规则) and who runs the site on
every page, 我的信息 for the signed-in person and each household link, the clerks' queue of
requests, and the admin's notice and log of staff views."""

from __future__ import annotations

from flask import Blueprint, Flask, session

bp = Blueprint("privacy", __name__)
REASONS_KEY = "reveal_reasons"


def reveal_reason(case_id: int) -> str | None:
    """The reason this session gave for seeing the case's full data (asked once per case)."""
    return (session.get(REASONS_KEY) or {}).get(str(case_id))


def site_host(app: Flask):
    """Every page's footer: who runs the site, its contact, the notice, its identifiers."""
    from workflow import services

    def inject():
        s = services.effective_settings(app.extensions["jiati"])
        return {
            "site_host": {
                "authority": s.authority_name,
                "address": s.authority_address,
                "phone": s.authority_phone,
                "site_id": s.site_id,
                "icp": s.icp_number,
                "psb": s.psb_number,
            }
        }

    return inject


def init_app(app: Flask) -> None:
    from . import routes  # noqa: F401  (registers the views on bp)

    app.register_blueprint(bp)
    app.context_processor(site_host(app))
