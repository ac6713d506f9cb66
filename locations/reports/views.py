"""Effect verification: FCs record shoot reports; anyone sees the sums, charts, a choropleth and a CSV;
busy municipalities (area overuse) as GeoJSON for the maps."""
from __future__ import annotations

import csv
import io
from typing import Optional

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..cases.labels import PRODUCTION_TYPE_LABELS
from ..core import audit, maps
from ..core.access import fc_staff_only
from ..core.clock import today_jst
from ..core.editing import Conflict, conflict_page
from ..core.errors import parse_id
from ..core.extensions import db
from ..core.fileformats import csv_cell
from ..core.forms import ActionForm, choices
from ..core.i18n import current_language, localized
from ..directory.access import own_commission
from ..directory.layers import outlines_url
from ..directory.models import FilmCommission, Municipality, Prefecture
from . import bp, charts
from . import figures as reports
from .forms import SPEND_LABELS, ShootReportForm
from .models import SPEND_CATEGORIES, ShootReport

# --- the public report ------------------------------------------------------------------------------

def _selection() -> tuple[reports.Selection, str, list[str]]:
    """The year, grouping and map measure asked for; bad values fall back to the defaults with a reason."""
    errors = []
    raw_year = request.args.get("year", "")
    year: Optional[int] = today_jst().year
    if raw_year == "all":
        year = None
    elif raw_year:
        if raw_year.isdigit() and 1900 <= int(raw_year) <= 2200:
            year = int(raw_year)
        else:
            errors.append(_("year: choose a year from the list or all years"))
    group = request.args.get("group", "commission")
    if group not in reports.GROUPINGS:
        errors.append(_("group: choose film commission, prefecture or regional block"))
        group = "commission"
    measure = request.args.get("measure", "days")
    if measure not in reports.MEASURES:
        errors.append(_("measure: choose shoot days or spend"))
        measure = "days"
    return reports.Selection(year=year, group=group), measure, errors


def yen(amount: int) -> str:
    return _("¥%(amount)s", amount=f"{amount:,}")


def _measure_label(measure: str, value: int) -> str:
    if measure == "days":
        return ngettext("%(num)d shoot day", "%(num)d shoot days", value)
    return yen(value)


def _group_label(group: str) -> str:
    return {"commission": _("Film commission"), "prefecture": _("Prefecture"), "block": _("Regional block")}[group]


def withheld_text(reason: str) -> str:
    if reason == "few":
        return _("withheld: fewer than %(n)d productions", n=reports.MIN_PRODUCTIONS)
    return _("withheld so that another withheld figure cannot be worked out")


@bp.route("/reports", endpoint="page")
def reports_page():
    selection, measure, errors = _selection()
    rows, totals = reports.summary(selection)
    yearly = reports.by_year()
    year_labels = [str(y) for y, _figures in yearly]
    days_chart = charts.bar_chart(
        year_labels, [None if f.hidden else f.shoot_days for _y, f in yearly], _("Shoot days per year"), "chart-days",
        highlight=str(selection.year) if selection.year else None, value_axis=_("shoot days"),
        withheld_label=_("(withheld)"))
    spend_chart = None if totals.hidden else charts.horizontal_bar_chart(
        [str(SPEND_LABELS[c]) for c in SPEND_CATEGORIES], [totals.spend[c] for c in SPEND_CATEGORIES],
        _("Local spend by category (%(year)s)", year=selection.year or _("all years")), "chart-spend",
        value_axis=_("yen"))
    values = reports.prefecture_values(selection.year, measure)
    labels = {code: _("withheld (privacy)") if value is None else _measure_label(measure, value)
              for code, value in values.items()}
    fmap, legend = maps.choropleth_map(
        values, labels, outlines_url(),
        _("Shoot days by prefecture") if measure == "days" else _("Local spend by prefecture"), current_language())
    years = sorted(set(reports.years()) | {today_jst().year}, reverse=True)
    return render_template(
        "reports/index.html", selection=selection, measure=measure, errors=errors, rows=rows, totals=totals,
        days_chart=days_chart, spend_chart=spend_chart, fmap=fmap, legend=legend, years=years,
        group_label=_group_label(selection.group), categories=SPEND_CATEGORIES, spend_labels=SPEND_LABELS,
        measure_label=_measure_label, withheld_text=withheld_text, min_productions=reports.MIN_PRODUCTIONS,
        withheld_colour=maps.CHOROPLETH_WITHHELD, any_withheld=None in values.values(),
    ), (400 if errors else 200)


