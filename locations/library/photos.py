"""Location photos: checked, re-encoded without metadata, thumbnailed, stored under the instance folder."""
from __future__ import annotations

import os
import uuid
from typing import BinaryIO, Optional

from flask import current_app
from flask_babel import gettext as _
from PIL import Image

from ..core import images, stored_files
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


def photo_dir() -> str:
    return os.path.join(current_app.instance_path, "photos")


def thumb_dir() -> str:
    return os.path.join(photo_dir(), "thumbs")


def photo_paths(photo: Photo) -> list[str]:
    return [os.path.join(photo_dir(), photo.filename), os.path.join(thumb_dir(), photo.filename)]


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
    os.makedirs(thumb_dir(), exist_ok=True)
    # Resized straight from the original: a full-size copy to shrink would double the memory.
    thumb = image.resize(images.fitted(image.size, THUMB_SIDE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    original_path, thumb_path = photo_paths(photo)
    for picture, path in ((image, original_path), (thumb, thumb_path)):
        stored_files.written(path)
        _write(picture, path, kind)
    return photo


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}"


def _write(image: Image.Image, path: str, kind: str) -> None:
    options = {"quality": 88} if kind in ("JPEG", "WEBP") else {"optimize": True}
    images.write_clean(image, path, kind, **options)


stored_files.owns_files(Photo, photo_paths)
