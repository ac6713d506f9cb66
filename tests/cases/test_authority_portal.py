"""The step page where each role acts (status, comments, documents), the guideline checklist, and the
authority officers' list of applications."""
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from locations.accounts.models import Notification, User
from locations.cases.models import PermitStep, StepDocument
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.permits.models import GuidelineStep
from tests.builders import PDF, login, make_production, make_shoot, make_step, make_user


def step_row(app, step_id):
    with app.app_context():
        step = db.session.get(PermitStep, step_id)
        return step.status, step.version


def change(client, url, version, status, note="", conditions=""):
    return client.post(url + "/status?lang=en", data={"status-version": str(version), "status-status": status,
                                                      "status-note": note, "status-conditions": conditions})


def test_each_role_moves_the_step_as_the_rules_allow(app, people, case):
    c, url = people["clients"], case["url"]("road")
    assert change(c["fc_staff"], url, 1, "consulted").status_code == 403
    assert change(c["other_producer"], url, 1, "consulted").status_code == 404
    assert change(c["producer"], url, 1, "approved", "please").status_code == 400  # not a producer's choice
    assert change(c["producer"], url, 1, "submitted").status_code == 302
    response = change(c["authority"], url, 2, "approved_with_conditions")
    assert response.status_code == 400 and "Give the conditions of the approval." in response.get_data(as_text=True)
    assert change(c["authority"], url, 2, "approved_with_conditions", "", "No filming after 21:00").status_code == 302
    assert step_row(app, case["road"]) == ("approved_with_conditions", 3)
    # Back to submitted (resubmission) needs the producer's note.
    assert change(c["producer"], url, 3, "submitted").status_code == 400
    assert change(c["producer"], url, 3, "submitted", "New route after the council's remarks").status_code == 302
    with app.app_context():
        step = db.session.get(PermitStep, case["road"])
        assert step.conditions == "No filming after 21:00"
        assert [(n.from_status, n.to_status) for n in step.notes] == [
            ("not_started", "submitted"), ("submitted", "approved_with_conditions"),
            ("approved_with_conditions", "submitted")]
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "permit_step",
                                                             AuditEvent.entity_id == case["road"],
                                                             AuditEvent.action == "status")
                                    .order_by(AuditEvent.id)).all()
        assert [json.loads(e.changes)["status"] for e in events] == [
            ["not_started", "submitted"], ["submitted", "approved_with_conditions"],
            ["approved_with_conditions", "submitted"]]
        assert events[1].role == "authority"
        sent = db.session.scalars(select(Notification).where(Notification.kind == "step_status")).all()
        first = [n for n in sent if json.loads(n.params)["to"] == "submitted"
                 and json.loads(n.params)["from"] == "not_started"]
        # Everyone concerned but the producer who acted: the Kagawa FC staff member and the police officer.
        assert {n.user_id for n in first} == {people["ids"]["fc_staff"], people["ids"]["authority"]}
        assert json.loads(first[0].params)["by"] == db.session.get(User, people["ids"]["producer"]).display_name
        assert first[0].link == url


def test_an_officer_cannot_act_on_another_authoritys_step(app, people, case):
    client = people["clients"]["authority"]
    assert client.get(case["url"]("drone")).status_code == 404
    assert change(client, case["url"]("drone"), 1, "consulted").status_code == 404
    assert client.get(case["url"]("road")).status_code == 200


def test_a_stale_version_answers_409_and_changes_nothing(app, people, case):
    c, url = people["clients"], case["url"]("road")
    assert change(c["authority"], url, 1, "consulted").status_code == 302
    response = change(c["producer"], url, 1, "not_needed", "filming moved indoors")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Consulted" in html and "Not needed" in html
    assert step_row(app, case["road"]) == ("consulted", 2)


def test_comments_and_bad_forms(app, people, case):
    c, url = people["clients"], case["url"]("road")
    assert c["fc_staff"].post(url + "/comments", data={"comment-body": "The harbour office agrees."}).status_code == 302
    assert c["fc_staff"].post(url + "/comments", data={"comment-body": ""}).status_code == 400
    assert change(c["producer"], url, "x", "consulted").status_code == 400
    admin = app.test_client()
    with app.app_context():
        email = make_user("admin").email
        db.session.commit()
    login(admin, email)
    assert admin.get(url + "?lang=en").status_code == 200
    assert admin.post(url + "/comments", data={"comment-body": "hi"}).status_code == 403
    html = c["producer"].get(url + "?lang=en").get_data(as_text=True)
    assert "The harbour office agrees." in html
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.kind == "step_note")).all()
        assert {n.user_id for n in notes} == {people["ids"]["producer"], people["ids"]["authority"]}


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, ok", [
    ("申請書.pdf", PDF, True),
    ("plan.docx", office_file("word"), True),
    ("plan.xlsx", office_file("word"), False),  # a Word file renamed to .xlsx
    ("plan.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 20, False),
    ("script.html", b"<script>alert(1)</script>", False),
    ("empty.pdf", b"", False),
])
def test_document_types_are_checked_by_name_and_content(app, people, case, name, data, ok):
    url = case["url"]("road")
    response = people["clients"]["producer"].post(url + "/documents?lang=en", content_type="multipart/form-data",
                                                  data={"doc-file": (io.BytesIO(data), name)})
    assert response.status_code == (302 if ok else 400)
    with app.app_context():
        assert len(db.session.get(PermitStep, case["road"]).documents) == (1 if ok else 0)