CSV_HEADER = ("group", "code", "name_ja", "name_en", "reports", "shoot_days", "crew_days",
              *(f"spend_{c}_jpy" for c in SPEND_CATEGORIES), "spend_total_jpy", "reports_with_estimated_spend",
              "withheld")
# What the withheld column says: why the row's figures are empty.
CSV_WITHHELD = {"few": f"fewer_than_{reports.MIN_PRODUCTIONS}_productions", "protects": "protects_another_figure"}


def _csv_row(group: str, figures: reports.Figures) -> list[str]:
    names = [group, figures.key, figures.name_ja, figures.name_en]
    if figures.hidden:
        numbers = [None] * (5 + len(SPEND_CATEGORIES))
    else:
        numbers = [figures.reports, figures.shoot_days, figures.crew_days,
                   *(figures.spend[c] for c in SPEND_CATEGORIES), figures.total_spend, figures.estimates]
    return [csv_cell(value) for value in (*names, *numbers, CSV_WITHHELD.get(figures.hidden or ""))]


@bp.route("/reports.csv", endpoint="csv")
def reports_csv():
    selection, _measure, errors = _selection()
    if errors:
        abort(400, description="; ".join(errors))
    rows, totals = reports.summary(selection)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(_csv_row(selection.group, row))
    writer.writerow(_csv_row("total", totals))
    # The byte order mark tells Excel the file is UTF-8, so Japanese names open readable.
    body = "\ufeff" + out.getvalue()
    name = f"shoot-reports-{selection.year or 'all'}-{selection.group}.csv"
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


# --- busy areas ---------------------------------------------------------------------------------------

# --- recording (FC workspace) ---------------------------------------------------------------------------

