"""Files attached to permit steps: checked by extension and by content, stored under the instance folder
with random names, so a name or a disguised file never decides what the server keeps or sends."""
from __future__ import annotations

import io
import os
import secrets
import zipfile
from typing import BinaryIO

from flask import current_app

from .extensions import db
from .models import PermitStep, StepDocument, User

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of legacy .doc/.xls/.ppt
# extension → (content type, what the content must look like)
ALLOWED = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ppt/"),
}


def N_(message: str) -> str:
    """Marks a message id for extraction; the view translates it."""
    return message


EXTENSIONS = ", ".join(sorted(e.lstrip(".").upper() for e in ALLOWED))


class DocumentError(ValueError):
    """The upload is not a document we accept; the message (an English message id) says why."""


def document_dir() -> str:
    return os.path.join(current_app.instance_path, "step_documents")


def _looks_like(data: bytes, kind: str) -> bool:
    if kind == "pdf":
        return data.startswith(b"%PDF-")
    if kind == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if kind == "ole":
        return data.startswith(OLE)
    # Office Open XML: a zip with a content-types part and the application's folder.
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(kind) for n in names)


def save_document(step: PermitStep, stream: BinaryIO, original_name: str, uploader: User) -> StepDocument:
    """Check and store one upload for ``step``; adds the row, the caller commits."""
    limit = current_app.config["STEP_DOCUMENT_MAX_BYTES"]
    name = os.path.basename((original_name or "").replace("\\", "/")).strip()[:200]
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED:
        raise DocumentError(N_("Only PDF, PNG, JPEG and Office documents are accepted."))
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(N_("The file is too large."))
    if not data:
        raise DocumentError(N_("The file is empty."))
    content_type, kind = ALLOWED[extension]
    if not _looks_like(data, kind):
        raise DocumentError(N_("The file's content does not match its type."))
    stored = secrets.token_hex(16) + extension
    os.makedirs(document_dir(), exist_ok=True)
    with open(os.path.join(document_dir(), stored), "xb") as out:
        out.write(data)
    document = StepDocument(step=step, uploaded_by_id=uploader.id, filename=stored, original_name=name,
                            content_type=content_type, size=len(data))
    db.session.add(document)
    db.session.flush()
    return document


def remove_files(filenames: list[str]) -> None:
    """Delete stored files after their rows are gone (a missing file is no error)."""
    for filename in filenames:
        try:
            os.remove(os.path.join(document_dir(), os.path.basename(filename)))
        except FileNotFoundError:
            pass
