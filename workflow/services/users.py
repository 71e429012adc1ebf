"""Accounts, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..data import audit, privacy
from ..data.config import current_settings
from ..data.models import ApiToken, User
from ..data.runtime import Runtime
from ..data.settings import DEPARTMENTS
from ..errors import Conflict, Forbidden, InvalidInput, Message, NotAuthenticated, msg
from ..process.access import ROLES, actor_of, require_role
from ..rules.passwords import MIN_LENGTH, check_nobody, check_password, hash_password, weakness
from .cases import valid_mobile

MIN_PASSWORD = MIN_LENGTH
TOKEN_LIFETIME = timedelta(hours=12)
# Wrong passwords on one account slow every later attempt on it (right or wrong alike, so the
# wait tells nothing): from the third failure on, 0.25 s doubling to at most 4 s. The account
# is never locked: its owner, with the right password, always gets in. Guessing from one
# address is bounded by the per-address throttle of the web layer.
SLOW_AFTER = 3
FIRST_DELAY = 0.25
MAX_DELAY = 4.0
sleep = time.sleep  # tests replace it to observe the delays


# Wrong passwords for names that have no account slow down alike (else the delay would tell
# which accounts exist); kept in memory, bounded, since there is no row to count them on.
_unknown_failures: dict[str, int] = {}
UNKNOWN_KEPT = 10_000


def _count_unknown(name: str) -> None:
    if len(_unknown_failures) >= UNKNOWN_KEPT:
        _unknown_failures.clear()
    _unknown_failures[name] = _unknown_failures.get(name, 0) + 1


def login_delay(failures: int) -> float:
    """Seconds to wait before checking a password on an account with `failures` in a row."""
    if failures < SLOW_AFTER:
        return 0.0
    return min(FIRST_DELAY * 2 ** (failures - SLOW_AFTER), MAX_DELAY)


@dataclass(frozen=True)
class Account:
    """A user as the web layer keeps it between requests (no ORM session attached)."""

    id: int
    username: str
    role: str
    department: str | None
    name: str
    phone: str | None
    active: bool
    # Sessions carry the version they were opened under; raising it ends them all at once.
    session_version: int = 0
    must_change_password: bool = False
    street: str | None = None  # a mediator's 街道

    @classmethod
    def of(cls, u: User) -> Account:
        return cls(
            u.id,
            u.username,
            u.role,
            u.department,
            u.name,
            u.phone,
            u.active,
            u.session_version or 0,
            bool(u.must_change_password),
            u.street,
        )


def _validate(
    username: str, password: str | None, role: str, department: str | None
) -> list[Message]:
    """What is wrong with an account's fields; `password=None`: the password is not changing."""
    errors = []
    if not username or len(username) > 64:
        errors.append(msg("username", "请填写用户名（64 字以内）。", "Username is required."))
    if role == "homeowner" and not valid_mobile(username):
        errors.append(
            msg("username", "请输入 11 位大陆手机号。", "Enter an 11-digit mainland mobile number.")
        )
    weak = weakness(password, username) if password is not None else None
    if weak:
        errors.append(msg("password", *weak))
    if role not in ROLES:
        errors.append(msg("role", "角色无效。", "Invalid role."))
    if role == "approver" and department not in DEPARTMENTS:
        errors.append(
            msg("department", "审批人员须属于一个部门。", "An approver needs a department.")
        )
    return errors


def _create(
    s,
    rt: Runtime,
    username: str,
    password: str,
    role: str,
    department: str | None,
    name: str,
    phone: str | None,
    by: User | None,
    must_change_password: bool = False,
    street: str | None = None,
) -> User:
    username = (username or "").strip()
    errors = _validate(username, password, role, department)
    if errors:
        raise InvalidInput(*errors)
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(
            msg("username_taken", "该用户名（手机号）已注册。", "That username is taken.")
        )
    now = rt.clock()
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        department=department if role == "approver" else None,
        name=(name or "").strip()[:64],
        phone=(phone or (username if role == "homeowner" else None)),
        active=True,
        created_at=now,
        must_change_password=must_change_password,
        street=((street or "").strip()[:32] or None) if role == "mediator" else None,
    )
    s.add(user)
    s.flush()
    audit.append(
        s,
        kind="user_created",
        at=now,
        actor=by or user,
        role=by.role if by else role,
        payload={"user": user.id, "username": username, "role": role, "department": department},
    )
    return user


