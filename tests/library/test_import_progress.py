"""The web import's progress: the request records reading, checking, placing and writing with counts, the page
polls them as JSON; only the commission's own staff can read them."""
import io

from sqlalchemy import func, select

from locations.core.extensions import db
from locations.directory.models import FilmCommission
from locations.library import progress as progress_module
from locations.library.models import Location
from locations.library.progress import ImportProgress, progress_path, read_progress
from tests.builders import make_user, signed_in

HEADER = "name_ja,category,address,lat,lon,status,source\n"
PROGRESS_ID = "0123456789abcdef0123456789abcdef"


def rows(n: int) -> str:
    return "".join(f"進捗試験{i},park,,34.3{i % 10},134.0{i % 10},published,progress test\n" for i in range(n))


def upload(client, text, progress_id=PROGRESS_ID, dry_run=False):
    data = {"file": (io.BytesIO(text.encode()), "places.csv"), "progress_id": progress_id}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/commission/import?lang=en", data=data, content_type="multipart/form-data")


def test_an_import_records_each_phase_and_the_page_reads_it(app, monkeypatch):
    seen = []
    original = ImportProgress.__call__
    monkeypatch.setattr(ImportProgress, "__call__", lambda self, phase, done, total: (
        seen.append((phase, done, total)), original(self, phase, done, total))[-1])
    client = signed_in(app, role="fc_staff")
    response = upload(client, HEADER + rows(12))
    assert response.status_code == 302
    phases = [phase for phase, _, _ in seen]
    assert phases[0] == "read" and phases[-1] == "done"
    assert phases.index("read") < phases.index("check") < phases.index("write") < phases.index("done")
    assert ("write", 12, 12) in seen
    answer = client.get(f"/commission/import/progress/{PROGRESS_ID}?lang=en")
    assert answer.status_code == 200
    assert answer.get_json() == {"phase": "done", "done": 12, "total": 12, "label": "Done."}
    assert client.get(f"/commission/import/progress/{PROGRESS_ID}?lang=ja").get_json()["label"] == "完了しました。"


def test_a_file_with_a_bad_row_stops_before_writing(app):
    client = signed_in(app, role="fc_staff")
    with app.app_context():
        before = db.session.scalar(select(func.count(Location.id)))
    response = upload(client, HEADER + rows(3) + "壊れた行,spaceport,,34,134,draft,x\n")
    assert response.status_code == 400
    found = client.get(f"/commission/import/progress/{PROGRESS_ID}").get_json()
    assert found["phase"] == "done" and found["total"] == 4  # checked every row, wrote none
    with app.app_context():
        assert db.session.scalar(select(func.count(Location.id))) == before


def test_progress_is_only_for_the_commissions_own_staff(app):
    upload(signed_in(app, role="fc_staff"), HEADER + rows(2), dry_run=True)
    with app.app_context():
        other = db.session.scalar(select(FilmCommission).where(FilmCommission.slug != "kagawa-film-commission"))
        email = make_user("fc_staff", commission=other).email
        db.session.commit()
    answer = signed_in(app, email).get(f"/commission/import/progress/{PROGRESS_ID}?lang=en")
    assert answer.status_code == 200  # the same answer as for an import not begun yet
    assert answer.get_json() == {"phase": None, "done": 0, "total": 0, "label": "Sending the file…"}
    assert signed_in(app, role="producer").get(f"/commission/import/progress/{PROGRESS_ID}").status_code in (
        302, 403, 404)
    assert signed_in(app, role="fc_staff").get("/commission/import/progress/..%2F..%2Fsecret").status_code == 404


def test_an_upload_without_an_id_imports_as_before(app):
    client = signed_in(app, role="fc_staff")
    assert upload(client, HEADER + rows(2), progress_id="").status_code == 302
    assert upload(client, HEADER + rows(2), progress_id="../../etc/passwd").status_code == 302


def test_progress_files_are_written_whole_and_throttled(tmp_path, monkeypatch):
    path = progress_path(str(tmp_path), 7, PROGRESS_ID)
    assert progress_path(str(tmp_path), 7, "../x") is None and read_progress(None) is None
    clock = iter([0.0, 0.1, 0.2, 1.0, 1.1])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    report = ImportProgress(path)
    report("check", 0, 100)
    report("check", 50, 100)  # 0.1 s later: skipped
    assert read_progress(path) == {"phase": "check", "done": 0, "total": 100}
    report("check", 100, 100)  # the end of a phase is always written
    assert read_progress(path)["done"] == 100
    step = report.writing(10)
    step(10)
    assert read_progress(path) == {"phase": "write", "done": 10, "total": 10}
