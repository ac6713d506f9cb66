"""The incentive estimator page: the incentives engine for people, in both languages (the API serves programs)."""
from __future__ import annotations

import re
from typing import Optional

from flask import render_template, request
from flask_babel import gettext as _

from ..core.clock import today_jst
from ..core.extensions import db
from ..core.i18n import current_language, data_language
from ..core.limits import MAX_YEN
from . import bp, estimator

# People type thousands separators and spaces ("1,000,000,000"); nothing else is a number here.
SEPARATORS = re.compile(r"[,\s_，]")


def _number(name: str, label: str, high: int, errors: list[str]) -> Optional[int]:
    raw = SEPARATORS.sub("", request.args.get(name, ""))[:40]
    if not raw.isascii() or not raw.isdigit():
        errors.append(_("Give the %(field)s as a whole number, 0 or more.", field=label))
        return None
    value = int(raw)
    if value > high:
        errors.append(_("The %(field)s must be at most %(max)s.", field=label, max=f"{high:,}"))
        return None
    return value


@bp.route("/incentives", endpoint="estimator")
def estimator_page():
    """Whether a production qualifies for Japan's location incentive, and roughly how much it could get."""
    lang = data_language()
    programs = estimator.load_programs(db.session)
    by_code = {p.code: p for p in programs}
    program = by_code.get(request.args.get("program", "")) or estimator.default_program(programs, today_jst())
    errors: list[str] = []
    result = None
    if any(request.args.get(k) for k in ("total", "japan", "countries")):
        total = _number("total", _("total budget"), MAX_YEN, errors)
        japan = _number("japan", _("Japan spend"), MAX_YEN, errors)
        countries = _number("countries", _("number of release countries"), estimator.MAX_RELEASE_COUNTRIES, errors)
        if total is not None and japan is not None and japan > total:
            errors.append(_("The Japan spend is more than the total budget."))
        if request.args.get("program") and request.args["program"] not in by_code:
            errors.append(_("Choose a programme from the list."))
        if program is None:
            errors.append(_("No programme is open for applications today: choose a past round to see how its "
                            "thresholds would apply."))
        if not errors:
            result = estimator.estimate(program, total, japan, countries, lang=current_language())
    return render_template("incentives/estimator.html", programs=list(reversed(programs)), program=program, result=result,
                           errors=errors, lang=lang, today=today_jst()), (400 if errors else 200)