def register(rt: Runtime, phone: str, password: str, name: str = "") -> Account:
    """A homeowner registers with their mobile number."""
    with rt.db.transaction() as s:
        user = _create(s, rt, phone, password, "homeowner", None, name, phone, None)
        privacy.record_seen(s, current_settings(s, rt.settings), "register", rt.clock(), user=user)
        return Account.of(user)


def create_user(
    rt: Runtime,
    actor: User | int | None,
    *,
    username: str,
    password: str,
    role: str,
    department: str | None = None,
    name: str = "",
    phone: str | None = None,
    must_change_password: bool = False,
    street: str | None = None,
) -> Account:
    """An admin (or the command line, `actor=None`) creates an account of any role;
    `must_change_password`: the first login asks for a new password before anything else;
    `street`: the 街道 whose referrals a mediator sees (all of them without one)."""
    with rt.db.transaction() as s:
        by = None
        if actor is not None:
            by = actor_of(s, actor)
            require_role(by, "admin")
        user = _create(
            s,
            rt,
            username,
            password,
            role,
            department,
            name,
            phone,
            by,
            must_change_password,
            street,
        )
        return Account.of(user)


def authenticate(rt: Runtime, username: str, password: str) -> Account | None:
    """The account for these credentials, or None.

    Takes the same time whether or not the account exists (a check against a dummy hash), and
    slows attempts on an account after wrong passwords (`login_delay`) without ever locking it.
    """
    with rt.db.transaction() as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip()))
        name = (username or "").strip()
        failures = (user.failed_logins or 0) if user is not None else _unknown_failures.get(name, 0)
    wait = login_delay(failures)
    if wait:
        sleep(wait)
    with rt.db.transaction() as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip()))
        if user is None:
            check_nobody(password or "")
            _count_unknown(name)
            return None
        if not check_password(user.password_hash, password or "") or not user.active:
            user.failed_logins = (user.failed_logins or 0) + 1
            return None
        user.failed_logins = 0
        return Account.of(user)


# — 政务服务网 (OpenID Connect) ————————————————————————————————————————————————————————

_MOBILE_PREFIXES = ("+86", "0086", "86")


def mainland_mobile(claim: str | None) -> str | None:
    """The 11-digit mobile of an OpenID `phone_number` claim (E.164 as "+86 138 0000 0001",
    or the bare number), or None when it is not a mainland mobile."""
    digits = "".join(ch for ch in (claim or "") if ch.isdigit() or ch == "+")
    for prefix in _MOBILE_PREFIXES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if valid_mobile(digits) else None


def _unlinked_staff() -> Forbidden:
    return Forbidden(
        msg(
            "oidc_staff_unlinked",
            "该政务服务网账号尚未绑定工作人员账户，不能以工作人员身份登录。"
            "请联系系统管理员在账户管理中绑定后再登录。",
            "This government service account is not linked to a staff account. Ask the "
            "administrator to link it on the accounts page, then log in again.",
        )
    )


def _disabled() -> Forbidden:
    return Forbidden(
        msg("oidc_disabled", "该账户已停用，请联系系统管理员。", "This account is disabled.")
    )


