"""Location photos: checked, re-encoded without metadata, thumbnailed, stored under the instance folder."""
from __future__ import annotations

import io
import os
import uuid
from typing import BinaryIO, Optional

from flask import Blueprint, Flask, abort, current_app, send_from_directory
from flask_login import current_user
from PIL import Image, ImageOps, UnidentifiedImageError

from .extensions import db
from .models import Location, Photo

ALLOWED_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before Pillow's own warning
MAX_SIDE = 4000
THUMB_SIDE = 480

bp = Blueprint("photos", __name__, url_prefix="/photos")


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message says why."""


def photo_dir() -> str:
    return os.path.join(current_app.instance_path, "photos")


def thumb_dir() -> str:
    return os.path.join(photo_dir(), "thumbs")


def save_photo(location: Location, stream: BinaryIO, caption_ja: Optional[str] = None,
               caption_en: Optional[str] = None, credit: Optional[str] = None) -> Photo:
    """Validate and store an image for ``location``; adds the Photo, the caller commits."""
    limit = current_app.config.get("MAX_PHOTO_BYTES", 10 * 1024 * 1024)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(f"the file is larger than {limit // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError("the image has too many pixels")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise PhotoError("the file is not a readable JPEG, PNG or WebP image") from error
    if kind not in ALLOWED_FORMATS:
        raise PhotoError("only JPEG, PNG and WebP images are accepted")
    content_type, extension = ALLOWED_FORMATS[kind]
    # Apply the camera's rotation, then drop EXIF and other metadata (GPS of a private home, say).
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    name = uuid.uuid4().hex + extension
    os.makedirs(thumb_dir(), exist_ok=True)
    _write(image, os.path.join(photo_dir(), name), kind)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    _write(thumb, os.path.join(thumb_dir(), name), kind)
    photo = Photo(location=location, filename=name, content_type=content_type, width=image.width,
                  height=image.height, caption_ja=caption_ja, caption_en=caption_en, credit=credit,
                  position=len(location.photos))
    db.session.add(photo)
    return photo


def remove_photo_files(filename: str) -> None:
    """Delete a photo's files once its row is gone (after the commit, so a rollback loses nothing)."""
    for folder in (photo_dir(), thumb_dir()):
        try:
            os.remove(os.path.join(folder, filename))
        except FileNotFoundError:
            pass


def _write(image: Image.Image, path: str, kind: str) -> None:
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    options = {"quality": 88} if kind in ("JPEG", "WEBP") else {"optimize": True}
    image.save(path, format=kind, **options)


def _send(directory: str, photo_id: int):
    photo = db.get_or_404(Photo, photo_id)
    location = photo.location
    public = location.status == "published" and not location.hidden_stale
    owner = current_user.is_authenticated and (
        current_user.role == "admin" or current_user.commission_id == location.commission_id)
    if not (public or owner):
        abort(404)
    response = send_from_directory(directory, photo.filename, mimetype=photo.content_type, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<id:photo_id>")
def original(photo_id: int):
    return _send(photo_dir(), photo_id)


@bp.route("/<id:photo_id>/thumb")
def thumbnail(photo_id: int):
    return _send(thumb_dir(), photo_id)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
