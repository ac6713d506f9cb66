"""Two-step sign-in: TOTP secrets (RFC 6238) with a server-drawn QR code, and one-time recovery codes."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import Optional

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select

from ..core import audit
from ..core.clock import now
from ..core.extensions import db
from .models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# One step either side of now: phones' clocks drift and people type slowly.
VALID_WINDOW = 1
CODE = re.compile(r"^\d{6}$")


def required_for(user: User) -> bool:
    return user.role in tuple(current_app.config.get("TOTP_REQUIRED_ROLES") or ())


def pending_secret(user: User) -> str:
    """The secret being enrolled (kept on the user until confirmed, so a reload shows the same QR code)."""
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn here: the secret never goes to a third-party service."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=False)
    # segno writes only paths and attributes of its own; nothing in it comes from user text as markup.
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: float) -> Optional[int]:
    totp = pyotp.TOTP(secret)
    current = int(now) // totp.interval
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str, secret: Optional[str] = None, now: Optional[float] = None) -> bool:
    """True for a current code not used before; remembers its time step so it cannot be replayed."""
    code = re.sub(r"\s+", "", code or "")
    secret = secret or user.totp_secret
    if not secret or not CODE.match(code):
        return False
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def enable(user: User, code: str) -> Optional[list[str]]:
    """Turn two-step sign-in on once a code from the new secret checks out; returns fresh recovery codes."""
    secret = user.totp_secret
    if not secret or not check_code(user, code, secret):
        return None
    user.totp_enabled_at = now()
    audit.record("two_step_on", user, user=user)
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("two_step_off", user, user=user)


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (code or "").lower())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, shown to them once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 random bits each
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    normalised = _normalise_recovery(code)
    if len(normalised) != 10:
        return False
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_hash(normalised),
        RecoveryCode.used_at.is_(None)).with_for_update())
    if row is None:
        return False
    row.used_at = now()
    audit.record("recovery_code_used", user, user=user)
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
