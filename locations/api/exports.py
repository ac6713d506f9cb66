"""The public CSV export of the location library: streamed, a page of rows per request, rate-limited."""
from __future__ import annotations

import csv
import io
from typing import Iterator

from flask import Response, current_app, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.fileformats import csv_cell
from ..core.params import parse_int
from ..core.security import rate_limits_off
from ..library import queries as library

CSV_COLUMNS = ("slug", "name_ja", "name_en", "category", "prefecture", "municipality", "address", "lat", "lon",
               "commission", "last_verified", "synthetic", "source")
LOADS_PER_QUERY = 500
MAX_AFTER = 2 ** 63 - 1


def export_rate_limit() -> str:
    return current_app.config["EXPORT_RATE_LIMIT"]


def export_limit_exempt() -> bool:
    """Only anonymous CSV exports count: the map and search answers are cheap, and signed-in users are known."""
    return (request.args.get("format") != "csv" or rate_limits_off() or current_user.is_authenticated)


def export_limit_message() -> str:
    return _("Too many CSV exports from your address; wait a minute and ask for the next page again.")


def page_size_limit() -> int:
    return current_app.config["EXPORT_PAGE_ROWS"]


def parse_page(args, errors: list[str]) -> tuple[int, int]:
    """(after, per_page): rows with ids above ``after``, at most ``per_page`` of them."""
    cap = page_size_limit()
    after = parse_int(args, "after", 0, 0, MAX_AFTER, errors)
    per_page = parse_int(args, "per_page", cap, 1, cap, errors)
    return after, per_page


def _row(location) -> list[str]:
    values = (location.slug, location.name_ja, location.name_en or "", location.category.code,
              location.prefecture.code, location.municipality.name_ja if location.municipality else "",
              location.address or "", location.lat, location.lon, location.commission.slug,
              location.last_verified, int(location.is_synthetic), location.source)
    return [csv_cell(value) for value in values]


def locations_csv(filters: library.LocationFilter, after: int, per_page: int) -> Response:
    """One page of matching published locations in id order; ``Link: rel="next"`` points at the next page."""
    ids, more = library.export_page(filters, after, per_page)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        # CRLF as RFC 4180 has it; it also makes the writer quote a lone CR inside a cell.
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for start in range(0, len(ids), LOADS_PER_QUERY):
            for location in library.locations_by_id(ids[start:start + LOADS_PER_QUERY]):
                writer.writerow(_row(location))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    headers = {"Content-Disposition": "attachment; filename=locations.csv"}
    if more:
        following = {key: values for key, values in request.args.lists() if key != "after"}
        following["after"] = [str(ids[-1])]
        headers["Link"] = f'<{url_for("api.locations", **following)}>; rel="next"'
    # The request context (and its database session) lives until the last row is sent.
    return Response(stream_with_context(lines()), mimetype="text/csv", headers=headers)
