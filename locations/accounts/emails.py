"""Signed links for email checks and password resets, and the account emails that carry them."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Callable

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..core.clock import jst_time
from ..core.extensions import db
from .mail import absolute_link, queue_email
from .models import User

VERIFY_SALT = "email-verification"
RESET_SALT = "password-reset"


class LinkProblem(ValueError):
    """A link that is expired, already used, for another account or not ours at all."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    # The last key signs; older ones (after a rotation) still verify, as for the session cookie.
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=salt)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def verification_token(user: User) -> str:
    # Bound to the address: changing it later makes earlier links worthless.
    return _serializer(VERIFY_SALT).dumps({"u": user.id, "e": _fingerprint(user.email)})


def user_from_verification(token: str) -> User:
    """The user whose address the link proves; single use, since a verified address needs no link."""
    data = _load(VERIFY_SALT, token, current_app.config["EMAIL_VERIFY_HOURS"] * 3600)
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or data.get("e") != _fingerprint(user.email):
        raise LinkProblem(_("This link is not valid."))
    if user.email_verified_at is not None:
        raise LinkProblem(_("This address is already confirmed; the link cannot be used again."))
    return user


def reset_token(user: User) -> str:
    # Bound to the current password hash and session epoch: the reset (or any password change) spends it.
    return _serializer(RESET_SALT).dumps({"u": user.id, "p": _fingerprint(f"{user.password_hash}:{user.session_epoch}")})


def user_from_reset(token: str) -> User:
    data = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MINUTES"] * 60)
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("p") != _fingerprint(f"{user.password_hash}:{user.session_epoch}"):
        raise LinkProblem(_("This link has already been used or is no longer valid. Ask for a new one."))
    return user


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise LinkProblem(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise LinkProblem(_("This link is not valid.")) from None
    if not isinstance(data, dict):
        raise LinkProblem(_("This link is not valid."))
    return data


def _bilingual(render: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """Subject and body in Japanese and English: we cannot know which the reader prefers."""
    with force_locale("ja"):
        subject_ja, body_ja = render()
    with force_locale("en"):
        subject_en, body_en = render()
    footer = "-- \nJapan Film Locations"
    return f"{subject_ja} / {subject_en}", f"{body_ja}\n\n----\n\n{body_en}\n\n{footer}\n"


def _link(endpoint: str, **values) -> str:
    return absolute_link(url_for(endpoint, **values))


def queue_verification(user: User) -> None:
    link = _link("accounts.verify_email", token=verification_token(user))
    hours = current_app.config["EMAIL_VERIFY_HOURS"]
    subject, body = _bilingual(lambda: (
        _("Confirm your email address"),
        _("Please confirm that %(email)s is your address by opening this link within %(hours)d hours:",
          email=user.email, hours=hours) + f"\n\n{link}\n\n"
        + _("Until then you can sign in, but not create productions or send inquiries. "
            "If you did not create an account, ignore this email.")))
    queue_email(user.email, subject, body, "verify_email")


def queue_already_registered(email: str) -> None:
    """Someone tried to sign up with an address that has an account: tell its owner, not the visitor."""
    sign_in, reset = _link("accounts.login"), _link("accounts.forgot_password")
    subject, body = _bilingual(lambda: (
        _("Someone tried to create an account with your address"),
        _("Someone tried to create a new account with %(email)s, which already has one. No new account was "
          "made.", email=email) + "\n\n" + _("To sign in:") + f" {sign_in}\n"
        + _("If you forgot your password:") + f" {reset}\n\n"
        + _("If this was not you, you can ignore this email.")))
    queue_email(email, subject, body, "signup_existing")


def queue_reset(user: User) -> None:
    link = _link("accounts.reset_password", token=reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    subject, body = _bilingual(lambda: (
        _("Reset your password"),
        _("To choose a new password, open this link within %(minutes)d minutes. It works once.",
          minutes=minutes) + f"\n\n{link}\n\n"
        + _("If you did not ask for this, ignore this email; your password stays as it is.")))
    queue_email(user.email, subject, body, "password_reset")


def queue_lockout_notice(email: str, until: datetime) -> None:
    """Tell an account's owner that its sign-in was locked (once per lockout)."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        return
    reset = _link("accounts.forgot_password")
    subject, body = _bilingual(lambda: (
        _("Sign-in to your account was locked"),
        _("There were several failed attempts to sign in to %(email)s, so signing in is locked until %(until)s.",
          email=email, until=jst_time(until)) + "\n\n"
        + _("If this was you, wait and try again. If not, someone may be guessing your password; "
            "choose a new one here:") + f" {reset}"))
    queue_email(email, subject, body, "lockout")


def queue_password_changed(user: User) -> None:
    reset = _link("accounts.forgot_password")
    subject, body = _bilingual(lambda: (
        _("Your password was changed"),
        _("The password of %(email)s was just changed, and your other sessions were signed out.",
          email=user.email) + "\n\n"
        + _("If this was not you, reset your password at once:") + f" {reset}"))
    queue_email(user.email, subject, body, "password_changed")
