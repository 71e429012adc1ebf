"""政务服务网账号登录 against a real OpenID Provider: panva's oidc-provider (OpenID Certified),
started on loopback by these tests (tests/oidc/provider.js), the app configured as in
production (CSRF on, the default clock leeway). The provider's development login page takes
the account the test types; its accounts' claims are set below."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import select

from workflow import services
from workflow.data.models import NoticeSeen, User

from ..conftest import make_app
from ..journey import PASSWORD, make_people

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
APP = "http://localhost"  # the Flask test client's address
CLIENT = {
    "client_id": "jiati-test",
    "client_secret": "a-client-secret-only-these-tests-know",
    "redirect_uris": [f"{APP}/auth/oidc/callback"],
    "post_logout_redirect_uris": [f"{APP}/auth/login"],
}
NEW_CITIZEN = "13900000077"
STAFF_PHONE = "13600000003"
# Who the provider knows, and what it asserts about each (OIDC Core 5.1 standard claims).
ACCOUNTS = {
    "citizen-new": {
        "claims": {
            "phone_number": "+86 139 0000 0077",
            "phone_number_verified": True,
            "name": "刘新民",
        }
    },
    "citizen-known": {"claims": {"phone_number": "+8613800000001", "phone_number_verified": True}},
    "citizen-unverified": {
        "claims": {"phone_number": "+8613900000088", "phone_number_verified": False}
    },
    # A staff member's own provider account: their phone is the one on their staff account.
    "gov-staff-wang": {
        "claims": {"phone_number": f"+86{STAFF_PHONE}", "phone_number_verified": True}
    },
    "gov-staff-no-phone": {"claims": {"name": "赵住建"}},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def start_provider(folder: Path, accounts: dict, clock_skew: int = 0):
    """`node provider.js PORT CONFIG` on a free loopback port, once its discovery answers."""
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js not found: the OpenID Provider of these tests cannot run")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        _unavailable("oidc-provider not installed: run `make install` (npm ci --prefix tests/oidc)")
    config = folder / "provider.json"
    config.write_text(json.dumps({"client": CLIENT, "accounts": accounts}))
    port = _free_port()
    env = {**os.environ, "CLOCK_SKEW_SECONDS": str(clock_skew)}
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(  # nosec B603  # our own script, fixed arguments
        [node, "provider.js", str(port), str(config)],
        cwd=PROVIDER_DIR,
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the OpenID Provider did not start:\n{log.name}")
        time.sleep(0.1)
    return process, issuer


def stop_provider(process) -> None:
    process.stdin.close()  # the provider stops when its input ends
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    process, issuer = start_provider(tmp_path_factory.mktemp("op"), ACCOUNTS)
    yield issuer
    stop_provider(process)


def oidc_app(tmp_path, clock, issuer, **over):
    return make_app(
        tmp_path,
        clock,
        WTF_CSRF_ENABLED=True,
        OIDC_ISSUER=issuer,
        OIDC_CLIENT_ID=CLIENT["client_id"],
        OIDC_CLIENT_SECRET=CLIENT["client_secret"],
        **over,
    )


@pytest.fixture
def database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def app(tmp_path, clock, provider):
    app = oidc_app(tmp_path, clock, provider)
    yield app
    app.extensions["jiati"].db.dispose()


@pytest.fixture
def people(app):
    rt = app.extensions["jiati"]
    people = make_people(rt)
    people.wang = services.create_user(
        rt, None, username="wang", password=PASSWORD, role="clerk", name="王窗口",
        phone=STAFF_PHONE,
    )  # fmt: skip
    return people


@pytest.fixture
def person():
    """The person's browser at the provider (its own cookies: the provider's session)."""
    with requests.Session() as s:
        yield s


def at_provider(person, url: str, account: str) -> str:
    """What a person does at the provider: signs in as `account` if asked, confirms what the
    site asks for, and is sent back; returns the address it sends them back to."""
    response = person.get(url, allow_redirects=False)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(APP):
                return location
            response = person.get(location, allow_redirects=False)
            continue
        page = response.text
        assert response.status_code == 200, page
        action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
        prompt = re.search(r'name="prompt" value="(\w+)"', page).group(1)
        data = {"prompt": prompt}
        if prompt == "login":
            data.update(login=account, password="whatever-the-dev-page-takes")
        response = person.post(urljoin(response.url, action), data=data, allow_redirects=False)
    raise AssertionError("the provider never sent the person back")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start(client, next_page: str | None = None) -> str:
    """Press 政务服务网账号登录: the app sends the person to the provider."""
    r = client.get("/auth/oidc/login", query_string={"next": next_page} if next_page else None)
    assert r.status_code == 302
    return r.headers["Location"]


def oidc_login(client, person, account: str, next_page: str | None = None):
    back = at_provider(person, start(client, next_page), account)
    return client.get(local(back))


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def password_login(client, username: str):
    """The local login, CSRF token and all."""
    data = {"csrf_token": csrf_token(client, "/auth/login"), "username": username,
            "password": PASSWORD}  # fmt: skip
    return client.post("/auth/login", data=data)


def user_named(app, username: str) -> User | None:
    with app.extensions["jiati"].db.session() as s:
        return s.scalar(select(User).where(User.username == username))


# --- the login page -----------------------------------------------------------------------


def test_the_login_page_offers_the_provider_only_when_it_is_configured(tmp_path, clock, app):
    page = app.test_client().get("/auth/login").get_data(as_text=True)
    assert "政务服务网账号登录" in page and 'href="/auth/oidc/login"' in page
    english = app.test_client().get("/auth/login?lang=en").get_data(as_text=True)
    assert "Log in with your government service account" in english
    plain = make_app(tmp_path / "plain", clock)
    try:
        client = plain.test_client()
        assert "政务服务网账号登录" not in client.get("/auth/login").get_data(as_text=True)
        assert client.get("/auth/oidc/login").status_code == 404
        assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    finally:
        plain.extensions["jiati"].db.dispose()


def test_the_login_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(app, provider):
    location = start(app.test_client())
    assert location.startswith(f"{provider}/auth?")
    asked = parse_qs(urlsplit(location).query)
    assert asked["response_type"] == ["code"] and asked["client_id"] == [CLIENT["client_id"]]
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
    assert asked["state"][0] and asked["nonce"][0]
    assert set(asked["scope"][0].split()) == {"openid", "profile", "phone"}
    assert asked["redirect_uri"] == [f"{APP}/auth/oidc/callback"]


# --- citizens -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_new_citizen_is_registered_by_the_verified_mobile_and_lands_on_my_applications(
    tmp_path, clock, provider, database, person
):
    app = oidc_app(tmp_path, clock, provider, DATABASE_URL=database)
    try:
        make_people(app.extensions["jiati"])
        client = app.test_client()
        r = oidc_login(client, person, "citizen-new")
        assert r.status_code == 302 and r.headers["Location"].endswith("/my/")
        assert "您还没有申请" in client.get("/my/").get_data(as_text=True)
        citizen = user_named(app, NEW_CITIZEN)
        assert (citizen.role, citizen.phone, citizen.name) == ("homeowner", NEW_CITIZEN, "刘新民")
        # Registered beside the processing rules, as the registration form records it.
        with app.extensions["jiati"].db.session() as s:
            seen = s.scalars(select(NoticeSeen).where(NoticeSeen.user_id == citizen.id)).all()
            assert [n.action for n in seen] == ["register"]
        # The next login finds the same account, not a second one.
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/my/")})
        again = app.test_client()
        assert oidc_login(again, person, "citizen-new").status_code == 302
        with app.extensions["jiati"].db.session() as s:
            assert len(s.scalars(select(User).where(User.phone == NEW_CITIZEN)).all()) == 1
    finally:
        app.extensions["jiati"].db.dispose()


def test_a_registered_owner_is_found_by_the_verified_mobile_and_sees_their_case(
    app, people, person
):
    from ..journey import Journey

    Journey(app.extensions["jiati"], people).new_case()
    client = app.test_client()
    r = oidc_login(client, person, "citizen-known", next_page="/my/")
    assert r.status_code == 302 and r.headers["Location"] == "/my/"
    page = client.get("/my/").get_data(as_text=True)
    assert "您还没有申请" not in page and "翠湖花园" in page
    # The password login of that owner works as before.
    assert password_login(app.test_client(), people.owner.username).status_code == 302


def test_a_mobile_the_provider_has_not_verified_opens_nothing(app, people, person):
    r = oidc_login(app.test_client(), person, "citizen-unverified")
    page = r.get_data(as_text=True)
    assert r.status_code == 401 and "政务服务网账号登录未成功" in page
    assert "未提供已验证的手机号" in page
    assert user_named(app, "13900000088") is None


# --- staff --------------------------------------------------------------------------------


def test_a_staff_member_unknown_to_the_site_is_refused_even_with_their_own_mobile(
    app, people, person
):
    client = app.test_client()
    r = oidc_login(client, person, "gov-staff-wang")
    page = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "尚未绑定工作人员账户" in page and "请联系系统管理员" in page
    assert client.get("/staff/").status_code == 302  # not logged in as wang
    assert user_named(app, STAFF_PHONE) is None  # and no citizen made of the staff's phone


def test_the_admin_links_the_subject_once_and_the_staff_member_logs_in_through_it(
    app, people, person
):
    admin = app.test_client()
    password_login(admin, "admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "政务服务网账号标识（sub）" in page
    wang = people.wang.id
    form = {
        "csrf_token": csrf_token(admin, "/admin/users"),
        f"u{wang}-role": "clerk",
        f"u{wang}-department": "",
        f"u{wang}-active": "y",
        f"u{wang}-oidc_subject": "gov-staff-wang",
    }
    assert admin.post(f"/admin/users/{wang}", data=form).status_code == 303
    assert user_named(app, "wang").oidc_subject == "gov-staff-wang"
    assert 'value="gov-staff-wang"' in admin.get("/admin/users").get_data(as_text=True)

    staff = app.test_client()
    r = oidc_login(staff, person, "gov-staff-wang")
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/")
    assert staff.get("/staff/").status_code == 200

    # One subject, one account: linking it to another is refused with the holder's name.
    clerk = people.clerk.id
    form.update({f"u{clerk}-role": "clerk", f"u{clerk}-active": "y", f"u{clerk}-department": "",
                 f"u{clerk}-oidc_subject": "gov-staff-wang"})  # fmt: skip
    form["csrf_token"] = csrf_token(admin, "/admin/users")
    admin.post(f"/admin/users/{clerk}", data=form)
    assert "该政务服务网账号标识已绑定账户 wang" in admin.get("/admin/users").get_data(as_text=True)
    assert user_named(app, "clerk").oidc_subject is None


def test_a_linked_subject_without_a_phone_logs_in_and_a_disabled_account_is_refused(
    app, people, person
):
    rt = app.extensions["jiati"]
    services.link_oidc(rt, people.admin.id, people.housing.id, "gov-staff-no-phone")
    r = oidc_login(app.test_client(), person, "gov-staff-no-phone")
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/review")
    services.update_user(rt, people.admin.id, people.housing.id, active=False)
    r = oidc_login(app.test_client(), person, "gov-staff-no-phone")
    assert r.status_code == 403 and "该账户已停用" in r.get_data(as_text=True)


def test_the_command_line_links_and_unlinks_a_staff_account(app, people, provider):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["user", "link-oidc", "clerk", "gov-clerk-1"])
    assert done.exit_code == 0 and "gov-clerk-1" in done.output
    assert user_named(app, "clerk").oidc_subject == "gov-clerk-1"
    owner = runner.invoke(args=["user", "link-oidc", people.owner.username, "gov-x"])
    assert owner.exit_code != 0 and "群众账户按已验证的手机号登录" in owner.output
    taken = runner.invoke(args=["user", "link-oidc", "housing", "gov-clerk-1"])
    assert taken.exit_code != 0 and "已绑定账户 clerk" in taken.output
    done = runner.invoke(args=["user", "link-oidc", "clerk", "--unlink"])
    assert done.exit_code == 0 and user_named(app, "clerk").oidc_subject is None


# --- what the flow refuses ------------------------------------------------------------------


def test_a_tampered_state_is_refused_and_opens_no_session(app, people, person):
    client = app.test_client()
    back = at_provider(person, start(client), "citizen-known")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    query["state"] = ["forged" + query["state"][0][6:]]
    forged = "&".join(f"{k}={v[0]}" for k, v in query.items())
    r = client.get(f"{parts.path}?{forged}")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "state 校验未通过" in page
    assert client.get("/my/").status_code == 302


def test_an_id_token_for_another_nonce_is_refused(app, people, person):
    client = app.test_client()
    back = at_provider(person, start(client), "citizen-known")
    state = parse_qs(urlsplit(back).query)["state"][0]
    with client.session_transaction() as session:
        kept = session[f"_state_oidc_{state}"]
        kept["data"]["nonce"] = "a-nonce-this-login-never-sent"
        session[f"_state_oidc_{state}"] = kept
    r = client.get(local(back))
    assert r.status_code == 400 and "nonce 校验未通过" in r.get_data(as_text=True)
    assert client.get("/my/").status_code == 302


def test_a_code_used_twice_is_refused_by_the_provider(app, people, person):
    client = app.test_client()
    back = at_provider(person, start(client), "citizen-known")
    with client.session_transaction() as session:
        saved = dict(session)
    assert client.get(local(back)).status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(saved)
    r = replay.get(local(back))
    assert r.status_code == 400 and "政务服务网未完成登录" in r.get_data(as_text=True)


def test_an_expired_id_token_is_refused(tmp_path, clock, person):
    """The provider's clock runs ten minutes slow and its ID tokens live a minute: what it
    signs has expired well past the minute of leeway the site allows."""
    folder = tmp_path / "slow-op"
    folder.mkdir()
    accounts = {"citizen-known": {**ACCOUNTS["citizen-known"], "id_token_ttl": 60}}
    process, issuer = start_provider(folder, accounts, clock_skew=-600)
    app = oidc_app(tmp_path, clock, issuer)
    try:
        make_people(app.extensions["jiati"])
        client = app.test_client()
        r = oidc_login(client, person, "citizen-known")
        assert r.status_code == 400 and "身份凭证已过期" in r.get_data(as_text=True)
        assert client.get("/my/").status_code == 302
    finally:
        app.extensions["jiati"].db.dispose()
        stop_provider(process)


def test_a_person_who_cancels_at_the_provider_is_told_so(app, people, person):
    client = app.test_client()
    response = person.get(start(client), allow_redirects=False)
    while response.is_redirect:
        response = person.get(urljoin(response.url, response.headers["Location"]),
                               allow_redirects=False)  # fmt: skip
    uid = re.search(r"/interaction/([^/\"]+)/", response.text).group(1)
    back = person.get(urljoin(response.url, f"/interaction/{uid}/abort"), allow_redirects=False)
    while not back.headers["Location"].startswith(APP):
        back = person.get(urljoin(back.url, back.headers["Location"]), allow_redirects=False)
    r = client.get(local(back.headers["Location"]))
    assert r.status_code == 400 and "您已在政务服务网取消登录" in r.get_data(as_text=True)


def test_an_unreachable_provider_leaves_the_local_login_working(tmp_path, clock):
    app = oidc_app(tmp_path / "down", clock, f"http://127.0.0.1:{_free_port()}")
    try:
        make_people(app.extensions["jiati"])
        client = app.test_client()
        r = client.get("/auth/oidc/login")
        assert r.status_code == 502 and "暂时无法连接政务服务网" in r.get_data(as_text=True)
        assert password_login(client, "13800000001").status_code == 302
    finally:
        app.extensions["jiati"].db.dispose()


# --- logout ---------------------------------------------------------------------------------


def test_logout_ends_the_local_session_and_the_providers(app, people, person, provider):
    client = app.test_client()
    assert oidc_login(client, person, "citizen-known").status_code == 302
    r = client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/my/")})
    assert r.status_code == 302 and r.headers["Location"].startswith(f"{provider}/session/end?")
    asked = parse_qs(urlsplit(r.headers["Location"]).query)
    assert asked["post_logout_redirect_uri"] == [f"{APP}/auth/login"]
    assert asked["id_token_hint"][0].count(".") == 2
    assert f"form-action 'self' {provider}" in r.headers["Content-Security-Policy"]
    assert client.get("/my/").status_code == 302  # the local session has ended

    # At the provider: "sign me out", then back to the site's login page.
    page = person.get(r.headers["Location"])
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
    out = person.post(urljoin(page.url, action), data={"xsrf": xsrf, "logout": "yes"},
                       allow_redirects=False)  # fmt: skip
    assert out.headers["Location"].startswith(f"{APP}/auth/login")
    # The provider's session is over: the next login asks to sign in again.
    response = person.get(start(client), allow_redirects=True)
    assert 'name="prompt" value="login"' in response.text


def test_without_logging_out_the_provider_lets_the_person_straight_back(app, people, person):
    """The counterpart of the test above: a live provider session skips its sign-in page."""
    assert oidc_login(app.test_client(), person, "citizen-known").status_code == 302
    back = person.get(start(app.test_client()), allow_redirects=False)
    while not back.headers["Location"].startswith(APP):
        back = person.get(urljoin(back.url, back.headers["Location"]), allow_redirects=False)
    assert "code=" in back.headers["Location"]


def test_a_password_login_logs_out_locally_only(app, people):
    client = app.test_client()
    password_login(client, people.owner.username)
    r = client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/my/")})
    assert r.status_code == 302 and r.headers["Location"] == "/auth/login"


def test_the_pages_the_provider_adds_to_are_valid_html(app, people, person, tmp_path):
    """The login page offering the provider, with a refusal, and the admin's accounts page
    with the subject field, by the Nu Html Checker."""
    from .test_valid_html import vnu_jar

    jar = vnu_jar()
    refused = oidc_login(app.test_client(), person, "citizen-unverified")
    admin = app.test_client()
    password_login(admin, "admin")
    pages = {
        "login": app.test_client().get("/auth/login").get_data(as_text=True),
        "refused": refused.get_data(as_text=True),
        "users": admin.get("/admin/users").get_data(as_text=True),
    }
    assert "政务服务网账号登录未成功" in pages["refused"]
    for name, page in pages.items():
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    run = subprocess.run(  # nosec B603 B607  # the checker on our own pages
        ["java", "-jar", jar, "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(tmp_path / f"{name}.html") for name in pages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [m for m in json.loads(run.stderr or run.stdout)["messages"] if m["type"] == "error"]
    assert errors == []