def test_documents_are_too_large_over_the_limit(app, people, case):
    saved, app.config["STEP_DOCUMENT_MAX_BYTES"] = app.config["STEP_DOCUMENT_MAX_BYTES"], 100
    try:
        response = people["clients"]["producer"].post(
            case["url"]("road") + "/documents?lang=en", content_type="multipart/form-data",
            data={"doc-file": (io.BytesIO(PDF + b"0" * 200), "big.pdf")})
    finally:
        app.config["STEP_DOCUMENT_MAX_BYTES"] = saved
    assert response.status_code == 400 and "The file is too large." in response.get_data(as_text=True)


def test_documents_download_only_for_those_who_see_the_step(app, people, case):
    c, url = people["clients"], case["url"]("road")
    assert c["authority"].post(url + "/documents", content_type="multipart/form-data",
                               data={"doc-file": (io.BytesIO(PDF), "許可書.pdf")}).status_code == 302
    with app.app_context():
        document = db.session.scalar(select(StepDocument).where(StepDocument.step_id == case["road"]))
        assert document.filename.endswith(".pdf") and "許可書" not in document.filename
        link = f"{url}/documents/{document.id}"
    for key in ("producer", "fc_staff", "authority"):
        response = c[key].get(link)
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()
    assert c["other_producer"].get(link).status_code == 404
    assert c["producer"].get(f"{case['url']('drone')}/documents/{document.id}").status_code == 404
    assert app.test_client().get(link).status_code == 302  # anonymous: sign in first


def cell(app, phase_order: int, actor: str) -> int:
    with app.app_context():
        return db.session.scalar(select(GuidelineStep.id).where(GuidelineStep.phase_order == phase_order,
                                                                GuidelineStep.actor == actor))


def ticked(app, production_id) -> set[int]:
    with app.app_context():
        from locations.cases.models import ChecklistTick

        return set(db.session.scalars(select(ChecklistTick.guideline_step_id).where(
            ChecklistTick.production_id == production_id)))


def test_checklist_ticking_per_role(app, people, case):
    c, base = people["clients"], f"/productions/{case['production']}/checklist/"
    producer_cell, authority_cell = cell(app, 1, "producer"), cell(app, 4, "authority")
    assert c["producer"].post(base + str(producer_cell), data={"done": "1"}).status_code == 302
    assert c["fc_staff"].post(base + str(authority_cell), data={"done": "1"}).status_code == 302
    assert ticked(app, case["production"]) == {producer_cell, authority_cell}
    assert c["authority"].post(base + str(producer_cell), data={"done": "0"}).status_code == 403
    assert c["authority"].post(base + str(authority_cell), data={"done": "0"}).status_code == 302
    assert c["other_producer"].post(base + str(producer_cell), data={"done": "0"}).status_code == 404
    assert c["producer"].post(base + str(producer_cell), data={"done": "maybe"}).status_code == 400
    assert ticked(app, case["production"]) == {producer_cell}
    with app.app_context():
        no_role = db.session.scalar(select(GuidelineStep.id).where(GuidelineStep.has_role.is_(False)))
    if no_role is not None:
        assert c["producer"].post(base + str(no_role), data={"done": "1"}).status_code == 403
    html = c["producer"].get(f"/productions/{case['production']}?lang=en").get_data(as_text=True)
    assert "☑" in html and "Guideline checklist" in html


def test_portal_lists_the_authoritys_steps_by_due_date(app, people, case):
    with app.app_context():
        owner = db.session.get(User, people["ids"]["producer"])
        later = make_production(owner, title="Later Film")
        shoot = make_shoot(later, start=today_jst() + timedelta(days=80))
        make_step(shoot, "ROAD_USE", "police-hq-37", due_date=today_jst() + timedelta(days=60))
        early = make_production(owner, title="Urgent Film")
        make_step(make_shoot(early, start=today_jst() + timedelta(days=3)), "ROAD_USE", "police-hq-37",
                  due_date=today_jst() - timedelta(days=2))
        decided = make_step(make_shoot(early, name="Pier"), "ROAD_OCCUPANCY", "police-hq-37", status="approved",
                            due_date=today_jst() - timedelta(days=30))
        db.session.commit()
    client = people["clients"]["authority"]
    html = client.get("/authority/?lang=en").get_data(as_text=True)
    assert html.index("Urgent Film") < html.index("Seto Nights") < html.index("Later Film")
    assert "overdue" in html and "Kagawa" not in html.split("Seto Nights")[0].split("<main")[0]
    assert "Pier" not in html  # decided steps are not open
    decided_html = client.get("/authority/?show=decided&lang=en").get_data(as_text=True)
    assert "Urgent Film" in decided_html and "Seto Nights" not in decided_html
    assert "Osaka" not in client.get("/authority/?show=all&lang=en").get_data(as_text=True)
    assert client.get("/authority/?show=nonsense").status_code == 200
    assert decided is not None


def test_officer_without_authority_and_other_roles(app, people):
    with app.app_context():
        user = make_user("authority")
        user.authority_id = None
        db.session.commit()
        email = user.email
    client = app.test_client()
    login(client, email)
    html = client.get("/authority/?lang=en").get_data(as_text=True)
    assert "Your account is not linked to a permit authority yet." in html
    assert people["clients"]["producer"].get("/authority/").status_code == 403
    assert app.test_client().get("/authority/").status_code == 302
    for lang in ("ja", "en"):
        assert people["clients"]["authority"].get(f"/authority/?lang={lang}").status_code == 200


def test_a_failed_comment_keeps_the_status_form_usable(app, people, case):
    url = case["url"]("road")
    html = people["clients"]["producer"].post(url + "/comments", data={"comment-body": ""}).get_data(as_text=True)
    assert 'name="status-version" type="hidden" value="1"' in html
