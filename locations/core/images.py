"""Decoding untrusted images within a pixel budget, and writing them back without their metadata."""
from __future__ import annotations

import io
import math
import warnings
from typing import BinaryIO, Union

from PIL import Image, ImageOps, UnidentifiedImageError

# A JPEG may claim up to this many times the budget: it is decoded at 1/2 scale (libjpeg's DCT scaling),
# so no more than the budget is ever held in memory.
JPEG_DRAFT_FACTOR = 4
# Kept when writing: what the pixels need to look right. Everything else (EXIF with GPS and the camera's
# serial number, XMP, IPTC, comments, PNG text) is left behind.
KEPT_INFO = ("transparency", "icc_profile", "dpi")


class TooManyPixels(ValueError):
    def __init__(self, pixels: int, budget: int):
        super().__init__(f"{pixels:,} pixels; at most {budget:,}")
        self.pixels, self.budget = pixels, budget


class NotAnImage(ValueError):
    """The bytes are not a readable image."""


class WrongFormat(NotAnImage):
    """A readable image, in a format not accepted here."""


def decode(data: bytes, formats: tuple[str, ...], max_pixels: int, shrink_jpeg: bool = False) -> Image.Image:
    """The first frame of ``data``, decoded only after its header's size has passed ``max_pixels``.

    With ``shrink_jpeg`` a JPEG of up to JPEG_DRAFT_FACTOR × the budget decodes at a reduced scale
    instead of being refused (photos are shown at most 4000 px wide anyway).
    """
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; here it is one more refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind in formats:
                    _check_budget(kind, width * height, max_pixels, shrink_jpeg)
                    probe.verify()
            if kind not in formats:
                raise WrongFormat(kind or "unknown")
            image = Image.open(io.BytesIO(data))
            if kind == "JPEG" and width * height > max_pixels:
                scale = 2
                while math.ceil(width / scale) * math.ceil(height / scale) > max_pixels and scale < 8:
                    scale *= 2
                image.draft(image.mode, (max(width // scale, 1), max(height // scale, 1)))
                _check_budget(kind, image.width * image.height, max_pixels, False)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooManyPixels(Image.MAX_IMAGE_PIXELS, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError) as error:
        raise NotAnImage(str(error)) from error
    return image


def _check_budget(kind: str, pixels: int, max_pixels: int, shrink_jpeg: bool) -> None:
    allowed = max_pixels * (JPEG_DRAFT_FACTOR if shrink_jpeg and kind == "JPEG" else 1)
    if pixels > allowed:
        raise TooManyPixels(pixels, allowed)


def upright(image: Image.Image) -> Image.Image:
    """Apply the camera's orientation tag to the pixels, since the tag itself is not kept (in place:
    no copy of an image that needs no turning)."""
    ImageOps.exif_transpose(image, in_place=True)
    return image


def fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """``size`` scaled down (never up) to fit a ``side`` × ``side`` box, keeping its proportions."""
    scale = min(side / size[0], side / size[1], 1.0)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def write_clean(image: Image.Image, target: Union[str, BinaryIO], kind: str, **options) -> None:
    """Encode ``image`` as ``kind`` with none of the source's metadata."""
    kept = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    # Browsers show RGB and greyscale JPEGs reliably; CMYK or alpha would not survive as such.
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
        # A CMYK profile would misdescribe the RGB pixels; RGB is read as sRGB without one.
        kept.pop("transparency", None)
        kept.pop("icc_profile", None)
    # Encoders read some metadata from .info (JPEG comments, PNG chunks), so it is emptied first.
    image.info = {k: v for k, v in kept.items() if k == "transparency"}
    extra = {k: v for k, v in kept.items() if k in ("icc_profile", "dpi")}
    image.save(target, format=kind, **extra, **options)
