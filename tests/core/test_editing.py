"""One way to show values on the 409 page, so the comparison sees only real differences."""
from decimal import Decimal

from locations.core.editing import Conflict, ConflictRow, conflict_rows, shown


def test_values_are_shown_one_way(request_context):
    assert shown(None) is None and shown("") is None and shown([]) is None
    assert shown(True) == "yes" and shown(False) == "no"
    assert shown(0) == "0" and shown(0.0) == "0.000000"
    assert shown(Decimal("34.3428000")) == shown(34.3428) == "34.342800"
    assert shown(["ROAD_USE", "DRONE"]) == "ROAD_USE; DRONE"


def test_rows_differ_only_where_the_shown_values_differ(request_context):
    rows = conflict_rows([("Latitude", 34.3428, Decimal("34.342800")), ("Name", "港", "港の記憶"),
                          ("Parking", None, ""), ("Crew", 0, None)])
    assert [row.differs for row in rows] == [False, True, False, True]
    assert rows[1] == ConflictRow("Name", "港", "港の記憶")


def test_the_conflict_carries_what_is_stored_now():
    assert Conflict({"name_ja": "港"}).current == {"name_ja": "港"} and Conflict().current == {}
