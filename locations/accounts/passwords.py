"""Passwords: Argon2id hashes, the strength policy, and checking a sign-in without telling which part was wrong."""
from __future__ import annotations

import re
import secrets
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.extensions import db
from .models import User

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the account does not exist keeps the timing of both answers alike.
_DUMMY_HASH = None


def check_credentials(email: str, password: str) -> Optional[User]:
    global _DUMMY_HASH
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Why a new password is not acceptable (empty when it is)."""
    from zxcvbn import zxcvbn

    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    if not problems:
        hints = [part for part in re.split(r"[@.\s]+", f"{email} {name}") if part]
        if zxcvbn(password[:MAX_PASSWORD_LENGTH], user_inputs=hints)["score"] < 3:
            problems.append(_("This password is too common or easy to guess; try a longer phrase."))
    return problems
