"""Small builders for test data; they add and flush, the test decides about committing."""
from __future__ import annotations

from itertools import count

from sqlalchemy import select

from locations.core.extensions import db
from locations.directory.models import FilmCommission, Prefecture

_serial = count(1)


def make_commission(**overrides) -> FilmCommission:
    n = next(_serial)
    prefecture = overrides.pop("prefecture", None) or db.session.scalar(
        select(Prefecture).where(Prefecture.code == "13")
    )
    values = {
        "slug": f"test-fc-{n}",
        "name_ja": f"テストFC{n}",
        "name_en": f"Test FC {n}",
        "prefecture_id": prefecture.id,
        "lat": prefecture.office_lat,
        "lon": prefecture.office_lon,
        "source": "test builder",
    }
    values.update(overrides)
    fc = FilmCommission(**values)
    db.session.add(fc)
    db.session.flush()
    return fc


PASSWORD = "a sturdy test passphrase 2026"


def make_user(role: str, commission=None, authority=None, email=None, active=True, verified=True):
    """An account with the test password and (unless ``verified=False``) a confirmed email address;
    FC staff default to the Kagawa FC."""
    from datetime import datetime, timezone

    from locations.accounts.models import User
    from locations.permits.models import PermitAuthority

    n = next(_serial)
    if role == "fc_staff" and commission is None:
        commission = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
    if role == "authority" and authority is None:
        authority = db.session.scalar(select(PermitAuthority).where(PermitAuthority.code == "police-hq-37"))
    user = User(email=email or f"{role}{n}@example.com", display_name=f"{role} {n}", role=role,
                commission_id=commission.id if commission is not None and role == "fc_staff" else None,
                authority_id=authority.id if authority is not None and role == "authority" else None,
                password_hash=_hash_once(), active=active,
                email_verified_at=datetime.now(timezone.utc) if verified else None)
    db.session.add(user)
    db.session.flush()
    return user


_cached_hash = None


def _hash_once() -> str:
    """Argon2 is slow on purpose; every test user shares one hash of PASSWORD."""
    global _cached_hash
    if _cached_hash is None:
        from locations.accounts.passwords import hash_password

        _cached_hash = hash_password(PASSWORD)
    return _cached_hash


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def enrol_totp(user) -> str:
    """Turn two-step sign-in on for ``user`` (flushed); returns the secret, for computing codes."""
    from datetime import datetime, timezone

    import pyotp

    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = datetime.now(timezone.utc)
    db.session.flush()
    return user.totp_secret


def totp_code(secret: str, steps_ahead: int = 1) -> str:
    """A code for a time step after any used so far (the app refuses a step twice); the server accepts
    one step either side of now."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(time.time()) // totp.interval + steps_ahead)