def own_report(report_id: int) -> ShootReport:
    """The signed-in user's commission's report, or 404 (logged when it belongs to another FC)."""
    report = db.session.get(ShootReport, report_id)
    if report is None:
        abort(404)
    if report.commission_id != current_user.commission_id:
        audit.record("denied", report, detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
        abort(404)
    return report


@bp.route("/commission/shoot-reports")
@fc_staff_only
def shoot_reports():
    fc = own_commission()
    rows = db.session.scalars(
        select(ShootReport).where(ShootReport.commission_id == fc.id)
        .options(selectinload(ShootReport.municipality), selectinload(ShootReport.prefecture))
        .order_by(ShootReport.first_day.desc(), ShootReport.id.desc())).all()
    return render_template("reports/list.html", fc=fc, rows=rows, type_labels=PRODUCTION_TYPE_LABELS,
                           action=ActionForm())


def _report_form(fc: FilmCommission, report: Optional[ShootReport]) -> ShootReportForm:
    form = ShootReportForm(obj=report)
    # An FC reports the shoots in its own prefecture (a report made before this rule shows where it is).
    shown = {fc.prefecture_id} | ({report.prefecture_id} if report else set())
    form.prefecture_id.choices = choices((p.id, localized(p, "name")) for p in db.session.scalars(
        select(Prefecture).where(Prefecture.id.in_(shown)).order_by(Prefecture.code)))
    if request.method == "GET":
        form.version.data = str(report.version) if report else "0"
        if report is None:
            form.prefecture_id.data = fc.prefecture_id
            form.municipality_id.data = str(fc.municipality_id or "")
        else:
            form.municipality_id.data = str(report.municipality_id or "")
    prefecture_id = form.prefecture_id.data if form.prefecture_id.data in shown else fc.prefecture_id
    towns = db.session.scalars(select(Municipality).where(Municipality.prefecture_id == prefecture_id)
                               .order_by(Municipality.code))
    form.municipality_id.choices = choices([("", _("Whole prefecture / not one municipality"))] + [
        (str(m.id), m.name_ja if current_language() == "ja" else f"{m.name_romaji or m.name_ja} ({m.name_ja})")
        for m in towns])
    return form


def _values_from(form: ShootReportForm, fc: FilmCommission) -> Optional[dict]:
    """The model values, or None after adding errors the field validators cannot see."""
    ok = True
    if form.prefecture_id.data != fc.prefecture_id:
        # Public figures per prefecture must come from that prefecture's film commissions.
        form.prefecture_id.errors.append(_(
            "A film commission reports the shoots in its own prefecture (%(prefecture)s); a shoot elsewhere "
            "is reported by the film commission there.", prefecture=localized(fc.prefecture, "name")))
        ok = False
    first, last = form.first_day.data, form.last_day.data
    if last < first:
        form.last_day.errors.append(_("The last day cannot be before the first day."))
        ok = False
    elif form.shoot_days.data > (last - first).days + 1:
        form.shoot_days.errors.append(_("More shooting days than days from the first to the last day (%(n)d).",
                                        n=(last - first).days + 1))
        ok = False
    municipality_id = None
    if form.municipality_id.data:
        town_id = parse_id(form.municipality_id.data)
        town = db.session.get(Municipality, town_id) if town_id is not None else None
        if town is None or town.prefecture_id != form.prefecture_id.data:
            form.municipality_id.errors.append(_("Choose a municipality in the chosen prefecture."))
            ok = False
        else:
            municipality_id = town.id
    if form.origin.data == "domestic" and (form.origin_country.data or "").strip():
        form.origin_country.errors.append(_("Leave the country empty for a domestic production."))
        ok = False
    if not ok:
        return None
    values = {name: form[name].data for name in ("production_type", "origin", "prefecture_id", "first_day",
                                                 "last_day", "shoot_days", "crew_size", "spend_is_estimate")}
    values.update({name: form[name].data for name in ShootReportForm.SPEND_FIELDS})
    values["production_title"] = form.production_title.data.strip()
    values["origin_country"] = (form.origin_country.data or "").strip() or None
    values["municipality_id"] = municipality_id
    values["notes"] = (form.notes.data or "").strip() or None
    return values


def _conflict(report: ShootReport, form: ShootReportForm, values: dict):
    """409 with the saved values next to the submitted ones, as for locations."""
    db.session.refresh(report)
    rows = []
    for name in reports.REPORT_FIELDS:
        theirs, mine = getattr(report, name), values.get(name)
        if name == "prefecture_id":
            theirs, mine = (localized(db.session.get(Prefecture, v), "name") if v else None for v in (theirs, mine))
        elif name == "municipality_id":
            theirs, mine = (db.session.get(Municipality, v).name_ja if v else None for v in (theirs, mine))
        rows.append((form[name].label.text, theirs, mine))
    return conflict_page(rows, url_for("reports.edit_shoot_report", report_id=report.id))


@bp.route("/commission/shoot-reports/new", methods=["GET", "POST"])
@fc_staff_only
def new_shoot_report():
    fc = own_commission()
    form = _report_form(fc, None)
    if form.validate_on_submit():
        values = _values_from(form, fc)
        if values is not None:
            report = ShootReport(commission_id=fc.id, created_by_id=current_user.id)
            reports.save_report(report, values, None)
            db.session.commit()
            flash(_("Shoot report saved."))
            return redirect(url_for("reports.shoot_reports"))
    return render_template("reports/form.html", form=form, report=None, fc=fc), (400 if form.errors else 200)


@bp.route("/commission/shoot-reports/<id:report_id>/edit", methods=["GET", "POST"])
@fc_staff_only
def edit_shoot_report(report_id: int):
    report = own_report(report_id)
    form = _report_form(report.commission, report)
    if form.validate_on_submit():
        values = _values_from(form, report.commission)
        if values is not None:
            try:
                reports.save_report(report, values, int(form.version.data))
                db.session.commit()
            except (Conflict, StaleDataError):
                db.session.rollback()
                return _conflict(report, form, values)
            flash(_("Saved."))
            return redirect(url_for("reports.shoot_reports"))
    return render_template("reports/form.html", form=form, report=report, fc=report.commission,
                           action=ActionForm()), (400 if form.errors else 200)


@bp.route("/commission/shoot-reports/<id:report_id>/delete", methods=["POST"])
@fc_staff_only
def delete_shoot_report(report_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    reports.delete_report(own_report(report_id))
    db.session.commit()
    flash(_("Shoot report deleted."))
    return redirect(url_for("reports.shoot_reports"))
