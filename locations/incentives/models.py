"""Production incentive programmes, one row per programme version (terms change between rounds)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import BigInteger, Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db


class IncentiveProgram(db.Model):
    """Rate, cap and eligibility thresholds of one programme version.

    Thresholds are strict ("> ¥500m": *more than* the amount) unless ``thresholds_inclusive`` (the source
    says "以上", at least). An empty threshold means the criterion does not exist for this programme; an empty cap means
    the source gives none (not that there is none).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_ja: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[Optional[date]] = mapped_column(Date)  # None: current
    rate: Mapped[float] = mapped_column(Float)  # share of qualifying Japan spend, 0 < rate <= 1
    cap_jpy: Mapped[Optional[int]] = mapped_column(BigInteger)
    min_japan_spend_alone_jpy: Mapped[Optional[int]] = mapped_column(BigInteger)
    min_total_budget_jpy: Mapped[Optional[int]] = mapped_column(BigInteger)
    min_japan_spend_with_total_jpy: Mapped[Optional[int]] = mapped_column(BigInteger)
    min_release_countries: Mapped[Optional[int]] = mapped_column(Integer)
    min_japan_spend_with_release_jpy: Mapped[Optional[int]] = mapped_column(BigInteger)
    thresholds_inclusive: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)
