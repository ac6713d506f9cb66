"""Producers: their productions, shoots and permit cases (FC staff and authority officers concerned see
the case too, each acting as their role allows), and their inquiries to film commissions."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("producer", __name__)
