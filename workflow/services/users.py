"""Accounts, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from .. import audit
from ..access import ROLES
from ..context import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, Message, NotAuthenticated, msg
from ..models import ApiToken, User
from ..passwords import check_password, hash_password
from ..settings import DEPARTMENTS
from .cases import valid_mobile
from .common import actor_of, require_role

MIN_PASSWORD = 8
MAX_FAILED_LOGINS = 10
LOGIN_PAUSE = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=12)


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

    @classmethod
    def of(cls, u: User) -> Account:
        return cls(u.id, u.username, u.role, u.department, u.name, u.phone, u.active)


def _validate(username: str, password: str, role: str, department: str | None) -> list[Message]:
    errors = []
    if not username or len(username) > 64:
        errors.append(msg("username", "请填写用户名（64 字以内）。", "Username is required."))
    if role == "homeowner" and not valid_mobile(username):
        errors.append(
            msg("username", "请输入 11 位大陆手机号。", "Enter an 11-digit mainland mobile number.")
        )
    if len(password or "") < MIN_PASSWORD:
        errors.append(
            msg("password", f"密码至少 {MIN_PASSWORD} 位。", f"At least {MIN_PASSWORD} characters.")
        )
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
        return Account.of(_create(s, rt, phone, password, "homeowner", None, name, phone, None))


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
) -> Account:
    """An admin (or the command line, `actor=None`) creates an account of any role."""
    with rt.db.transaction() as s:
        by = None
        if actor is not None:
            by = actor_of(s, actor)
            require_role(by, "admin")
        return Account.of(_create(s, rt, username, password, role, department, name, phone, by))


def authenticate(rt: Runtime, username: str, password: str) -> Account | None:
    """The account for these credentials, or None; after `MAX_FAILED_LOGINS` wrong passwords
    in a row the account refuses logins for `LOGIN_PAUSE` (a Conflict saying until when)."""
    now = rt.clock()
    with rt.db.transaction() as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip()))
        if user is None or not user.active:
            return None
        if user.login_paused_until and user.login_paused_until > now:
            until = user.login_paused_until.strftime("%H:%M")
            raise Conflict(
                msg(
                    "login_paused",
                    f"密码错误次数过多，请在 {until} 以后再试，或联系管理员重置密码。",
                    f"Too many wrong passwords; try again after {until} or ask for a reset.",
                )
            )
        if not check_password(user.password_hash, password or ""):
            user.failed_logins = (user.failed_logins or 0) + 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.failed_logins, user.login_paused_until = 0, now + LOGIN_PAUSE
            return None
        user.failed_logins, user.login_paused_until = 0, None
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
) -> Account:
    """An admin disables, re-roles or resets the password of an account."""
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
        errors = _validate(user.username, password or "x" * MIN_PASSWORD, new_role, new_dept)
        if errors:
            raise InvalidInput(*errors)
        changes = {}
        if active is not None:
            user.active = changes["active"] = active
        if role:
            user.role = changes["role"] = role
        user.department = changes["department"] = new_dept if new_role == "approver" else None
        if name is not None:
            user.name = changes["name"] = name.strip()[:64]
        if password:
            user.password_hash = hash_password(password)
            changes["password"] = "reset"
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
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token or "")))
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
