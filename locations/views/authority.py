"""Authority officers: the permit steps addressed to their authority, and their decisions."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("authority", __name__, url_prefix="/authority")
