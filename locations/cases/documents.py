"""Files attached to permit steps: checked by extension and by content, kept in the file storage
(core/file_storage.py) under random names, so a name or a disguised file never decides what the server keeps or sends. Images are
re-encoded without their metadata (a phone photo of a site carries its GPS position); PDF and Office files
are kept byte for byte."""
from __future__ import annotations

import io
import os
import re
import secrets
import unicodedata
import zipfile
from typing import BinaryIO

from flask import current_app

from ..accounts.models import User
from ..core import file_storage, images, stored_files
from ..core.extensions import db
from .models import PermitStep, StepDocument

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


MAX_NAME = 200
IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG"}


def document_key(document: StepDocument) -> str:
    return f"step_documents/{os.path.basename(document.filename)}"


def display_name(uploaded: str) -> str:
    """The name a document is shown and downloaded under: the upload's own name without folders, control
    characters (a NUL breaks the download header; PostgreSQL cannot store one) or invisible formatting
    characters (right-to-left overrides can disguise an extension), at most MAX_NAME characters."""
    name = unicodedata.normalize("NFC", uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = re.sub(r"\s+", " ", name).strip()
    # Only an extension is left (say the name was NULs and ".pdf"): give it a plain name.
    stem, extension = os.path.splitext("document" + name if name.startswith(".") else name)
    return stem[:MAX_NAME - len(extension)] + extension[:MAX_NAME]


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
    """Check and store one upload for ``step``; adds the row, the caller commits (a rollback removes the file)."""
    limit = current_app.config["STEP_DOCUMENT_MAX_BYTES"]
    name = display_name(original_name)
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
    if kind in IMAGE_FORMATS:
        data = _without_metadata(data, IMAGE_FORMATS[kind])
    stored = secrets.token_hex(16) + extension
    document = StepDocument(step=step, uploaded_by_id=uploader.id, filename=stored, original_name=name,
                            content_type=content_type, size=len(data))
    db.session.add(document)
    # The row goes first: if it cannot be saved, no file is written.
    db.session.flush()
    file_storage.put(document_key(document), data)
    return document


def _without_metadata(data: bytes, kind: str) -> bytes:
    """The image re-encoded from its pixels alone, upright, at full size."""
    try:
        image = images.decode(data, (kind,), current_app.config["IMAGE_MAX_PIXELS"])
    except images.TooManyPixels:
        raise DocumentError(N_("The image has too many pixels; scan it at a lower resolution or send it as a PDF.")) \
            from None
    except images.NotAnImage:
        raise DocumentError(N_("The file's content does not match its type.")) from None
    out = io.BytesIO()
    options = {"quality": 92} if kind == "JPEG" else {}
    images.write_clean(images.upright(image), out, kind, **options)
    return out.getvalue()


stored_files.owns_files(StepDocument, lambda document: [document_key(document)])
