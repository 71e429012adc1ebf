"""Password hashing with the standard library's scrypt (RFC 7914)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache
from pathlib import Path

N, R, P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(key).decode()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))


# — what a password must be ———————————————————————————————————————————————————————

MIN_LENGTH = 10
MAX_LENGTH = 256  # scrypt hashes any length; a bound keeps hashing cheap for the server
_COMMON_FILE = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (no network): passwords attackers try first."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def _a_run(p: str) -> bool:
    """One character repeated, or a run of consecutive digits or letters (1234567890, abcdefghij)."""
    if len(set(p)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(p, p[1:], strict=False)}
    return steps in ({1}, {-1})


def weakness(password: str, username: str = "") -> tuple[str, str] | None:
    """Why `password` is too weak (Chinese, English), or None when it will do."""
    if len(password) < MIN_LENGTH:
        return (f"密码至少 {MIN_LENGTH} 位。", f"At least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        return (f"密码最多 {MAX_LENGTH} 位。", f"At most {MAX_LENGTH} characters.")
    low = password.lower()
    if low in common_passwords() or _a_run(low):
        return (
            "这个密码太常见，很容易被猜中，请换一个。",
            "This password is too common and easily guessed; choose another.",
        )
    if username and username.lower() in low:
        return ("密码不能包含用户名或手机号。", "The password must not contain the username.")
    return None


# A stored hash of a random password: checking against it when an account does not exist
# takes as long as checking a real one, so login time does not tell which accounts exist.
@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def check_nobody(password: str) -> bool:
    """Spend a real check's time on a missing account; always False."""
    check_password(_dummy_hash(), password)
    return False
