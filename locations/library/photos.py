"""Location photos: checked, re-encoded without metadata, thumbnailed, kept in the file storage (core/file_storage.py)."""
from __future__ import annotations

import io
import uuid
from typing import BinaryIO, Optional

from flask import current_app
from flask_babel import gettext as _
from PIL import Image

from ..core import file_storage, images, stored_files
from ..core.extensions import db
from .models import Location, Photo

ALLOWED_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
MAX_SIDE = 4000
THUMB_SIDE = 480



def N_(message: str) -> str:
    """Marks a message id for extraction; PhotoError.translated translates it."""
    return message


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message (an English message id) says why."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params

    def translated(self) -> str:
        return _(self.message, **self.params)


def photo_key(photo: Photo) -> str:
    return f"photos/{photo.filename}"


def thumb_key(photo: Photo) -> str:
    return f"photos/thumbs/{photo.filename}"


def photo_keys(photo: Photo) -> list[str]:
    return [photo_key(photo), thumb_key(photo)]


def save_photo(location: Location, stream: BinaryIO, caption_ja: Optional[str] = None,
               caption_en: Optional[str] = None, credit: Optional[str] = None) -> Photo:
    """Validate and store an image for ``location``; adds the Photo, the caller commits (a rollback
    removes the files again)."""
    limit = current_app.config["MAX_PHOTO_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(N_("the file is larger than %(n)d MB"), n=limit // (1024 * 1024))
    budget = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        image = images.decode(data, tuple(ALLOWED_FORMATS), budget, shrink_jpeg=True)
    except images.TooManyPixels as error:
        raise PhotoError(N_("the image has too many pixels (%(pixels)s megapixels; at most %(limit)s)"),
                         pixels=_megapixels(error.pixels), limit=_megapixels(error.budget)) from error
    except images.WrongFormat as error:
        raise PhotoError(N_("only JPEG, PNG and WebP images are accepted")) from error
    except images.NotAnImage as error:
        raise PhotoError(N_("the file is not a readable JPEG, PNG or WebP image")) from error
    kind = image.format
    content_type, extension = ALLOWED_FORMATS[kind]
    # Shrink first, so turning the pixels upright works on the smaller copy.
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    image = images.upright(image)
    name = uuid.uuid4().hex + extension
    photo = Photo(location=location, filename=name, content_type=content_type, width=image.width,
                  height=image.height, caption_ja=caption_ja, caption_en=caption_en, credit=credit,
                  position=len(location.photos))
    db.session.add(photo)
    # The row goes first: if it cannot be saved, no file is written.
    db.session.flush()
    # Resized straight from the original: a full-size copy to shrink would double the memory.
    thumb = image.resize(images.fitted(image.size, THUMB_SIDE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    for picture, key in ((image, photo_key(photo)), (thumb, thumb_key(photo))):
        file_storage.put(key, _encoded(picture, kind))
    return photo


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}"


def _encoded(image: Image.Image, kind: str) -> bytes:
    options = {"quality": 88} if kind in ("JPEG", "WEBP") else {"optimize": True}
    out = io.BytesIO()
    images.write_clean(image, out, kind, **options)
    return out.getvalue()


stored_files.owns_files(Photo, photo_keys)