def oidc_account(
    rt: Runtime, subject: str, phone: str | None, phone_verified: bool, name: str = ""
) -> Account:
    """The account a verified 政务服务网 login opens (the ID token already checked).

    A staff or admin account only through the subject its admin linked (`link_oidc`): a login
    never creates one, and a phone number never reaches one. A citizen is the homeowner whose
    username is the verified mobile, registered now if there is none."""
    mobile = mainland_mobile(phone) if phone_verified is True else None
    with rt.db.transaction() as s:
        linked = s.scalar(select(User).where(User.oidc_subject == subject)) if subject else None
        if linked is not None:
            if not linked.active:
                raise _disabled()
            user = linked
        elif mobile is None:
            raise NotAuthenticated(
                msg(
                    "oidc_phone",
                    "政务服务网未提供已验证的手机号，无法登录。请先在政务服务网完成手机号验证，"
                    "或使用手机号和密码登录；工作人员请联系系统管理员绑定政务服务网账号。",
                    "The government service did not give a verified mobile number. Verify it "
                    "there, or log in with your mobile number and password; staff ask the "
                    "administrator to link their account.",
                )
            )
        else:
            owners = select(User).where(
                (User.username == mobile) | ((User.phone == mobile) & (User.role != "homeowner"))
            )
            found = list(s.scalars(owners))
            if any(u.role != "homeowner" for u in found):
                raise _unlinked_staff()
            user = found[0] if found else None
            if user is None:
                # A password nobody knows: this citizen signs in through the provider.
                user = _create(
                    s, rt, mobile, secrets.token_urlsafe(32), "homeowner", None, name, mobile, None
                )
                # The login page shows the processing rules beside the button that registers.
                settings = current_settings(s, rt.settings)
                privacy.record_seen(s, settings, "register", rt.clock(), user=user)
            elif not user.active:
                raise _disabled()
        return Account.of(user)


def link_oidc(rt: Runtime, actor: User | int | None, user_id: int, subject: str | None) -> Account:
    """An admin (or the command line, `actor=None`) links a staff account to its 政务服务网
    subject (`sub`), or unlinks it (empty). Citizens are found by their verified mobile."""
    subject = (subject or "").strip() or None
    with rt.db.transaction() as s:
        by = None
        if actor is not None:
            by = actor_of(s, actor)
            require_role(by, "admin")
        user = s.get(User, user_id)
        if user is None:
            raise InvalidInput(msg("user", "未找到该用户。", "No such user."))
        if user.role == "homeowner":
            raise InvalidInput(
                msg(
                    "oidc_subject",
                    "群众账户按已验证的手机号登录，无需绑定。",
                    "Citizens log in by their verified mobile number; nothing to link.",
                )
            )
        if subject is not None and len(subject) > 255:
            raise InvalidInput(
                msg("oidc_subject", "账号标识过长（最多 255 字）。", "The subject is too long.")
            )
        if subject == user.oidc_subject:
            return Account.of(user)
        taken = s.scalar(select(User.username).where(User.oidc_subject == subject))
        if subject is not None and taken is not None:
            raise Conflict(
                msg(
                    "oidc_subject_taken",
                    f"该政务服务网账号标识已绑定账户 {taken}。",
                    f"That subject is already linked to {taken}.",
                )
            )
        if user.oidc_subject is not None:
            _end_sessions(s, user)  # sessions opened through the old link end with it
        user.oidc_subject = subject
        audit.append(
            s,
            kind="oidc_linked" if subject else "oidc_unlinked",
            at=rt.clock(),
            actor=by or user,
            role=by.role if by else user.role,
            payload={"user": user.id, "subject": subject},
        )
        return Account.of(user)


def get_account(rt: Runtime, user_id: int) -> Account | None:
    with rt.db.session() as s:
        user = s.get(User, user_id)
        return Account.of(user) if user is not None and user.active else None


