"""The app factory: configuration from the instance folder and the environment (DESIGN §7)."""

import pytest

import web
from web import create_app


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("ELEVATOR_INSTANCE_PATH", str(tmp_path / "inst"))
    # These apps are built to read their configuration, not to serve: no consumer thread of
    # their queue left running in the test process.
    monkeypatch.setenv("FLASK_QUEUE_CONSUMER", "false")
    return monkeypatch


def test_instance_folder_moves_with_the_environment(env, tmp_path):
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'jiati.sqlite3'}"
    assert (tmp_path / "inst" / "secret_key").exists()


def test_instance_config_then_prefixed_environment(env, tmp_path):
    (tmp_path / "inst").mkdir()
    (tmp_path / "inst" / "config.py").write_text("PUBLICITY_DAYS = 7\nREVIEW_WORKDAYS = 15\n")
    env.setenv("FLASK_PUBLICITY_DAYS", "0")
    env.setenv("FLASK_DEMO_SHORT_PUBLICITY", "true")
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    app = create_app()
    settings = app.extensions["jiati"].settings
    assert (settings.publicity_days, settings.review_workdays) == (0, 15)
    assert settings.publicity_period_days == 0 and settings.demo_short_publicity
    assert app.config["DATABASE_URL"].endswith("other.db")


def test_a_notice_shorter_than_a_day_needs_the_explicit_demo_setting(env):
    from workflow.errors import InvalidInput

    env.setenv("FLASK_PUBLICITY_DAYS", "0")
    with pytest.raises(InvalidInput) as err:
        create_app()
    assert "DEMO_SHORT_PUBLICITY" in err.value.message


def test_a_ratio_configured_as_a_decimal_stays_exact(env):
    from fractions import Fraction

    env.setenv("FLASK_PARTICIPATION", "0.7")  # read by Flask as the float 0.7
    env.setenv("FLASK_AGREEMENT", "4/5")
    settings = create_app().extensions["jiati"].settings
    assert (settings.participation, settings.agreement) == (Fraction(7, 10), Fraction(4, 5))


def test_a_bad_configured_value_stops_the_app_naming_the_setting(env):
    from workflow.errors import InvalidInput

    env.setenv("FLASK_UPLOAD_MAX_MB", "0")
    with pytest.raises(InvalidInput) as err:
        create_app()
    assert "设置项 upload_max_mb 的值无效" in err.value.message


def test_the_demo_setting_is_off_by_default_and_the_notice_lasts_a_day_at_least(env):
    from dataclasses import replace

    settings = create_app().extensions["jiati"].settings
    assert settings.demo_short_publicity is False and settings.publicity_period_days == 10
    assert replace(settings, publicity_days=0).publicity_period_days == 1


def test_a_missing_cjk_font_stops_the_app_with_a_clear_error(env, monkeypatch):
    from web.pdf.fonts import FontMissingError

    def no_font():
        raise FontMissingError(
            "未找到中文字体 Noto Serif CJK SC / no CJK font: apt-get install fonts-noto-cjk"
        )

    monkeypatch.setattr(web, "_font_report", no_font)
    with pytest.raises(FontMissingError, match="fonts-noto-cjk"):
        create_app()
    env.setenv("FLASK_RENDER_PDF", "false")
    assert create_app().extensions["jiati"].renderer is None


def test_shared_pages_switch_to_english_and_back(client):
    english = client.get("/verify/ABC?lang=en").get_data(as_text=True)
    assert "No letter has the verification code ABC" in english and 'lang="en"' in english
    remembered = client.get("/auth/welcome").get_data(as_text=True)
    assert "Register with your mobile number" in remembered  # the choice is kept
    chinese = client.get("/auth/welcome?lang=zh_Hans_CN").get_data(as_text=True)
    assert "用手机号注册" in chinese and 'lang="zh-CN"' in chinese


def test_the_sms_gateway_is_read_from_the_environment_like_the_other_backends(env):
    from workflow.adapters.http_sms import HttpSmsSender

    env.setenv("SMS_GATEWAY_URL", "http://127.0.0.1:9/sms")
    env.setenv("SMS_GATEWAY_KEY", "gateway-key")
    env.setenv("SMS_GATEWAY_TIMEOUT", "3")
    sender = create_app().extensions["jiati"].sms
    assert isinstance(sender, HttpSmsSender)
    assert (sender.url, sender.key, sender.timeout) == (
        "http://127.0.0.1:9/sms",
        "gateway-key",
        3.0,
    )