def update_user(
    rt: Runtime,
    actor: User | int,
    user_id: int,
    *,
    active: bool | None = None,
    role: str | None = None,
    department: str | None = None,
    password: str | None = None,
    name: str | None = None,
    street: str | None = None,
) -> Account:
    """An admin disables, re-roles or resets the password of an account, or names the 街道
    whose referrals a mediator sees (`street`; blank: every 街道)."""
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        user = s.get(User, user_id)
        if user is None:
            raise InvalidInput(msg("user", "未找到该用户。", "No such user."))
        if user.id == admin.id and (active is False or (role and role != "admin")):
            raise Forbidden(
                msg("self", "不能停用或降级自己的账户。", "You cannot disable or demote yourself.")
            )
        new_role = role or user.role
        new_dept = department if department is not None else user.department
        errors = _validate(user.username, password or None, new_role, new_dept)
        if errors:
            raise InvalidInput(*errors)
        changes = {}
        role_changed = bool(role) and role != user.role
        if active is not None:
            user.active = changes["active"] = active
        if role:
            user.role = changes["role"] = role
        user.department = changes["department"] = new_dept if new_role == "approver" else None
        if name is not None:
            user.name = changes["name"] = name.strip()[:64]
        if new_role != "mediator":
            if user.street is not None:
                user.street = changes["street"] = None
        elif street is not None and (street.strip()[:32] or None) != user.street:
            user.street = changes["street"] = street.strip()[:32] or None
        if password:
            user.password_hash = hash_password(password)
            # A password the admin knows is an initial password: the owner chooses their own.
            user.must_change_password = True
            changes["password"] = "reset"  # nosec B105  # an audit label, not a password
        if password or active is False or role_changed:
            _end_sessions(s, user)
        audit.append(
            s,
            kind="user_updated",
            at=rt.clock(),
            actor=admin,
            role="admin",
            payload={"user": user.id, **changes},
        )
        return Account.of(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(rt: Runtime, username: str, password: str) -> tuple[str, Account, datetime]:
    account = authenticate(rt, username, password)
    if account is None:
        raise NotAuthenticated(
            msg("credentials", "用户名或密码错误。", "Wrong username or password.")
        )
    if account.must_change_password:
        raise Forbidden(
            msg(
                "must_change_password",
                "请先登录网页修改初始密码，再使用接口。",
                "Change the initial password on the website before using the API.",
            )
        )
    token = secrets.token_urlsafe(32)
    now = rt.clock()
    expires = now + TOKEN_LIFETIME
    with rt.db.transaction() as s:
        s.add(
            ApiToken(
                token_hash=_token_hash(token),
                user_id=account.id,
                created_at=now,
                expires_at=expires,
            )
        )
    return token, account, expires


def token_account(rt: Runtime, token: str) -> Account | None:
    with rt.db.session() as s:
        row = s.scalar(
            select(ApiToken)
            .where(ApiToken.token_hash == _token_hash(token or ""))
            .options(joinedload(ApiToken.user))  # one query for the token and its holder
        )
        if row is None or row.revoked or row.expires_at <= rt.clock() or not row.user.active:
            return None
        return Account.of(row.user)


def revoke_token(rt: Runtime, token: str) -> bool:
    with rt.db.transaction() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token or "")))
        if row is None or row.revoked:
            return False
        row.revoked = True
        return True


def _end_sessions(s, user: User) -> None:
    """Every open session and API token of `user` ends now, on every worker: sessions carry
    the version they were opened under, and each request compares it with this row."""
    user.session_version = (user.session_version or 0) + 1
    for token in s.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    ):
        token.revoked = True


def sign_out(rt: Runtime, user_id: int) -> None:
    """The user logs out: this and every other session of theirs ends."""
    with rt.db.transaction() as s:
        user = s.get(User, user_id)
        if user is not None:
            user.session_version = (user.session_version or 0) + 1


def sign_out_user(rt: Runtime, actor: User | int, user_id: int) -> Account:
    """An admin signs a user out everywhere (a lost phone, a leaver): sessions and tokens."""
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        user = s.get(User, user_id)
        if user is None:
            raise InvalidInput(msg("user", "未找到该用户。", "No such user."))
        _end_sessions(s, user)
        audit.append(
            s,
            kind="user_signed_out",
            at=rt.clock(),
            actor=admin,
            role="admin",
            payload={"user": user.id},
        )
        return Account.of(user)


def change_password(rt: Runtime, user_id: int, current: str, new: str) -> Account:
    """The user chooses a new password; every other session and token of theirs ends."""
    with rt.db.transaction() as s:
        user = s.get(User, user_id)
        if user is None or not user.active:
            raise NotAuthenticated(msg("login", "请先登录。", "Please log in."))
        if not check_password(user.password_hash, current or ""):
            raise InvalidInput(msg("current", "当前密码不正确。", "The current password is wrong."))
        weak = weakness(new or "", user.username)
        if weak:
            raise InvalidInput(msg("password", *weak))
        if check_password(user.password_hash, new):
            raise InvalidInput(
                msg("password", "新密码不能与当前密码相同。", "Choose a different password.")
            )
        user.password_hash = hash_password(new)
        user.must_change_password = False
        _end_sessions(s, user)
        audit.append(
            s,
            kind="password_changed",
            at=rt.clock(),
            actor=user,
            role=user.role,
            payload={"user": user.id},
        )
        return Account.of(user)
